import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStack, planStack } from '../../lib/provision/index.ts';
import { deployedName, loadStack, type Stack } from '../../lib/stack/index.ts';
import { type ProvisionFixture, startProvisionFixture } from './support.ts';

const PRIVILEGES_ROUTE =
  'PUT /rdb/v1/regions/{region}/instances/{instance_id}/privileges';
const ACCESS_ROUTE =
  'GET /secret-manager/v1beta1/regions/{region}/secrets/' +
  '{secret_id}/versions/{revision}/access';

let fixture: ProvisionFixture;
let stack: Stack;
let instanceId: string;

/** The live permission of each user on the logical database. */
async function permissions(): Promise<Record<string, string>> {
  const privileges = await fixture.context.clients.rdb
    .listPrivileges({
      region: stack.region,
      instanceId,
      databaseName: stack.database?.databaseName ?? '',
    })
    .all();

  return Object.fromEntries(privileges.map((p) => [p.userName, p.permission]));
}

/** The stack with one user's privilege changed. */
function withPrivilege(
  user: string,
  privilege: 'readonly' | 'readwrite' | 'all',
): Stack {
  const changed = structuredClone(stack);
  for (const declared of changed.database?.users ?? []) {
    if (declared.name === user) declared.privilege = privilege;
  }

  return changed;
}

beforeAll(async () => {
  fixture = await startProvisionFixture();
  stack = await loadStack('stacks/production.yaml');
});

afterAll(() => fixture.close());

describe('applyStack: the logical database and the users privileges', () => {
  it('creates the logical database and grants every user all', async () => {
    const result = await applyStack(fixture.context, stack);
    const instance = result.state.resources.find(
      (r) => r.kind === 'database-instance',
    );
    instanceId = instance?.id ?? '';

    const databases = await fixture.context.clients.rdb
      .listDatabases({
        region: stack.region,
        instanceId,
        skipSizeRetrieval: true,
      })
      .all();
    const created = fixture.events.filter(
      (e) => e.operation === 'create' && e.resource_type === 'Database',
    );
    expect(databases.map((d) => d.name)).toEqual(['evalap']);
    expect(await permissions()).toEqual({ evalap: 'all', evalap_admin: 'all' });
    expect(created.map((e) => [e.resource_name, e.details])).toEqual([
      ['evalap', { instance: deployedName('evalap-db', 'production') }],
    ]);
    expect(result.state.resources).toContainEqual({
      kind: 'database',
      name: 'evalap',
      id: `${instanceId}/evalap`,
      region: stack.region,
      attributes: { instanceId },
    });
    expect(
      result.state.resources.find((r) => r.name === 'evalap_admin')?.attributes
        ?.privilege,
    ).toBe('all');
  });

  it('then plans no change and applies with zero writes', async () => {
    const plan = await planStack(fixture.context, stack);
    fixture.platform.controls.counters.reset();

    const result = await applyStack(fixture.context, stack);

    const database = plan.items.filter((i) => i.kind === 'database');
    expect(database).toEqual([
      {
        kind: 'database',
        name: 'evalap',
        action: 'no-change',
        changes: [],
        id: `${instanceId}/evalap`,
      },
    ]);
    expect(result.changed).toBe(0);
    expect(fixture.apiWrites()).toBe(0);
  });

  it('narrows a privilege with one write and no secret read', async () => {
    const narrowed = withPrivilege('evalap', 'readwrite');
    fixture.platform.controls.counters.reset();

    const result = await applyStack(fixture.context, narrowed);

    const changed = result.plan.items.filter((i) => i.action !== 'no-change');
    expect(changed).toEqual([
      {
        kind: 'database-user',
        name: 'evalap',
        action: 'update',
        changes: [{ field: 'privilege', from: 'all', to: 'readwrite' }],
      },
    ]);
    expect(fixture.apiWrites()).toBe(1);
    expect(fixture.platform.controls.counters.count(PRIVILEGES_ROUTE)).toBe(1);
    expect(fixture.platform.controls.counters.count(ACCESS_ROUTE)).toBe(0);
    expect(await permissions()).toEqual({
      evalap: 'readwrite',
      evalap_admin: 'all',
    });

    fixture.platform.controls.counters.reset();
    const again = await applyStack(fixture.context, narrowed);
    expect(again.changed).toBe(0);
    expect(fixture.apiWrites()).toBe(0);
  });

  it('recreates a database deleted out of band, with the grants', async () => {
    await fixture.context.clients.rdb.deleteDatabase({
      region: stack.region,
      instanceId,
      name: 'evalap',
    });

    const plan = await planStack(fixture.context, stack);
    const result = await applyStack(fixture.context, stack);

    const changing = plan.items
      .filter((i) => i.action !== 'no-change')
      .map((i) => [i.kind, i.name, i.action]);
    expect(changing).toEqual([
      ['database', 'evalap', 'create'],
      ['database-user', 'evalap', 'update'],
      ['database-user', 'evalap_admin', 'update'],
    ]);
    expect(result.plan.items.filter((i) => i.action !== 'no-change')).toEqual(
      plan.items.filter((i) => i.action !== 'no-change'),
    );
    expect(await permissions()).toEqual({ evalap: 'all', evalap_admin: 'all' });
  });
});
