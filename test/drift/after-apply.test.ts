import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDrift,
  readSecretEnvRecord,
  type SecretEnvRecord,
} from '../../lib/drift/index.ts';
import { applyStack } from '../../lib/provision/index.ts';
import { loadStack, type Stack } from '../../lib/stack/index.ts';
import { readAppliedState } from '../../lib/state/index.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import {
  type ProvisionFixture,
  STATE_BUCKET,
  startProvisionFixture,
} from '../provision/support.ts';

// Drift and provisioning read the same project through different code
// (lib/inventory and lib/provision/steps): this checks they agree on what
// an apply of the production example leaves behind.
describe('checkDrift after a real apply of the production example', () => {
  let fixture: ProvisionFixture;
  let stack: Stack;
  let secretEnv: SecretEnvRecord;

  beforeAll(async () => {
    fixture = await startProvisionFixture();
    stack = await loadStack('stacks/production.yaml');
    await applyStack(fixture.context, stack);
    const { s3 } = fixture.context.clients;
    const applied = await readAppliedState(s3, STATE_BUCKET, 'production');
    if (applied === undefined) throw new Error('the apply wrote no state');
    secretEnv = await readSecretEnvRecord(s3, STATE_BUCKET, applied.state);
  });

  afterAll(() => fixture.close());

  const check = () =>
    checkDrift({
      stack,
      apis: fixture.context.clients,
      organizationId: LOCAL_DEFAULTS.organizationId,
      secretEnv,
    });

  it('reports no drift in two checks in a row', async () => {
    const first = await check();
    const second = await check();

    expect(first.findings).toEqual([]);
    expect(first.unchecked).toEqual([]);
    expect(second.findings).toEqual([]);
    expect(second.status).toBe('clean');
  });

  it('checks each secret variable, reading no value', async () => {
    const { counters } = fixture.platform.controls;
    counters.reset();

    const report = await check();
    const routes = Object.entries(counters.snapshot().routes);
    const valueReads = routes.filter(([route]) => route.endsWith('/access'));
    const checked = [...secretEnv.hashes.values()].flatMap((keys) => [
      ...keys.keys(),
    ]);

    expect(report.status).toBe('clean');
    expect(valueReads).toEqual([]);
    expect(checked).toEqual(
      expect.arrayContaining(['DATABASE_PASSWORD', 'DATABASE_USER']),
    );
  });

  it('reports a deleted manual secret once, as missing', async () => {
    const { secret } = fixture.context.clients;
    const { secrets } = await secret.listSecrets({
      region: stack.region,
      name: 'llm-api-key-production',
      scheduledForDeletion: false,
    });
    const secretId = secrets[0]?.id ?? '';
    await secret.unprotectSecret({ region: stack.region, secretId });
    await secret.deleteSecret({ region: stack.region, secretId });

    const report = await check();

    // its consumers never held the variable: it had no value
    expect(report.findings.map((f) => [f.class, f.resourceName])).toEqual([
      ['missing', 'llm-api-key-production'],
    ]);
  });
});
