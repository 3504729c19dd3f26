import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The plugin's CRON check (serverless-scaleway-functions 0.5.0,
 * shared/validate.js), stricter than the platform's.
 */
export const PLUGIN_CRON = /^((((\d+,)+\d+|(\d+(\/|-)\d+)|\d+|\*) ?){5,7})$/;

/** A fresh folder under os.tmpdir(), removed by the returned cleanup. */
export async function tempDir(
  prefix: string,
): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));

  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
