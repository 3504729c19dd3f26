import { createHash } from 'node:crypto';
import { argon2idMatches } from '../secrets/argon2.ts';

const MAX_ENTRIES = 1000;
const verified = new Map<string, boolean>();

/**
 * Whether an argon2id hash (what the Containers API returns for a secret
 * environment variable) is the hash of `value`. A verification costs
 * about 60 ms of CPU, so outcomes are remembered in this process, keyed
 * by the hash and a SHA-256 of the value (the value itself is not kept).
 * A new value always comes with a new hash (fresh salt), so a remembered
 * outcome never goes stale.
 */
export async function hashMatches(
  hash: string,
  value: string,
): Promise<boolean> {
  const valueDigest = createHash('sha256').update(value).digest('hex');
  const key = `${hash}\u0000${valueDigest}`;
  const known = verified.get(key);
  if (known !== undefined) {
    return known;
  }

  const matches = await argon2idMatches(hash, value);
  if (verified.size >= MAX_ENTRIES) {
    verified.clear();
  }
  verified.set(key, matches);

  return matches;
}
