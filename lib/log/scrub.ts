const MASK = '***';

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
