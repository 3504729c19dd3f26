import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { scrubSecrets } from '../log/scrub.ts';
import { issueMessage } from '../validation/index.ts';
import { type RequestProblem, RequestValidationError } from './errors.ts';
import type { FunctionEvent } from './types.ts';

/**
 * A header of the event, case-insensitively; the first value of a
 * list-valued header; `undefined` when absent or empty.
 */
export function headerOf(
  event: FunctionEvent,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();

  for (const [key, raw] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() !== wanted) continue;

    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value === 'string' && value.length > 0) return value;
  }

  return undefined;
}

/**
 * The correlation id of a request: the platform's `X-Request-Id` when
 * present (and sane), else a fresh UUID.
 */
export function correlationIdOf(event: FunctionEvent): string {
  const platform = headerOf(event, 'x-request-id');
  if (platform !== undefined && /^[\w.-]{1,128}$/.test(platform)) {
    return platform;
  }

  return randomUUID();
}

/**
 * Parses the JSON body of an event. Tolerates the platform's
 * `isBase64Encoded` flag (decoding only when the raw text is not JSON).
 *
 * @throws RequestValidationError (400) when the body is empty or not JSON.
 */
export function parseJsonBody(event: FunctionEvent): unknown {
  const raw = event.body ?? '';
  if (raw.trim() === '') {
    throw new RequestValidationError('request body is empty', [
      { path: '', message: 'a JSON body is required' },
    ]);
  }

  const direct = tryJson(raw);
  if (direct.ok) return direct.value;

  if (event.isBase64Encoded === true) {
    const decoded = tryJson(Buffer.from(raw, 'base64').toString('utf8'));
    if (decoded.ok) return decoded.value;
  }

  throw new RequestValidationError('request body is not valid JSON', [
    { path: '', message: 'must be a JSON document' },
  ]);
}

/**
 * Parses the JSON body and validates it with `schema`, reporting every
 * issue with its path at once.
 *
 * @throws RequestValidationError (400) listing each problem.
 * @example
 * const request = parseRequestBody(event, applyRequestSchema);
 */
export function parseRequestBody<S extends z.ZodType>(
  event: FunctionEvent,
  schema: S,
): z.output<S> {
  return validateInput(parseJsonBody(event), schema);
}

/**
 * Validates any input with `schema`; throws a 400
 * {@link RequestValidationError} listing every issue with its path.
 */
export function validateInput<S extends z.ZodType>(
  input: unknown,
  schema: S,
): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;

  const problems = result.error.issues.map((issue) => toProblem(issue, input));

  throw new RequestValidationError(
    `request is invalid (${problems.length} problem` +
      `${problems.length === 1 ? '' : 's'})`,
    problems,
  );
}

/** `['resources', 2, 'name']` → `resources[2].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }

  return text;
}

function toProblem(issue: z.core.$ZodIssue, input: unknown): RequestProblem {
  return {
    path: formatPath(issue.path),
    message: scrubSecrets(issueMessage(issue, input)),
  };
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
