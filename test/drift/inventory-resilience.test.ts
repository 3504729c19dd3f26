import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkDrift } from '../../lib/drift/index.ts';
import type { InventoryApis } from '../../lib/inventory/index.ts';
import type { Stack } from '../../lib/stack/index.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import {
  type AppliedIds,
  applyForTest,
  type DriftPlatform,
  driftStack,
  startDriftPlatform,
} from './fixture.ts';

const FAST_RETRY = { retries: 3, minDelayMs: 1, maxDelayMs: 5 };

/** The SDK clients, and the most of their calls ever awaited at once. */
interface InFlightProbe {
  readonly apis: InventoryApis;
  readonly maxInFlight: () => number;
}

/**
 * Wraps every method of the SDK clients (each call is one HTTP request)
 * to count the calls started and not yet settled.
 */
function probeInFlight(apis: InventoryApis): InFlightProbe {
  let inFlight = 0;
  let max = 0;
  const wrap = <T extends object>(api: T): T =>
    new Proxy(api, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;

        return (...args: unknown[]) => {
          inFlight += 1;
          max = Math.max(max, inFlight);
          return Promise.resolve(value.apply(target, args)).finally(() => {
            inFlight -= 1;
          });
        };
      },
    });

  return {
    apis: {
      secret: wrap(apis.secret),
      iam: wrap(apis.iam),
      vpc: wrap(apis.vpc),
      rdb: wrap(apis.rdb),
      container: wrap(apis.container),
    },
    maxInFlight: () => max,
  };
}

describe('checkDrift inventory on a slow or failing platform', () => {
  let platform: DriftPlatform;
  let stack: Stack;
  let ids: AppliedIds;

  beforeAll(async () => {
    platform = await startDriftPlatform();
    stack = driftStack();
    ids = await applyForTest(platform.local, stack);
  });

  afterAll(() => platform.close());

  beforeEach(() => {
    platform.controls.reset();
  });

  describe('bounded concurrency', () => {
    it.each([
      { case: 'the default limit', concurrency: undefined, limit: 4 },
      { case: 'a limit of 2', concurrency: 2, limit: 2 },
    ])('keeps at most $limit requests in flight with $case', async (row) => {
      platform.controls.latency.set({ route: 'GET *', ms: 40 });
      const probe = probeInFlight(platform.local);

      const report = await checkDrift({
        stack,
        apis: probe.apis,
        organizationId: LOCAL_DEFAULTS.organizationId,
        secretEnv: ids.secretEnv,
        retry: FAST_RETRY,
        ...(row.concurrency === undefined
          ? {}
          : { concurrency: row.concurrency }),
      });

      expect(report.status).toBe('clean');
      expect(probe.maxInFlight()).toBeLessThanOrEqual(row.limit);
      expect(probe.maxInFlight()).toBeGreaterThan(1);
    });
  });

  describe('backoff on 5xx', () => {
    it.each([
      {
        case: 'two 503s on private networks',
        type: 'private-network' as const,
        route: 'GET /vpc/v2/regions/{region}/private-networks',
        status: 503,
        failures: 2,
        listed: 1,
      },
      {
        case: 'one 502 on secrets',
        type: 'secret' as const,
        route: 'GET /secret-manager/v1beta1/regions/{region}/secrets',
        status: 502,
        failures: 1,
        listed: 2,
      },
      {
        case: 'three 503s (every retry) on databases',
        type: 'database' as const,
        route: 'GET /rdb/v1/regions/{region}/instances',
        status: 503,
        failures: 3,
        listed: 1,
      },
    ])('lists the type after $case, then success', async (row) => {
      platform.controls.faults.add({
        route: row.route,
        kind: 'error',
        status: row.status,
        count: row.failures,
      });

      const report = await checkDrift({
        stack,
        apis: platform.local,
        organizationId: LOCAL_DEFAULTS.organizationId,
        secretEnv: ids.secretEnv,
        retry: FAST_RETRY,
      });
      const calls = platform.controls.counters.count(row.route);

      expect(report.types[row.type]).toEqual({
        status: 'listed',
        count: row.listed,
      });
      expect(report.status).toBe('clean');
      expect(report.findings).toEqual([]);
      expect(calls).toBe(row.failures + 1);
    });
  });
});
