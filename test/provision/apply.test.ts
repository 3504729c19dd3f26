import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyStack,
  PolicyRejectedError,
  planStack,
} from '../../lib/provision/index.ts';
import { loadStack, type Stack } from '../../lib/stack/index.ts';
import { readAppliedState } from '../../lib/state/index.ts';
import {
  type ProvisionFixture,
  STATE_BUCKET,
  startProvisionFixture,
} from './support.ts';

let fixture: ProvisionFixture;
let stack: Stack;

beforeAll(async () => {
  fixture = await startProvisionFixture();
  stack = await loadStack('stacks/production.yaml');
});

afterAll(() => fixture.close());

describe('applyStack on the production example', () => {
  it('creates every resource', async () => {
    const result = await applyStack(fixture.context, stack);

    const kinds = result.state.resources.map((r) => r.kind);
    expect(result.plan.summary.create).toBeGreaterThan(20);
    expect(kinds.filter((k) => k === 'secret')).toHaveLength(8);
    expect(kinds.filter((k) => k === 'container')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'bucket')).toHaveLength(2);
    expect(kinds).toContain('database-instance');
    expect(kinds).toContain('iam-api-key');
    expect(result.plan.needsValue).toEqual(['llm-api-key-production']);
  });

  it('then plans no change', async () => {
    const plan = await planStack(fixture.context, stack);

    const changing = plan.items.filter((i) => i.action !== 'no-change');
    expect(changing).toEqual([]);
  });

  it('then applies again with zero write calls', async () => {
    fixture.platform.controls.counters.reset();

    const result = await applyStack(fixture.context, stack);

    expect(result.changed).toBe(0);
    expect(fixture.apiWrites()).toBe(0);
  });

  it('reads each secret value at most once per apply, not once per walk', async () => {
    fixture.platform.controls.counters.reset();

    await applyStack(fixture.context, stack);

    const accessRoute =
      'GET /secret-manager/v1beta1/regions/{region}/secrets/' +
      '{secret_id}/versions/{revision}/access';
    const reads = fixture.platform.controls.counters.count(accessRoute);
    // at most one read per secret that has a value: the plan's reads
    // are handed to the apply instead of being made again
    const withValue = stack.secrets.filter(
      (secret) => secret.generator.kind !== 'manual',
    );
    expect(reads).toBeGreaterThan(0);
    expect(reads).toBeLessThanOrEqual(withValue.length);
  });

  it('keeps the applied state for rotation and drift', async () => {
    const stored = await readAppliedState(
      fixture.context.clients.s3,
      STATE_BUCKET,
      'production',
    );

    expect(stored?.state.environment).toBe('production');
    expect(stored?.state.resources.length).toBeGreaterThan(20);
  });
});

describe('a request breaking a policy rule', () => {
  it('is refused with every finding and no write', async () => {
    const broken = structuredClone(stack);
    broken.network = undefined;
    if (broken.database) broken.database.encryptionAtRest = false;
    fixture.platform.controls.counters.reset();

    const refused = applyStack(fixture.context, broken);

    await expect(refused).rejects.toBeInstanceOf(PolicyRejectedError);
    const error = (await refused.catch(
      (e: unknown) => e,
    )) as PolicyRejectedError;
    const rules = error.findings.map((f) => f.ruleId);
    expect(rules.length).toBeGreaterThanOrEqual(2);
    expect(fixture.apiWrites()).toBe(0);
  });
});
