export {
  createObjectStorageClient,
  createQueueClient,
  createScalewayClient,
  type ScalewayClientOptions,
} from './client.ts';
export {
  type ArgumentProblem,
  callScaleway,
  ScalewayApiError,
  ScalewayAuthenticationError,
  type ScalewayCallContext,
  ScalewayConflictError,
  ScalewayInvalidRequestError,
  ScalewayNotFoundError,
  ScalewayPermissionError,
  ScalewayQuotaError,
  ScalewayUnavailableError,
  ScalewayUnexpectedError,
  SecretNotFoundError,
  translateScalewayError,
} from './errors.ts';
export {
  type ProductPermissions,
  permissionsFor,
  regionOfPath,
} from './permissions.ts';
export {
  type FailedRequest,
  failedRequestOf,
  parseRetryAfter,
} from './request-context.ts';
export { type RetryNotice, type RetryOptions, retryScaleway } from './retry.ts';
export {
  callStorage,
  type StorageCallContext,
  translateStorageError,
} from './storage-errors.ts';
