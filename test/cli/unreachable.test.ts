import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { localPlatformHint } from '../../lib/cli/index.ts';

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error();

  return address.port;
}

async function failureOf(url: string): Promise<unknown> {
  return fetch(url).then(
    () => {
      throw new Error(`${url} answered`);
    },
    (error: unknown) => error,
  );
}

describe('localPlatformHint', () => {
  it('names the loopback address nothing answers at', async () => {
    const port = await closedPort();
    const error = await failureOf(`http://127.0.0.1:${port}/`);

    const hint = localPlatformHint(new Error('wrapped', { cause: error }));

    expect(hint).toContain(`Nothing answers at 127.0.0.1:${port}`);
    expect(hint).toContain('npm start');
  });

  it.each([
    { case: 'another failure', error: new Error('403 Forbidden') },
    {
      case: 'a refused connection to a remote host',
      error: { code: 'ECONNREFUSED', address: '203.0.113.7', port: 443 },
    },
    { case: 'no error at all', error: undefined },
  ])('says nothing for $case', ({ error }) => {
    expect(localPlatformHint(error)).toBeUndefined();
  });
});
