import { Cron } from 'croner';
import type { PlatformClock } from '../controls/clock.ts';

/** One CRON trigger of a function. */
export interface CronTrigger {
  functionName: string;
  schedule: string;
  /** The JSON body POSTed to `/` (the trigger's `input`). */
  input: Record<string, unknown>;
}

/** Sends a CRON trigger's body to its function. */
export type CronInvoke = (trigger: CronTrigger) => Promise<void>;

const TICK_MS = 1_000;

/**
 * Fires CRON triggers (5 fields, UTC) on the platform clock: each tick
 * compares the clock to the next run time, so moving the clock past a run
 * fires it once (missed runs are not replayed, as a platform that was
 * down would not replay them).
 */
export class CronScheduler {
  readonly #entries: { trigger: CronTrigger; cron: Cron; next?: Date }[];
  readonly #clock: PlatformClock;
  readonly #invoke: CronInvoke;
  readonly #timer: NodeJS.Timeout;

  constructor(
    triggers: readonly CronTrigger[],
    clock: PlatformClock,
    invoke: CronInvoke,
  ) {
    this.#clock = clock;
    this.#invoke = invoke;
    this.#entries = triggers.map((trigger) => {
      const cron = new Cron(trigger.schedule, {
        timezone: 'UTC',
        paused: true,
      });
      const next = cron.nextRun(clock.now()) ?? undefined;

      return next ? { trigger, cron, next } : { trigger, cron };
    });
    this.#timer = setInterval(() => this.tick(), TICK_MS);
    this.#timer.unref();
  }

  /** Fires every trigger whose next run is due; returns how many. */
  tick(): number {
    const now = this.#clock.now();
    let fired = 0;

    for (const entry of this.#entries) {
      if (!entry.next || entry.next.getTime() > now.getTime()) {
        continue;
      }
      const next = entry.cron.nextRun(now);
      if (next) {
        entry.next = next;
      } else {
        delete entry.next;
      }
      void this.#invoke(entry.trigger);
      fired += 1;
    }

    return fired;
  }

  /** The next run of each trigger, on the platform clock. */
  nextRuns(): { functionName: string; next: Date | undefined }[] {
    return this.#entries.map((entry) => ({
      functionName: entry.trigger.functionName,
      next: entry.next,
    }));
  }

  stop(): void {
    clearInterval(this.#timer);
    for (const entry of this.#entries) {
      entry.cron.stop();
    }
  }
}
