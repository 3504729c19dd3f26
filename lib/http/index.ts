export {
  AUTH_HEADER,
  assertAuthorized,
  type HandlerAuth,
  TRIGGER_AUTH,
  tokensMatch,
} from './auth.ts';
export {
  ConflictError,
  HttpError,
  MethodNotAllowedError,
  type RequestProblem,
  RequestValidationError,
  RouteNotFoundError,
  UnauthorizedError,
} from './errors.ts';
export {
  type ClassifiedError,
  type Fault,
  faultOf,
  isClassifiedError,
} from './fault.ts';
export {
  createQueueHandler,
  handleQueueMessage,
  type QueueHandlerOptions,
  type QueueMessageContext,
} from './queue.ts';
export {
  correlationIdOf,
  formatPath,
  headerOf,
  parseJsonBody,
  parseRequestBody,
  validateInput,
} from './request.ts';
export { errorResponse, jsonResponse } from './response.ts';
export {
  createHttpHandler,
  type HttpHandlerOptions,
  ok,
  type Route,
  type RouteContext,
  type RouteResult,
} from './router.ts';
export type {
  FunctionEvent,
  FunctionHandler,
  FunctionResponse,
} from './types.ts';
