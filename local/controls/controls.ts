import { PlatformClock } from './clock.ts';
import { RequestCounters } from './counters.ts';
import { FaultInjector } from './faults.ts';
import { LatencyInjector } from './latency.ts';

/** Options of `PlatformControls`. */
export interface PlatformControlsOptions {
  /** The clock to share. Default: a new `PlatformClock`. */
  clock?: PlatformClock;
  /** Random source for fault `rate`s, in [0, 1). Default: Math.random. */
  random?: () => number;
}

/**
 * The test and benchmark controls of the local platform: the movable
 * clock, request counters, latency and fault injection. Tests in the same
 * process use this object; others use the `/_local/...` HTTP endpoints.
 *
 * @example
 * api.controls.faults.add({ route: 'GET /iam/*', kind: 'throttle',
 *   count: 2 });
 * api.controls.latency.set({ ms: 20 });
 * expect(api.controls.counters.count(
 *   'GET /secret-manager/v1beta1/regions/{region}/secrets')).toBe(1);
 */
export class PlatformControls {
  readonly clock: PlatformClock;
  readonly counters = new RequestCounters();
  readonly faults: FaultInjector;
  readonly latency = new LatencyInjector();

  constructor(options: PlatformControlsOptions = {}) {
    this.clock = options.clock ?? new PlatformClock();
    this.faults = new FaultInjector(options.random);
  }

  /** Clears counters, faults and latency (the clock keeps its time). */
  reset(): void {
    this.counters.reset();
    this.faults.clear();
    this.latency.clear();
  }
}
