import { z } from 'zod';

/** How Object Storage misbehaves while a fault is active. */
export type StorageFaultMode = 'unavailable' | 'drop';

/** A fault to inject: which mode, for how long (wall-clock ms). */
export const storageFaultSchema = z.strictObject({
  /** `unavailable`: every S3/SQS call gets 503; `drop`: sockets closed. */
  mode: z.enum(['unavailable', 'drop']),
  /** How long the fault lasts, in ms; absent: until cleared. */
  durationMs: z.number().int().positive().optional(),
});

/** The input of {@link StorageFaults.inject}. */
export type StorageFault = z.infer<typeof storageFaultSchema>;

/**
 * The fault switch of the local Object Storage and queues ("Object
 * Storage unavailable for a while"). Durations run on the wall clock, so
 * a fault ends by itself even if a test moves the platform clock.
 */
export class StorageFaults {
  #mode: StorageFaultMode | undefined;
  #until = Number.POSITIVE_INFINITY;

  /** Starts a fault; replaces any fault already active. */
  inject(fault: StorageFault): void {
    this.#mode = fault.mode;
    this.#until =
      fault.durationMs === undefined
        ? Number.POSITIVE_INFINITY
        : Date.now() + fault.durationMs;
  }

  /** Ends the active fault, if any. */
  clear(): void {
    this.#mode = undefined;
  }

  /** The mode in force now, or undefined. */
  active(): StorageFaultMode | undefined {
    if (this.#mode !== undefined && Date.now() >= this.#until) {
      this.#mode = undefined;
    }

    return this.#mode;
  }
}
