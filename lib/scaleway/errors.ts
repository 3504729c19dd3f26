import { Errors } from '@scaleway/sdk-client';
import type { ClassifiedError, Fault } from '../http/fault.ts';
import { scrubSecrets } from '../log/scrub.ts';
import { isNetworkFailure } from './network.ts';
import { permissionsFor, regionOfPath } from './permissions.ts';
import { type FailedRequest, failedRequestOf } from './request-context.ts';

/** What the caller of an SDK method knows that the error does not. */
export interface ScalewayCallContext {
  /** What we were doing, e.g. `create private network pn-prod`. */
  readonly operation?: string;
  /** The secret concerned, for Secret Manager calls. */
  readonly secret?: {
    readonly name?: string;
    readonly path?: string;
    readonly region?: string;
  };
}

interface ErrorFields {
  readonly fault: Fault;
  readonly httpStatus: number;
  readonly upstreamStatus: number | undefined;
  readonly product: string | undefined;
  readonly region: string | undefined;
  readonly retryAfterMs?: number | undefined;
  readonly cause: unknown;
}

/**
 * Root of every failure of a Scaleway API call, translated at the
 * boundary into a message a user can act on. The SDK error is `cause`.
 */
export class ScalewayApiError extends Error implements ClassifiedError {
  readonly fault: Fault;
  readonly httpStatus: number;
  /** Status Scaleway answered; `undefined` for a network failure. */
  readonly upstreamStatus: number | undefined;
  /** Product name, e.g. `Secret Manager`, when known. */
  readonly product: string | undefined;
  readonly region: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, fields: ErrorFields) {
    super(message, { cause: fields.cause });
    this.name = new.target.name;
    this.fault = fields.fault;
    this.httpStatus = fields.httpStatus;
    this.upstreamStatus = fields.upstreamStatus;
    this.product = fields.product;
    this.region = fields.region;
    this.retryAfterMs = fields.retryAfterMs;
  }

  /** True when retrying later may succeed. */
  get retryable(): boolean {
    return this.fault === 'outside';
  }
}

/** 403: the control plane's IAM policy lacks a permission set. */
export class ScalewayPermissionError extends ScalewayApiError {
  constructor(
    message: string,
    fields: ErrorFields,
    readonly permissionSet: string | undefined,
    readonly scope: 'project' | 'organization' | undefined,
    readonly scopeId: string | undefined,
  ) {
    super(message, fields);
  }
}

/** 401: Scaleway rejected the control plane's API key. */
export class ScalewayAuthenticationError extends ScalewayApiError {}

/** 404: the resource does not exist (or not in that region). */
export class ScalewayNotFoundError extends ScalewayApiError {
  constructor(
    message: string,
    fields: ErrorFields,
    readonly resource: string | undefined,
    readonly resourceId: string | undefined,
  ) {
    super(message, fields);
  }
}

/** 404 on Secret Manager: names the secret's region and path. */
export class SecretNotFoundError extends ScalewayNotFoundError {
  constructor(
    message: string,
    fields: ErrorFields,
    resourceId: string | undefined,
    readonly secretName: string | undefined,
    readonly secretPath: string | undefined,
  ) {
    super(message, fields, 'secret', resourceId);
  }
}

/** 400: Scaleway refused the arguments; `details` lists each one. */
export class ScalewayInvalidRequestError extends ScalewayApiError {
  constructor(
    message: string,
    fields: ErrorFields,
    readonly details: readonly ArgumentProblem[],
  ) {
    super(message, fields);
  }
}

/** One argument Scaleway refused. */
export interface ArgumentProblem {
  readonly argument: string;
  readonly reason: string;
  readonly help: string | undefined;
}

/** 409/412: already exists, or a precondition such as protection. */
export class ScalewayConflictError extends ScalewayApiError {}

/** A quota of the project or organization is exhausted. */
export class ScalewayQuotaError extends ScalewayApiError {}

/** 429, 5xx, a busy resource or the network: retry later. */
export class ScalewayUnavailableError extends ScalewayApiError {}

/** Anything else: a bug on our side or an unexpected answer. */
export class ScalewayUnexpectedError extends ScalewayApiError {}

/**
 * Translates anything an SDK call threw into a {@link ScalewayApiError}
 * with an actionable message (see the troubleshooting section of the
 * security guide). Errors already translated are returned as they are.
 *
 * @example
 * try {
 *   await clients.secret.getSecret({ secretId });
 * } catch (error) {
 *   throw translateScalewayError(error, { secret: { name, path } });
 * }
 */
export function translateScalewayError(
  error: unknown,
  context: ScalewayCallContext = {},
): ScalewayApiError {
  if (error instanceof ScalewayApiError) return error;

  const request = failedRequestOf(error);
  const where = locate(request, context);

  if (error instanceof Errors.ScalewayError) {
    return fromSdkError(error, request, where, context);
  }
  if (isNetworkFailure(error)) {
    return new ScalewayUnavailableError(
      `${prefix(context)}Scaleway API unreachable${on(where)}: ` +
        'network failure, retry later',
      fields('outside', 503, undefined, where, error),
    );
  }

  return new ScalewayUnexpectedError(
    `${prefix(context)}Scaleway call failed${on(where)}: ` +
      scrubSecrets(error instanceof Error ? error.message : String(error)),
    fields('ours', 500, undefined, where, error),
  );
}

/**
 * Runs one SDK call and translates its failure; a shorthand for the
 * try/catch of {@link translateScalewayError}.
 */
export async function callScaleway<T>(
  call: () => Promise<T>,
  context: ScalewayCallContext = {},
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateScalewayError(error, context);
  }
}

interface Where {
  readonly product: string | undefined;
  readonly region: string | undefined;
}

function locate(
  request: FailedRequest | undefined,
  context: ScalewayCallContext,
): Where {
  if (request === undefined) {
    return { product: undefined, region: context.secret?.region };
  }

  return {
    product: permissionsFor(request.method, request.path)?.product,
    region: regionOfPath(request.path) ?? context.secret?.region,
  };
}

function fromSdkError(
  error: InstanceType<typeof Errors.ScalewayError>,
  request: FailedRequest | undefined,
  where: Where,
  context: ScalewayCallContext,
): ScalewayApiError {
  const status = error.status;
  const lead = prefix(context);

  if (error instanceof Errors.PermissionsDeniedError || status === 403) {
    return permissionError(error, request, where, lead);
  }
  if (error instanceof Errors.DeniedAuthenticationError || status === 401) {
    const reason =
      error instanceof Errors.DeniedAuthenticationError
        ? ` (${error.reason})`
        : '';
    return new ScalewayAuthenticationError(
      `${lead}Scaleway rejected the control plane's API key${reason}: ` +
        'check SCW_ACCESS_KEY and SCW_SECRET_KEY (or the scw profile); the ' +
        'key may have been deleted or may have expired',
      fields('ours', 500, status, where, error),
    );
  }
  if (isRetryableSdkError(error)) {
    return unavailable(error, request, where, lead);
  }
  if (error instanceof Errors.ResourceNotFoundError || status === 404) {
    return notFound(error, where, context, lead);
  }
  if (error instanceof Errors.InvalidArgumentsError) {
    const details = error.details.map((detail) => ({
      argument: detail.argumentName,
      reason: detail.reason,
      help: detail.helpMessage ? scrubSecrets(detail.helpMessage) : undefined,
    }));
    const list = details
      .map((d) => `${d.argument}: ${d.reason}${d.help ? ` (${d.help})` : ''}`)
      .join('; ');
    return new ScalewayInvalidRequestError(
      `${lead}Scaleway refused the request${on(where)}: ${list}`,
      fields('caller', 422, status, where, error),
      details,
    );
  }
  if (error instanceof Errors.QuotasExceededError) {
    const list = error.list
      .map((q) => `${q.resource} (quota ${q.quota}, current ${q.current})`)
      .join(', ');
    return new ScalewayQuotaError(
      `${lead}Scaleway quota exceeded${on(where)}: ${list}; ask for a ` +
        'quota increase or remove unused resources',
      fields('caller', 422, status, where, error),
    );
  }
  if (error instanceof Errors.PreconditionFailedError) {
    return new ScalewayConflictError(
      `${lead}Scaleway refused the change${on(where)}: precondition ` +
        `${error.precondition} failed (${scrubSecrets(error.helpMessage)})`,
      fields('caller', 409, status, where, error),
    );
  }
  if (error instanceof Errors.AlreadyExistsError || status === 409) {
    return new ScalewayConflictError(
      `${lead}Scaleway reports a conflict${on(where)}: ` +
        scrubSecrets(error.message),
      fields('caller', 409, status, where, error),
    );
  }
  if (status >= 400 && status < 500) {
    return new ScalewayInvalidRequestError(
      `${lead}Scaleway refused the request${on(where)}: ` +
        scrubSecrets(error.message),
      fields('caller', 422, status, where, error),
      [],
    );
  }

  return new ScalewayUnexpectedError(
    `${lead}unexpected answer from Scaleway${on(where)}: ` +
      scrubSecrets(error.message),
    fields('ours', 500, status, where, error),
  );
}

function permissionError(
  error: InstanceType<typeof Errors.ScalewayError>,
  request: FailedRequest | undefined,
  where: Where,
  lead: string,
): ScalewayPermissionError {
  const needed = request && permissionsFor(request.method, request.path);
  const denied =
    error instanceof Errors.PermissionsDeniedError
      ? error.list.map((d) => `${d.action} ${d.resource}`).join(', ')
      : 'the request';
  const scopeId =
    needed?.scope === 'organization'
      ? request?.organizationId
      : request?.projectId;
  const target =
    needed?.scope === 'organization'
      ? `the organization ${scopeId ?? '(SCW_DEFAULT_ORGANIZATION_ID)'}`
      : `project ${scopeId ?? '(SCW_DEFAULT_PROJECT_ID)'}`;
  const advice = needed
    ? `the control plane's IAM policy lacks the permission set ` +
      `${needed.permissionSet}: add a rule with ${needed.permissionSet} ` +
      `scoped to ${target} to the policy of its IAM application ` +
      '(scw iam policy list)'
    : "check the control plane's IAM policy (scw iam policy list)";

  return new ScalewayPermissionError(
    `${lead}Scaleway denied ${denied}${on(where)}: ${advice}`,
    fields('ours', 500, error.status, where, error),
    needed?.permissionSet,
    needed?.scope,
    scopeId,
  );
}

function notFound(
  error: InstanceType<typeof Errors.ScalewayError>,
  where: Where,
  context: ScalewayCallContext,
  lead: string,
): ScalewayNotFoundError {
  const sdk = error instanceof Errors.ResourceNotFoundError ? error : undefined;
  const resource = sdk?.resource ?? resourceFromMessage(error.rawMessage);
  const fieldsFor = fields('caller', 404, error.status, where, error);

  if (resource === 'secret' || context.secret !== undefined) {
    return secretNotFound(sdk?.resourceId, where, context, lead, fieldsFor);
  }

  const id = sdk?.resourceId ? ` ${sdk.resourceId}` : '';
  const region = where.region ? ` in region ${where.region}` : '';

  return new ScalewayNotFoundError(
    `${lead}${resource ?? 'resource'}${id} not found${region}` +
      `${where.product ? ` (${where.product})` : ''}`,
    fieldsFor,
    resource,
    sdk?.resourceId,
  );
}

function secretNotFound(
  resourceId: string | undefined,
  where: Where,
  context: ScalewayCallContext,
  lead: string,
  errorFields: ErrorFields,
): SecretNotFoundError {
  const name = context.secret?.name;
  const path = context.secret?.path;
  const region = where.region ?? '(unknown region)';
  const label = [name, resourceId && `id ${resourceId}`]
    .filter(Boolean)
    .join(', ');

  return new SecretNotFoundError(
    `${lead}secret ${label || '(unnamed)'} not found in region ${region}` +
      `${path ? ` at path ${path}` : ''}: check that it exists in ` +
      `${region} (scw secret-manager secret list region=${region}), ` +
      `that its path ${path ? `is ${path}` : 'matches'}, and that the ` +
      'policy grants SecretManagerSecretAccess',
    errorFields,
    resourceId,
    name,
    path,
  );
}

function unavailable(
  error: InstanceType<typeof Errors.ScalewayError>,
  request: FailedRequest | undefined,
  where: Where,
  lead: string,
): ScalewayUnavailableError {
  const retryAfterMs = retryAfterOf(error, request);
  const why =
    error instanceof Errors.TransientStateError
      ? `${error.resource} ${error.resourceId} is ${error.currentState}`
      : error instanceof Errors.ResourceLockedError
        ? `${error.resource} ${error.resourceId} is locked`
        : `HTTP ${error.status}`;
  const wait =
    retryAfterMs === undefined
      ? 'retry later'
      : `retry in ${Math.ceil(retryAfterMs / 1000)}s`;

  return new ScalewayUnavailableError(
    `${lead}Scaleway is busy${on(where)} (${why}): ${wait}`,
    { ...fields('outside', 503, error.status, where, error), retryAfterMs },
  );
}

function isRetryableSdkError(
  error: InstanceType<typeof Errors.ScalewayError>,
): boolean {
  if (error instanceof Errors.TooManyRequestsError) return true;
  if (error instanceof Errors.TransientStateError) return true;
  if (error instanceof Errors.ResourceLockedError) return true;
  if (error.status === 429) return true;

  return error.status >= 500 && error.status !== 501;
}

function retryAfterOf(
  error: InstanceType<typeof Errors.ScalewayError>,
  request: FailedRequest | undefined,
): number | undefined {
  if (request?.retryAfterMs !== undefined) return request.retryAfterMs;
  if (error instanceof Errors.TooManyRequestsError) {
    if (error.resetSeconds !== undefined) return error.resetSeconds * 1000;
  }

  return undefined;
}

/** `Namespace was not found` (Containers v1beta1) → `namespace`. */
function resourceFromMessage(message: string | undefined): string | undefined {
  const match = /^(\w+) was not found$/.exec(message ?? '');

  return match?.[1]?.toLowerCase();
}

function fields(
  fault: Fault,
  httpStatus: number,
  upstreamStatus: number | undefined,
  where: Where,
  cause: unknown,
): ErrorFields {
  return {
    fault,
    httpStatus,
    upstreamStatus,
    product: where.product,
    region: where.region,
    cause,
  };
}

function prefix(context: ScalewayCallContext): string {
  return context.operation ? `${context.operation}: ` : '';
}

function on(where: Where): string {
  if (where.product === undefined) return '';

  return where.region
    ? ` (${where.product}, ${where.region})`
    : ` (${where.product})`;
}
