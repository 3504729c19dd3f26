import { appendFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { type AuditClock, DAY_MS, systemClock } from '../clock.ts';
import { encodeAuditEvent } from '../event.ts';
import type { AuditSink } from '../sink.ts';

/** Options of the development file sink. */
export interface FileSinkOptions {
  /** The folder that holds one `audit-YYYY-MM-DD.jsonl` file per UTC day. */
  directory: string;
  /** Days kept; older day files are deleted. Default: 7 (the guide's dev). */
  retentionDays?: number;
  /** Default: the wall clock. */
  clock?: AuditClock;
}

const DAY_FILE = /^audit-(\d{4}-\d{2}-\d{2})\.jsonl$/;

function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/**
 * Deletes the day files older than the retention and returns their names.
 * A day is kept while any moment of it is within the retention.
 */
export async function pruneAuditFiles(
  options: FileSinkOptions,
): Promise<string[]> {
  const clock = options.clock ?? systemClock;
  const retentionDays = options.retentionDays ?? 7;
  const oldestKept = dayOf(
    new Date(clock.now().getTime() - retentionDays * DAY_MS),
  );

  const names = await readdir(options.directory).catch(() => []);
  const expired = names.filter((name) => {
    const day = DAY_FILE.exec(name)?.[1];

    return day !== undefined && day < oldestKept;
  });

  for (const name of expired) {
    await rm(join(options.directory, name), { force: true });
  }

  return expired;
}

/**
 * Appends each event as one JSON line to the file of its UTC day, for
 * development where the guide keeps audit logs in a local file for 7
 * days. Day files older than the retention are pruned on the first write
 * of each day.
 */
export function fileSink(options: FileSinkOptions): AuditSink {
  const clock = options.clock ?? systemClock;
  let prunedDay = '';

  return {
    name: 'file',
    write: async (event) => {
      const today = dayOf(clock.now());
      await mkdir(options.directory, { recursive: true });

      if (prunedDay !== today) {
        await pruneAuditFiles(options);
        prunedDay = today;
      }

      const day = event.timestamp.slice(0, 10);
      const file = join(options.directory, `audit-${day}.jsonl`);
      await appendFile(file, `${encodeAuditEvent(event)}\n`, {
        mode: 0o600,
      });
    },
  };
}
