import { randomInt } from 'node:crypto';
import type { SecretType } from '../stack/index.ts';

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
// URI-unreserved only: no `:` (pgpass), `@ / ? #` (URL), quote, backslash
// or space (key=value), so every DSN form takes the password unescaped.
const SPECIAL = '-_.~';
const CLASSES = [LOWER, UPPER, DIGITS, SPECIAL];

/** Characters a generated password is drawn from (66). */
export const PASSWORD_ALPHABET = CLASSES.join('');

/** Default length: 32 × log2(66) ≈ 193 bits; 22 already gives 128. */
export const DEFAULT_PASSWORD_LENGTH = 32;

/**
 * A random password with at least one lower-case letter, upper-case
 * letter, digit and special character (Managed Databases' rule), drawn
 * from {@link PASSWORD_ALPHABET} so that URL, key=value and pgpass DSNs
 * accept it as is. Used by provisioning (first value) and rotation.
 */
export function generatePassword(length = DEFAULT_PASSWORD_LENGTH): string {
  for (;;) {
    const chars = Array.from(
      { length },
      () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)] as string,
    );
    if (CLASSES.every((set) => chars.some((c) => set.includes(c)))) {
      return chars.join('');
    }
  }
}

/** Base64 of UTF-8 text, as Secret Manager takes `data`. */
export function toSecretData(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64');
}

/** UTF-8 text of Secret Manager's base64 `data`. */
export function fromSecretData(data: string): string {
  return Buffer.from(data, 'base64').toString('utf8');
}

/** The fields of a `database_credentials` or `basic_credentials` JSON. */
export interface Credentials {
  username?: string;
  password?: string;
  host?: string;
  port?: string;
  dbname?: string;
}

/**
 * The credentials in a payload: the JSON object of the credential types,
 * `{ password: payload }` for a bare password.
 */
export function credentialsOf(type: SecretType, payload: string): Credentials {
  if (type !== 'database_credentials' && type !== 'basic_credentials') {
    return { password: payload };
  }

  return parseObject(payload);
}

/** The JSON object of a payload; empty when it is not one. */
export function parseObject(
  payload: string,
): Record<string, string | undefined> {
  try {
    const parsed: unknown = JSON.parse(payload);
    if (parsed === null || typeof parsed !== 'object') return {};
    return parsed as Record<string, string | undefined>;
  } catch {
    return {};
  }
}
