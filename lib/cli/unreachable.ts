/** An ECONNREFUSED failure as Node reports it. */
interface RefusedConnection {
  code: 'ECONNREFUSED';
  address?: string;
  port?: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * A hint for a command that failed because nothing listens on a loopback
 * address (the local platform of `npm start` is not running); undefined
 * for any other failure.
 *
 * @example
 * localPlatformHint(error)
 * // 'Nothing answers at 127.0.0.1:4601: start the local platform …'
 */
export function localPlatformHint(error: unknown): string | undefined {
  const refused = findRefused(error, 0);
  if (refused === undefined || !LOOPBACK.has(refused.address ?? '')) {
    return undefined;
  }

  return (
    `Nothing answers at ${refused.address}:${refused.port}: start the ` +
    'local platform with `npm start` in another terminal (or set Scaleway ' +
    'credentials to target Scaleway).'
  );
}

/** The ECONNREFUSED error in `error`, its causes or its parts. */
function findRefused(
  error: unknown,
  depth: number,
): RefusedConnection | undefined {
  if (depth > 8 || error === null || typeof error !== 'object') {
    return undefined;
  }

  const { code, cause, errors } = error as {
    code?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (code === 'ECONNREFUSED') return error as RefusedConnection;

  const parts = Array.isArray(errors) ? errors : [];
  for (const part of [cause, ...parts]) {
    const found = findRefused(part, depth + 1);
    if (found !== undefined) return found;
  }

  return undefined;
}
