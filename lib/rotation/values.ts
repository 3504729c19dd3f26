import { randomBytes } from 'node:crypto';
import { companionName, companionPartOf } from '../secrets/companions.ts';
import {
  type Credentials,
  credentialsOf,
  fromSecretData,
  generatePassword,
  parseObject,
  toSecretData,
} from '../secrets/values.ts';
import type {
  SecretGenerator,
  SecretType,
  StackSecret,
} from '../stack/index.ts';
import type { RotationStrategy } from './record.ts';

/**
 * A new value of the declared shape for a `password`, `random` or
 * `key_value` generator. `basic_credentials` keep their username.
 */
export function generateValue(
  secret: StackSecret,
  currentPayload: string,
): string {
  const generator: SecretGenerator = secret.generator;
  switch (generator.kind) {
    case 'random':
      return randomBytes(generator.bytes).toString(generator.encoding);
    case 'key_value':
      return JSON.stringify(
        Object.fromEntries(
          generator.keys.map((k) => [k, generatePassword(generator.length)]),
        ),
      );
    case 'password': {
      const password = generatePassword(generator.length);
      if (secret.type !== 'basic_credentials') return password;
      const username = parseObject(currentPayload).username ?? '';
      return JSON.stringify({ username, password });
    }
    default:
      throw new TypeError(`${generator.kind} values are not generated here`);
  }
}

/**
 * Whether a payload has the declared shape: the byte count and encoding
 * of `random`, the keys of `key_value`, a password otherwise.
 */
export function hasDeclaredShape(secret: StackSecret, payload: string) {
  const generator = secret.generator;
  switch (generator.kind) {
    case 'random': {
      const bytes = Buffer.from(payload, generator.encoding);
      return (
        bytes.length === generator.bytes &&
        bytes.toString(generator.encoding) === payload
      );
    }
    case 'key_value': {
      const object = parseObject(payload);
      return generator.keys.every((k) => typeof object[k] === 'string');
    }
    default:
      return (credentialsOf(secret.type, payload).password ?? '').length > 0;
  }
}

/** A payload with a new username and password, other fields kept. */
export function withCredentials(
  type: SecretType,
  currentPayload: string,
  username: string,
  password: string,
): string {
  if (type !== 'database_credentials' && type !== 'basic_credentials') {
    return password;
  }

  return JSON.stringify({
    ...parseObject(currentPayload),
    username,
    password,
  });
}

/**
 * The second role of an alternating pair: `<user>_b` (cut to fit the
 * 63-character limit of PostgreSQL names).
 */
export function alternateRole(user: string): string {
  return `${user.slice(0, 61)}_b`;
}

/** The role a rotation moves to: the other one of the pair. */
export function nextRole(
  strategy: RotationStrategy,
  declaredUser: string,
  currentUser: string | undefined,
): string {
  if (strategy !== 'alternating-users') return declaredUser;

  const alternate = alternateRole(declaredUser);

  return currentUser === alternate ? declaredUser : alternate;
}

/**
 * The variable that tells a consumer WHICH identity its secret belongs
 * to, set next to the secret one: with alternating users the role
 * (`DATABASE_PASSWORD` → `DATABASE_USER`), with IAM keys the access key
 * (`…_SECRET_KEY` → `…_ACCESS_KEY`). `undefined` for other strategies.
 */
export function companionEnv(
  strategy: RotationStrategy,
  env: string,
): string | undefined {
  const part = companionPartOf(strategy);

  return part === undefined ? undefined : companionName(part, env);
}

/** One secret environment variable to set on a container. */
export interface EnvValue {
  key: string;
  value: string;
}

/**
 * What a consumer's variables must hold for a payload: the password (or
 * secret key) under `env`, the role (or access key) under its companion.
 */
export function consumerValues(
  strategy: RotationStrategy,
  type: SecretType,
  payload: string,
  env: string,
  accessKey: string | undefined,
): EnvValue[] {
  const values: EnvValue[] = [];
  const companion = companionEnv(strategy, env);

  if (strategy === 'iam-api-key') {
    const object = type === 'key_value' ? parseObject(payload) : {};
    values.push({ key: env, value: object.secret_key ?? payload });
    const access = object.access_key ?? accessKey;
    if (companion && access) values.push({ key: companion, value: access });
    return values;
  }

  const credentials = credentialsOf(type, payload);
  const isCredential =
    type === 'database_credentials' || type === 'basic_credentials';
  values.push({
    key: env,
    value: isCredential ? (credentials.password ?? '') : payload,
  });
  if (companion && credentials.username) {
    values.push({ key: companion, value: credentials.username });
  }

  return values;
}

export {
  type Credentials,
  credentialsOf,
  fromSecretData,
  generatePassword,
  toSecretData,
};
