import { createRequire } from 'node:module';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { FunctionHandler } from './handler.ts';

type EmulateCoreProcess = (
  handler: FunctionHandler,
  request: FastifyRequest,
  reply: FastifyReply,
) => Promise<void>;

// The emulator's request/response translation, reused as is; its own
// `serveHandler` binds every interface and exits the process on error.
const require = createRequire(import.meta.url);
const { emulateCoreProcess } =
  require('@scaleway/serverless-functions/framework/dist/framework/local/serving.js') as {
    emulateCoreProcess: EmulateCoreProcess;
  };

/** Options of {@link startFunctionServer}. */
export interface FunctionServerOptions {
  name: string;
  handler: FunctionHandler;
  privacy: 'public' | 'private';
  port: number;
  host: string;
  /** Whether an `X-Auth-Token` may call a private function. */
  isAuthorized: (token: string) => boolean | Promise<boolean>;
  /**
   * The runner's own token for trigger calls (CRON, queue): admitted,
   * then removed, since Scaleway's triggers reach the function with none.
   */
  triggerToken?: string;
}

/** Body parsers of the runtime: JSON, text and forms, kept as strings. */
const TEXT_TYPES = [
  'application/json',
  'text/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
];

/**
 * Serves one function on its own port the way Scaleway's runtime does:
 * any path and method reach the handler, the event carries the request,
 * and a private function answers 403 without a valid `X-Auth-Token`.
 */
export async function startFunctionServer(
  options: FunctionServerOptions,
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 6 * 1024 * 1024 });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    TEXT_TYPES,
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );
  app.decorateRequest('urlData', function urlData(this: FastifyRequest) {
    return { path: this.url.split('?')[0] ?? '/' };
  });

  // Node's close() ends only the connections idle at that moment: a
  // request in flight would keep its keep-alive connection, and close()
  // waiting, for up to keepAliveTimeout (72 s). Once closing, each reply
  // ends its connection instead.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) {
      reply.header('connection', 'close');
    }

    return payload;
  });

  app.addHook('onRequest', async (request, reply) => {
    const token = request.headers['x-auth-token'];
    const trigger =
      options.triggerToken !== undefined && token === options.triggerToken;
    if (trigger) {
      delete request.headers['x-auth-token'];
    }
    if (options.privacy === 'public' || trigger) {
      return undefined;
    }

    const allowed =
      typeof token === 'string' &&
      token !== '' &&
      (await options.isAuthorized(token));
    if (!allowed) {
      return reply.code(403).send({ message: 'forbidden' });
    }

    return undefined;
  });

  app.all('/*', async (request, reply) => {
    request.headers['x-request-id'] ??= crypto.randomUUID();
    await emulateCoreProcess(options.handler, request, reply);
  });
  app.all('/', async (request, reply) => {
    await emulateCoreProcess(options.handler, request, reply);
  });

  await app.listen({ port: options.port, host: options.host });

  return app;
}
