import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateSecretsHandler } from '../../lib/rotation/function.ts';
import { type RotationReport, runRotation } from '../../lib/rotation/index.ts';
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
  const engine = platform.postgres;
  if (!engine) throw new Error('no PostgreSQL');

  return loginOutcome(engine, credentials.username, credentials.password);
}

/**
 * Every value the scenario planted or rotation wrote: the scan below
 * looks for each of them in logs, audit events and reports.
 */
async function allSecretValues(scenario: Scenario): Promise<string[]> {
  const values = new Set(scenario.planted);
  for (const secret of scenario.stack.secrets) {
    for (const version of await versionsOf(scenario, secret.name)) {
      if (!version.payload) continue;
      values.add(version.payload);
      const password = (
        JSON.parse(
          version.payload.startsWith('{') ? version.payload : '{}',
        ) as { password?: string }
      ).password;
      if (password) values.add(password);
    }
  }

  return [...values].filter((v) => v.length >= 8);
}

describe('runRotation on the local platform (production stack)', () => {
  let scenario: Scenario;
  const reports: RotationReport[] = [];
  const responses: string[] = [];
  let before: DbCredentials;

  beforeAll(async () => {
    scenario = await provisionScenario(platform, 'acc');
    const [first] = await versionsOf(scenario, 'db-password');
    before = credentialsIn(first?.payload);
  }, 60_000);

  it('rotates the due database passwords after 91 days', async () => {
    platform.clock.advance(91 * DAY_MS);
    const deploysBefore = scenario.deployCalls();
    const docsReadyBefore = await scenario.readyAt('docs');

    const report = await runRotation(scenario.stack, scenario.context());
    reports.push(report);

    expect(report.rotated.map((o) => o.secret).sort()).toEqual([
      'db-admin-password',
      'db-password',
    ]);
    expect(report.stuck).toEqual([]);
    expect(report.redeployed.map((r) => r.container).sort()).toEqual([
      'api',
      'runners',
    ]);
    expect(scenario.deployCalls() - deploysBefore).toBe(2);
    expect(await scenario.readyAt('docs')).toBe(docsReadyBefore);
  });

  it('gives api and runners the new password of the other role', async () => {
    const versions = await versionsOf(scenario, 'db-password');
    const after = credentialsIn(versions.at(-1)?.payload);

    expect(after.username).toBe(`${before.username}_b`);
    const outcome = reports[0]?.rotated.find((o) => o.secret === 'db-password');
    expect(outcome?.role).toBe(after.username);
    for (const container of ['api', 'runners']) {
      expect(
        await heldValue(scenario, container, 'DATABASE_PASSWORD', [
          before.password,
          after.password,
        ]),
      ).toBe(after.password);
      expect(
        await heldValue(scenario, container, 'DATABASE_USER', [
          before.username,
          after.username,
        ]),
      ).toBe(after.username);
    }
  });

  it('keeps the previous password working during the grace period', async () => {
    const versions = await versionsOf(scenario, 'db-password');
    const after = credentialsIn(versions.at(-1)?.payload);

    expect(await login(before)).toBe('connected');
    expect(await login(after)).toBe('connected');
    expect(versions.map((v) => v.status)).toEqual(['enabled', 'enabled']);
  });

  it('retires the previous password once the grace period is over', async () => {
    platform.clock.advance(2 * 3_600_000);
    const deploysBefore = scenario.deployCalls();

    const report = await runRotation(scenario.stack, scenario.context());
    reports.push(report);

    const versions = await versionsOf(scenario, 'db-password');
    const after = credentialsIn(versions.at(-1)?.payload);
    expect(report.finished.map((o) => o.secret).sort()).toEqual([
      'db-admin-password',
      'db-password',
    ]);
    expect(scenario.deployCalls()).toBe(deploysBefore);
    expect(await login(before)).toBe('28P01');
    expect(await login(after)).toBe('connected');
    expect(versions.map((v) => v.status)).toEqual(['disabled', 'enabled']);
  });

  it('previews, rotates one secret now and validates over HTTP', async () => {
    const handle = rotateSecretsHandler({
      logger: pino({ level: 'silent' }),
      auth: { token: 'a-function-token-of-test' },
      runtime: async () => ({
        stack: scenario.stack,
        context: scenario.context(),
      }),
    });
    const call = async (
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {
        'X-Auth-Token': 'a-function-token-of-test',
      },
    ) => {
      const response = await handle({
        httpMethod: method,
        path,
        headers,
        body: body === undefined ? '' : JSON.stringify(body),
      });
      responses.push(response.body);
      return { status: response.statusCode, body: JSON.parse(response.body) };
    };

    const anonymous = await call('GET', '/due', undefined, {});
    // the daily CRON reaches the private function with no token
    const cron = await call('POST', '/', { job: 'rotate-due' }, {});
    const preview = await call('GET', '/due');
    const invalid = await call('POST', '/rotate', { secret: 1, extra: true });
    const rotated = await call('POST', '/rotate', { secret: 'api-key' });

    expect(anonymous.status).toBe(401);
    expect(cron.status).toBe(200);
    expect(preview.status).toBe(200);
    expect(preview.body.due).toEqual([]);
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).toContain('secret');
    expect(rotated.status).toBe(200);
    expect(rotated.body.rotated).toMatchObject([{ secret: 'api-key' }]);
    expect(rotated.body.redeployed).toEqual([
      { container: 'api', secrets: ['api-key'] },
    ]);
  });

  it('swaps the IAM API key, deleting the old one after the consumers', async () => {
    const [first] = await versionsOf(scenario, 'service-api-key');
    const oldKey = first?.payload ?? '';
    const accessKeys = () =>
      scenario.clients.iam
        .listAPIKeys({})
        .all()
        .then((keys) => keys.map((k) => k.accessKey));
    const keysBefore = await accessKeys();

    const report = await runRotation(
      scenario.stack,
      scenario.context({ graceMs: 0 }),
      { secret: 'service-api-key' },
    );
    reports.push(report);

    const versions = await versionsOf(scenario, 'service-api-key');
    const newKey = versions.at(-1)?.payload ?? '';
    const keysAfter = await accessKeys();
    const created = keysAfter.filter((k) => !keysBefore.includes(k));
    const deleted = keysBefore.filter((k) => !keysAfter.includes(k));
    expect(report.rotated).toMatchObject([
      { secret: 'service-api-key', strategy: 'iam-api-key', step: 'finish' },
    ]);
    expect(created).toHaveLength(1);
    expect(deleted).toHaveLength(1);
    for (const container of ['api', 'runners']) {
      expect(
        await heldValue(scenario, container, 'OBJECT_STORAGE_SECRET_KEY', [
          oldKey,
          newKey,
        ]),
      ).toBe(newKey);
      expect(
        await heldValue(
          scenario,
          container,
          'OBJECT_STORAGE_ACCESS_KEY',
          created,
        ),
      ).toBe(created[0]);
    }
    expect(versions.map((v) => v.status)).toEqual(['disabled', 'enabled']);
  });

  it('writes no secret value to logs, audit events or reports', async () => {
    const values = await allSecretValues(scenario);
    const texts = [
      ...scenario.observed.lines,
      ...scenario.observed.events.map((e) => JSON.stringify(e)),
      ...reports.map((r) => JSON.stringify(r)),
      ...responses,
    ];

    const leaks = values.filter((v) => texts.some((t) => t.includes(v)));

    expect(values.length).toBeGreaterThan(8);
    expect(scenario.observed.events.length).toBeGreaterThan(10);
    expect(leaks).toEqual([]);
  });
});
