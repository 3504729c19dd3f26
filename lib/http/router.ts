import type { Logger } from 'pino';
import { assertAuthorized, type HandlerAuth } from './auth.ts';
import { MethodNotAllowedError, RouteNotFoundError } from './errors.ts';
import { correlationIdOf } from './request.ts';
import { errorResponse, jsonResponse } from './response.ts';
import type {
  FunctionEvent,
  FunctionHandler,
  FunctionResponse,
} from './types.ts';

/** What a route handler receives besides the event. */
export interface RouteContext {
  readonly event: FunctionEvent;
  /** Values of the `:name` segments of the route's path. */
  readonly params: Readonly<Record<string, string>>;
  readonly correlationId: string;
  /** A child logger carrying the correlation id. */
  readonly logger: Logger;
}

/** A route result: a status and a JSON body, or a full response. */
export type RouteResult =
  | FunctionResponse
  | { readonly status: number; readonly body: unknown };

/** One route of an HTTP function. */
export interface Route {
  readonly method: string;
  /** `/plan`, `/state/:environment`; a trailing slash is ignored. */
  readonly path: string;
  /** Overrides the handler's auth for this route. Default: inherit. */
  readonly auth?: HandlerAuth;
  readonly handle: (context: RouteContext) => Promise<RouteResult>;
}

/** Options of {@link createHttpHandler}. */
export interface HttpHandlerOptions {
  readonly routes: readonly Route[];
  /** Token check for every route (unless a route overrides it). */
  readonly auth: HandlerAuth;
  readonly logger: Logger;
}

/**
 * Builds a Scaleway Functions handler that authenticates (401), routes by
 * method and path (404, 405), runs the route and maps any thrown error to
 * a status by its class (see `errorResponse`). It never throws.
 *
 * @example
 * export const handle = createHttpHandler({
 *   auth: { token: config.functionToken },
 *   logger,
 *   routes: [{ method: 'POST', path: '/plan', handle: planRoute }],
 * });
 */
export function createHttpHandler(
  options: HttpHandlerOptions,
): FunctionHandler {
  const compiled = options.routes.map(compileRoute);

  return async (event) => {
    const correlationId = correlationIdOf(event);
    const logger = options.logger.child({ correlationId });

    try {
      const path = normalizePath(event.path);
      const method = event.httpMethod.toUpperCase();
      const matches = compiled.filter((route) => route.match(path) !== null);
      const route = matches.find((candidate) => candidate.method === method);

      assertAuthorized(event, route?.auth ?? options.auth);
      if (matches.length === 0) throw new RouteNotFoundError(path);
      if (route === undefined) {
        const allowed = [...new Set(matches.map((m) => m.method))];
        throw new MethodNotAllowedError(method, path, allowed);
      }

      const params = route.match(path) ?? {};
      const result = await route.handle({
        event,
        params,
        correlationId,
        logger,
      });

      return toResponse(result, correlationId);
    } catch (error) {
      return errorResponse(error, correlationId, logger);
    }
  };
}

interface CompiledRoute extends Route {
  readonly match: (path: string) => Record<string, string> | null;
}

/** A 200 route result with a JSON body. */
export function ok(body: unknown): RouteResult {
  return { status: 200, body };
}

function compileRoute(route: Route): CompiledRoute {
  const segments = normalizePath(route.path).split('/');

  const match = (path: string): Record<string, string> | null => {
    const parts = path.split('/');
    if (parts.length !== segments.length) return null;

    const params: Record<string, string> = {};
    for (const [index, segment] of segments.entries()) {
      const part = parts[index] ?? '';
      if (segment.startsWith(':') && part !== '') {
        params[segment.slice(1)] = decodeURIComponent(part);
      } else if (segment !== part) {
        return null;
      }
    }

    return params;
  };

  return { ...route, method: route.method.toUpperCase(), match };
}

function normalizePath(path: string): string {
  const withoutQuery = path.split('?')[0] ?? '';
  const trimmed = withoutQuery.replace(/\/+$/, '');

  return trimmed === '' ? '/' : trimmed;
}

function toResponse(
  result: RouteResult,
  correlationId: string,
): FunctionResponse {
  if ('statusCode' in result) {
    return {
      ...result,
      headers: { 'X-Request-Id': correlationId, ...result.headers },
    };
  }

  return jsonResponse(result.status, result.body, {
    'X-Request-Id': correlationId,
  });
}
