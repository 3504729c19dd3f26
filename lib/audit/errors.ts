/**
 * Errors of the audit area. Every failure keeps its origin as `cause`, and
 * `retryable` says whether trying again later may succeed (the outside
 * world failed) or not (the input is wrong), so that a queue handler can
 * choose between a retry and the dead-letter queue.
 */
export class AuditError extends Error {
  /** True when the same call may succeed later (storage, queue, network). */
  readonly retryable: boolean;

  constructor(message: string, options: AuditErrorOptions = {}) {
    super(message, options.cause === undefined ? {} : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }
}

/** Options shared by the audit errors. */
export interface AuditErrorOptions {
  cause?: unknown;
  /** Default: false. */
  retryable?: boolean;
}

/** One problem of an invalid event: where it is and what is wrong. */
export interface AuditEventProblem {
  path: string;
  message: string;
}

/** An event does not match the schema; every problem is listed. */
export class AuditEventInvalidError extends AuditError {
  readonly problems: readonly AuditEventProblem[];

  constructor(problems: readonly AuditEventProblem[]) {
    const summary = problems.map((p) => `${p.path}: ${p.message}`).join('; ');
    super(`invalid audit event: ${summary}`);
    this.problems = problems;
  }
}

/** A sink (stdout, file, queue) failed to take an event. */
export class AuditSinkError extends AuditError {
  readonly sink: string;

  constructor(sink: string, cause: unknown) {
    super(`audit sink ${sink} failed`, { cause, retryable: true });
    this.sink = sink;
  }
}

/** Object Storage refused or failed a call on the audit bucket. */
export class AuditStorageError extends AuditError {
  readonly bucket: string;
  readonly key: string;
  readonly operation: string;

  constructor(operation: string, bucket: string, key: string, cause: unknown) {
    super(`audit storage ${operation} failed for ${bucket}/${key}`, {
      cause,
      retryable: true,
    });
    this.bucket = bucket;
    this.key = key;
    this.operation = operation;
  }
}

/**
 * The audit bucket itself does not exist (S3 `NoSuchBucket`): the stack
 * was not applied yet, or the bucket name is wrong. Applying the stack
 * creates it.
 */
export class AuditBucketNotFoundError extends AuditStorageError {
  constructor(operation: string, bucket: string, key: string, cause: unknown) {
    super(operation, bucket, key, cause);
    this.message = `audit bucket ${bucket} does not exist`;
  }
}

/** A signing or encryption key could not be read or is malformed. */
export class AuditKeyError extends AuditError {
  /** The key's name in Secret Manager (never its value). */
  readonly keyName: string;

  constructor(keyName: string, message: string, cause?: unknown) {
    super(`audit key ${keyName}: ${message}`, {
      cause,
      retryable: cause !== undefined,
    });
    this.keyName = keyName;
  }
}
