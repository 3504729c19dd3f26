import type { Config } from '../config/index.ts';
import type { CommandIo } from './output.ts';

/**
 * The clock a command runs on: the wall clock, or on the local platform
 * its clock, which tests and rehearsals move forward (`POST
 * /_local/clock/advance`), so that due dates, report times and audit
 * times agree with what the platform shows. When the platform answers
 * but its clock cannot be read, says so on stderr and uses the wall
 * clock.
 *
 * @example
 * const now = await commandClock(config, io);
 * now().toISOString() // the platform's time
 */
export async function commandClock(
  config: Config,
  io: Pick<CommandIo, 'err'>,
): Promise<() => Date> {
  let offsetMs = 0;
  if (config.usingLocalPlatform) {
    try {
      offsetMs = await localClockOffset(config.scaleway.apiUrl);
    } catch (error) {
      // Nothing listening: the command's first call says so, with a hint.
      if (error instanceof TypeError) return () => new Date();
      const reason = error instanceof Error ? error.message : 'unknown';
      io.err(
        `could not read the local platform's clock (${reason}); ` +
          'using the wall clock',
      );
    }
  }

  return () => new Date(Date.now() + offsetMs);
}

/** The local platform clock's lead over the wall clock. */
async function localClockOffset(apiUrl: string): Promise<number> {
  const response = await fetch(`${apiUrl}/_local/clock`);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const clock = (await response.json()) as { offsetMs?: unknown };

  return typeof clock.offsetMs === 'number' ? clock.offsetMs : 0;
}
