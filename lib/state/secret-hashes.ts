import { createHash } from 'node:crypto';
import type { AppliedState } from './schema.ts';

/**
 * The container attribute that records, per secret variable, a digest of
 * the argon2id hash the Containers API returned once the control plane
 * had set the variable and verified it held the right value:
 * `KEY=digest,...`. Written by provisioning (each apply) and by rotation
 * (each verified redeploy); read by drift, which compares the live hash
 * with it and so never needs the value.
 */
export const SECRET_ENV_HASHES = 'secretEnvHashes';

/** Digests of verified hashes: container name, then variable key. */
export type RecordedSecretHashes = ReadonlyMap<
  string,
  ReadonlyMap<string, string>
>;

/**
 * The digest recorded for an argon2id hash: sha256, 32 hex characters.
 * It reveals nothing a guess could be checked against: the hash itself
 * is never stored.
 *
 * @example
 * secretHashDigest('$argon2id$v=19$m=65536,t=2,p=1$...') // '3f1c…' (32)
 */
export function secretHashDigest(hash: string): string {
  return createHash('sha256').update(hash).digest('hex').slice(0, 32);
}

/** Formats `KEY=value` pairs, sorted by key, as one attribute value. */
export function formatKeyPairs(pairs: ReadonlyMap<string, string>): string {
  return [...pairs]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}

/**
 * Parses an attribute written by {@link formatKeyPairs}; a pair without
 * `=` is left out.
 */
export function parseKeyPairs(attribute: unknown): Map<string, string> {
  if (typeof attribute !== 'string' || attribute === '') return new Map();

  const pairs = attribute
    .split(',')
    .filter((pair) => pair.indexOf('=') > 0)
    .map((pair) => {
      const at = pair.indexOf('=');
      return [pair.slice(0, at), pair.slice(at + 1)] as [string, string];
    });

  return new Map(pairs);
}

/** The hash digests an applied state records, by container name. */
export function recordedSecretHashes(
  state: AppliedState,
): RecordedSecretHashes {
  const recorded = new Map<string, Map<string, string>>();
  for (const resource of state.resources) {
    if (resource.kind !== 'container') continue;
    const hashes = parseKeyPairs(resource.attributes?.[SECRET_ENV_HASHES]);
    if (hashes.size > 0) recorded.set(resource.name, hashes);
  }

  return recorded;
}

/**
 * A copy of `state` in which each named container records the given
 * digests (merged by key over what it recorded). Containers the state
 * does not hold are left out: only an apply adds resources.
 */
export function withRecordedHashes(
  state: AppliedState,
  digests: RecordedSecretHashes,
): AppliedState {
  const resources = state.resources.map((resource) => {
    const update = digests.get(resource.name);
    if (resource.kind !== 'container' || update === undefined) {
      return resource;
    }
    const merged = parseKeyPairs(resource.attributes?.[SECRET_ENV_HASHES]);
    for (const [key, digest] of update) merged.set(key, digest);

    return {
      ...resource,
      attributes: {
        ...resource.attributes,
        [SECRET_ENV_HASHES]: formatKeyPairs(merged),
      },
    };
  });

  return { ...state, resources };
}
