import type { ConnectionOptions } from 'node:tls';
import type { Rdbv1 } from '@scaleway/sdk-rdb';
import pg from 'pg';
import type { SslMode, Stack } from '../stack/index.ts';
import { DatabaseLoginError, RotationSetupError } from './errors.ts';
import type { RotationRun } from './run-context.ts';
import type { DatabaseAddress } from './types.ts';
import { generatePassword } from './values.ts';

/** A login to try: who, with what, where. */
export interface DatabaseLogin {
  user: string;
  password: string;
  database: string;
}

/**
 * The TLS options of a libpq SSL mode. Rotation never tests a credential
 * in plaintext: `disable`, `allow` and `prefer` (which may fall back to
 * plaintext, R-01 of the catalogue) are refused; `require` encrypts
 * without checking the server; `verify-ca` checks the CA; `verify-full`
 * also checks the server name.
 *
 * @throws RotationSetupError for a mode that allows plaintext.
 */
export function tlsOptions(
  sslMode: SslMode,
  ca: string,
  servername: string,
): ConnectionOptions {
  switch (sslMode) {
    case 'verify-full':
      return { ca, servername, rejectUnauthorized: true };
    case 'verify-ca':
      return {
        ca,
        rejectUnauthorized: true,
        checkServerIdentity: () => {
          return undefined;
        },
      };
    case 'require':
      return { rejectUnauthorized: false };
    default:
      throw new RotationSetupError(
        `database.sslMode ${sslMode} allows plaintext: rotation tests ` +
          'credentials over TLS only (use require, verify-ca or verify-full)',
      );
  }
}

/**
 * Where an instance is reached by default: its private network endpoint
 * when the stack declares `endpoint: private-network`, else its public
 * endpoint (hostname when it has one).
 */
export function defaultDatabaseAddress(
  stack: Stack,
  instance: Rdbv1.Instance,
): DatabaseAddress {
  const wantsPrivate = stack.database?.endpoint === 'private-network';
  const endpoint =
    instance.endpoints.find(
      (e) => (e.privateNetwork !== undefined) === wantsPrivate,
    ) ?? instance.endpoints[0];
  if (endpoint === undefined || endpoint.port === undefined) {
    throw new RotationSetupError(
      `database instance ${instance.name} has no endpoint to test logins on`,
    );
  }
  const host = endpoint.hostname ?? endpoint.ip;
  if (host === undefined) {
    throw new RotationSetupError(
      `the endpoint of database instance ${instance.name} has no address`,
    );
  }

  return { host, port: endpoint.port };
}

/**
 * Logs in over TLS with the stack's SSL mode and runs `SELECT 1`, up to
 * `loginAttempts` times (a password change may take a moment to apply,
 * R-10), waiting 1 s, 2 s, ... between attempts.
 *
 * @throws DatabaseLoginError with the SQLSTATE or network code.
 */
export async function testLogin(
  run: RotationRun,
  instance: Rdbv1.Instance,
  login: DatabaseLogin,
): Promise<void> {
  const ca = await run.certificate(instance.id);
  const address =
    run.context.databaseAddress?.(instance) ??
    defaultDatabaseAddress(run.stack, instance);
  const sslMode = run.stack.database?.sslMode ?? 'verify-full';
  const ssl = tlsOptions(sslMode, ca, address.servername ?? address.host);
  const attempts = run.context.loginAttempts ?? 3;

  let failure: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      await loginOnce(address, ssl, login);
      return;
    } catch (error) {
      failure = error;
      if (attempt < attempts) await run.sleep(1000 * attempt);
    }
  }

  const code = (failure as { code?: string } | undefined)?.code;
  throw new DatabaseLoginError(login.user, code, { cause: failure });
}

async function loginOnce(
  address: DatabaseAddress,
  ssl: ConnectionOptions,
  login: DatabaseLogin,
): Promise<void> {
  const client = new pg.Client({
    host: address.host,
    port: address.port,
    user: login.user,
    password: login.password,
    database: login.database,
    ssl,
    connectionTimeoutMillis: 10_000,
  });
  client.on('error', () => undefined);

  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Sets a role's password through the Managed Databases API, creating the
 * role (not admin) when it does not exist yet (the second role of an
 * alternating pair, on its first rotation).
 *
 * @returns whether the role was created.
 */
export async function setRolePassword(
  run: RotationRun,
  instance: Rdbv1.Instance,
  role: string,
  password: string,
): Promise<boolean> {
  const request = { region: run.region, instanceId: instance.id };
  const users = await run.call(`list database users ${role}`, () =>
    run.clients.rdb.listUsers({ ...request, name: role }).all(),
  );

  if (users.some((user) => user.name === role)) {
    await run.call(`set the password of database user ${role}`, () =>
      run.clients.rdb.updateUser({ ...request, name: role, password }),
    );
    return false;
  }

  await run.call(
    `create database user ${role}`,
    () =>
      run.clients.rdb.createUser({
        ...request,
        name: role,
        password,
        isAdmin: false,
      }),
    false,
  );

  return true;
}

/**
 * Gives `to` the privileges `from` has on every database of the instance
 * the alternate role must be able to do what the original does).
 * Only the databases where the two differ are set, `none` included, so
 * a repeated call (a resumed step) makes no write.
 *
 * @returns a warning per database where `from` holds `custom` grants
 *   (made outside the API, which cannot copy them).
 */
export async function copyPrivileges(
  run: RotationRun,
  instance: Rdbv1.Instance,
  from: string,
  to: string,
): Promise<string[]> {
  const request = { region: run.region, instanceId: instance.id };
  const privilegesOf = (userName: string) =>
    run.call(`list privileges of ${userName}`, () =>
      run.clients.rdb.listPrivileges({ ...request, userName }).all(),
    );
  const wanted = await privilegesOf(from);
  const current = new Map(
    (await privilegesOf(to)).map((p) => [p.databaseName, p.permission]),
  );

  const warnings: string[] = [];
  for (const { databaseName, permission } of wanted) {
    if ((current.get(databaseName) ?? 'none') === permission) continue;
    if (permission === 'custom') {
      warnings.push(
        `privileges of ${from} on ${databaseName} are custom: not copied ` +
          `to ${to}, grant them by hand`,
      );
      continue;
    }
    await run.call(`grant ${permission} on ${databaseName} to ${to}`, () =>
      run.clients.rdb.setPrivilege({
        ...request,
        databaseName,
        userName: to,
        permission,
      }),
    );
  }

  return warnings;
}

/**
 * Retires a role's password: sets a random one that is never stored, so
 * the previous value of an alternating pair stops working.
 */
export async function scrambleRolePassword(
  run: RotationRun,
  instance: Rdbv1.Instance,
  role: string,
): Promise<void> {
  await run.call(`retire the password of database user ${role}`, () =>
    run.clients.rdb.updateUser({
      region: run.region,
      instanceId: instance.id,
      name: role,
      password: generatePassword(),
    }),
  );
}
