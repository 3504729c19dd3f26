import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/index.ts';
import { checkDrift, readSecretEnvRecord } from '../../lib/drift/index.ts';
import { applyStack, planStack } from '../../lib/provision/index.ts';
import { type RotationReport, runRotation } from '../../lib/rotation/index.ts';
import {
  createScalewayClients,
  type ScalewayClients,
} from '../../lib/scaleway/clients.ts';
import { argon2idMatches } from '../../lib/secrets/argon2.ts';
import { loadStack, type Stack } from '../../lib/stack/index.ts';
import { ensureStateBucket, readAppliedState } from '../../lib/state/index.ts';
import type { LocalPlatform } from '../../local/platform.ts';
import { DAY_MS, startRotationPlatform } from './fixture.ts';

const STATE_BUCKET = 'after-apply-state';

let platform: LocalPlatform;
let clients: ScalewayClients;
let stack: Stack;
let report: RotationReport;
let roleAfterApply: string | undefined;

const provision = () => ({ clients, stateBucket: STATE_BUCKET });

/** The hash a container of the production namespace holds under `key`. */
async function heldHash(container: string, key: string) {
  const region = stack.region;
  const { namespaces } = await clients.container.listNamespaces({
    region,
    name: 'evalap-production',
  });
  const { containers } = await clients.container.listContainers({
    region,
    namespaceId: namespaces[0]?.id ?? '',
    name: container,
  });

  return containers[0]?.secretEnvironmentVariables.find((s) => s.key === key)
    ?.hashedValue;
}

function fail(reason: string): never {
  throw new Error(reason);
}

beforeAll(async () => {
  platform = await startRotationPlatform();
  const config = loadConfig({
    ...platform.environment,
    EVALAP_STATE_BUCKET: STATE_BUCKET,
    EVALAP_LOG_LEVEL: 'silent',
  });
  clients = createScalewayClients(config);
  await ensureStateBucket(clients.s3, STATE_BUCKET);
  stack = await loadStack('stacks/production.yaml');
  await applyStack(provision(), stack);
  roleAfterApply = await heldHash('api-production', 'DATABASE_USER');

  platform.clock.advance(91 * DAY_MS);
  report = await runRotation(stack, {
    ...provision(),
    now: () => platform.clock.now(),
    graceMs: 0,
  });
}, 120_000);

afterAll(async () => {
  clients?.s3.destroy();
  clients?.sqs.destroy();
  await platform?.close();
});

describe('an apply after a database password rotation', () => {
  it('gives the consumers the role from the first apply on', async () => {
    // set by provisioning, before any rotation
    expect(await argon2idMatches(roleAfterApply ?? '', 'evalap')).toBe(true);
    expect(report.rotated.map((r) => r.secret)).toContain('db-password');

    // alternating users: the rotation moved api to the second role
    const role = await heldHash('api-production', 'DATABASE_USER');
    expect(role).toBeDefined();
    expect(await argon2idMatches(role ?? '', 'evalap_b')).toBe(true);
  });

  it('plans no change: the role is declared, not stripped', async () => {
    const plan = await planStack(provision(), stack);

    const changing = plan.items.filter((i) => i.action !== 'no-change');
    expect(changing.map((i) => [i.name, i.changes])).toEqual([]);
  });

  it('finds no drift: rotation recorded its hashes', async () => {
    const applied = await readAppliedState(
      clients.s3,
      STATE_BUCKET,
      'production',
    );
    const secretEnv = await readSecretEnvRecord(
      clients.s3,
      STATE_BUCKET,
      applied?.state ?? fail('no applied state'),
    );

    const drift = await checkDrift({
      stack,
      apis: clients,
      organizationId: platform.environment.SCW_DEFAULT_ORGANIZATION_ID,
      secretEnv,
    });

    const onContainers = drift.findings.filter(
      (f) => f.resourceType === 'container',
    );
    expect(onContainers).toEqual([]);
    expect(drift.ignored).toEqual([]);
    expect(drift.unchecked).toEqual([]);
  });
});
