import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RotationReport, runRotation } from '../../lib/rotation/index.ts';
import type { LocalPlatform } from '../../local/platform.ts';
import {
  DAY_MS,
  provisionScenario,
  type Scenario,
  startRotationPlatform,
  versionsOf,
} from './fixture.ts';

interface DbCredentials {
  username: string;
  password: string;
}

let platform: LocalPlatform;

beforeAll(async () => {
  platform = await startRotationPlatform();
}, 60_000);

afterAll(() => platform?.close());

async function latestCredentials(scenario: Scenario): Promise<DbCredentials> {
  const versions = await versionsOf(scenario, 'db-password');
  const parsed = JSON.parse(
    versions.at(-1)?.payload ?? '{}',
  ) as Partial<DbCredentials>;

  return { username: parsed.username ?? '', password: parsed.password ?? '' };
}

/**
 * Runs statements as `login` in the stack's logical database, over TLS
 * in sslmode verify-full (the CA the RDB API serves, server name
 * checked): the rows of the last one, or the SQLSTATE of the failure.
 */
async function asRole(
  scenario: Scenario,
  login: DbCredentials,
  ...statements: string[]
): Promise<unknown[] | string> {
  const engine = platform.postgres;
  if (!engine) throw new Error('no PostgreSQL');
  const instanceId = scenario.ids.get('database-instance:evalap-db-production');
  const blob = await scenario.clients.rdb.getInstanceCertificate({
    region: scenario.stack.region,
    instanceId: instanceId ?? '',
  });
  const client = new pg.Client({
    host: engine.host,
    port: engine.port,
    user: login.username,
    password: login.password,
    database: scenario.stack.database?.databaseName ?? '',
    ssl: {
      ca: await blob.text(),
      servername: engine.host,
      rejectUnauthorized: true,
    },
  });
  client.on('error', () => undefined);

  try {
    await client.connect();
    let rows: unknown[] = [];
    for (const sql of statements) {
      rows = (await client.query(sql)).rows;
    }
    return rows;
  } catch (error) {
    return (error as { code?: string }).code ?? 'failed';
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('runRotation: the alternate role inherits the privileges (R-05)', () => {
  let scenario: Scenario;
  let original: DbCredentials;
  let alternate: DbCredentials;
  let report: RotationReport;

  beforeAll(async () => {
    scenario = await provisionScenario(platform, 'grant');
    original = await latestCredentials(scenario);
  }, 60_000);

  it('lets the original role create a table in the logical database', async () => {
    const created = await asRole(
      scenario,
      original,
      'CREATE TABLE evaluations (id int PRIMARY KEY, label text)',
    );
    const inserted = await asRole(
      scenario,
      original,
      "INSERT INTO evaluations VALUES (1, 'before rotation')",
    );

    expect(created).toEqual([]);
    expect(inserted).toEqual([]);
  });

  it('rotates to the other role with no warning', async () => {
    platform.clock.advance(91 * DAY_MS);

    report = await runRotation(scenario.stack, scenario.context(), {
      secret: 'db-password',
    });
    alternate = await latestCredentials(scenario);

    expect(report.rotated).toMatchObject([
      { secret: 'db-password', strategy: 'alternating-users' },
    ]);
    expect(report.rotated[0]?.warnings).toBeUndefined();
    expect(alternate.username).toBe(`${original.username}_b`);
  });

  it('lists the same privilege for both roles', async () => {
    const instanceId = scenario.ids.get(
      'database-instance:evalap-db-production',
    );
    const privileges = await scenario.clients.rdb
      .listPrivileges({
        region: scenario.stack.region,
        instanceId: instanceId ?? '',
        databaseName: 'evalap',
      })
      .all();

    const byUser = Object.fromEntries(
      privileges.map((p) => [p.userName, p.permission]),
    );
    expect(byUser[original.username]).toBe('all');
    expect(byUser[alternate.username]).toBe('all');
  });

  it('lets the alternate role read and write that table (verify-full)', async () => {
    const read = await asRole(
      scenario,
      alternate,
      'SELECT label FROM evaluations ORDER BY id',
    );
    const written = await asRole(
      scenario,
      alternate,
      "INSERT INTO evaluations VALUES (2, 'after rotation')",
      "UPDATE evaluations SET label = 'updated' WHERE id = 1",
    );
    const after = await asRole(
      scenario,
      original,
      'SELECT label FROM evaluations ORDER BY id',
    );

    expect(read).toEqual([{ label: 'before rotation' }]);
    expect(written).toEqual([]);
    expect(after).toEqual([{ label: 'updated' }, { label: 'after rotation' }]);
  });

  it('lets the original role use a table the alternate one creates', async () => {
    const created = await asRole(
      scenario,
      alternate,
      'CREATE TABLE runs (id int)',
      'INSERT INTO runs VALUES (7)',
    );

    const read = await asRole(scenario, original, 'SELECT id FROM runs');
    const written = await asRole(
      scenario,
      original,
      'INSERT INTO runs VALUES (8)',
    );

    expect(created).toEqual([]);
    expect(read).toEqual([{ id: 7 }]);
    expect(written).toEqual([]);
  });
});
