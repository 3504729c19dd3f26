import type { Fault } from '../http/fault.ts';

/** Node, undici and AWS SDK names of a failed or timed-out connection. */
const NETWORK_FAILURES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'TimeoutError',
  'RequestTimeout',
]);

interface FailureLike {
  readonly code?: unknown;
  readonly name?: unknown;
  readonly cause?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * True when a call failed for want of a connection: refused, reset or
 * timed out, named on the error (AWS SDK) or on its cause (`fetch`).
 */
export function isNetworkFailure(error: unknown): boolean {
  const failure = error as FailureLike | undefined;
  const cause = failure?.cause as FailureLike | undefined;
  for (const candidate of [failure, cause]) {
    if (NETWORK_FAILURES.has(String(candidate?.code))) return true;
    if (NETWORK_FAILURES.has(String(candidate?.name))) return true;
  }

  return error instanceof TypeError && error.message === 'fetch failed';
}

/**
 * Whose fault a failed read or write of our own bucket is: Object
 * Storage answering 5xx or 429, or the network failing, is the outside
 * world's (retry later); any other refusal (403, a missing bucket) or
 * failure (missing credentials, a bug) is ours.
 */
export function bucketFaultOf(cause: unknown): Fault {
  const status = (cause as FailureLike | undefined)?.$metadata?.httpStatusCode;
  if (status !== undefined) {
    return status >= 500 || status === 429 ? 'outside' : 'ours';
  }

  return isNetworkFailure(cause) ? 'outside' : 'ours';
}
