import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Errors } from '@scaleway/sdk-client';
import type { Rdbv1 } from '@scaleway/sdk-rdb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseEngine } from '../../../local/postgres/engine.ts';
import { startPostgres } from '../../../local/postgres/server.ts';
import { STORE_FILE_NAME } from '../../../local/scaleway/core/index.ts';
import { rdbProduct } from '../../../local/scaleway/rdb/index.ts';
import {
  startTestScalewayApi,
  type TestScalewayApi,
} from '../../support/scaleway.ts';

// SQLSTATE 42501: insufficient_privilege
const DENIED = '42501';
const ADMIN_PASSWORD = 'Adm1n-passw0rd!';
const USER_PASSWORD = 'Us3r-passw0rd!';

let engine: DatabaseEngine;
let local: TestScalewayApi;
let ca: string;

beforeAll(async () => {
  engine = await startPostgres({ port: 0 });
  local = await startTestScalewayApi({ products: [rdbProduct({ engine })] });
  ca = engine.caCertificatePem();
});

afterAll(async () => {
  await local?.close();
  await engine?.close();
});

async function createInstance(
  name: string,
  rdb: Rdbv1.API = local.rdb,
): Promise<Rdbv1.Instance> {
  return rdb.createInstance({
    name,
    engine: 'PostgreSQL-16',
    nodeType: 'DB-DEV-S',
    isHaCluster: false,
    userName: `${name.replaceAll('-', '_')}_admin`,
    password: ADMIN_PASSWORD,
    tags: [],
    disableBackup: true,
    volumeSize: 0,
    backupSameRegion: false,
    encryption: { enabled: true },
  });
}

/** An instance with one logical database and the given users. */
async function instanceWith(
  name: string,
  database: string,
  users: readonly string[],
): Promise<Rdbv1.Instance> {
  const instance = await createInstance(name);
  await local.rdb.createDatabase({ instanceId: instance.id, name: database });
  for (const user of users) {
    await local.rdb.createUser({
      instanceId: instance.id,
      name: user,
      password: USER_PASSWORD,
      isAdmin: false,
    });
  }

  return instance;
}

/** Connects as `user` to `database` over TLS, sslmode verify-full. */
async function connect(user: string, database: string): Promise<pg.Client> {
  const client = new pg.Client({
    host: engine.host,
    port: engine.port,
    user,
    password: USER_PASSWORD,
    database,
    ssl: { ca, servername: 'localhost', rejectUnauthorized: true },
  });
  client.on('error', () => undefined);
  await client.connect();

  return client;
}

/** Runs SQL as `user` in `database`: `ok` or the SQLSTATE it failed with. */
async function outcome(
  user: string,
  database: string,
  sql: string,
): Promise<string> {
  let client: pg.Client | undefined;
  try {
    client = await connect(user, database);
    await client.query(sql);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? 'failed';
  } finally {
    await client?.end().catch(() => undefined);
  }
}

describe('RDB databases', () => {
  it('creates a database that lists with its owner and size', async () => {
    const instance = await createInstance('db-create');

    const created = await local.rdb.createDatabase({
      instanceId: instance.id,
      name: 'app_db',
    });
    const listed = await local.rdb.listDatabases({
      instanceId: instance.id,
      skipSizeRetrieval: false,
    });
    const inEngine = await engine.listDatabases();

    expect(created).toEqual({
      managed: true,
      name: 'app_db',
      owner: '',
      size: 0,
    });
    expect(listed.totalCount).toBe(1);
    expect(listed.databases).toMatchObject([
      { name: 'app_db', managed: true, owner: '_rdb_superadmin' },
    ]);
    expect(listed.databases[0]?.size).toBeGreaterThan(1_000_000);
    expect(inEngine.map((d) => d.name)).toContain('app_db');
  });

  it('filters by name, managed, owner; pages with total_count', async () => {
    const instance = await createInstance('db-list');
    for (const name of ['alpha', 'beta', 'alphabet']) {
      await local.rdb.createDatabase({ instanceId: instance.id, name });
    }
    const instanceId = instance.id;

    const byName = await local.rdb.listDatabases({
      instanceId,
      name: 'alpha',
      skipSizeRetrieval: false,
    });
    const unmanaged = await local.rdb.listDatabases({
      instanceId,
      managed: false,
      skipSizeRetrieval: false,
    });
    const byOwner = await local.rdb.listDatabases({
      instanceId,
      owner: '_rdb_superadmin',
      skipSizeRetrieval: false,
    });
    const page = await local.rdb.listDatabases({
      instanceId,
      pageSize: 2,
      orderBy: 'name_desc',
      skipSizeRetrieval: true,
    });
    const all = await local.rdb
      .listDatabases({ instanceId, pageSize: 1, skipSizeRetrieval: false })
      .all();

    expect(byName.databases.map((d) => d.name)).toEqual(['alpha', 'alphabet']);
    expect(unmanaged.totalCount).toBe(0);
    expect(byOwner.totalCount).toBe(3);
    expect(page.databases.map((d) => [d.name, d.size])).toEqual([
      ['beta', 0],
      ['alphabet', 0],
    ]);
    expect(page.totalCount).toBe(3);
    expect(all.map((d) => d.name)).toEqual(['alpha', 'beta', 'alphabet']);
  });

  it('deletes with 204 and drops the database from PostgreSQL', async () => {
    const instance = await instanceWith('db-delete', 'doomed', []);

    await local.rdb.deleteDatabase({ instanceId: instance.id, name: 'doomed' });
    const listed = await local.rdb.listDatabases({
      instanceId: instance.id,
      skipSizeRetrieval: false,
    });
    const again = await local.rdb
      .deleteDatabase({ instanceId: instance.id, name: 'doomed' })
      .catch((e: unknown) => e);

    expect(listed.databases).toEqual([]);
    expect((await engine.listDatabases()).map((d) => d.name)).not.toContain(
      'doomed',
    );
    expect(again).toBeInstanceOf(Errors.ResourceNotFoundError);
    expect(again).toMatchObject({ resource: 'database', resourceId: 'doomed' });
  });

  it('drops the databases of a deleted instance', async () => {
    const instance = await instanceWith('db-gone', 'orphan_db', ['orphan']);

    await local.rdb.deleteInstance({ instanceId: instance.id });

    const names = (await engine.listDatabases()).map((d) => d.name);
    expect(names).not.toContain('orphan_db');
    expect((await engine.listUsers()).map((u) => u.name)).not.toContain(
      'orphan',
    );
  });

  it.each([
    {
      case: 'a duplicate name',
      name: 'twice',
      error: Errors.AlreadyExistsError,
    },
    {
      case: 'a reserved name',
      name: 'postgres',
      error: Errors.InvalidArgumentsError,
    },
    {
      case: 'the default database',
      name: 'rdb',
      error: Errors.InvalidArgumentsError,
    },
    {
      case: 'a name with a quote',
      name: 'x"; DROP DATABASE y; --',
      error: Errors.InvalidArgumentsError,
    },
  ])('refuses $case', async ({ name, error }) => {
    const tag = name.replaceAll(/[^a-z]/g, '').slice(0, 8);
    const instance = await instanceWith(`db-refuse-${tag}`, 'twice', []);

    const refused = await local.rdb
      .createDatabase({ instanceId: instance.id, name })
      .catch((e: unknown) => e);

    expect(refused).toBeInstanceOf(error);
  });

  it('answers not_found instance for an unknown instance', async () => {
    const instanceId = '00000000-0000-4000-8000-000000000000';

    const errors = await Promise.all([
      local.rdb
        .listDatabases({ instanceId, skipSizeRetrieval: false })
        .catch((e: unknown) => e),
      local.rdb
        .createDatabase({ instanceId, name: 'x' })
        .catch((e: unknown) => e),
      local.rdb.listPrivileges({ instanceId }).catch((e: unknown) => e),
    ]);

    for (const error of errors) {
      expect(error).toBeInstanceOf(Errors.ResourceNotFoundError);
      expect(error).toMatchObject({
        resource: 'instance',
        resourceId: instanceId,
      });
    }
  });
});

describe('RDB privileges', () => {
  it('lists every user on every database, none until one is set', async () => {
    const instance = await instanceWith('priv-list', 'shop', ['clerk']);
    const instanceId = instance.id;

    const before = await local.rdb.listPrivileges({ instanceId });
    const set = await local.rdb.setPrivilege({
      instanceId,
      databaseName: 'shop',
      userName: 'clerk',
      permission: 'readwrite',
    });
    const after = await local.rdb.listPrivileges({
      instanceId,
      userName: 'clerk',
      databaseName: 'shop',
    });
    const sorted = await local.rdb.listPrivileges({
      instanceId,
      orderBy: 'user_name_desc',
      pageSize: 1,
    });

    expect(before.privileges).toEqual([
      { databaseName: 'shop', userName: 'priv_list_admin', permission: 'none' },
      { databaseName: 'shop', userName: 'clerk', permission: 'none' },
    ]);
    expect(set).toEqual({
      databaseName: 'shop',
      userName: 'clerk',
      permission: 'readwrite',
    });
    expect(after.privileges).toEqual([set]);
    expect(sorted.privileges.map((p) => p.userName)).toEqual([
      'priv_list_admin',
    ]);
    expect(sorted.totalCount).toBe(2);
  });

  it.each([
    {
      case: 'an unknown user',
      change: { userName: 'ghost' },
      resource: 'user',
      id: 'ghost',
    },
    {
      case: 'an unknown database',
      change: { databaseName: 'nowhere' },
      resource: 'database',
      id: 'nowhere',
    },
  ])('answers not_found for $case', async ({ change, resource, id }) => {
    const instance = await instanceWith(`priv-404-${resource}`, 'known', [
      `known_${resource}`,
    ]);

    const error = await local.rdb
      .setPrivilege({
        instanceId: instance.id,
        databaseName: 'known',
        userName: `known_${resource}`,
        permission: 'all',
        ...change,
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Errors.ResourceNotFoundError);
    expect(error).toMatchObject({ resource, resourceId: id });
  });

  it('refuses to set custom', async () => {
    const instance = await instanceWith('priv-custom', 'bespoke', ['tailor']);

    const error = await local.rdb
      .setPrivilege({
        instanceId: instance.id,
        databaseName: 'bespoke',
        userName: 'tailor',
        permission: 'custom',
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Errors.InvalidArgumentsError);
    expect(
      (error as Errors.InvalidArgumentsError).details.map(
        (d) => d.argumentName,
      ),
    ).toEqual(['permission']);
  });

  it('deletes a user owning a table there, with its privileges', async () => {
    const instance = await instanceWith('priv-user-gone', 'ledger', ['temp']);
    await local.rdb.setPrivilege({
      instanceId: instance.id,
      databaseName: 'ledger',
      userName: 'temp',
      permission: 'all',
    });
    const created = await outcome(
      'temp',
      'ledger',
      'CREATE TABLE owned_by_temp (id int)',
    );

    await local.rdb.deleteUser({ instanceId: instance.id, name: 'temp' });
    const listed = await local.rdb.listPrivileges({ instanceId: instance.id });

    expect(created).toBe('ok');
    expect(listed.privileges.map((p) => p.userName)).not.toContain('temp');
    expect((await engine.listUsers()).map((u) => u.name)).not.toContain('temp');
  });
});

describe('RDB privileges in PostgreSQL (TLS, verify-full)', () => {
  let instanceId: string;
  const set = (userName: string, permission: Rdbv1.Permission) =>
    local.rdb.setPrivilege({
      instanceId,
      databaseName: 'evalap_sql',
      userName,
      permission,
    });

  beforeAll(async () => {
    const instance = await instanceWith('priv-sql', 'evalap_sql', [
      'owner_role',
      'reader',
      'writer',
      'outsider',
    ]);
    instanceId = instance.id;
    await set('owner_role', 'all');
    await set('reader', 'readonly');
    await set('writer', 'readwrite');
  });

  it('lets an all user create a table and write to it', async () => {
    const created = await outcome(
      'owner_role',
      'evalap_sql',
      'CREATE TABLE notes (id serial PRIMARY KEY, body text)',
    );
    const inserted = await outcome(
      'owner_role',
      'evalap_sql',
      "INSERT INTO notes (body) VALUES ('first')",
    );

    expect(created).toBe('ok');
    expect(inserted).toBe('ok');
  });

  it.each([
    {
      case: 'readonly reads',
      user: 'reader',
      sql: 'SELECT * FROM notes',
      expected: 'ok',
    },
    {
      case: 'readonly cannot insert (not even with its own id)',
      user: 'reader',
      sql: "INSERT INTO notes (id, body) VALUES (100, 'no')",
      expected: DENIED,
    },
    {
      case: 'readonly cannot create a table',
      user: 'reader',
      sql: 'CREATE TABLE sneaky (id int)',
      expected: DENIED,
    },
    {
      case: 'readwrite inserts (with the serial sequence)',
      user: 'writer',
      sql: "INSERT INTO notes (body) VALUES ('second')",
      expected: 'ok',
    },
    {
      case: 'readwrite cannot create a table',
      user: 'writer',
      sql: 'CREATE TABLE sneaky (id int)',
      expected: DENIED,
    },
    {
      case: 'a user without privilege cannot connect',
      user: 'outsider',
      sql: 'SELECT 1',
      expected: DENIED,
    },
  ])('$case', async ({ user, sql, expected }) => {
    const result = await outcome(user, 'evalap_sql', sql);

    expect(result).toBe(expected);
  });

  it('takes the write back when all becomes readonly', async () => {
    await set('writer', 'all');
    const whileAll = await outcome(
      'writer',
      'evalap_sql',
      "INSERT INTO notes (body) VALUES ('third')",
    );

    await set('writer', 'readonly');
    const afterDowngrade = await outcome(
      'writer',
      'evalap_sql',
      "INSERT INTO notes (body) VALUES ('fourth')",
    );

    expect(whileAll).toBe('ok');
    expect(afterDowngrade).toBe(DENIED);
  });

  it('revokes everything with none', async () => {
    await set('reader', 'none');

    const result = await outcome('reader', 'evalap_sql', 'SELECT 1');
    const listed = await local.rdb.listPrivileges({
      instanceId,
      userName: 'reader',
    });

    expect(result).toBe(DENIED);
    expect(listed.privileges).toEqual([
      { databaseName: 'evalap_sql', userName: 'reader', permission: 'none' },
    ]);
  });
});

describe('RDB databases and privileges across a restart', () => {
  it('keeps them in a data folder, reads older records', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scw-rdb-'));
    const start = () =>
      startTestScalewayApi({ dataDir, products: [rdbProduct({ engine })] });
    try {
      const first = await start();
      const kept = await createInstance('kept', first.rdb);
      const older = await createInstance('older', first.rdb);
      await first.rdb.createDatabase({ instanceId: kept.id, name: 'kept_db' });
      await first.rdb.setPrivilege({
        instanceId: kept.id,
        databaseName: 'kept_db',
        userName: 'kept_admin',
        permission: 'all',
      });
      await first.close();
      stripDatabaseFields(dataDir, older.id);

      const second = await start();
      const privileges = await second.rdb.listPrivileges({
        instanceId: kept.id,
      });
      const before = await second.rdb.listDatabases({
        instanceId: older.id,
        skipSizeRetrieval: false,
      });
      await second.rdb.createDatabase({ instanceId: older.id, name: 'late' });
      const after = await second.rdb.listPrivileges({ instanceId: older.id });
      await second.close();

      expect(privileges.privileges).toEqual([
        { databaseName: 'kept_db', userName: 'kept_admin', permission: 'all' },
      ]);
      expect(before.databases).toEqual([]);
      expect(after.privileges).toEqual([
        { databaseName: 'late', userName: 'older_admin', permission: 'none' },
      ]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

/** Rewrites a saved instance as the API saved it before these routes. */
function stripDatabaseFields(dataDir: string, instanceId: string): void {
  const file = join(dataDir, STORE_FILE_NAME);
  const saved = JSON.parse(readFileSync(file, 'utf8')) as {
    collections: Record<string, Record<string, unknown>[]>;
  };
  for (const record of saved.collections['rdb.instance'] ?? []) {
    if (record.id === instanceId) {
      delete record.databases;
      delete record.privileges;
    }
  }
  writeFileSync(file, JSON.stringify(saved));
}
