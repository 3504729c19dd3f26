import { appendFile, mkdir, readdir, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';

import { type AuditClock, DAY_MS, systemClock } from '../clock.ts';
import { encodeAuditEvent } from '../event.ts';
import type { AuditSink } from '../sink.ts';

/** Options of the development file sink. */
export interface FileSinkOptions {
  /**
   * The stack's `audit.filePath`, e.g. `.audit/dev.jsonl`: events go to
   * one file per UTC day beside it, `.audit/dev-2026-12-04.jsonl`.
   */
  file: string;
  /** Days kept; older day files are deleted. Default: 7 (the guide's dev). */
  retentionDays?: number;
  /** Default: the wall clock. */
  clock?: AuditClock;
}

/** Where the day files of `file` live and how they are named. */
function dayFiles(file: string) {
  const extension = extname(file);
  const stem = basename(file, extension);

  return {
    directory: dirname(file),
    nameOf: (day: string) => `${stem}-${day}${extension}`,
    dayOf: (name: string) => {
      const prefix = `${stem}-`;
      if (!name.startsWith(prefix) || !name.endsWith(extension)) {
        return undefined;
      }
      const day = name.slice(prefix.length, name.length - extension.length);

      return /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : undefined;
    },
  };
}

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
  const files = dayFiles(options.file);
  const oldestKept = dayOf(
    new Date(clock.now().getTime() - retentionDays * DAY_MS),
  );

  const names = await readdir(files.directory).catch(() => []);
  const expired = names.filter((name) => {
    const day = files.dayOf(name);

    return day !== undefined && day < oldestKept;
  });

  for (const name of expired) {
    await rm(join(files.directory, name), { force: true });
  }

  return expired;
}

/**
 * Appends each event as one JSON line to the file of its UTC day, for
 * development where the guide keeps audit logs in a local file for 7
 * days. Day files older than the retention are pruned on the first write
 * of each day.
 *
 * @example
 * fileSink({ file: '.audit/dev.jsonl' })
 * // writes .audit/dev-2026-12-04.jsonl, .audit/dev-2026-12-05.jsonl, …
 */
export function fileSink(options: FileSinkOptions): AuditSink {
  const clock = options.clock ?? systemClock;
  const files = dayFiles(options.file);
  let prunedDay = '';

  return {
    name: 'file',
    write: async (event) => {
      const today = dayOf(clock.now());
      await mkdir(files.directory, { recursive: true });

      if (prunedDay !== today) {
        await pruneAuditFiles(options);
        prunedDay = today;
      }

      const day = event.timestamp.slice(0, 10);
      const file = join(files.directory, files.nameOf(day));
      await appendFile(file, `${encodeAuditEvent(event)}\n`, {
        mode: 0o600,
      });
    },
  };
}
