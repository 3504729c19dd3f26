import type { Logger } from 'pino';
import { HttpError } from './errors.ts';
import { type ClassifiedError, isClassifiedError } from './fault.ts';
import type { FunctionResponse } from './types.ts';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

const CODES: Readonly<Record<number, string>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'payload_too_large',
  422: 'unprocessable',
  429: 'too_many_requests',
  500: 'internal_error',
  503: 'unavailable',
};

/** A JSON response. `Content-Type` is exactly `application/json`. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): FunctionResponse {
  return {
    statusCode,
    headers: { ...JSON_HEADERS, ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * Answers a thrown error by its class: a caller fault shows its message
 * and details; ours (500) and the outside world's (503, `Retry-After`)
 * get a generic body with the correlation id, and the details go to the
 * log only.
 */
export function errorResponse(
  error: unknown,
  correlationId: string,
  logger: Logger,
): FunctionResponse {
  const classified = isClassifiedError(error) ? error : undefined;
  const fault = classified?.fault ?? 'ours';
  const headers = {
    'X-Request-Id': correlationId,
    ...(error instanceof HttpError ? error.headers : {}),
  };

  if (fault === 'caller' && classified !== undefined) {
    return callerResponse(classified, correlationId, headers);
  }
  if (fault === 'outside') {
    logger.warn({ err: error, correlationId }, 'dependency unavailable');
    return jsonResponse(
      503,
      {
        error: 'unavailable',
        message: 'a dependency is unavailable; retry later',
        correlationId,
      },
      { ...headers, ...retryAfterHeader(classified) },
    );
  }

  logger.error({ err: error, correlationId }, 'request failed');

  return jsonResponse(
    500,
    {
      error: 'internal_error',
      message: 'internal error; quote the correlation id when reporting it',
      correlationId,
    },
    headers,
  );
}

function callerResponse(
  error: ClassifiedError,
  correlationId: string,
  headers: Record<string, string>,
): FunctionResponse {
  const status = error.httpStatus ?? 400;
  const body: Record<string, unknown> = {
    error: CODES[status] ?? 'invalid_request',
    message: error.message,
    correlationId,
  };
  if (isRecord(error.details)) Object.assign(body, error.details);
  else if (error.details !== undefined) body.details = error.details;

  return jsonResponse(status, body, headers);
}

function retryAfterHeader(
  error: ClassifiedError | undefined,
): Record<string, string> {
  const ms = error?.retryAfterMs;
  if (ms === undefined) return {};

  return { 'Retry-After': String(Math.max(1, Math.ceil(ms / 1000))) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
