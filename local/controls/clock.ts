/**
 * The local platform's clock. Every part of the platform (API timestamps,
 * lifecycle expiration, object lock, version ages) reads time from one
 * instance, so a test can move it forward and see 90 days pass in a second.
 */
export class PlatformClock {
  #offsetMs = 0;

  /** The platform's current time: the wall clock plus the offset. */
  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  /** Moves the clock forward by `ms` milliseconds (never backward). */
  advance(ms: number): Date {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new RangeError('clock can only move forward');
    }

    this.#offsetMs += ms;

    return this.now();
  }

  /** How far the clock is ahead of the wall clock, in milliseconds. */
  get offsetMs(): number {
    return this.#offsetMs;
  }
}
