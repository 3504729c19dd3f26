import { scrubSecrets } from '../log/scrub.ts';

/** What replaces a value that must not reach an audit event. */
export const REDACTED = '[REDACTED]';

/** Last words of a key name that hold a secret (`dbPassword`, `api_key`). */
const SECRET_LAST_WORDS = new Set([
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'key',
  'apikey',
  'dsn',
  'credential',
  'credentials',
  'authorization',
  'cookie',
]);

/** Words that make a key secret wherever they appear in its name. */
const SECRET_ANYWHERE = ['password', 'passwd', 'connectionstring', 'dsn'];

function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

/**
 * True when a key name looks like it holds a secret: its last word is one
 * of password, secret, token, key, dsn, credential... (`secretKey`,
 * `db_password`) or it mentions a password or connection string anywhere.
 * `secret_name` or `keyVersion` are names, not secrets, and stay.
 */
export function isSecretKeyName(key: string): boolean {
  const words = keyWords(key);
  const last = words.at(-1);
  if (last !== undefined && SECRET_LAST_WORDS.has(last)) {
    return true;
  }

  const joined = words.join('');

  return SECRET_ANYWHERE.some((word) => joined.includes(word));
}

/**
 * Removes passwords from free text, as log lines do (lib/log/scrub.ts):
 * the password of a URL (`postgres://u:pw@h` → `postgres://u:[REDACTED]@h`)
 * and the value of `password=`, `token:`-like pairs.
 */
export function scrubText(text: string): string {
  return scrubSecrets(text, REDACTED);
}

/**
 * Returns a copy of a JSON-like value in which every value under a key that
 * looks secret is `[REDACTED]` and every string has lost its passwords.
 * Values that JSON cannot carry (functions, undefined, symbols) are dropped,
 * Dates become ISO strings and errors their scrubbed message.
 */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (depth > 32) {
    return REDACTED;
  }

  if (typeof value === 'string') {
    return scrubText(value);
  }

  if (value === null || typeof value === 'boolean') {
    return value;
  }

  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : String(value);
  }

  if (typeof value === 'bigint') {
    return value.toString();
  }

  if (value instanceof Date) {
    return value.toISOString();
  }

  if (value instanceof Error) {
    return scrubText(value.message);
  }

  if (Array.isArray(value)) {
    return value.map((item) => scrubValue(item, depth + 1) ?? null);
  }

  if (typeof value === 'object') {
    return scrubRecord(value as Record<string, unknown>, depth);
  }

  return undefined;
}

/** scrubValue for the `details` object of an event. */
export function scrubRecord(
  record: Record<string, unknown>,
  depth = 0,
): Record<string, unknown> {
  const scrubbed: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    if (isSecretKeyName(key)) {
      scrubbed[key] = REDACTED;
      continue;
    }

    const clean = scrubValue(item, depth + 1);
    if (clean !== undefined) {
      scrubbed[key] = clean;
    }
  }

  return scrubbed;
}

/** Appended to a masked value that differs from the other side's. */
export const MASKED_CHANGE = ' (masked value changed)';

/**
 * Scrubs both sides of a change (a plan's from/to, a finding's declared
 * and live) with {@link scrubValue}, keeping the change visible: where
 * a value, or an entry of a map, differs only in what was masked (a new
 * `API_KEY`, another URL password), its `to` side ends in
 * {@link MASKED_CHANGE}.
 *
 * @example
 * scrubChange({ API_KEY: 'a' }, { API_KEY: 'b' });
 * // { from: { API_KEY: '[REDACTED]' },
 * //   to: { API_KEY: '[REDACTED] (masked value changed)' } }
 */
export function scrubChange(
  from: unknown,
  to: unknown,
): { from: unknown; to: unknown } {
  const scrubbed = { from: scrubValue(from), to: scrubValue(to) };
  if (isRecord(from) && isRecord(to)) {
    const before = scrubbed.from as Record<string, unknown>;
    const after = { ...(scrubbed.to as Record<string, unknown>) };
    for (const key of Object.keys(to)) {
      if (maskedChange(from[key], to[key], before[key], after[key])) {
        after[key] = marked(after[key]);
      }
    }

    return { from: before, to: after };
  }

  return maskedChange(from, to, scrubbed.from, scrubbed.to)
    ? { from: scrubbed.from, to: marked(scrubbed.to) }
    : scrubbed;
}

/** Whether two values differ, but no longer once scrubbed. */
function maskedChange(
  from: unknown,
  to: unknown,
  scrubbedFrom: unknown,
  scrubbedTo: unknown,
): boolean {
  return !sameJson(from, to) && sameJson(scrubbedFrom, scrubbedTo);
}

function marked(value: unknown): string {
  return `${typeof value === 'string' ? value : REDACTED}${MASKED_CHANGE}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
