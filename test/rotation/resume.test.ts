import { createServer } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../lib/audit/index.ts';
import {
  abandonRotation,
  type RotationStep,
  readRotationRecords,
  resumeRotation,
  rotationKeys,
  runRotation,
} from '../../lib/rotation/index.ts';
import { deployedName } from '../../lib/stack/index.ts';
import type { LocalPlatform } from '../../local/platform.ts';
import { loginOutcome } from '../support/postgres.ts';
import {
  DAY_MS,
  heldValue,
  provisionScenario,
  type Scenario,
  startRotationPlatform,
  versionsOf,
} from './fixture.ts';

const CREATE_VERSION =
  'POST /secret-manager/v1beta1/regions/{region}/secrets/{secret_id}/versions';

let platform: LocalPlatform;

beforeAll(async () => {
  platform = await startRotationPlatform();
}, 60_000);

afterAll(() => platform?.close());

interface DbCredentials {
  username: string;
  password: string;
}

function credentialsIn(payload: string | undefined): DbCredentials {
  const parsed = JSON.parse(payload ?? '{}') as Partial<DbCredentials>;

  return { username: parsed.username ?? '', password: parsed.password ?? '' };
}

async function login(credentials: DbCredentials): Promise<string> {
  if (!platform.postgres) throw new Error('no PostgreSQL');

  return loginOutcome(
    platform.postgres,
    credentials.username,
    credentials.password,
  );
}

/**
 * The invariant of the issue: each consumer holds a password (and role)
 * that is stored in an enabled version and that PostgreSQL accepts.
 */
async function expectConsumersHoldWorkingCredential(scenario: Scenario) {
  const enabled = (await versionsOf(scenario, 'db-password'))
    .filter((v) => v.status === 'enabled')
    .map((v) => credentialsIn(v.payload));
  const declared = enabled[0]?.username.replace(/_b$/, '') ?? '';

  for (const container of ['api', 'runners']) {
    const password = await heldValue(
      scenario,
      container,
      'DATABASE_PASSWORD',
      enabled.map((c) => c.password),
    );
    const username =
      (await heldValue(
        scenario,
        container,
        'DATABASE_USER',
        enabled.map((c) => c.username),
      )) ?? declared;

    expect(password, `${container} holds a stored password`).toBeDefined();
    expect(await login({ username, password: password ?? '' })).toBe(
      'connected',
    );
  }
}

function failAfter(
  scenario: Scenario,
  previous: RotationStep,
  fail: () => void,
): void {
  scenario.observed.onEvent = (event: AuditEvent) => {
    if (event.details.step !== previous || !event.success) return;
    scenario.observed.onEvent = undefined;
    fail();
  };
}

function failScaleway(): void {
  platform.controls.faults.add({ kind: 'error', status: 503 });
}

describe('a rotation stopped at each step', () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await provisionScenario(platform, 'steps');
    deadPort = await closedPort();
  }, 60_000);

  let databaseDown = false;
  let deadPort: number;

  it.each([
    { step: 'create-pending' as const, failing: 'Secret Manager' },
    { step: 'set-in-target' as const, failing: 'the API' },
    { step: 'test' as const, failing: 'the API' },
    { step: 'redeploy' as const, failing: 'the API' },
    { step: 'verify' as const, failing: 'the database' },
    { step: 'finish' as const, failing: 'the API' },
  ])(
    'completes on the next run when $failing fails at $step',
    async ({ step, failing }) => {
      platform.clock.advance(91 * DAY_MS);
      const context = scenario.context({
        graceMs: 0,
        databaseAddress: () => ({
          host: 'localhost',
          port: databaseDown ? deadPort : (platform.postgres?.port ?? 0),
        }),
      });
      const fail =
        failing === 'the database'
          ? () => {
              databaseDown = true;
            }
          : failScaleway;
      const before = credentialsIn(
        (await versionsOf(scenario, 'db-password')).at(-1)?.payload,
      );
      if (step === 'create-pending') {
        platform.controls.faults.add({ route: CREATE_VERSION, kind: 'error' });
      } else {
        const steps: RotationStep[] = [
          'create-pending',
          'set-in-target',
          'test',
          'redeploy',
          'verify',
          'finish',
        ];
        failAfter(scenario, steps[steps.indexOf(step) - 1] ?? step, fail);
      }

      const stopped = await runRotation(scenario.stack, context, {
        secret: 'db-password',
      });
      platform.controls.faults.clear();
      databaseDown = false;
      await expectConsumersHoldWorkingCredential(scenario);
      const resumed = await runRotation(scenario.stack, context, {
        secret: 'db-password',
      });

      const after = credentialsIn(
        (await versionsOf(scenario, 'db-password')).at(-1)?.payload,
      );
      expect(stopped.stuck).toMatchObject([
        { secret: 'db-password', step, fault: 'outside', needsOperator: false },
      ]);
      expect(
        [...resumed.resumed, ...resumed.finished].map((o) => o.secret),
      ).toEqual(['db-password']);
      expect(resumed.stuck).toEqual([]);
      expect(
        [...stopped.redeployed, ...resumed.redeployed]
          .map((r) => r.container)
          .sort(),
      ).toEqual(['api', 'runners']);
      expect(after.username).not.toBe(before.username);
      expect(await login(before)).toBe('28P01');
      expect(await login(after)).toBe('connected');
      await expectConsumersHoldWorkingCredential(scenario);
    },
  );

  it('adopts the version a lost reply created instead of adding one', async () => {
    platform.clock.advance(91 * DAY_MS);
    const context = scenario.context({ graceMs: 0 });
    platform.controls.faults.add({ route: CREATE_VERSION, kind: 'error' });
    await runRotation(scenario.stack, context, { secret: 'db-password' });
    platform.controls.faults.clear();
    const { records } = await readRotationRecords(
      scenario.clients.s3,
      scenario.stateBucket,
      'production',
    );
    const record = records.get('db-password');
    const current = credentialsIn(
      (await versionsOf(scenario, 'db-password')).at(-1)?.payload,
    );
    const username = current.username.endsWith('_b')
      ? current.username.slice(0, -2)
      : `${current.username}_b`;
    const lost = await scenario.clients.secret.createSecretVersion({
      region: 'fr-par',
      secretId: record?.secretId ?? '',
      data: Buffer.from(
        JSON.stringify({
          engine: 'postgres',
          username,
          password: 'Lost-reply-0',
          host: 'localhost',
          port: '5432',
          dbname: 'evalap',
        }),
      ).toString('base64'),
      description: `evalap-infra rotation ${record?.rotationId}`,
    });
    const count = (await versionsOf(scenario, 'db-password')).length;

    const report = await runRotation(scenario.stack, context, {
      secret: 'db-password',
    });

    expect(report.resumed).toMatchObject([
      { secret: 'db-password', revision: lost.revision, step: 'finish' },
    ]);
    expect((await versionsOf(scenario, 'db-password')).length).toBe(count);
    expect(await login({ username, password: 'Lost-reply-0' })).toBe(
      'connected',
    );
    await expectConsumersHoldWorkingCredential(scenario);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));

  return typeof address === 'object' && address ? address.port : 1;
}

describe('a database unreachable at the test step', () => {
  let scenario: Scenario;
  let unreachable = false;
  let deadPort: number;

  beforeAll(async () => {
    scenario = await provisionScenario(platform, 'down');
    deadPort = await closedPort();
  }, 60_000);

  const context = () =>
    scenario.context({
      databaseAddress: () => ({
        host: 'localhost',
        port: unreachable ? deadPort : (platform.postgres?.port ?? 0),
      }),
    });

  it('leaves the old password in place and reports the secret stuck', async () => {
    platform.clock.advance(91 * DAY_MS);
    const [first] = await versionsOf(scenario, 'db-password');
    const deploys = scenario.deployCalls();
    failAfter(scenario, 'set-in-target', () => {
      unreachable = true;
    });

    const report = await runRotation(scenario.stack, context(), {
      secret: 'db-password',
    });

    expect(report.stuck).toMatchObject([
      { secret: 'db-password', step: 'test', fault: 'outside' },
    ]);
    expect(report.stuck[0]?.reason).toContain('unreachable');
    // the operator's log names the stuck secret (its name is no value)
    const stuckLine = scenario.observed.lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === 'rotation stuck');
    expect(stuckLine).toMatchObject({
      secretName: 'db-password',
      step: 'test',
    });
    expect(await login(credentialsIn(first?.payload))).toBe('connected');
    expect(scenario.deployCalls()).toBe(deploys);
    await expectConsumersHoldWorkingCredential(scenario);
  });

  it('starts no second rotation on top, then waits for an operator', async () => {
    const versions = (await versionsOf(scenario, 'db-password')).length;

    const second = await runRotation(scenario.stack, context());
    const third = await runRotation(scenario.stack, context());
    const fourth = await runRotation(scenario.stack, context());

    expect(second.stuck[0]).toMatchObject({ step: 'test' });
    expect(third.stuck[0]).toMatchObject({ needsOperator: true });
    expect(fourth.stuck[0]).toMatchObject({ needsOperator: true });
    expect(fourth.resumed).toEqual([]);
    expect((await versionsOf(scenario, 'db-password')).length).toBe(versions);
  });

  it('abandons it: the pending version goes, the old value stays', async () => {
    const outcome = await abandonRotation(
      scenario.stack,
      context(),
      'db-password',
    );

    const versions = await versionsOf(scenario, 'db-password');
    const { records } = await readRotationRecords(
      scenario.clients.s3,
      scenario.stateBucket,
      'production',
    );
    expect(outcome.step).toBe('test');
    expect(versions.map((v) => v.status)).toEqual([
      'enabled',
      'scheduled_for_deletion',
    ]);
    expect(records.has('db-password')).toBe(false);
    await expectConsumersHoldWorkingCredential(scenario);
  });

  it('resumes a rotation waiting for an operator with --resume', async () => {
    failAfter(scenario, 'set-in-target', () => {
      unreachable = true;
    });
    await runRotation(scenario.stack, context(), { secret: 'db-password' });
    unreachable = false;

    const report = await resumeRotation(
      scenario.stack,
      context(),
      'db-password',
    );

    expect(report.resumed.map((o) => o.secret)).toEqual(['db-password']);
    expect(report.resumed[0]?.step).toBe('finish');
    await expectConsumersHoldWorkingCredential(scenario);
  });

  it('names the secret in the audit trail, never a value', () => {
    const names = new Set(scenario.observed.events.map((e) => e.resource_name));

    expect(names).toContain(deployedName('db-password', 'production'));
  });
});

describe('a rotation record that cannot be read', () => {
  let scenario: Scenario;

  beforeAll(async () => {
    scenario = await provisionScenario(platform, 'garbled');
  }, 60_000);

  it('rotates nothing for its secret and waits for an operator', async () => {
    platform.clock.advance(91 * DAY_MS);
    const key = rotationKeys.record('production', 'db-password');
    await scenario.clients.s3.send(
      new PutObjectCommand({
        Bucket: scenario.stateBucket,
        Key: key,
        Body: '{"rotationId":',
      }),
    );
    const versions = (await versionsOf(scenario, 'db-password')).length;

    const report = await runRotation(scenario.stack, scenario.context());

    expect(report.stuck).toMatchObject([
      { secret: 'db-password', fault: 'ours', needsOperator: true },
    ]);
    expect(report.stuck[0]?.reason).toContain(key);
    expect(report.rotated.map((s) => s.secret)).not.toContain('db-password');
    expect((await versionsOf(scenario, 'db-password')).length).toBe(versions);
    await expectConsumersHoldWorkingCredential(scenario);
  });
});
