import { hash } from '@node-rs/argon2';

/**
 * A secret environment variable as the Serverless APIs store and return
 * it: the key and an argon2id hash of the value. The clear value is never
 * kept.
 */
export interface HashedSecret {
  key: string;
  hashed_value: string;
}

/**
 * A secret environment variable as a client sends it. A missing or `null`
 * value means "delete this key" on update (and "ignore" on create).
 */
export interface SecretChange {
  key: string;
  value?: string | null | undefined;
}

/**
 * Hashes secret environment variables for a create request. Entries
 * without a value are dropped; a repeated key keeps its last value.
 *
 * @example
 * ```ts
 * const secrets = await hashSecrets([{ key: 'DB_PASSWORD', value: 'x' }]);
 * // [{ key: 'DB_PASSWORD', hashed_value: '$argon2id$v=19$...' }]
 * ```
 */
export async function hashSecrets(
  changes: readonly SecretChange[],
): Promise<HashedSecret[]> {
  return mergeSecrets([], changes);
}

/**
 * Applies an update request's secret environment variables to the stored
 * ones, the way Scaleway does: listed keys with a value are (re)hashed,
 * listed keys with a `null` or missing value are deleted, unlisted keys are
 * kept. Existing keys keep their position; new keys are appended.
 */
export async function mergeSecrets(
  existing: readonly HashedSecret[],
  changes: readonly SecretChange[],
): Promise<HashedSecret[]> {
  const merged = new Map(existing.map((s) => [s.key, s.hashed_value]));

  for (const change of changes) {
    if (change.value === undefined || change.value === null) {
      merged.delete(change.key);
      continue;
    }

    merged.set(change.key, await hash(change.value));
  }

  return [...merged].map(([key, hashed_value]) => ({ key, hashed_value }));
}
