import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from './errors.ts';
import { headerOf } from './request.ts';
import type { FunctionEvent } from './types.ts';

/** The header callers put the function token in. */
export const AUTH_HEADER = 'x-auth-token';

/**
 * How a handler authenticates callers: a shared token compared in
 * constant time, or `public` (no check: CRON-only functions, or private
 * functions whose callers the platform already checked with IAM).
 */
export type HandlerAuth = { readonly token: string } | 'public';

/**
 * The auth of a route that CRON or queue triggers call (`POST /`). The
 * platform invokes a private function for its triggers without any token,
 * so the function cannot ask for one there: the function's privacy (403
 * at the platform without a valid IAM key) is what keeps others out.
 */
export const TRIGGER_AUTH: HandlerAuth = 'public';

/**
 * True when `presented` equals `expected`, in time independent of where
 * they differ and of their lengths (both are hashed first).
 */
export function tokensMatch(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();

  return timingSafeEqual(a, b);
}

/**
 * Throws {@link UnauthorizedError} unless the event carries the expected
 * `X-Auth-Token`. Never logs or echoes the presented value.
 */
export function assertAuthorized(
  event: FunctionEvent,
  auth: HandlerAuth,
): void {
  if (auth === 'public') return;

  const presented = headerOf(event, AUTH_HEADER);
  if (presented === undefined || !tokensMatch(presented, auth.token)) {
    throw new UnauthorizedError();
  }
}
