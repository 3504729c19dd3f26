import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startFunctionServer } from '../../../local/runner/function-server.ts';

/** Far below fastify's keep-alive timeout (72 s), far above a close. */
const CLOSE_BOUND_MS = 10_000;

describe('function server: close', () => {
  it('answers the request in flight, then closes without waiting for keep-alive', async () => {
    let started: () => void = () => undefined;
    const handlerStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const server = await startFunctionServer({
      name: 'slow',
      handler: async () => {
        started();
        await sleep(300);
        return { statusCode: 200, body: 'done' };
      },
      privacy: 'public',
      port: 0,
      host: '127.0.0.1',
      isAuthorized: () => false,
    });
    const { port } = server.server.address() as AddressInfo;
    const reply = fetch(`http://127.0.0.1:${port}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }).then((response) => response.text());
    await handlerStarted;

    const bound = new AbortController();
    const outcome = await Promise.race([
      server.close().then(() => 'closed'),
      sleep(CLOSE_BOUND_MS, 'still open', { signal: bound.signal }),
    ]);
    bound.abort();

    expect(await reply).toBe('done');
    expect(outcome).toBe('closed');
  });
});
