import type { Logger } from 'pino';
import type { z } from 'zod';
import { assertAuthorized, type HandlerAuth, TRIGGER_AUTH } from './auth.ts';
import { MethodNotAllowedError } from './errors.ts';
import { faultOf, isClassifiedError } from './fault.ts';
import { correlationIdOf, parseRequestBody } from './request.ts';
import { errorResponse, jsonResponse } from './response.ts';
import type {
  FunctionEvent,
  FunctionHandler,
  FunctionResponse,
} from './types.ts';

/** What a queue message handler receives besides the message. */
export interface QueueMessageContext {
  readonly event: FunctionEvent;
  readonly correlationId: string;
  readonly logger: Logger;
}

/** Options of {@link createQueueHandler}. */
export interface QueueHandlerOptions<S extends z.ZodType> {
  /** Schema of one message body. */
  readonly schema: S;
  readonly handle: (
    message: z.output<S>,
    context: QueueMessageContext,
  ) => Promise<unknown>;
  readonly logger: Logger;
  /**
   * Default `public`: queue triggers send no token (the platform calls the
   * function itself).
   */
  readonly auth?: HandlerAuth;
}

/**
 * Adapts a message handler to a Scaleway queue trigger: the message body
 * arrives as the body of a `POST`; any status >= 300 makes the platform
 * redeliver it (up to three times).
 *
 * - processed: 200;
 * - the message is invalid, or the handler refused it as the caller's
 *   fault: logged at warn and acknowledged with 200 (a retry would fail
 *   the same way), unless the error says `retryable: true`;
 * - our fault or the outside world's: 500 / 503, so it is redelivered.
 */
export function createQueueHandler<S extends z.ZodType>(
  options: QueueHandlerOptions<S>,
): FunctionHandler {
  return (event) => handleQueueMessage(event, options);
}

/**
 * Handles one queue-trigger invocation; the body of
 * {@link createQueueHandler}, usable as a route of an HTTP function
 * (`POST /`).
 */
export async function handleQueueMessage<S extends z.ZodType>(
  event: FunctionEvent,
  options: QueueHandlerOptions<S>,
): Promise<FunctionResponse> {
  const correlationId = correlationIdOf(event);
  const logger = options.logger.child({ correlationId });

  try {
    assertAuthorized(event, options.auth ?? TRIGGER_AUTH);
    if (event.httpMethod.toUpperCase() !== 'POST') {
      throw new MethodNotAllowedError(event.httpMethod, event.path, ['POST']);
    }

    const message = parseRequestBody(event, options.schema);
    await options.handle(message, { event, correlationId, logger });

    return jsonResponse(200, { status: 'processed', correlationId });
  } catch (error) {
    if (!isPermanentRejection(error)) {
      return errorResponse(error, correlationId, logger);
    }

    logger.warn({ err: error, correlationId }, 'queue message rejected');

    return jsonResponse(200, {
      status: 'rejected',
      message: (error as Error).message,
      correlationId,
    });
  }
}

function isPermanentRejection(error: unknown): boolean {
  if (faultOf(error) !== 'caller') return false;
  if (isClassifiedError(error) && error.retryable === true) return false;

  const status = isClassifiedError(error) ? error.httpStatus : undefined;

  return status !== 401 && status !== 405;
}
