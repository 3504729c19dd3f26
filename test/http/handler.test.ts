import { Writable } from 'node:stream';
import type {
  Event,
  Handler,
} from '@scaleway/serverless-functions/framework/dist/framework/types/types.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConflictError,
  createHttpHandler,
  createQueueHandler,
  type FunctionEvent,
  type FunctionResponse,
  ok,
} from '../../lib/http/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import { ScalewayUnavailableError } from '../../lib/scaleway/index.ts';

const TOKEN = 'tok_3f9a8b7c6d5e4f3a2b1c';
const PLANTED = 'postgres://app:Planted-Pw-771@10.0.0.4/app';

function capture() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });

  return {
    logger: createLogger({ destination: stream }),
    text: () => chunks.join(''),
  };
}

function event(overrides: Partial<FunctionEvent> = {}): FunctionEvent {
  return {
    httpMethod: 'POST',
    path: '/plan',
    headers: { 'X-Auth-Token': TOKEN, 'Content-Type': 'application/json' },
    body: '{}',
    ...overrides,
  };
}

function bodyOf(response: FunctionResponse): Record<string, unknown> {
  return JSON.parse(response.body) as Record<string, unknown>;
}

const planSchema = z.strictObject({
  stack: z.string().min(1),
  environment: z.enum(['dev', 'staging', 'production']),
  resources: z.array(z.object({ name: z.string().regex(/^[a-z-]+$/) })),
});

function planHandler(logs = capture()) {
  return createHttpHandler({
    auth: { token: TOKEN },
    logger: logs.logger,
    routes: [
      {
        method: 'POST',
        path: '/plan',
        handle: async ({ event }) => {
          const { parseRequestBody } = await import('../../lib/http/index.ts');
          const request = parseRequestBody(event, planSchema);
          return ok({ planned: request.resources.length });
        },
      },
      {
        method: 'GET',
        path: '/state/:environment',
        handle: async ({ params }) => ok({ environment: params.environment }),
      },
      {
        method: 'POST',
        path: '/apply',
        handle: async () => {
          throw new Error(`pool exhausted connecting to ${PLANTED}`);
        },
      },
      {
        method: 'POST',
        path: '/busy',
        handle: async () => {
          throw new ConflictError('environment production is busy');
        },
      },
      {
        method: 'POST',
        path: '/throttled',
        handle: async () => {
          throw new ScalewayUnavailableError('Scaleway is busy', {
            fault: 'outside',
            httpStatus: 503,
            upstreamStatus: 429,
            product: 'IAM',
            region: undefined,
            retryAfterMs: 4_200,
            cause: undefined,
          });
        },
      },
    ],
  });
}

describe('createHttpHandler', () => {
  it('is a Scaleway Functions handler', () => {
    const handle: Handler = planHandler();
    const platformEvent = {} as Event;

    expect(typeof handle).toBe('function');
    expect(platformEvent).toBeDefined();
  });

  it('routes by method and path and answers JSON', async () => {
    const handle = planHandler();

    const response = await handle(
      event({
        body: JSON.stringify({
          stack: 'prod',
          environment: 'production',
          resources: [{ name: 'db' }, { name: 'pn' }],
        }),
      }),
    );

    expect(response.statusCode).toBe(200);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(bodyOf(response)).toEqual({ planned: 2 });
  });

  it('passes path parameters', async () => {
    const response = await planHandler()(
      event({ httpMethod: 'GET', path: '/state/staging/', body: '' }),
    );

    expect(bodyOf(response)).toEqual({ environment: 'staging' });
  });

  it('400 lists every problem with its path', async () => {
    const response = await planHandler()(
      event({
        body: JSON.stringify({
          environment: 'prod',
          resources: [{ name: 'ok' }, { name: 'Bad_Name' }],
          extra: true,
        }),
      }),
    );

    const body = bodyOf(response);
    const paths = (body.problems as { path: string }[]).map((p) => p.path);
    expect(response.statusCode).toBe(400);
    expect(body.error).toBe('invalid_request');
    expect(paths.sort()).toEqual([
      '',
      'environment',
      'resources[1].name',
      'stack',
    ]);
  });

  it.each([
    {
      case: 'a missing string',
      body: { environment: 'dev', resources: [] },
      problem: {
        path: 'stack',
        message: 'missing key "stack" (expected string)',
      },
    },
    {
      case: 'a missing enum, with its values',
      body: { stack: 's', resources: [] },
      problem: {
        path: 'environment',
        message: 'missing key "environment" (one of: dev, staging, production)',
      },
    },
    {
      case: 'a missing key in a list item',
      body: { stack: 's', environment: 'dev', resources: [{}] },
      problem: {
        path: 'resources[0].name',
        message: 'missing key "name" (expected string)',
      },
    },
    {
      case: 'a present value of the wrong type, not as missing',
      body: { stack: 7, environment: 'dev', resources: [] },
      problem: {
        path: 'stack',
        message: 'Invalid input: expected string, received number',
      },
    },
    {
      case: 'a present value outside the enum, not as missing',
      body: { stack: 's', environment: 'qa', resources: [] },
      problem: {
        path: 'environment',
        message: expect.stringMatching(/^Invalid option/),
      },
    },
  ])('400 words $case', async ({ body, problem }) => {
    const response = await planHandler()(event({ body: JSON.stringify(body) }));

    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).problems).toEqual([problem]);
  });

  it.each([
    { case: 'empty body', body: '' },
    { case: 'not JSON', body: '{"stack": ' },
  ])('400 for $case', async ({ body }) => {
    const response = await planHandler()(event({ body }));

    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).problems).toHaveLength(1);
  });

  it('decodes a base64 body when flagged', async () => {
    const json = JSON.stringify({
      stack: 's',
      environment: 'dev',
      resources: [],
    });

    const response = await planHandler()(
      event({
        body: Buffer.from(json).toString('base64'),
        isBase64Encoded: true,
      }),
    );

    expect(response.statusCode).toBe(200);
  });

  it.each([
    { case: 'no token', headers: {} },
    { case: 'wrong token', headers: { 'X-Auth-Token': `${TOKEN}x` } },
    { case: 'short token', headers: { 'x-auth-token': 'a' } },
  ])('401 with $case, before routing', async ({ headers }) => {
    const response = await planHandler()(event({ headers, path: '/nowhere' }));

    expect(response.statusCode).toBe(401);
    expect(response.body).not.toContain(TOKEN);
  });

  it.each([
    { case: 'unknown path', method: 'POST', path: '/nope', status: 404 },
    { case: 'wrong method', method: 'DELETE', path: '/plan', status: 405 },
  ])('$status for $case', async ({ method, path, status }) => {
    const response = await planHandler()(event({ httpMethod: method, path }));

    expect(response.statusCode).toBe(status);
  });

  it('5xx hides internals, logs them, returns a correlation id', async () => {
    const logs = capture();

    const response = await planHandler(logs)(
      event({
        path: '/apply',
        headers: { 'X-Auth-Token': TOKEN, 'X-Request-Id': 'req-42' },
      }),
    );

    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toEqual({
      error: 'internal_error',
      message: 'internal error; quote the correlation id when reporting it',
      correlationId: 'req-42',
    });
    expect(response.body).not.toContain('pool exhausted');
    expect(logs.text()).toContain('pool exhausted');
    expect(logs.text()).toContain('req-42');
    expect(logs.text()).not.toContain('Planted-Pw-771');
  });

  it('409 shows the caller-fault message', async () => {
    const response = await planHandler()(event({ path: '/busy' }));

    expect(response.statusCode).toBe(409);
    expect(bodyOf(response).message).toBe('environment production is busy');
  });

  it('503 from the outside world carries Retry-After, no details', async () => {
    const response = await planHandler()(event({ path: '/throttled' }));

    expect(response.statusCode).toBe(503);
    expect(response.headers['Retry-After']).toBe('5');
    expect(response.body).not.toContain('Scaleway is busy');
  });
});

describe('createQueueHandler', () => {
  const messageSchema = z.object({
    requestId: z.uuid(),
    action: z.literal('apply'),
  });
  const REQUEST_ID = '0b6a3f7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b';

  function queueHandler(behaviour: () => Promise<void>, logs = capture()) {
    const seen: unknown[] = [];
    const handle = createQueueHandler({
      schema: messageSchema,
      logger: logs.logger,
      handle: async (message) => {
        seen.push(message);
        await behaviour();
      },
    });

    return { handle, seen, logs };
  }

  const message = (body: unknown): FunctionEvent => ({
    httpMethod: 'POST',
    path: '/',
    headers: { 'User-Agent': 'ScalewayServerlessOrchestrator/1.0' },
    body: JSON.stringify(body),
  });

  it.each([
    {
      case: 'processed message',
      body: { requestId: REQUEST_ID, action: 'apply' },
      behaviour: async () => {},
      retried: false,
      handled: 1,
    },
    {
      case: 'invalid message (acknowledged, not retried)',
      body: { requestId: 'nope', action: 'destroy' },
      behaviour: async () => {},
      retried: false,
      handled: 0,
    },
    {
      case: 'caller fault from the handler (acknowledged)',
      body: { requestId: REQUEST_ID, action: 'apply' },
      behaviour: async () => {
        throw new ConflictError('same request id, different body');
      },
      retried: false,
      handled: 1,
    },
    {
      case: 'our fault (retried)',
      body: { requestId: REQUEST_ID, action: 'apply' },
      behaviour: async () => {
        throw new Error('state bucket write failed');
      },
      retried: true,
      handled: 1,
    },
    {
      case: 'retryable conflict (retried)',
      body: { requestId: REQUEST_ID, action: 'apply' },
      behaviour: async () => {
        throw Object.assign(new ConflictError('environment busy'), {
          retryable: true,
        });
      },
      retried: true,
      handled: 1,
    },
  ])('$case', async ({ body, behaviour, retried, handled }) => {
    const { handle, seen } = queueHandler(behaviour);

    const response = await handle(message(body));

    expect(response.statusCode >= 300).toBe(retried);
    expect(seen).toHaveLength(handled);
  });

  it('says which key a rejected message is missing', async () => {
    const { handle, logs } = queueHandler(async () => {});

    await handle(message({ requestId: REQUEST_ID }));

    expect(logs.text()).toContain('missing key \\"action\\" (expected apply)');
  });

  it('logs a rejected message at warn', async () => {
    const { handle, logs } = queueHandler(async () => {});

    await handle(message({ requestId: 'nope' }));

    expect(logs.text()).toContain('"level":"warn"');
    expect(logs.text()).toContain('queue message rejected');
  });
});
