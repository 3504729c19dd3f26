import { z } from 'zod';
import type { PlatformControls } from '../../controls/controls.ts';
import { FaultSpecSchema } from '../../controls/faults.ts';
import { LatencySpecSchema } from '../../controls/latency.ts';
import { ResourceNotFoundError } from './errors.ts';
import { noContent, ok, Router } from './router.ts';
import { parseBody } from './validation.ts';
import { pathParam } from './wire.ts';

const MS_PER = {
  ms: 1,
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
} as const;

const ClockAdvanceSchema = z
  .strictObject({
    ms: z.number().min(0).optional(),
    seconds: z.number().min(0).optional(),
    minutes: z.number().min(0).optional(),
    hours: z.number().min(0).optional(),
    days: z.number().min(0).optional(),
  })
  .refine((value) => Object.keys(value).length > 0, {
    message: 'give at least one of ms, seconds, minutes, hours, days',
  });

/**
 * The control endpoints, bodies in camelCase (our own API, not Scaleway's):
 * - `GET /_local/routes`: every API route key;
 * - `GET /_local/counters`, `POST /_local/counters/reset`;
 * - `GET|POST|DELETE /_local/faults`, `DELETE /_local/faults/{fault_id}`;
 * - `GET|POST|DELETE /_local/latency`;
 * - `GET /_local/clock`, `POST /_local/clock/advance`
 *   `{ms?, seconds?, minutes?, hours?, days?}` (summed);
 * - `POST /_local/reset`: clears counters, faults and latency.
 */
export function controlRouter(
  controls: PlatformControls,
  apiRoutes: () => string[],
): Router {
  const router = new Router();
  const clockState = () => ({
    now: controls.clock.now().toISOString(),
    offsetMs: controls.clock.offsetMs,
  });

  router.get('/_local/routes', () => ok({ routes: apiRoutes() }));

  router.get('/_local/counters', () => ok(controls.counters.snapshot()));
  router.post('/_local/counters/reset', () => {
    controls.counters.reset();
    return ok(controls.counters.snapshot());
  });

  router.get('/_local/faults', () => ok({ faults: controls.faults.list() }));
  router.post('/_local/faults', (request) =>
    ok(controls.faults.add(parseBody(FaultSpecSchema, request.body))),
  );
  router.delete('/_local/faults', () => {
    controls.faults.clear();
    return noContent();
  });
  router.delete('/_local/faults/{fault_id}', (request) => {
    const id = pathParam(request.params, 'fault_id');
    if (!controls.faults.remove(id)) {
      throw new ResourceNotFoundError('fault', id);
    }
    return noContent();
  });

  router.get('/_local/latency', () => ok({ latency: controls.latency.list() }));
  router.post('/_local/latency', (request) => {
    controls.latency.set(parseBody(LatencySpecSchema, request.body));
    return ok({ latency: controls.latency.list() });
  });
  router.delete('/_local/latency', () => {
    controls.latency.clear();
    return noContent();
  });

  router.get('/_local/clock', () => ok(clockState()));
  router.post('/_local/clock/advance', (request) => {
    const advance = parseBody(ClockAdvanceSchema, request.body);
    let total = 0;
    for (const [unit, amount] of Object.entries(advance)) {
      total += (amount ?? 0) * MS_PER[unit as keyof typeof MS_PER];
    }
    controls.clock.advance(total);
    return ok(clockState());
  });

  router.post('/_local/reset', () => {
    controls.reset();
    return noContent();
  });

  return router;
}
