const MASK = '***';

/**
 * `scheme://user:password@host` → `scheme://user:***@host`. The password
 * runs to the last `@` before a space or `/`, so an unencoded `@`, `?` or
 * `#` in it is masked too.
 */
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s/]*)@/gi;

/**
 * `password=...`, `secret_key: ...`, `"token":"..."`, `X-Auth-Token: ...`
 * and friends. A quoted value is masked whole, spaces included, and
 * keeps its quotes; an unquoted one runs to a space or `& ; ,`, quotes
 * included (an unclosed quote does not end it early).
 */
const KEY_VALUE = new RegExp(
  String.raw`\b((?:password|passwd|pwd|sslpassword|secret[_-]?key|secret|` +
    'token|api[_-]?key|access[_-]?key|x-auth-token|authorization)' +
    String.raw`["']?\s*[=:]\s*)` +
    String.raw`('[^']*'|"[^"]*"|(?:Bearer\s+)?[^\s&;,]+)`,
  'gi',
);

/**
 * Removes passwords and tokens from free text: the password of any URL or
 * DSN (`postgres://u:pw@h` → `postgres://u:***@h`) and the value of
 * `password=`, `secret_key:`, `token=`, `X-Auth-Token:`-like pairs.
 *
 * @param mask - What replaces each value; audit events use `[REDACTED]`.
 * @example
 * scrubSecrets('postgres://app:s3cr3t@db:5432/app');
 * // 'postgres://app:***@db:5432/app'
 */
export function scrubSecrets(text: string, mask: string = MASK): string {
  return text
    .replace(URL_PASSWORD, `$1:${mask}@`)
    .replace(KEY_VALUE, (_match, key: string, value: string) => {
      const quote = value[0];
      const quoted =
        value.length > 1 &&
        (quote === '"' || quote === "'") &&
        value.endsWith(quote);

      return quoted ? `${key}${quote}${mask}${quote}` : `${key}${mask}`;
    });
}
