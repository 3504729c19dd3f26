import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PlatformControls } from '../../controls/controls.ts';
import type { ActiveFault } from '../../controls/faults.ts';
import { routeKey } from '../../controls/route-selector.ts';
import type { TokenAuthenticator } from './auth.ts';
import {
  ApiError,
  InvalidArgumentsError,
  PayloadTooLargeError,
  ServerFailureError,
  TooManyRequestsError,
} from './errors.ts';
import type { ApiReply, ApiRequest, HttpMethod, Router } from './router.ts';
import type { ResourceStore } from './store.ts';

/** Largest request body accepted (8 MiB); larger ones get a 413. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Prefix of the control endpoints (no auth from loopback). */
export const CONTROL_PREFIX = '/_local/';

/** Where unexpected failures are reported (a pino logger fits). */
export interface ApiLogger {
  error(details: object, message: string): void;
}

/** What the request listener needs. */
export interface PipelineDependencies {
  router: Router;
  controlRouter: Router;
  controls: PlatformControls;
  auth: TokenAuthenticator;
  store: ResourceStore;
  logger: ApiLogger;
}

/**
 * Builds the `node:http` request listener. For an API route the steps are:
 * count, delay (latency injection), inject a fault if one fires,
 * authenticate, run the handler, persist the store after a write. Control
 * routes (`/_local/...`) skip counting, latency and faults, and need no
 * token from a loopback address.
 */
export function createRequestListener(deps: PipelineDependencies) {
  return (incoming: IncomingMessage, response: ServerResponse): void => {
    handle(deps, incoming, response).catch((error: unknown) => {
      deps.logger.error({ err: error }, 'local Scaleway API reply failed');
      response.destroy();
    });
  };
}

async function handle(
  deps: PipelineDependencies,
  incoming: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(incoming.url ?? '/', 'http://local');
  const method = (incoming.method ?? 'GET').toUpperCase();
  const isControl = url.pathname.startsWith(CONTROL_PREFIX);

  let reply: ApiReply;
  try {
    const body = await readJsonBody(incoming);
    reply = isControl
      ? await runControl(deps, incoming, method, url, body)
      : await runApi(deps, incoming, response, method, url, body);
  } catch (error) {
    if (error instanceof DroppedConnection) {
      return;
    }
    reply = toErrorReply(deps.logger, error);
  }

  send(response, reply);
}

async function runApi(
  deps: PipelineDependencies,
  incoming: IncomingMessage,
  response: ServerResponse,
  method: string,
  url: URL,
  body: unknown,
): Promise<ApiReply> {
  let match: ReturnType<Router['match']>;
  try {
    match = deps.router.match(method, url.pathname);
  } catch (error) {
    deps.controls.counters.record(method, `${method} <unmatched>`);
    throw error;
  }

  const key = routeKey(match.method, match.pattern);
  deps.controls.counters.record(method, key);

  const delay = deps.controls.latency.delayFor(key);
  if (delay > 0) {
    await sleep(delay);
  }

  const fault = deps.controls.faults.take(key);
  if (fault !== undefined) {
    injectFault(fault, response);
  }

  deps.auth.check(headerValue(incoming, 'x-auth-token'));

  try {
    return await match.handler(toApiRequest(incoming, match, url, body));
  } finally {
    if (method !== 'GET') {
      deps.store.flush();
    }
  }
}

async function runControl(
  deps: PipelineDependencies,
  incoming: IncomingMessage,
  method: string,
  url: URL,
  body: unknown,
): Promise<ApiReply> {
  if (!isLoopback(incoming.socket.remoteAddress)) {
    deps.auth.check(headerValue(incoming, 'x-auth-token'));
  }

  const match = deps.controlRouter.match(method, url.pathname);

  return match.handler(toApiRequest(incoming, match, url, body));
}

class DroppedConnection extends Error {}

function injectFault(fault: ActiveFault, response: ServerResponse): never {
  if (fault.kind === 'drop') {
    response.socket?.destroy();
    throw new DroppedConnection('connection dropped by an injected fault');
  }
  if (fault.kind === 'throttle') {
    throw new TooManyRequestsError(
      fault.retryAfterSeconds,
      fault.throttleStyle,
    );
  }

  throw new ServerFailureError(fault.status);
}

function toApiRequest(
  incoming: IncomingMessage,
  match: ReturnType<Router['match']>,
  url: URL,
  body: unknown,
): ApiRequest {
  return {
    method: match.method as HttpMethod,
    pattern: match.pattern,
    params: match.params,
    query: url.searchParams,
    body,
    headers: incoming.headers,
    remoteAddress: incoming.socket.remoteAddress ?? '',
  };
}

async function readJsonBody(incoming: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new PayloadTooLargeError();
    }
    chunks.push(buffer);
  }

  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') {
    return undefined;
  }

  // Content-Type is not checked: the JS SDK sends `application/json;
  // charset=utf-8`, the Go SDK `application/json`; both carry JSON.
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw InvalidArgumentsError.of(
      'body',
      'format',
      `request body is not valid JSON (${(error as Error).message})`,
    );
  }
}

function toErrorReply(logger: ApiLogger, error: unknown): ApiReply {
  if (error instanceof ApiError) {
    return {
      status: error.status,
      body: error.toBody(),
      headers: { ...error.headers },
    };
  }

  logger.error({ err: error }, 'local Scaleway API handler failed');
  const failure = new ServerFailureError(500, { cause: error });

  return { status: failure.status, body: failure.toBody() };
}

/**
 * Sends a reply. JSON always goes out with `Content-Type:
 * application/json` exactly (the JS SDK parses nothing else); a 204 or a
 * reply without body has an empty body.
 */
function send(response: ServerResponse, reply: ApiReply): void {
  if (response.destroyed || response.headersSent) {
    return;
  }

  const payload = replyPayload(reply);
  const headers: Record<string, string> = {
    ...(payload === '' && reply.status !== 204
      ? {}
      : { 'content-type': 'application/json' }),
    'content-length': String(Buffer.byteLength(payload)),
    ...reply.headers,
  };

  response.writeHead(reply.status, headers);
  response.end(payload);
}

/**
 * The bytes of a reply: a `Buffer` body goes out as is (files such as the
 * RDB certificate, with the handler's Content-Type); anything else as
 * JSON.
 */
function replyPayload(reply: ApiReply): string | Buffer {
  if (reply.body === undefined || reply.status === 204) {
    return '';
  }

  return Buffer.isBuffer(reply.body) ? reply.body : JSON.stringify(reply.body);
}

function headerValue(
  incoming: IncomingMessage,
  name: string,
): string | undefined {
  const value = incoming.headers[name];

  return Array.isArray(value) ? value[0] : value;
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) {
    return false;
  }

  return (
    address === '::1' ||
    address.startsWith('127.') ||
    address.startsWith('::ffff:127.')
  );
}
