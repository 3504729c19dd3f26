import { scrubText } from '../audit/scrub.ts';
import { canonical } from './normalize.ts';

/**
 * How a declared value differs from the live one, in parts a person
 * reads, never cut short:
 * - lists (keys, tags, subnets, rules): what the live list adds and what
 *   it lacks (`added: DEBUG`, `removed: DATABASE_URL`); for `tags`, only
 *   the missing ones, since extra live tags are not drift;
 * - maps (`env`): each added, removed or changed key;
 * - anything else: `declared → live`.
 *
 * Values are the finding's, already masked when secret.
 *
 * @example
 * describeDifference('secretEnvKeys', ['A', 'B'], ['A', 'C'])
 * // ['added: C', 'removed: B']
 */
export function describeDifference(
  field: string | undefined,
  declared: unknown,
  live: unknown,
): string[] {
  if (declared === undefined && live === undefined) return [];

  const parts =
    isList(declared) || isList(live)
      ? listDifference(field, asList(declared), asList(live))
      : isMap(declared) || isMap(live)
        ? mapDifference(asMap(declared), asMap(live))
        : [];

  return parts.length > 0 ? parts : [`${shown(declared)} → ${shown(live)}`];
}

function listDifference(
  field: string | undefined,
  declared: readonly unknown[],
  live: readonly unknown[],
): string[] {
  const liveKeys = new Set(live.map(comparable));
  const declaredKeys = new Set(declared.map(comparable));
  const added = live.filter((item) => !declaredKeys.has(comparable(item)));
  const removed = declared.filter((item) => !liveKeys.has(comparable(item)));

  const parts: string[] = [];
  if (added.length > 0 && field !== 'tags') {
    parts.push(`added: ${added.map(shown).join(', ')}`);
  }
  if (removed.length > 0) {
    parts.push(`removed: ${removed.map(shown).join(', ')}`);
  }

  return parts;
}

function mapDifference(
  declared: Record<string, unknown>,
  live: Record<string, unknown>,
): string[] {
  const keys = [...new Set([...Object.keys(declared), ...Object.keys(live)])];
  const parts: string[] = [];

  for (const key of keys.sort()) {
    const wanted = declared[key];
    const actual = live[key];
    if (comparable(wanted) === comparable(actual)) continue;

    if (canonical(wanted) === null) {
      parts.push(`added: ${key}=${shown(actual)}`);
    } else if (canonical(actual) === null) {
      parts.push(`removed: ${key}`);
    } else {
      parts.push(`changed: ${key}: ${shown(wanted)} → ${shown(actual)}`);
    }
  }

  return parts;
}

function isList(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asMap(value: unknown): Record<string, unknown> {
  return isMap(value) ? value : {};
}

function comparable(value: unknown): string {
  return JSON.stringify(canonical(value));
}

/**
 * A value for the report. Findings hold scrubbed values already; this
 * scrubs again, with the same mask, for a report read from elsewhere.
 */
function shown(value: unknown): string {
  if (value === undefined || value === null) return '(none)';

  const text = typeof value === 'string' ? value : JSON.stringify(value);

  return scrubText(text);
}
