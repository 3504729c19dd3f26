/**
 * Whose fault a failure is, which decides the HTTP status, the retry and
 * the queue reply:
 * - `caller`: the request is wrong (4xx, message shown, never retried);
 * - `ours`: a bug or a misconfiguration of the control plane (5xx,
 *   generic body, details logged, alert);
 * - `outside`: Scaleway or the network failed for now (503, retry with
 *   backoff).
 */
export type Fault = 'caller' | 'ours' | 'outside';

/**
 * The shape every error of our areas may carry so that the HTTP and queue
 * adapters can answer it. Structural: an error class opts in by declaring
 * `fault` (and optionally `httpStatus`, `retryAfterMs`, `details`).
 */
export interface ClassifiedError extends Error {
  readonly fault: Fault;
  /** Status to answer with; defaults 400 / 500 / 503 by fault. */
  readonly httpStatus?: number | undefined;
  /** Milliseconds the caller should wait before retrying. */
  readonly retryAfterMs?: number | undefined;
  /** Extra caller-safe data for the body of a `caller` fault. */
  readonly details?: unknown;
  /**
   * Overrides the retry decision of the queue adapter, e.g. `true` for a
   * 409 "environment busy" that should be redelivered. Default: retry
   * unless the fault is the caller's.
   */
  readonly retryable?: boolean;
}

const FAULTS: readonly string[] = ['caller', 'ours', 'outside'];

/** True when `error` declares a {@link Fault}. */
export function isClassifiedError(error: unknown): error is ClassifiedError {
  if (!(error instanceof Error)) return false;

  const fault = (error as { fault?: unknown }).fault;

  return typeof fault === 'string' && FAULTS.includes(fault);
}

/** The fault of any thrown value; unclassified errors are ours. */
export function faultOf(error: unknown): Fault {
  return isClassifiedError(error) ? error.fault : 'ours';
}
