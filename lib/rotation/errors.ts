import type { ClassifiedError, Fault } from '../http/fault.ts';
import type { RotationStep } from './steps.ts';

/** Root of the rotation errors. Messages never hold a secret value. */
export class RotationError extends Error implements ClassifiedError {
  override name = 'RotationError';
  readonly fault: Fault;
  readonly httpStatus: number;

  constructor(
    message: string,
    fault: Fault,
    httpStatus: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.fault = fault;
    this.httpStatus = httpStatus;
  }
}

/**
 * One step of a secret's rotation failed. `fault` comes from the cause:
 * `outside` (network, 5xx, database unreachable) is retried by the next
 * run; anything else waits for an operator (`--resume` / `--abandon`).
 */
export class RotationStepError extends RotationError {
  override name = 'RotationStepError';
  readonly secret: string;
  readonly step: RotationStep;

  constructor(
    secret: string,
    step: RotationStep,
    reason: string,
    fault: Fault,
    options?: ErrorOptions,
  ) {
    super(
      `rotation of secret ${secret} failed at step ${step}: ${reason}`,
      fault,
      fault === 'caller' ? 400 : fault === 'outside' ? 503 : 500,
      options,
    );
    this.secret = secret;
    this.step = step;
  }
}

/** The database refused or could not be reached while testing a login. */
export class DatabaseLoginError extends RotationError {
  override name = 'DatabaseLoginError';
  readonly user: string;
  /** SQLSTATE or Node error code, e.g. `28P01`, `ECONNREFUSED`. */
  readonly code: string | undefined;

  constructor(user: string, code: string | undefined, options?: ErrorOptions) {
    super(
      `login as ${user} failed (${code ?? 'unknown error'}): ` +
        describeLoginCode(code),
      'outside',
      503,
      options,
    );
    this.user = user;
    this.code = code;
  }
}

/** The stack or the applied state lacks something rotation needs. */
export class RotationSetupError extends RotationError {
  override name = 'RotationSetupError';
  readonly secret: string | undefined;

  constructor(message: string, secret?: string, options?: ErrorOptions) {
    super(message, 'caller', 400, options);
    this.secret = secret;
  }
}

/** `--resume` or `--abandon` named a secret without a rotation record. */
export class RotationNotFoundError extends RotationError {
  override name = 'RotationNotFoundError';
  readonly secret: string;

  constructor(secret: string) {
    super(
      `secret ${secret} has no rotation in progress: nothing to resume ` +
        'or abandon (run `evalap-infra rotate <stack> --dry-run`)',
      'caller',
      404,
    );
    this.secret = secret;
  }
}

/** `--abandon` after the new value was promoted: roll forward instead. */
export class RotationPastPointOfNoReturnError extends RotationError {
  override name = 'RotationPastPointOfNoReturnError';
  readonly secret: string;
  readonly step: RotationStep;

  constructor(secret: string, step: RotationStep) {
    super(
      `the rotation of secret ${secret} is at step ${step}: its new ` +
        'value is already promoted and may be held by containers, so it ' +
        'cannot be abandoned; fix the cause and run it with --resume',
      'caller',
      409,
    );
    this.secret = secret;
    this.step = step;
  }
}

function describeLoginCode(code: string | undefined): string {
  switch (code) {
    case '28P01':
    case '28000':
      return 'the password was refused';
    case 'ECONNREFUSED':
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENOTFOUND':
      return 'the database is unreachable from the control plane';
    case 'CERT_HAS_EXPIRED':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return 'the server certificate failed verification';
    default:
      return 'see the cause in the log';
  }
}
