import type { Fault } from '../http/fault.ts';
import { bucketFaultOf } from '../scaleway/network.ts';

/** Root of the environment lock errors. */
export class LockError extends Error {
  override name = 'LockError';
}

/**
 * Another request holds the environment: the caller should retry later
 * (HTTP 409, queue message retried). Names the holder's request id, which
 * is not secret.
 */
export class EnvironmentBusyError extends LockError {
  override name = 'EnvironmentBusyError';
  readonly environment: string;
  readonly holder: string;
  readonly expiresAt: string;

  constructor(environment: string, holder: string, expiresAt: string) {
    super(
      `Environment ${environment} is busy with request ${holder} ` +
        `(its lock expires at ${expiresAt} at the latest); retry later.`,
    );
    this.environment = environment;
    this.holder = holder;
    this.expiresAt = expiresAt;
  }
}

/**
 * The state bucket cannot hold a lock (missing, unversioned, denied, or
 * unreachable). Its fault follows the cause, as for the applied state.
 */
export class LockStorageError extends LockError {
  override name = 'LockStorageError';
  readonly bucket: string;
  readonly fault: Fault;

  constructor(bucket: string, reason: string, options?: ErrorOptions) {
    super(`Cannot lock in bucket ${bucket}: ${reason}`, options);
    this.bucket = bucket;
    this.fault = bucketFaultOf(options?.cause);
  }
}
