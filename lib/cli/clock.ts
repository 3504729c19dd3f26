import type { Config } from '../config/index.ts';

/**
 * The clock a command runs on: the wall clock, or on the local platform
 * its clock, which tests and rehearsals move forward (`POST
 * /_local/clock/advance`), so that due dates, report times and audit
 * times agree with what the platform shows.
 *
 * @example
 * const now = await commandClock(config);
 * now().toISOString() // the platform's time
 */
export async function commandClock(config: Config): Promise<() => Date> {
  const offsetMs = config.usingLocalPlatform
    ? await localClockOffset(config.scaleway.apiUrl)
    : 0;

  return () => new Date(Date.now() + offsetMs);
}

/** The local platform clock's lead over the wall clock; 0 if unknown. */
async function localClockOffset(apiUrl: string): Promise<number> {
  try {
    const response = await fetch(`${apiUrl}/_local/clock`);
    const clock = (await response.json()) as { offsetMs?: number };
    return clock.offsetMs ?? 0;
  } catch {
    return 0;
  }
}
