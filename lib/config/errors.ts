/**
 * A setting is missing or invalid. The message names every offending key
 * (and the profile and file it came from) but never a value, since a value
 * may be a secret.
 */
export class ConfigError extends Error {
  /** The environment keys (or profile keys) that failed validation. */
  readonly keys: readonly string[];

  constructor(
    message: string,
    keys: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConfigError';
    this.keys = keys;
  }
}
