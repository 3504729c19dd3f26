import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyStack,
  type Plan,
  ProtectedSecretError,
  planStack,
  ReplacementRefusedError,
} from '../../lib/provision/index.ts';
import { loadStack, type Stack } from '../../lib/stack/index.ts';
import type { ResourceKind } from '../../lib/state/index.ts';
import { type ProvisionFixture, startProvisionFixture } from './support.ts';

let fixture: ProvisionFixture;
let stack: Stack;
let lastApply: Plan;

beforeAll(async () => {
  fixture = await startProvisionFixture();
  stack = await loadStack('stacks/production.yaml');
});

afterAll(() => fixture.close());

/** The stack without one secret (and so without its consumers). */
function withoutSecret(base: Stack, name: string): Stack {
  const copy = structuredClone(base);
  copy.secrets = copy.secrets.filter((secret) => secret.name !== name);

  return copy;
}

function secretNamed(base: Stack, name: string) {
  const secret = base.secrets.find((candidate) => candidate.name === name);
  if (secret === undefined) throw new Error(`no secret ${name}`);

  return secret;
}

async function liveSecrets(name: string) {
  const { secrets } = await fixture.context.clients.secret.listSecrets({
    region: stack.region,
    name,
    scheduledForDeletion: false,
  });

  return secrets;
}

/** The steps of the issue, in dependency order, by resource kind. */
const STEP_OF: Record<ResourceKind, number> = {
  vpc: 0,
  'private-network': 0,
  secret: 1,
  'iam-application': 2,
  'iam-policy': 2,
  'iam-api-key': 2,
  'database-instance': 3,
  database: 3,
  'database-user': 3,
  'container-namespace': 4,
  container: 4,
  bucket: 5,
};

describe('applyStack: order and audit of a first apply', () => {
  it('applies network, secrets, IAM, database, containers, buckets', async () => {
    const result = await applyStack(fixture.context, stack);
    lastApply = result.plan;

    const steps = result.plan.items.map((item) => STEP_OF[item.kind]);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps)).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    const kinds = result.plan.items.map((item) => item.kind);
    expect(kinds.indexOf('vpc')).toBeLessThan(kinds.indexOf('private-network'));
    expect(kinds.indexOf('iam-application')).toBeLessThan(
      kinds.indexOf('iam-policy'),
    );
    expect(kinds.indexOf('container-namespace')).toBeLessThan(
      kinds.indexOf('container'),
    );
  });

  it('audits each change once, between deployment start and complete', () => {
    const events = fixture.events;
    const changes = events.filter((e) => e.operation !== 'deploy');

    expect(events[0]).toMatchObject({
      operation: 'deploy',
      resource_type: 'Stack',
      environment: 'production',
      details: {
        resources: lastApply.items.map((i) => `${i.kind}/${i.name}`),
      },
    });
    expect(new Set(events.map((e) => e.project))).toEqual(
      new Set([stack.project.name]),
    );
    expect(events.at(-1)).toMatchObject({
      operation: 'deploy',
      success: true,
    });
    expect(events).toHaveLength(changes.length + 2);
    expect(changes.map((e) => e.resource_name)).toEqual(
      lastApply.items.map((item) => item.name),
    );
    for (const event of changes) {
      expect(event).toMatchObject({ success: true, severity: 'info' });
      expect(event.duration_ms).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('applyStack: a deployment that fails midway', () => {
  it('audits what it did, secret names included', async () => {
    const changed = structuredClone(stack);
    changed.secrets.push({
      ...structuredClone(secretNamed(stack, 'api-key')),
      name: 'extra-key',
      protected: false,
      consumers: [],
    });
    const api = changed.containers?.items.find((c) => c.name === 'api');
    if (api === undefined) throw new Error('no api container');
    api.image = `${api.image}-next`;
    const route =
      'PATCH /containers/v1beta1/regions/{region}/containers/{container_id}';
    fixture.platform.controls.faults.add({ route, kind: 'error' });
    const seen = fixture.events.length;

    try {
      await expect(applyStack(fixture.context, changed)).rejects.toThrow();
    } finally {
      fixture.platform.controls.faults.clear();
    }

    const failed = fixture.events
      .slice(seen)
      .find((e) => e.operation === 'deploy' && !e.success);
    expect(failed?.details).toMatchObject({
      phase: 'failed',
      partial_resources: {
        done: expect.arrayContaining(['create secret/extra-key-production']),
      },
    });
    await applyStack(fixture.context, stack);
  });
});

describe('applyStack: protected secrets', () => {
  it('refuses to replace a protected secret, writing nothing', async () => {
    const changed = structuredClone(stack);
    secretNamed(changed, 'llm-api-key').type = 'key_value';
    fixture.platform.controls.counters.reset();

    const refused = applyStack(fixture.context, changed, {
      allowReplace: true,
    });

    await expect(refused).rejects.toBeInstanceOf(ProtectedSecretError);
    expect(fixture.apiWrites()).toBe(0);
  });

  it('keeps a protected secret that is no longer declared', async () => {
    const smaller = withoutSecret(stack, 'llm-api-key');

    const result = await applyStack(fixture.context, smaller);

    const kept = result.plan.items.find(
      (i) => i.kind === 'secret' && i.name === 'llm-api-key-production',
    );
    expect(kept).toMatchObject({ action: 'no-change' });
    expect(kept?.reason).toMatch(/protected: never deleted/);
    expect(result.plan.summary.delete).toBe(0);
    expect(await liveSecrets('llm-api-key-production')).toHaveLength(1);
  });

  it('deletes an unprotected secret that is no longer declared', async () => {
    const extra = structuredClone(stack);
    const scratch = {
      ...structuredClone(secretNamed(stack, 'api-key')),
      name: 'scratch-key',
      protected: false,
      consumers: [],
    };
    extra.secrets.push(scratch);
    await applyStack(fixture.context, extra);

    const result = await applyStack(fixture.context, stack);

    const deleted = result.plan.items.filter((i) => i.action === 'delete');
    expect(deleted.map((i) => i.name)).toEqual(['scratch-key-production']);
    expect(await liveSecrets('scratch-key-production')).toHaveLength(0);
  });
});

describe('applyStack: settings taken at creation', () => {
  const upgraded = () => {
    const copy = structuredClone(stack);
    if (copy.database === undefined) throw new Error('no database');
    copy.database.engine = 'PostgreSQL-16';

    return copy;
  };

  it('plans a replacement with its reason', async () => {
    const plan = await planStack(fixture.context, upgraded());

    expect(plan.replacements).toHaveLength(1);
    expect(plan.replacements[0]).toMatchObject({
      kind: 'database-instance',
      name: 'evalap-db-production',
    });
    expect(plan.replacements[0]?.reason).toMatch(
      /engine .* \(set at creation\)/,
    );
  });

  it('refuses it unless allowed, writing nothing', async () => {
    fixture.platform.controls.counters.reset();

    const refused = applyStack(fixture.context, upgraded());

    await expect(refused).rejects.toBeInstanceOf(ReplacementRefusedError);
    expect(fixture.apiWrites()).toBe(0);
  });

  it('replaces the instance when allowed, leaving one', async () => {
    const { rdb } = fixture.context.clients;
    const name = 'evalap-db-production';
    const before = await rdb.listInstances({ region: stack.region, name });

    const result = await applyStack(fixture.context, upgraded(), {
      allowReplace: true,
    });

    const after = await rdb.listInstances({ region: stack.region, name });
    expect(result.plan.summary.replace).toBe(1);
    expect(after.instances).toHaveLength(1);
    expect(after.instances[0]?.engine).toBe('PostgreSQL-16');
    expect(after.instances[0]?.id).not.toBe(before.instances[0]?.id);
  });
});
