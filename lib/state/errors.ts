import type { Fault } from '../http/fault.ts';
import { bucketFaultOf } from '../scaleway/network.ts';

/** Root of the applied-state errors. */
export class StateError extends Error {
  override name = 'StateError';
}

/**
 * The state object exists but is not a valid applied state (hand-edited,
 * written by an incompatible version). Names the object, never its text.
 */
export class StateCorruptError extends StateError {
  override name = 'StateCorruptError';
  readonly bucket: string;
  readonly key: string;
  readonly problems: string[];

  constructor(
    bucket: string,
    key: string,
    problems: string[],
    options?: ErrorOptions,
  ) {
    super(
      `The applied state s3://${bucket}/${key} is not valid ` +
        `(${problems.slice(0, 3).join('; ')}). Restore a previous version ` +
        'of the object (the state bucket is versioned) or delete it and ' +
        're-apply the stack.',
      options,
    );
    this.bucket = bucket;
    this.key = key;
    this.problems = problems;
  }
}

/**
 * Reading or writing the state bucket failed. Its fault follows the
 * cause: Object Storage answering 5xx or 429, or the network failing, is
 * the outside world's (retry later); any other refusal (403, a missing
 * bucket) or failure (missing credentials, a bug) is ours.
 */
export class StateStorageError extends StateError {
  override name = 'StateStorageError';
  readonly bucket: string;
  readonly key: string;
  readonly fault: Fault;

  constructor(
    action: 'read' | 'write',
    bucket: string,
    key: string,
    options?: ErrorOptions,
  ) {
    super(
      `Could not ${action} s3://${bucket}/${key}: check that the bucket ` +
        'exists and that the control plane may read and write it ' +
        '(ObjectStorageFullAccess on the project).',
      options,
    );
    this.bucket = bucket;
    this.key = key;
    this.fault = bucketFaultOf(options?.cause);
  }
}

/**
 * The state changed since it was read (`If-Match` refused): another
 * writer got in although the environment lock keeps writers apart, e.g.
 * after this one's lock expired.
 */
export class StateConflictError extends StateError {
  override name = 'StateConflictError';
  readonly bucket: string;
  readonly key: string;

  constructor(bucket: string, key: string, options?: ErrorOptions) {
    super(
      `s3://${bucket}/${key} changed since this run read it; run again.`,
      options,
    );
    this.bucket = bucket;
    this.key = key;
  }
}
