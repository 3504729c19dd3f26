import { createServer } from 'node:net';
import { PortInUseError } from './errors.ts';

/**
 * Resolves when `port` can be bound on `host` right now; rejects with
 * PortInUseError naming `part` when another process holds it. Port 0
 * (any free port) always passes.
 */
export async function assertPortFree(
  part: string,
  host: string,
  port: number,
): Promise<void> {
  if (port === 0) return;

  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, resolve);
  }).catch((error: unknown) => {
    throw asPortInUse(part, host, error);
  });
  await new Promise((resolve) => server.close(resolve));
}

/**
 * A failure to listen, with EADDRINUSE turned into PortInUseError naming
 * `part` and the port (the original error kept as `cause`); any other
 * failure is returned as is.
 */
export function asPortInUse(
  part: string,
  host: string,
  error: unknown,
): unknown {
  if (!isAddressInUse(error)) return error;

  return new PortInUseError(part, host, error.port, { cause: error });
}

function isAddressInUse(
  error: unknown,
): error is NodeJS.ErrnoException & { port: number } {
  if (!(error instanceof Error)) return false;

  const errno = error as NodeJS.ErrnoException & { port?: unknown };

  return errno.code === 'EADDRINUSE' && typeof errno.port === 'number';
}
