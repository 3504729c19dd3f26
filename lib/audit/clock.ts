/**
 * Where the audit code reads the time. The local platform's PlatformClock
 * fits this shape, so tests can move time forward.
 */
export interface AuditClock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: AuditClock = { now: () => new Date() };

/** The start of the UTC hour that contains `time`. */
export function startOfHour(time: Date): Date {
  const hour = new Date(time.getTime());
  hour.setUTCMinutes(0, 0, 0);

  return hour;
}

/** One hour in milliseconds. */
export const HOUR_MS = 3_600_000;

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;
