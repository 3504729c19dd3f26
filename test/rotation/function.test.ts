import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateSecretsHandler } from '../../lib/rotation/function.ts';
import {
  type RotationReport,
  readRotationRecords,
  summarizeReport,
} from '../../lib/rotation/index.ts';
import type { LocalPlatform } from '../../local/platform.ts';
import {
  DAY_MS,
  provisionScenario,
  type Scenario,
  startRotationPlatform,
  versionsOf,
} from './fixture.ts';

const TOKEN = 'a-function-token-of-test';

let platform: LocalPlatform;

beforeAll(async () => {
  platform = await startRotationPlatform();
}, 60_000);

afterAll(() => platform?.close());

/** Every stored value of the scenario, and each password inside one. */
async function secretValues(scenario: Scenario): Promise<string[]> {
  const values = new Set(scenario.planted);
  for (const secret of scenario.stack.secrets) {
    for (const version of await versionsOf(scenario, secret.name)) {
      if (!version.payload) continue;
      values.add(version.payload);
      if (!version.payload.startsWith('{')) continue;
      const { password } = JSON.parse(version.payload) as {
        password?: string;
      };
      if (password) values.add(password);
    }
  }

  return [...values].filter((v) => v.length >= 8);
}

describe('rotateSecretsHandler, 91 days after provisioning', () => {
  let scenario: Scenario;
  const lines: string[] = [];
  let call: (
    method: string,
    path: string,
    body?: unknown,
  ) => Promise<{ status: number; body: Record<string, unknown> }>;

  beforeAll(async () => {
    scenario = await provisionScenario(platform, 'http');
    const handle = rotateSecretsHandler({
      logger: pino({ level: 'info' }, { write: (l: string) => lines.push(l) }),
      auth: { token: TOKEN },
      runtime: async () => ({
        stack: scenario.stack,
        context: scenario.context(),
      }),
    });
    call = async (method, path, body) => {
      const response = await handle({
        httpMethod: method,
        path,
        headers: path === '/' ? {} : { 'X-Auth-Token': TOKEN },
        body: body === undefined ? '' : JSON.stringify(body),
      });
      return { status: response.statusCode, body: JSON.parse(response.body) };
    };
    platform.clock.advance(91 * DAY_MS);
  }, 60_000);

  it('previews the due secrets on GET /due, writing nothing', async () => {
    const writesBefore = platform.controls.counters.snapshot().write;

    const preview = await call('GET', '/due');

    const writes = platform.controls.counters.snapshot().write - writesBefore;
    const { records } = await readRotationRecords(
      scenario.clients.s3,
      scenario.stateBucket,
      scenario.stack.environment,
    );
    const due = [...(preview.body.due as { secret: string }[])].sort((a, b) =>
      a.secret.localeCompare(b.secret),
    );
    expect(preview.status).toBe(200);
    expect(due).toMatchObject([
      { secret: 'db-admin-password', strategy: 'single-user', ageDays: 91 },
      { secret: 'db-password', strategy: 'alternating-users', ageDays: 91 },
    ]);
    expect(preview.body.rotated).toEqual([]);
    expect(writes).toBe(0);
    expect(records.size).toBe(0);
    expect(await versionsOf(scenario, 'db-password')).toHaveLength(1);
  });

  it('logs the summary of the CRON run it returns, with no value', async () => {
    const cron = await call('POST', '/', { job: 'rotate-due' });

    const logged = lines
      .map((line) => JSON.parse(line) as { msg?: string; summary?: string })
      .filter((line) => line.msg === 'rotated');
    const values = await secretValues(scenario);
    const said = [...lines, JSON.stringify(cron.body)];
    const leaks = values.filter((v) => said.some((l) => l.includes(v)));
    expect(cron.status).toBe(200);
    expect(cron.body.rotated).toHaveLength(2);
    expect(logged.map((line) => line.summary)).toEqual([
      summarizeReport(cron.body as unknown as RotationReport),
    ]);
    expect(logged[0]?.summary).toMatch(/rotated 2, .*2 container\(s\)/);
    expect(values.length).toBeGreaterThan(8);
    expect(leaks).toEqual([]);
  });
});
