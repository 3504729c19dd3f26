import { z } from 'zod';
import { type ArgumentProblem, InvalidArgumentsError } from './errors.ts';

/**
 * Parses a request body with a zod schema. Every problem is reported at
 * once as a 400 `invalid_arguments` whose details name each argument by
 * its snake_case path. A missing body counts as `{}`.
 *
 * @example
 * const input = parseBody(CreateVpcBody, request.body);
 */
export function parseBody<S extends z.ZodType>(
  schema: S,
  body: unknown,
): z.infer<S> {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    throw new InvalidArgumentsError(toProblems(result.error));
  }

  return result.data;
}

/**
 * Parses a query string with a zod object schema. Keys that repeat become
 * arrays; declare array fields with `queryArray()`, booleans with
 * `queryBoolean()` and numbers with `queryInt()`.
 */
export function parseQuery<S extends z.ZodType>(
  schema: S,
  query: URLSearchParams,
): z.infer<S> {
  const raw: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    raw[key] = values.length === 1 ? (values[0] ?? '') : values;
  }

  return parseBody(schema, raw);
}

/** A query field given as repeated keys (`tags=a&tags=b`). */
export function queryArray<T extends z.ZodType>(item: T) {
  return z
    .preprocess(
      (value) => (typeof value === 'string' ? [value] : value),
      z.array(item),
    )
    .optional();
}

/** A query field `true` / `false`. */
export function queryBoolean() {
  return z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional();
}

/** A query field holding an integer within `[min, max]`. */
export function queryInt(min: number, max: number) {
  return z
    .string()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional();
}

/** A query field that is a single string (the last value wins). */
export function queryString() {
  return z
    .preprocess(
      (value) => (Array.isArray(value) ? value.at(-1) : value),
      z.string(),
    )
    .optional();
}

function toProblems(error: z.ZodError): ArgumentProblem[] {
  return error.issues.map((issue) => ({
    argumentName: issue.path.map(String).join('.') || 'body',
    reason: reasonOf(issue),
    helpMessage: issue.message,
  }));
}

function reasonOf(issue: z.core.$ZodIssue): ArgumentProblem['reason'] {
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return 'required';
  }
  if (issue.code === 'too_big' || issue.code === 'too_small') {
    return 'constraint';
  }

  return 'format';
}
