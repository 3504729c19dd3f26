import { z } from 'zod';
import { type RouteSelector, selectsRoute } from './route-selector.ts';

/**
 * Latency to add before a reply: `ms` for the routes `route` selects
 * (every route when omitted). `ms: 0` removes the entry.
 */
export const LatencySpecSchema = z.strictObject({
  route: z.string().min(1).optional(),
  ms: z.number().int().min(0).max(600_000),
});

export type LatencySpec = z.infer<typeof LatencySpecSchema>;

/**
 * Fixed delays per route selector. A selector naming the route more
 * precisely wins over a broader one: an exact key, then a pattern, then a
 * prefix, then the global entry.
 */
export class LatencyInjector {
  readonly #delays = new Map<string, number>();

  /** Sets (or with `ms: 0` removes) the delay of a selector. */
  set(spec: LatencySpec): void {
    const valid = LatencySpecSchema.parse(spec);
    const selector = valid.route ?? '*';
    if (valid.ms === 0) {
      this.#delays.delete(selector);
      return;
    }

    this.#delays.set(selector, valid.ms);
  }

  /** Removes every delay. */
  clear(): void {
    this.#delays.clear();
  }

  /** The delays by selector (`*` is global). */
  list(): Record<string, number> {
    return Object.fromEntries(this.#delays);
  }

  /** The delay for a request to `routeKey`, in ms (0 when none). */
  delayFor(routeKey: string): number {
    let best: { rank: number; ms: number } | undefined;
    for (const [selector, ms] of this.#delays) {
      const route: RouteSelector = selector;
      if (!selectsRoute(route, routeKey)) {
        continue;
      }
      const rank = precision(selector);
      if (best === undefined || rank > best.rank) {
        best = { rank, ms };
      }
    }

    return best?.ms ?? 0;
  }
}

function precision(selector: string): number {
  if (selector === '*') {
    return 0;
  }
  if (selector.endsWith('*')) {
    return 1 + selector.length / 10_000;
  }

  return selector.startsWith('/') ? 2 : 3;
}
