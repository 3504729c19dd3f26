import { MethodNotAllowedError, RouteNotFoundError } from './errors.ts';

/** HTTP methods the local API routes. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route handler receives. */
export interface ApiRequest {
  method: HttpMethod;
  /** The route pattern, e.g. `/vpc/v2/regions/{region}/vpcs/{vpc_id}`. */
  pattern: string;
  /** Decoded path parameters by name (`region`, `secret_id`, ...). */
  params: Readonly<Record<string, string>>;
  /** The query string; arrays arrive as repeated keys. */
  query: URLSearchParams;
  /** The parsed JSON body; `undefined` when the request had none. */
  body: unknown;
  /** Request headers, lower-cased names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The caller's address (used to fill `creation_ip`). */
  remoteAddress: string;
}

/** What a route handler returns. `body: undefined` sends no body. */
export interface ApiReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A route handler. Throw an `ApiError` to reply with an error. */
export type RouteHandler = (
  request: ApiRequest,
) => ApiReply | Promise<ApiReply>;

/** Runs before the handlers of the routes under a prefix. */
export type RequestHook = (request: ApiRequest) => void | Promise<void>;

/** A matched route. */
export interface RouteMatch {
  method: HttpMethod;
  pattern: string;
  params: Record<string, string>;
  handler: RouteHandler;
}

interface CompiledRoute {
  method: HttpMethod;
  pattern: string;
  segments: readonly string[];
  staticCount: number;
  handler: RouteHandler;
}

/** Replies 200 with `body` as JSON. */
export function ok(body: unknown): ApiReply {
  return { status: 200, body };
}

/** Replies 204 with no body (deletes of most resources). */
export function noContent(): ApiReply {
  return { status: 204 };
}

const PARAM = /^\{([a-z_][a-z0-9_]*)\}$/;

/**
 * Routes by exact path pattern. A `{name}` segment matches one non-empty
 * path segment; when two patterns match, the one with more literal
 * segments wins (`/secrets/browse` beats `/secrets/{secret_id}`).
 *
 * @example
 * router.get('/vpc/v2/regions/{region}/vpcs/{vpc_id}', (request) =>
 *   ok(vpcs.require(request.params.vpc_id ?? '')),
 * );
 */
export class Router {
  readonly #routes: CompiledRoute[] = [];
  readonly #hooks: { prefix: string; hook: RequestHook }[] = [];

  /**
   * Runs `hook` before the handler of every route whose pattern starts with
   * `prefix` (e.g. to apply what the clock's passing did). A hook may throw
   * an `ApiError`.
   */
  use(prefix: string, hook: RequestHook): this {
    this.#hooks.push({ prefix, hook });

    return this;
  }

  /** Registers `handler` for `method` and `pattern`. */
  route(method: HttpMethod, pattern: string, handler: RouteHandler): this {
    if (!pattern.startsWith('/')) {
      throw new TypeError(`route pattern must start with '/': ${pattern}`);
    }

    const segments = pattern.split('/').slice(1);
    const duplicate = this.#routes.some(
      (route) => route.method === method && route.pattern === pattern,
    );
    if (duplicate) {
      throw new TypeError(`route registered twice: ${method} ${pattern}`);
    }

    this.#routes.push({
      method,
      pattern,
      segments,
      staticCount: segments.filter((segment) => !PARAM.test(segment)).length,
      handler,
    });

    return this;
  }

  get(pattern: string, handler: RouteHandler): this {
    return this.route('GET', pattern, handler);
  }

  post(pattern: string, handler: RouteHandler): this {
    return this.route('POST', pattern, handler);
  }

  put(pattern: string, handler: RouteHandler): this {
    return this.route('PUT', pattern, handler);
  }

  patch(pattern: string, handler: RouteHandler): this {
    return this.route('PATCH', pattern, handler);
  }

  delete(pattern: string, handler: RouteHandler): this {
    return this.route('DELETE', pattern, handler);
  }

  /** Every registered route as `METHOD pattern` (for the controls). */
  list(): string[] {
    return this.#routes.map((route) => `${route.method} ${route.pattern}`);
  }

  /**
   * Finds the route for `method` and `path`; throws `RouteNotFoundError`
   * (404) or `MethodNotAllowedError` (405).
   */
  match(method: string, path: string): RouteMatch {
    const segments = path.split('/').slice(1);
    let best: { route: CompiledRoute; params: Record<string, string> } | null =
      null;
    let pathKnown = false;

    for (const route of this.#routes) {
      const params = matchSegments(route.segments, segments);
      if (params === null) {
        continue;
      }

      pathKnown = true;
      if (route.method !== method) {
        continue;
      }
      if (best === null || route.staticCount > best.route.staticCount) {
        best = { route, params };
      }
    }

    if (best === null) {
      throw pathKnown ? new MethodNotAllowedError() : new RouteNotFoundError();
    }

    const { route } = best;
    const hooks = this.#hooks
      .filter(({ prefix }) => route.pattern.startsWith(prefix))
      .map(({ hook }) => hook);
    const handler: RouteHandler =
      hooks.length === 0
        ? route.handler
        : async (request) => {
            for (const hook of hooks) {
              await hook(request);
            }
            return route.handler(request);
          };

    return {
      method: route.method,
      pattern: route.pattern,
      params: best.params,
      handler,
    };
  }
}

function matchSegments(
  pattern: readonly string[],
  actual: readonly string[],
): Record<string, string> | null {
  if (pattern.length !== actual.length) {
    return null;
  }

  const params: Record<string, string> = {};
  for (const [index, expected] of pattern.entries()) {
    const segment = actual[index] ?? '';
    const param = PARAM.exec(expected);
    if (param?.[1] === undefined) {
      if (segment !== expected) {
        return null;
      }
      continue;
    }
    if (segment === '') {
      return null;
    }
    params[param[1]] = safeDecode(segment);
  }

  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
