import pRetry from 'p-retry';
import {
  type ScalewayApiError,
  type ScalewayCallContext,
  translateScalewayError,
} from './errors.ts';

/** One retry about to happen, for logging. */
export interface RetryNotice {
  readonly error: ScalewayApiError;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  /** How long we wait before the next attempt. */
  readonly delayMs: number;
}

/** Options of {@link retryScaleway}. */
export interface RetryOptions extends ScalewayCallContext {
  /** Retries after the first attempt. Default 4. */
  readonly retries?: number;
  /** First backoff delay, doubled each time. Default 500 ms. */
  readonly minDelayMs?: number;
  /** Cap of the backoff delay. Default 8,000 ms. */
  readonly maxDelayMs?: number;
  /** Longest `Retry-After` we honour; beyond it we give up. Default 30 s. */
  readonly maxRetryAfterMs?: number;
  /** Stops waiting and retrying. Default none. */
  readonly signal?: AbortSignal;
  /** Called before each wait. Default none. */
  readonly onRetry?: (notice: RetryNotice) => void;
  /** Translates a failure. Default `translateScalewayError`; pass
   * `translateStorageError` for S3/SQS calls. */
  readonly translate?: (
    error: unknown,
    context: ScalewayCallContext,
  ) => ScalewayApiError;
  /** Waits; tests pass their own clock. Default `setTimeout`. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Runs an idempotent Scaleway call (a list, a get) and retries it while
 * the failure is the outside world's (429, 5xx, busy resource, network),
 * with exponential backoff, honouring `Retry-After`, bounded by
 * `retries`. Other failures are thrown at once, translated.
 *
 * @example
 * const secrets = await retryScaleway(
 *   () => clients.secret.listSecrets({ projectId }).all(),
 *   { operation: 'list secrets' },
 * );
 */
export async function retryScaleway<T>(
  call: () => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? 4;
  const minDelayMs = options.minDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 8_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  const sleep = options.sleep ?? defaultSleep;
  const translate = options.translate ?? translateScalewayError;

  return pRetry(
    async () => {
      try {
        return await call();
      } catch (error) {
        throw translate(error, options);
      }
    },
    {
      retries,
      minTimeout: 0,
      ...(options.signal ? { signal: options.signal } : {}),
      shouldRetry: ({ error }) => isRetryable(error, maxRetryAfterMs),
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (retriesLeft <= 0 || !isRetryable(error, maxRetryAfterMs)) return;

        const backoff = Math.min(
          maxDelayMs,
          minDelayMs * 2 ** (attemptNumber - 1),
        );
        const translated = error as ScalewayApiError;
        const delayMs = Math.max(backoff, translated.retryAfterMs ?? 0);

        options.onRetry?.({
          error: translated,
          attempt: attemptNumber,
          delayMs,
        });
        await sleep(delayMs, options.signal);
      },
    },
  );
}

function isRetryable(error: unknown, maxRetryAfterMs: number): boolean {
  const translated = error as Partial<ScalewayApiError>;
  if (translated.fault !== 'outside') return false;

  return (translated.retryAfterMs ?? 0) <= maxRetryAfterMs;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', abort, { once: true });

    function done(): void {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(timer);
      reject(signal?.reason);
    }
  });
}
