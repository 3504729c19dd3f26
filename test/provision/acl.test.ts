import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDrift } from '../../lib/drift/index.ts';
import { applyStack, planStack } from '../../lib/provision/index.ts';
import { loadStack, type Stack } from '../../lib/stack/index.ts';
import { type ProvisionFixture, startProvisionFixture } from './support.ts';

let fixture: ProvisionFixture;
let stack: Stack;

beforeAll(async () => {
  fixture = await startProvisionFixture();
  stack = await loadStack('stacks/dev.yaml');
});

afterAll(() => fixture.close());

async function liveAcl(): Promise<string[]> {
  const { rdb } = fixture.context.clients;
  const { instances } = await rdb.listInstances({
    region: stack.region,
    name: 'evalap-db-dev',
  });
  const rules = await rdb
    .listInstanceACLRules({
      region: stack.region,
      instanceId: instances[0]?.id ?? '',
    })
    .all();

  return rules.map((rule) => rule.ip);
}

describe('the ACL of a public database endpoint (dev example)', () => {
  it('is planned with the declared addresses', async () => {
    const plan = await planStack(fixture.context, stack);

    const acl = plan.items.find((item) =>
      item.changes.some((change) => change.field === 'acl'),
    );
    expect(acl).toMatchObject({
      kind: 'database-instance',
      action: 'update',
      changes: [{ field: 'acl', from: '(open)', to: ['203.0.113.0/24'] }],
    });
  });

  it('is set to the declared addresses, closing the default', async () => {
    await applyStack(fixture.context, stack);

    expect(await liveAcl()).toEqual(['203.0.113.0/24']);
  });

  it('makes no write on a second apply', async () => {
    fixture.platform.controls.counters.reset();

    const again = await applyStack(fixture.context, stack);

    expect(again.changed).toBe(0);
    expect(fixture.apiWrites()).toBe(0);
  });

  it('leaves drift no open ACL to report', async () => {
    const report = await checkDrift({
      stack,
      apis: fixture.context.clients,
      organizationId: fixture.context.organizationId,
    });

    const rules = report.findings.map((f) => f.ruleId);
    expect(rules).not.toContain('live.database-open-acl');
    expect(report.findings.filter((f) => f.field === 'acl')).toEqual([]);
  });

  it('reports an ACL changed by hand, which an apply restores', async () => {
    const { rdb } = fixture.context.clients;
    const { instances } = await rdb.listInstances({
      region: stack.region,
      name: 'evalap-db-dev',
    });
    await rdb.setInstanceACLRules({
      region: stack.region,
      instanceId: instances[0]?.id ?? '',
      rules: [{ ip: '198.51.100.9/32', description: 'by hand' }],
    });
    const check = () =>
      checkDrift({
        stack,
        apis: fixture.context.clients,
        organizationId: fixture.context.organizationId,
      });

    const before = await check();
    await applyStack(fixture.context, stack);
    const after = await check();

    expect(before.findings.filter((f) => f.field === 'acl')).toMatchObject([
      {
        class: 'changed',
        severity: 'high',
        declared: ['203.0.113.0/24'],
        live: ['198.51.100.9/32'],
      },
    ]);
    expect(after.findings.filter((f) => f.field === 'acl')).toEqual([]);
    expect(await liveAcl()).toEqual(['203.0.113.0/24']);
  });
});
