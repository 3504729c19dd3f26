import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';
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

/**
 * Extracts a zip (from a file or a buffer) into `dir`, refusing entries
 * that would land outside it. Returns the extracted file names.
 */
export async function extractZip(
  source: string | Buffer,
  dir: string,
): Promise<string[]> {
  const zip =
    typeof source === 'string'
      ? await yauzl.openPromise(source, { lazyEntries: true })
      : await yauzl.fromBufferPromise(source, { lazyEntries: true });
  const names: string[] = [];

  await new Promise<void>((resolve, reject) => {
    zip.on('entry', (entry: yauzl.Entry) => {
      extractEntry(zip, entry, dir)
        .then((name) => {
          if (name !== undefined) names.push(name);
          zip.readEntry();
        })
        .catch(reject);
    });
    zip.once('end', () => resolve());
    zip.once('error', reject);
    zip.readEntry();
  });

  return names;
}

async function extractEntry(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  dir: string,
): Promise<string | undefined> {
  const name = normalize(entry.fileName);
  if (name.startsWith('..') || name.startsWith('/')) {
    throw new ArtefactError(entry.fileName, ['escapes the target folder']);
  }
  if (entry.fileName.endsWith('/')) return undefined;

  const target = join(dir, name);
  await mkdir(dirname(target), { recursive: true });
  await pipeline(
    await zip.openReadStreamPromise(entry),
    createWriteStream(target),
  );

  return entry.fileName;
}
