import type { NetworkInterceptors } from '@scaleway/sdk-client';

/** What we know of the HTTP exchange that produced an SDK error. */
export interface FailedRequest {
  readonly method: string;
  /** Path of the request, without the query string. */
  readonly path: string;
  /** From the `Retry-After` header, when the response had one. */
  readonly retryAfterMs: number | undefined;
  /** The project and organization the client was built for. */
  readonly projectId: string | undefined;
  readonly organizationId: string | undefined;
}

interface Scope {
  readonly projectId: string | undefined;
  readonly organizationId: string | undefined;
}

const responses = new WeakMap<Request, Response>();
const failures = new WeakMap<object, FailedRequest>();

/**
 * The request that produced an error thrown by an SDK method of a client
 * built by `createScalewayClient`, if any.
 */
export function failedRequestOf(error: unknown): FailedRequest | undefined {
  if (typeof error !== 'object' || error === null) return undefined;

  return failures.get(error);
}

/**
 * A fetch that remembers the response of every failed request, so that
 * the error interceptor can read its `Retry-After` header.
 */
export function rememberingFetch(base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    if (!response.ok && input instanceof Request) {
      responses.set(input, response);
    }

    return response;
  };
}

/**
 * An interceptor tying each SDK error to its request (method, path,
 * `Retry-After`, project), then rethrowing it unchanged.
 */
export function failureInterceptor(scope: Scope): NetworkInterceptors {
  return {
    responseError: ({ request, error }) => {
      if (typeof error === 'object' && error !== null) {
        failures.set(error, describe(request, scope));
      }
      throw error;
    },
  };
}

function describe(request: Request, scope: Scope): FailedRequest {
  const response = responses.get(request);
  const header = response?.headers.get('retry-after') ?? null;

  return {
    method: request.method,
    path: new URL(request.url).pathname,
    retryAfterMs: parseRetryAfter(header),
    projectId: scope.projectId,
    organizationId: scope.organizationId,
  };
}

/**
 * Parses a `Retry-After` header (seconds or an HTTP date) into
 * milliseconds; `undefined` when absent or unreadable.
 */
export function parseRetryAfter(
  header: string | null,
  now: number = Date.now(),
): number | undefined {
  if (header === null || header.trim() === '') return undefined;

  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);

  const date = Date.parse(header);
  if (Number.isNaN(date)) return undefined;

  return Math.max(0, date - now);
}
