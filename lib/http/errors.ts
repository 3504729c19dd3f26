import type { ClassifiedError, Fault } from './fault.ts';

/** One problem of a request, located by its path in the body. */
export interface RequestProblem {
  /** `resources[2].name`; empty for the body itself. */
  readonly path: string;
  readonly message: string;
}

/**
 * Root of the errors the HTTP adapter answers by itself. A caller fault
 * shows its message; anything else is answered with a generic body.
 */
export class HttpError extends Error implements ClassifiedError {
  readonly fault: Fault;
  readonly httpStatus: number;
  readonly details: unknown;
  /** Extra response headers, e.g. `Allow` for a 405. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    httpStatus: number,
    message: string,
    options: {
      details?: unknown;
      headers?: Record<string, string>;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.httpStatus = httpStatus;
    this.fault = httpStatus >= 500 ? 'ours' : 'caller';
    this.details = options.details;
    this.headers = options.headers ?? {};
  }
}

/** 400: the body is not JSON, or breaks the schema; lists every problem. */
export class RequestValidationError extends HttpError {
  readonly problems: readonly RequestProblem[];

  constructor(
    message: string,
    problems: readonly RequestProblem[],
    httpStatus = 400,
  ) {
    super(httpStatus, message, { details: { problems } });
    this.problems = problems;
  }
}

/** 401: no valid `X-Auth-Token`. */
export class UnauthorizedError extends HttpError {
  constructor() {
    super(401, 'missing or invalid X-Auth-Token', {
      headers: { 'WWW-Authenticate': 'X-Auth-Token' },
    });
  }
}

/** 404: no route for this path. */
export class RouteNotFoundError extends HttpError {
  constructor(path: string) {
    super(404, `no route for ${path}`);
  }
}

/** 405: the path exists, not with this method. */
export class MethodNotAllowedError extends HttpError {
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(405, `${method} is not allowed on ${path}`, {
      headers: { Allow: allowed.join(', ') },
    });
  }
}

/** 409: the request conflicts with the current state (e.g. busy). */
export class ConflictError extends HttpError {
  constructor(message: string, details?: unknown) {
    super(409, message, { details });
  }
}
