/**
 * Errors of the local Scaleway API. Each one knows its HTTP status and the
 * exact JSON body the real API sends, so that `@scaleway/sdk-client` maps it
 * to the same error class (it switches on `type` and needs the fields
 * listed in reference/scaleway-api.md section 3.1).
 */

/** A JSON body sent with an error status. */
export type ApiErrorBody = Record<string, unknown>;

/** Root of every error the local API turns into an HTTP reply. */
export class ApiError extends Error {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    message: string,
    options: { cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'ApiError';
    this.status = status;
    this.headers = options.headers ?? {};
  }

  /** The wire body; subclasses add the fields the SDK needs. */
  toBody(): ApiErrorBody | undefined {
    return { message: this.message };
  }
}

/** 404 `not_found`: the SDK raises `ResourceNotFoundError`. */
export class ResourceNotFoundError extends ApiError {
  readonly resource: string;
  readonly resourceId: string;

  constructor(resource: string, resourceId: string) {
    super(404, 'resource is not found');
    this.name = 'ResourceNotFoundError';
    this.resource = resource;
    this.resourceId = resourceId;
  }

  override toBody(): ApiErrorBody {
    return {
      message: this.message,
      resource: this.resource,
      resource_id: this.resourceId,
      type: 'not_found',
    };
  }
}

/** One rejected argument of an `invalid_arguments` error. */
export interface ArgumentProblem {
  /** Dotted path of the argument, e.g. `name` or `rules.0.project_ids`. */
  argumentName: string;
  /** `required`, `format` or `constraint` (the reasons the API uses). */
  reason: 'required' | 'format' | 'constraint' | 'unknown';
  helpMessage: string;
}

/** 400 `invalid_arguments`: the SDK raises `InvalidArgumentsError`. */
export class InvalidArgumentsError extends ApiError {
  readonly problems: readonly ArgumentProblem[];

  constructor(problems: readonly ArgumentProblem[]) {
    super(400, 'invalid argument(s)');
    this.name = 'InvalidArgumentsError';
    this.problems = problems;
  }

  /** Shortcut for a single rejected argument. */
  static of(
    argumentName: string,
    reason: ArgumentProblem['reason'],
    helpMessage: string,
  ): InvalidArgumentsError {
    return new InvalidArgumentsError([{ argumentName, reason, helpMessage }]);
  }

  override toBody(): ApiErrorBody {
    return {
      details: this.problems.map((problem) => ({
        argument_name: problem.argumentName,
        help_message: problem.helpMessage,
        reason: problem.reason,
      })),
      message: this.message,
      type: 'invalid_arguments',
    };
  }
}

/** 412 `precondition_failed`, e.g. deleting a protected secret. */
export class PreconditionFailedError extends ApiError {
  readonly precondition: string;
  readonly helpMessage: string;

  constructor(precondition: string, helpMessage: string) {
    super(412, 'precondition is not respected');
    this.name = 'PreconditionFailedError';
    this.precondition = precondition;
    this.helpMessage = helpMessage;
  }

  override toBody(): ApiErrorBody {
    return {
      help_message: this.helpMessage,
      message: this.message,
      precondition: this.precondition,
      type: 'precondition_failed',
    };
  }
}

/** 401 `denied_authentication`: missing, unknown or expired token. */
export class DeniedAuthenticationError extends ApiError {
  readonly reason: 'invalid_argument' | 'not_found' | 'expired';

  constructor(reason: DeniedAuthenticationError['reason']) {
    super(401, 'authentication is denied');
    this.name = 'DeniedAuthenticationError';
    this.reason = reason;
  }

  override toBody(): ApiErrorBody {
    return {
      message: this.message,
      method: 'api_key',
      reason: this.reason,
      type: 'denied_authentication',
    };
  }
}

/** One refused action of a `permissions_denied` error. */
export interface DeniedAction {
  resource: string;
  action: string;
}

/** 403 `permissions_denied`: the SDK raises `PermissionsDeniedError`. */
export class PermissionsDeniedError extends ApiError {
  readonly denied: readonly DeniedAction[];

  constructor(denied: readonly DeniedAction[]) {
    super(403, 'insufficient permissions');
    this.name = 'PermissionsDeniedError';
    this.denied = denied;
  }

  override toBody(): ApiErrorBody {
    return {
      details: this.denied.map(({ action, resource }) => ({
        action,
        resource,
      })),
      message: this.message,
      type: 'permissions_denied',
    };
  }
}

/** One exceeded quota of a `quotas_exceeded` error. */
export interface ExceededQuota {
  resource: string;
  quota: number;
  current: number;
  projectId?: string;
}

/** 403 `quotas_exceeded`: the SDK raises `QuotasExceededError`. */
export class QuotasExceededError extends ApiError {
  readonly quotas: readonly ExceededQuota[];

  constructor(quotas: readonly ExceededQuota[]) {
    super(403, 'quota(s) exceeded for this resource');
    this.name = 'QuotasExceededError';
    this.quotas = quotas;
  }

  override toBody(): ApiErrorBody {
    return {
      details: this.quotas.map((quota) => ({
        current: quota.current,
        quota: quota.quota,
        resource: quota.resource,
        ...(quota.projectId === undefined
          ? {}
          : { project_id: quota.projectId }),
      })),
      message: this.message,
      type: 'quotas_exceeded',
    };
  }
}

/** 409 `transient_state`: the resource is busy (e.g. provisioning). */
export class TransientStateError extends ApiError {
  readonly resource: string;
  readonly resourceId: string;
  readonly currentState: string;

  constructor(resource: string, resourceId: string, currentState: string) {
    super(409, 'resource is in a transient state');
    this.name = 'TransientStateError';
    this.resource = resource;
    this.resourceId = resourceId;
    this.currentState = currentState;
  }

  override toBody(): ApiErrorBody {
    return {
      current_state: this.currentState,
      message: this.message,
      resource: this.resource,
      resource_id: this.resourceId,
      type: 'transient_state',
    };
  }
}

/** 409 `already_exists`: the SDK raises `AlreadyExistsError`. */
export class AlreadyExistsError extends ApiError {
  readonly resource: string;
  readonly resourceId: string;
  readonly helpMessage: string;

  constructor(resource: string, resourceId: string, helpMessage: string) {
    super(409, 'resource already exists');
    this.name = 'AlreadyExistsError';
    this.resource = resource;
    this.resourceId = resourceId;
    this.helpMessage = helpMessage;
  }

  override toBody(): ApiErrorBody {
    return {
      help_message: this.helpMessage,
      message: this.message,
      resource: this.resource,
      resource_id: this.resourceId,
      type: 'already_exists',
    };
  }
}

/**
 * 429. `style: 'gateway'` (default) is what the real API gateway sends: an
 * empty body with `X-Envoy-Ratelimited: true` (the SDK raises a plain
 * `ScalewayError`). `style: 'api'` sends a `too_many_requests` body (the SDK
 * raises `TooManyRequestsError`). Both carry `Retry-After` in seconds.
 */
export class TooManyRequestsError extends ApiError {
  readonly retryAfterSeconds: number;
  readonly style: 'gateway' | 'api';

  constructor(retryAfterSeconds: number, style: 'gateway' | 'api') {
    super(429, 'too many requests', {
      headers: {
        'retry-after': String(retryAfterSeconds),
        ...(style === 'gateway' ? { 'x-envoy-ratelimited': 'true' } : {}),
      },
    });
    this.name = 'TooManyRequestsError';
    this.retryAfterSeconds = retryAfterSeconds;
    this.style = style;
  }

  override toBody(): ApiErrorBody | undefined {
    if (this.style === 'gateway') {
      return undefined;
    }

    return {
      help_message: 'rate limit reached, retry later',
      message: this.message,
      reset_seconds: this.retryAfterSeconds,
      type: 'too_many_requests',
    };
  }
}

/** A route that does not exist: 404 `{"message":"Not Found"}` (no type). */
export class RouteNotFoundError extends ApiError {
  constructor() {
    super(404, 'Not Found');
    this.name = 'RouteNotFoundError';
  }
}

/** A known path with another method: 405 (no type). */
export class MethodNotAllowedError extends ApiError {
  constructor() {
    super(405, 'Method Not Allowed');
    this.name = 'MethodNotAllowedError';
  }
}

/** A body larger than the server accepts: 413 (no type). */
export class PayloadTooLargeError extends ApiError {
  constructor() {
    super(413, 'request body too large');
    this.name = 'PayloadTooLargeError';
  }
}

/** An injected or unexpected server failure: 5xx with a generic body. */
export class ServerFailureError extends ApiError {
  constructor(status = 500, options: { cause?: unknown } = {}) {
    super(status, status === 503 ? 'service unavailable' : 'internal error', {
      cause: options.cause,
    });
    this.name = 'ServerFailureError';
  }
}
