import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type RouteSelector, selectsRoute } from './route-selector.ts';

/**
 * A fault to inject, validated with zod (the HTTP control endpoint uses the
 * same schema). Kinds:
 * - `error`: a 5xx (`status`, default 503) with a generic JSON body;
 * - `throttle`: 429 with `Retry-After: retryAfterSeconds` (default 1);
 *   `throttleStyle` `gateway` (default, empty body + X-Envoy-Ratelimited,
 *   as the real gateway) or `api` (a `too_many_requests` JSON body);
 * - `drop`: the connection is destroyed without a reply.
 * `rate` (default 1) is the chance each matching request is hit; `count`
 * (default: no limit) removes the fault after that many hits.
 */
export const FaultSpecSchema = z.strictObject({
  route: z.string().min(1).optional(),
  kind: z.enum(['error', 'throttle', 'drop']),
  status: z.number().int().min(500).max(599).optional(),
  retryAfterSeconds: z.number().int().min(0).max(3600).optional(),
  throttleStyle: z.enum(['gateway', 'api']).optional(),
  rate: z.number().min(0).max(1).optional(),
  count: z.number().int().min(1).optional(),
});

export type FaultSpec = z.infer<typeof FaultSpecSchema>;

/** A fault being injected. */
export interface ActiveFault {
  id: string;
  route: RouteSelector;
  kind: FaultSpec['kind'];
  status: number;
  retryAfterSeconds: number;
  throttleStyle: 'gateway' | 'api';
  rate: number;
  /** Hits left before removal; `null` for no limit. */
  remaining: number | null;
  /** Requests hit so far. */
  injected: number;
}

/** The injected faults; the first matching one that fires wins. */
export class FaultInjector {
  #faults: ActiveFault[] = [];
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  /** Adds a fault; throws a `ZodError` listing every bad field. */
  add(spec: FaultSpec): ActiveFault {
    const valid = FaultSpecSchema.parse(spec);
    const fault: ActiveFault = {
      id: randomUUID(),
      route: valid.route,
      kind: valid.kind,
      status: valid.status ?? 503,
      retryAfterSeconds: valid.retryAfterSeconds ?? 1,
      throttleStyle: valid.throttleStyle ?? 'gateway',
      rate: valid.rate ?? 1,
      remaining: valid.count ?? null,
      injected: 0,
    };
    this.#faults.push(fault);

    return { ...fault };
  }

  /** Removes one fault; returns whether it existed. */
  remove(id: string): boolean {
    const before = this.#faults.length;
    this.#faults = this.#faults.filter((fault) => fault.id !== id);

    return this.#faults.length !== before;
  }

  /** Removes every fault. */
  clear(): void {
    this.#faults = [];
  }

  /** Copies of the active faults. */
  list(): ActiveFault[] {
    return this.#faults.map((fault) => ({ ...fault }));
  }

  /**
   * The fault to inject into a request to `routeKey`, if one fires; counts
   * the hit and removes a fault whose `count` is used up.
   */
  take(routeKey: string): ActiveFault | undefined {
    for (const fault of this.#faults) {
      if (!selectsRoute(fault.route, routeKey)) {
        continue;
      }
      if (fault.rate < 1 && this.#random() >= fault.rate) {
        continue;
      }

      fault.injected += 1;
      if (fault.remaining !== null) {
        fault.remaining -= 1;
        if (fault.remaining === 0) {
          this.remove(fault.id);
        }
      }

      return { ...fault };
    }

    return undefined;
  }
}
