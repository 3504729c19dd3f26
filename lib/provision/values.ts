import { randomBytes } from 'node:crypto';

import {
  credentialsOf,
  fromSecretData,
  generatePassword,
  toSecretData,
} from '../secrets/values.ts';
import type { SecretGenerator, SecretType } from '../stack/index.ts';

/**
 * The first value of a secret for the generators provisioning owns
 * directly (`password`, `random`, `key_value`); `undefined` for the ones
 * produced elsewhere (`database-user` with the database, `iam-api-key`
 * with IAM) and for `manual`.
 */
export function generateSecretValue(
  generator: SecretGenerator,
): string | undefined {
  switch (generator.kind) {
    case 'password':
      return generatePassword(generator.length);
    case 'random':
      return randomBytes(generator.bytes).toString(generator.encoding);
    case 'key_value':
      return JSON.stringify(
        Object.fromEntries(
          generator.keys.map((key) => [
            key,
            generatePassword(generator.length),
          ]),
        ),
      );
    default:
      return undefined;
  }
}

/** Where a database user's credentials point. */
export interface DatabaseCredentials {
  username: string;
  password: string;
  host: string;
  port: number;
  dbname: string;
}

/**
 * The payload stored for a database user: the JSON Scaleway expects for
 * `database_credentials` secrets (`engine`, `username`, `password`,
 * `host`, `port`, `dbname`, strings), the bare password for other types.
 */
export function databaseUserPayload(
  type: SecretType,
  credentials: DatabaseCredentials,
): string {
  if (type !== 'database_credentials') {
    return credentials.password;
  }

  return JSON.stringify({
    engine: 'postgres',
    username: credentials.username,
    password: credentials.password,
    host: credentials.host,
    port: String(credentials.port),
    dbname: credentials.dbname,
  });
}

/**
 * What a consumer (a container env var, a database user) receives from a
 * secret's payload: the `password` field of `database_credentials` and
 * `basic_credentials` secrets, the payload itself otherwise.
 */
export function consumerValue(
  type: SecretType,
  payload: string,
): string | undefined {
  return stringOrNone(credentialsOf(type, payload).password);
}

/** The `username` of a credentials payload (JSON), if it has one. */
export function credentialsUsername(payload: string): string | undefined {
  return stringOrNone(credentialsOf('database_credentials', payload).username);
}

function stringOrNone(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export { fromSecretData, generatePassword, toSecretData };
