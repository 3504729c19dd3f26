import { createHash } from 'node:crypto';
import type { Stack } from '../stack/index.ts';

/**
 * The revision of a stack: sha256 (hex) of its canonical JSON (keys
 * sorted at every level, `undefined` members dropped). Two stacks that
 * validate to the same value have the same revision, whatever the key
 * order or formatting of their files.
 *
 * @example
 * stackRevision(loadStack('stacks/production.yaml')) // 'a3f1…' (64 hex)
 */
export function stackRevision(stack: Stack): string {
  return createHash('sha256').update(canonicalJson(stack)).digest('hex');
}

/** JSON with object keys sorted at every level, for hashing. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }

  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, member]) => member !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, member]) => [key, sortKeys(member)]);

  return Object.fromEntries(entries);
}
