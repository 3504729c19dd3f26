const MASK = '***';

/** Names whose value is a credential: `DB_PASSWORD`, `GITHUB_TOKEN`. */
const SECRET_NAME =
  /password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|authorization/i;

/** `scheme://user:password@host` → `scheme://user:***@host`. */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/?#\s]+)@/gi;

/** `password=...`, `secret_key: ...`, `X-Auth-Token: ...` and friends. */
const KEY_VALUE = new RegExp(
  String.raw`\b((?:password|passwd|pwd|secret[_-]?key|secret|token|` +
    'api[_-]?key|access[_-]?key|x-auth-token|authorization)' +
    String.raw`["']?\s*[=:]\s*["']?)(?:Bearer\s+)?[^\s"'&;,]+`,
  'gi',
);

/**
 * Removes passwords and tokens from free text: the password of any URL or
 * DSN (`postgres://u:pw@h` → `postgres://u:***@h`) and the value of
 * `password=`, `secret_key:`, `token=`, `X-Auth-Token:`-like pairs.
 *
 * @example
 * scrubSecrets('postgres://app:s3cr3t@db:5432/app');
 * // 'postgres://app:***@db:5432/app'
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(URL_PASSWORD, `$1:${MASK}@`)
    .replace(KEY_VALUE, `$1${MASK}`);
}

/**
 * A copy of a value (an env map, a list, a string) fit for a report: every
 * string goes through {@link scrubSecrets}, and the value of an entry whose
 * name reads as a credential (`DB_PASSWORD`, `API_KEY`) is masked whole.
 *
 * @example
 * scrubValue({ DB_PASSWORD: 'hunter2', LOG_LEVEL: 'info' });
 * // { DB_PASSWORD: '***', LOG_LEVEL: 'info' }
 */
export function scrubValue(value: unknown): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (Array.isArray(value)) return value.map(scrubValue);
  if (typeof value !== 'object' || value === null) return value;

  const scrubbed: Record<string, unknown> = {};
  for (const [name, entry] of Object.entries(value)) {
    scrubbed[name] =
      SECRET_NAME.test(name) && typeof entry === 'string'
        ? MASK
        : scrubValue(entry);
  }

  return scrubbed;
}
