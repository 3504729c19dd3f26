import { scrubSecrets } from '../log/scrub.ts';
import {
  ScalewayApiError,
  ScalewayConflictError,
  ScalewayInvalidRequestError,
  ScalewayNotFoundError,
  ScalewayPermissionError,
  ScalewayUnavailableError,
  ScalewayUnexpectedError,
} from './errors.ts';
import { isNetworkFailure } from './network.ts';

/** What the caller knows of a failed S3 or SQS call. */
export interface StorageCallContext {
  /** What we were doing, e.g. `write applied state`. */
  readonly operation?: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly queueUrl?: string;
  /** Project the bucket or queue lives in, for a 403 message. */
  readonly projectId?: string;
}

interface AwsLikeError {
  readonly name?: string;
  readonly message?: string;
  readonly $fault?: 'client' | 'server';
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly $response?: { readonly headers?: Record<string, string> };
}

const NOT_FOUND = new Set([
  'NoSuchBucket',
  'NoSuchKey',
  'NotFound',
  'NoSuchVersion',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
]);
const THROTTLED = new Set([
  'SlowDown',
  'ThrottlingException',
  'RequestThrottled',
]);
const DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidClientTokenId',
]);

/**
 * Translates a failure of the AWS SDK against Scaleway Object Storage or
 * Queues into the {@link ScalewayApiError} family: a 403 names the
 * permission to grant, a missing bucket or object names it, throttling
 * and 5xx are retryable (with `Retry-After` when sent).
 */
export function translateStorageError(
  error: unknown,
  context: StorageCallContext = {},
): ScalewayApiError {
  if (error instanceof ScalewayApiError) return error;

  const aws = (
    typeof error === 'object' && error !== null ? error : {}
  ) as AwsLikeError;
  const status = aws.$metadata?.httpStatusCode;
  const name = aws.name ?? '';
  const queue = context.queueUrl !== undefined;
  const product = queue ? 'Queues' : 'Object Storage';
  const lead = `${context.operation ? `${context.operation}: ` : ''}`;
  const target = describeTarget(context);
  const base = {
    upstreamStatus: status,
    product,
    region: undefined,
    cause: error,
  };

  if (DENIED.has(name) || status === 403) {
    const advice = queue
      ? 'check that the Queues credentials (EVALAP_SQS_ACCESS_KEY) ' +
        'can publish, receive or manage as needed'
      : "the control plane's IAM policy needs ObjectStorageFullAccess " +
        `scoped to project ${context.projectId ?? '(SCW_DEFAULT_PROJECT_ID)'}` +
        ', or the bucket policy must allow its application';
    return new ScalewayPermissionError(
      `${lead}${product} denied access to ${target} (${name || status}): ${advice}`,
      { ...base, fault: 'ours', httpStatus: 500 },
      queue ? undefined : 'ObjectStorageFullAccess',
      queue ? undefined : 'project',
      context.projectId,
    );
  }
  if (NOT_FOUND.has(name) || status === 404) {
    return new ScalewayNotFoundError(
      `${lead}${target} not found (${name || status})`,
      { ...base, fault: 'caller', httpStatus: 404 },
      queue ? 'queue' : context.key ? 'object' : 'bucket',
      context.key ?? context.bucket ?? context.queueUrl,
    );
  }
  if (THROTTLED.has(name) || status === 429 || (status ?? 0) >= 500) {
    const retryAfterMs = retryAfter(aws.$response?.headers);
    return new ScalewayUnavailableError(
      `${lead}${product} is busy on ${target} (${name || status}): retry later`,
      { ...base, fault: 'outside', httpStatus: 503, retryAfterMs },
    );
  }
  if (status === 409 || status === 412) {
    return new ScalewayConflictError(
      `${lead}${product} refused the change to ${target} (${name})`,
      { ...base, fault: 'caller', httpStatus: 409 },
    );
  }
  if (status !== undefined && status >= 400) {
    return new ScalewayInvalidRequestError(
      `${lead}${product} refused the request on ${target} (${name})`,
      { ...base, fault: 'caller', httpStatus: 422 },
      [],
    );
  }
  if (status === undefined && isNetworkFailure(error)) {
    return new ScalewayUnavailableError(
      `${lead}${product} unreachable for ${target}: retry later`,
      { ...base, fault: 'outside', httpStatus: 503 },
    );
  }

  return new ScalewayUnexpectedError(
    `${lead}${product} call failed on ${target}: ` +
      scrubSecrets(aws.message ?? String(error)),
    { ...base, fault: 'ours', httpStatus: 500 },
  );
}

/** Runs one S3/SQS call and translates its failure. */
export async function callStorage<T>(
  call: () => Promise<T>,
  context: StorageCallContext = {},
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateStorageError(error, context);
  }
}

function describeTarget(context: StorageCallContext): string {
  if (context.queueUrl !== undefined) {
    return `queue ${context.queueUrl.split('/').pop() ?? context.queueUrl}`;
  }
  if (context.bucket === undefined) return 'the endpoint';
  if (context.key === undefined) return `bucket ${context.bucket}`;

  return `object ${context.key} of bucket ${context.bucket}`;
}

function retryAfter(
  headers: Record<string, string> | undefined,
): number | undefined {
  const value = headers?.['retry-after'];
  const seconds = Number(value);
  if (value === undefined || !Number.isFinite(seconds)) return undefined;

  return Math.max(0, seconds * 1000);
}
