import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  createHttpHandler,
  type FunctionHandler,
  type HandlerAuth,
  handleQueueMessage,
  ok,
  parseJsonBody,
  type RouteContext,
  validateInput,
} from '../http/index.ts';
import { ENVIRONMENTS, type Environment } from '../stack/index.ts';
import { readAppliedState } from '../state/index.ts';
import { ProvisionError } from './errors.ts';
import {
  handleProvisionRequest,
  type ProvisionRequest,
  ProvisionRequestSchema,
} from './request.ts';
import type { ProvisionContext } from './types.ts';

/** Options of {@link provisionHandler}. */
export interface ProvisionHandlerOptions {
  /** The token HTTP callers present in `X-Auth-Token`. */
  auth: HandlerAuth;
  logger: Logger;
  /** Builds the provisioning context (once per instance is enough). */
  context: () => Promise<ProvisionContext>;
}

/** No applied state for the environment asked (HTTP 404). */
export class StateNotFoundError extends ProvisionError {
  override name = 'StateNotFoundError';
  override readonly fault = 'caller';
  override readonly httpStatus = 404;

  constructor(environment: string) {
    super(`Nothing was applied to ${environment} yet.`);
  }
}

/**
 * The provision function: `POST /plan`, `POST /apply`,
 * `GET /state/:environment` over HTTP (token required), and `POST /` for
 * messages of the provisioning queue (the trigger's invocations carry no
 * token; the function is private, so the platform checked the caller).
 * See docs/api.md.
 */
export function provisionHandler(
  options: ProvisionHandlerOptions,
): FunctionHandler {
  let context: Promise<ProvisionContext> | undefined;
  const contextOnce = () => {
    context ??= options.context().catch((error: unknown) => {
      context = undefined;
      throw error;
    });
    return context;
  };

  const run = async (request: ProvisionRequest, route: RouteContext) => {
    const provision = await contextOnce();
    route.logger.info(
      {
        requestId: request.requestId,
        environment: request.environment,
        action: request.action,
      },
      'provisioning request',
    );

    return handleProvisionRequest(provision, request);
  };

  const http = createHttpHandler({
    auth: options.auth,
    logger: options.logger,
    routes: [
      {
        method: 'POST',
        path: '/plan',
        handle: async (route) =>
          ok(await run(httpRequest(route, 'plan'), route)),
      },
      {
        method: 'POST',
        path: '/apply',
        handle: async (route) =>
          ok(await run(httpRequest(route, 'apply'), route)),
      },
      {
        method: 'POST',
        path: '/patch',
        handle: async (route) =>
          ok(await run(httpRequest(route, 'patch'), route)),
      },
      {
        method: 'GET',
        path: '/state/:environment',
        handle: async (route) =>
          ok(await readState(await contextOnce(), route)),
      },
    ],
  });

  return async (event, invocation) => {
    const isQueueMessage =
      event.httpMethod.toUpperCase() === 'POST' &&
      (event.path === '/' || event.path === '');
    if (!isQueueMessage) {
      return http(event, invocation);
    }

    return handleQueueMessage(event, {
      schema: ProvisionRequestSchema,
      logger: options.logger,
      handle: async (message, queue) => {
        const route = { ...queue, params: {} };
        await run(message, route);
      },
    });
  };
}

/**
 * The HTTP body is a provisioning request whose `action` comes from the
 * path; a plan may omit `requestId` (one is made up).
 */
function httpRequest(
  route: RouteContext,
  action: ProvisionRequest['action'],
): ProvisionRequest {
  const body = parseJsonBody(route.event);
  const fields =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : { body };
  const requestId =
    fields.requestId ??
    (action === 'plan' ? `plan-${randomUUID()}` : undefined);

  return validateInput(
    { ...fields, action, requestId },
    ProvisionRequestSchema,
  );
}

async function readState(context: ProvisionContext, route: RouteContext) {
  const environment = validateInput(
    route.params.environment,
    EnvironmentParam,
  ) as Environment;
  const stored = await readAppliedState(
    context.clients.s3,
    context.stateBucket,
    environment,
  );
  if (stored === undefined) {
    throw new StateNotFoundError(environment);
  }

  return stored.state;
}

const EnvironmentParam = z.enum(ENVIRONMENTS);
