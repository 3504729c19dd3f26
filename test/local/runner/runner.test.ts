import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS } from '../../../local/defaults.ts';
import { ServerlessConfigError } from '../../../local/runner/errors.ts';
import {
  type FunctionRunner,
  startFunctionRunner,
} from '../../../local/runner/runner.ts';
import {
  type StorageFixture,
  startStorageFixture,
} from '../../support/storage.ts';
import type { RecordedCalls } from './fixture/functions/record.ts';

const DAY_MS = 86_400_000;
const FIXTURE = join(import.meta.dirname, 'fixture', 'serverless.yml');

let storage: StorageFixture;
let runner: FunctionRunner;
let queueUrl: string | undefined;

function recorded(): RecordedCalls {
  const calls = (globalThis as { runnerFixtureCalls?: RecordedCalls })
    .runnerFixtureCalls;
  if (!calls) {
    throw new Error('the fixture handler has not been loaded');
  }

  return calls;
}

function urlOf(name: string): string {
  const fn = runner.functions.find((candidate) => candidate.name === name);
  if (!fn) {
    throw new Error(`no function ${name}`);
  }

  return fn.url;
}

/** Waits (bounded) until `check` holds; the assertion follows it. */
async function eventually(check: () => boolean | Promise<boolean>) {
  for (let i = 0; i < 200 && !(await check()); i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  storage = await startStorageFixture();
  const created = await storage.sqs.send(
    new CreateQueueCommand({
      QueueName: 'runner-jobs',
      Attributes: { VisibilityTimeout: '300' },
    }),
  );
  queueUrl = created.QueueUrl;
  runner = await startFunctionRunner({
    configFile: FIXTURE,
    clock: storage.clock,
    sqs: storage.sqs,
  });
});

afterAll(async () => {
  await runner?.close();
  await storage?.close();
});

describe('runner: HTTP', () => {
  it('passes any path, method, query and body to the handler', async () => {
    const reply = await fetch(`${urlOf('echo')}/a/b?x=1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"k":"v"}',
    });

    expect(reply.status).toBe(200);
    expect(await reply.json()).toEqual({
      path: '/a/b',
      method: 'PUT',
      query: { x: '1' },
      body: '{"k":"v"}',
      greeting: 'hello-dev',
      fallback: 'fallback-dev',
      unset: null,
    });
  });

  it('serves a dist/<file>/handler bundle path from functions/<file>.ts', async () => {
    const reply = await fetch(`${urlOf('bundled')}/`);

    expect(reply.status).toBe(200);
    expect(runner.service).toBe('runner-fixture-dev');
  });

  it('skips a function whose handler is missing, naming it', () => {
    expect(runner.skipped.map((fn) => fn.name)).toEqual(['missing']);
    expect(runner.functions.map((fn) => fn.name)).not.toContain('missing');
  });

  it.each([
    { case: 'no token', headers: {}, status: 403 },
    { case: 'a wrong token', headers: { 'x-auth-token': 'nope' }, status: 403 },
    {
      case: 'the platform key',
      headers: { 'x-auth-token': LOCAL_DEFAULTS.secretKey },
      status: 200,
    },
  ])('private function with $case answers $status', async (row) => {
    const reply = await fetch(urlOf('guarded'), { headers: row.headers });

    expect(reply.status).toBe(row.status);
  });
});

describe('runner: CRON triggers', () => {
  it('POSTs the input to / of a private function, with no token', async () => {
    const before = recorded().calls.length;

    storage.clock.advance(DAY_MS);
    const fired = runner.tickCron();
    await eventually(() => recorded().calls.length > before);

    expect(fired).toBe(1);
    expect(recorded().calls.at(-1)).toEqual({
      method: 'POST',
      path: '/',
      body: '{"job":"purge"}',
      token: false,
    });
  });
});

describe('runner: queue triggers', () => {
  async function messagesLeft(): Promise<number> {
    const reply = await storage.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
        ],
      }),
    );
    const attributes = reply.Attributes ?? {};

    return (
      Number(attributes.ApproximateNumberOfMessages) +
      Number(attributes.ApproximateNumberOfMessagesNotVisible)
    );
  }

  it.each([
    {
      $case: 'a message that succeeds',
      message: { id: 'ok', fail: 0 },
      attempts: 1,
      left: 0,
    },
    {
      $case: 'a message failing twice with 500',
      message: { id: 'flaky', fail: 2 },
      attempts: 3,
      left: 0,
    },
    {
      $case: 'a poison message (500)',
      message: { id: 'poison', fail: 99 },
      attempts: 4,
      left: 1,
    },
    {
      $case: 'a message redirected (302) twice',
      message: { id: 'moved', fail: 2, status: 302 },
      attempts: 3,
      left: 0,
    },
    {
      $case: 'a message always redirected (302)',
      message: { id: 'moved-forever', fail: 99, status: 302 },
      attempts: 4,
      left: 1,
    },
    {
      $case: 'a message always in conflict (409)',
      message: { id: 'conflict', fail: 99, status: 409 },
      attempts: 4,
      left: 1,
    },
    {
      $case: 'a message answered 202 (a 2xx is a success)',
      message: { id: 'accepted', fail: 99, status: 202 },
      attempts: 1,
      left: 0,
    },
  ])('delivers $$case in $attempts attempt(s)', async (row) => {
    const { id } = row.message;
    const before = await messagesLeft();

    await storage.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify(row.message),
      }),
    );
    await eventually(
      async () =>
        recorded().attempts.get(id) === row.attempts &&
        (await messagesLeft()) - before === row.left,
    );
    // a message must not be delivered again once settled
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(recorded().attempts.get(id)).toBe(row.attempts);
    expect((await messagesLeft()) - before).toBe(row.left);
  });

  it('keeps at most 10 messages in flight', async () => {
    recorded().peakInFlight = 0;
    const ids = Array.from({ length: 15 }, (_, i) => `slow-${i}`);

    await Promise.all(
      ids.map((id) =>
        storage.sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify({ id, slowMs: 300 }),
          }),
        ),
      ),
    );
    await eventually(() => ids.every((id) => recorded().attempts.has(id)));

    expect(ids.every((id) => recorded().attempts.get(id) === 1)).toBe(true);
    expect(recorded().peakInFlight).toBeLessThanOrEqual(10);
  });
});

describe('runner: serverless.yml validation', () => {
  it('reports every problem with its path', async () => {
    const file = join(tmpdir(), `serverless-${process.pid}.yml`);
    await writeFile(
      file,
      [
        'service: broken',
        'provider: { name: aws }',
        'functions:',
        '  a: { handler: nodot, privacy: secret }',
      ].join('\n'),
    );

    const error = await startFunctionRunner({
      configFile: file,
      clock: storage.clock,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ServerlessConfigError);
    expect(
      (error as ServerlessConfigError).problems.map((p) => p.path),
    ).toEqual(['provider.name', 'functions.a.handler', 'functions.a.privacy']);
  });
});
