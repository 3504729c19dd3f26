import type { z } from 'zod';

/**
 * The message of one zod issue for a person. A required key that is
 * absent from the input says `missing key "name"`, with what it takes:
 * the allowed values of an enum or a discriminator, or the expected type.
 * Any other issue keeps zod's message.
 *
 * `input` is what was validated: the key is looked up in it, since zod
 * reports an absent key like a present one of the wrong type.
 *
 * @example
 * issueMessage(issue, { action: 'plan' })
 * // 'missing key "environment" (one of: dev, staging, production)'
 */
export function issueMessage(issue: z.core.$ZodIssue, input: unknown): string {
  const key = issue.path.at(-1);
  if (typeof key !== 'string' || !isAbsent(input, issue.path)) {
    return issue.message;
  }

  const wanted = expectation(issue);

  return wanted === undefined
    ? `missing key "${key}"`
    : `missing key "${key}" (${wanted})`;
}

/** True when the last key of `path` is absent from its parent object. */
function isAbsent(input: unknown, path: readonly PropertyKey[]): boolean {
  let parent: unknown = input;
  for (const segment of path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return false;

    parent = (parent as Record<PropertyKey, unknown>)[segment];
  }
  if (!isRecord(parent)) return false;

  return parent[path.at(-1) as string] === undefined;
}

function expectation(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code === 'invalid_value') {
    return oneOf(issue.values);
  }
  if (issue.code === 'invalid_union' && 'options' in issue) {
    return oneOf(issue.options as readonly unknown[]);
  }
  if (issue.code === 'invalid_type') {
    return `expected ${issue.expected}`;
  }

  return undefined;
}

function oneOf(values: readonly unknown[]): string {
  const names = values.map((value) => String(value));

  return names.length === 1
    ? `expected ${names[0]}`
    : `one of: ${names.join(', ')}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
