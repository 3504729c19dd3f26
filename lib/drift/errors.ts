import type { ClassifiedError, Fault } from '../http/fault.ts';

/** Root of the drift check's failures. */
export class DriftError extends Error implements ClassifiedError {
  readonly fault: Fault;

  constructor(message: string, fault: Fault, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.fault = fault;
  }
}

/** The report could not be read from or written to Object Storage. */
export class DriftReportStorageError extends DriftError {
  constructor(
    /** `read` or `write`. */
    readonly operation: 'read' | 'write',
    /** The object key, e.g. `production/drift/latest.json`. */
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(`could not ${operation} drift report ${key}`, 'outside', options);
  }
}

/** A stored report or applied state does not have the expected shape. */
export class DriftInputError extends DriftError {
  constructor(
    /** The object key or file. */
    readonly source: string,
    /** Every problem, each with its path. */
    readonly problems: readonly string[],
  ) {
    super(`${source} is not valid: ${problems.join('; ')}`, 'ours');
  }
}

/** Nothing to compare with: no applied state for the environment. */
export class NoAppliedStateError extends DriftError {
  constructor(readonly environment: string) {
    super(
      `no applied state for environment ${environment}: apply the stack ` +
        'first, or run `evalap-infra drift <stack.yaml>`',
      'caller',
    );
  }
}
