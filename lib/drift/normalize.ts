/**
 * The comparable form of a value, so that what is not drift compares
 * equal: `undefined`, `null`, `''`, `[]` and `{}` are all "absent" (an
 * API returning `""` for a field another call left `null`), and so is
 * `false` (a flag the API omits when off); arrays are
 * sets (rule, subnet, tag and key order never matters); object keys are
 * sorted.
 */
export function canonical(value: unknown): unknown {
  if (value === undefined || value === null || value === '') return null;
  if (value === false) return null;

  if (Array.isArray(value)) {
    if (value.length === 0) return null;
    return value
      .map(canonical)
      .sort((a, b) => compareText(JSON.stringify(a), JSON.stringify(b)));
  }

  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => [key, canonical(inner)] as const)
      .filter(([, inner]) => inner !== null)
      .sort(([a], [b]) => compareText(a, b));
    return entries.length === 0 ? null : Object.fromEntries(entries);
  }

  return value;
}

/** Whether two values are equal once canonical. */
export function sameValue(declared: unknown, live: unknown): boolean {
  return (
    JSON.stringify(canonical(declared)) === JSON.stringify(canonical(live))
  );
}

/** Whether every declared tag is on the live resource (extra tags are fine). */
export function hasTags(
  declared: readonly string[],
  live: readonly string[],
): boolean {
  return declared.every((tag) => live.includes(tag));
}

function compareText(a: string, b: string): number {
  if (a < b) return -1;

  return a > b ? 1 : 0;
}
