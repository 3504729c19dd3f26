import yauzl from 'yauzl';
import { ArtefactError } from './errors.ts';
import type { PackagedFunction } from './serverless-config.ts';

/** A file of a zip, as its central directory lists it. */
export interface ZipEntry {
  readonly name: string;
  readonly bytes: number;
  readonly compressedBytes: number;
}

/** Lists the files of a zip (directories left out). */
export async function listZip(file: string): Promise<ZipEntry[]> {
  const zip = await yauzl.openPromise(file, { lazyEntries: true });

  return new Promise((resolve, reject) => {
    const entries: ZipEntry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      if (!entry.fileName.endsWith('/')) {
        entries.push({
          name: entry.fileName,
          bytes: entry.uncompressedSize,
          compressedBytes: entry.compressedSize,
        });
      }
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', reject);
    zip.readEntry();
  });
}

/**
 * Checks the service zip: every declared handler's bundle is in it, and
 * nothing outside `dist/` is (no sources, no node_modules, no dotfiles).
 *
 * @throws ArtefactError listing every problem.
 */
export function assertArtefact(
  zip: string,
  entries: readonly ZipEntry[],
  functions: readonly PackagedFunction[],
): void {
  const names = new Set(entries.map((entry) => entry.name));
  const problems = [
    ...functions
      .filter((fn) => !names.has(fn.bundle))
      .map((fn) => `function ${fn.name}: ${fn.bundle} is not in the zip`),
    ...entries
      .filter((entry) => !entry.name.startsWith('dist/'))
      .map((entry) => `${entry.name} should not be shipped`),
  ];
  if (problems.length > 0) throw new ArtefactError(zip, problems);
}
