import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseEngine } from '../../../local/postgres/engine.ts';
import {
  InvalidIdentifierError,
  RoleExistsError,
  RoleNotFoundError,
} from '../../../local/postgres/errors.ts';
import { startPostgres } from '../../../local/postgres/server.ts';
import { connectAs, loginOutcome } from '../../support/postgres.ts';

// SQLSTATE 28P01: invalid_password; 28000: invalid_authorization_spec
const WRONG_PASSWORD = '28P01';
const NO_HBA_ENTRY = '28000';

let engine: DatabaseEngine;

beforeAll(async () => {
  engine = await startPostgres({ port: 0 });
});

afterAll(async () => {
  await engine?.close();
});

describe('DatabaseEngine: passwords over TLS (verify-full)', () => {
  it('refuses the old password and accepts the new one', async () => {
    await engine.createUser('app_user', 'Old-passw0rd!');
    const before = await loginOutcome(engine, 'app_user', 'Old-passw0rd!');

    await engine.setPassword('app_user', 'New-passw0rd!');

    expect(before).toBe('connected');
    expect(await loginOutcome(engine, 'app_user', 'Old-passw0rd!')).toBe(
      WRONG_PASSWORD,
    );
    expect(await loginOutcome(engine, 'app_user', 'New-passw0rd!')).toBe(
      'connected',
    );
  });

  it('refuses a plaintext connection with the right password', async () => {
    await engine.createUser('plain_user', 'Pl4in-text!');

    const outcome = await loginOutcome(
      engine,
      'plain_user',
      'Pl4in-text!',
      'disable',
    );

    expect(outcome).toBe(NO_HBA_ENTRY);
  });

  it('authenticates with scram-sha-256 over TLS', async () => {
    await engine.createUser('tls_user', 'Tls-passw0rd!');
    const client = await connectAs(engine, 'tls_user', 'Tls-passw0rd!');

    const ssl = await client.query<{ ssl: boolean }>(
      'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    const method = await client.query<{ hash: string }>(
      "SELECT current_setting('password_encryption') AS hash",
    );
    await client.end();

    expect(ssl.rows[0]?.ssl).toBe(true);
    expect(method.rows[0]?.hash).toBe('scram-sha-256');
  });
});

describe('DatabaseEngine: roles and databases', () => {
  it.each([
    {
      case: 'a duplicate role',
      act: () => engine.createUser('dup_user', 'Dup-passw0rd!'),
      error: RoleExistsError,
    },
    {
      case: 'a password change of a missing role',
      act: () => engine.setPassword('ghost', 'Gh0st-pass!'),
      error: RoleNotFoundError,
    },
    {
      case: 'a reserved name',
      act: () => engine.createUser('pg_admin', 'Res3rved-pass!'),
      error: InvalidIdentifierError,
    },
    {
      case: 'a name with a quote',
      act: () => engine.createUser('x"; DROP ROLE y; --', 'Qu0te-pass!'),
      error: InvalidIdentifierError,
    },
  ])('rejects $case', async ({ act, error }) => {
    await engine.createUser('dup_user', 'Dup-passw0rd!').catch(() => {});

    await expect(act()).rejects.toBeInstanceOf(error);
  });

  it('lists, updates and deletes users, and creates databases', async () => {
    await engine.createUser('owner_user', 'Own3r-pass!', { admin: false });
    await engine.setAdmin('owner_user', true);
    await engine.createDatabase('app_db', 'owner_user');

    const listed = await engine.listUsers();
    await engine.deleteDatabase('app_db');
    await engine.deleteUser('owner_user');
    const after = await engine.listUsers();

    expect(listed).toContainEqual({ name: 'owner_user', admin: true });
    expect(after.map((user) => user.name)).not.toContain('owner_user');
  });

  it('never puts a password in an error message', async () => {
    const password = "It's-a-s3cret!";

    const error = await engine
      .createUser('bad name', password)
      .catch((e: unknown) => e);

    expect(String((error as Error).message)).not.toContain(password);
  });
});
