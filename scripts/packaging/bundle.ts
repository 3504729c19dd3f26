import {
  copyFile,
  mkdir,
  readdir,
  readFile,
  writeFile,
} from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { BundleExportError, PackagingError } from './errors.ts';
import type { PackagedFunction } from './serverless-config.ts';

/** Lets bundled CommonJS dependencies `require` Node built-ins in ESM. */
const REQUIRE_SHIM =
  "import { createRequire as __evalapCreateRequire } from 'node:module';\n" +
  'const require = __evalapCreateRequire(import.meta.url);';

/** What one bundle holds and weighs. */
export interface BundleReport {
  readonly name: string;
  readonly handler: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** npm packages bundled in, e.g. `@scaleway/sdk-secret`. */
  readonly packages: readonly string[];
}

/** Options of {@link bundleFunction}. */
export interface BundleOptions {
  /** The repository root. */
  readonly root: string;
  /** Output folder; the bundle goes to `<outDir>/<file>/handler.js`. */
  readonly outDir: string;
  /** Entry point, relative to root. Default: the function's source. */
  readonly entry?: string;
}

/**
 * Bundles one function with esbuild into a single minified ESM file for
 * Node 20 holding only what it imports, and checks that the file exports
 * what the handler names.
 *
 * @throws BundleExportError when the export is missing.
 */
export async function bundleFunction(
  fn: PackagedFunction,
  options: BundleOptions,
): Promise<BundleReport> {
  const outfile = join(options.outDir, relative('dist', fn.bundle));
  const result = await build({
    entryPoints: [join(options.root, options.entry ?? fn.source)],
    outfile,
    bundle: true,
    platform: 'node',
    // ESM builds first (the AWS SDK ships both): esbuild can drop what
    // a function never imports from them, not from the CommonJS ones.
    mainFields: ['module', 'main'],
    target: 'node20',
    format: 'esm',
    minify: true,
    keepNames: true,
    legalComments: 'none',
    banner: { js: REQUIRE_SHIM },
    metafile: true,
    logLevel: 'error',
  });

  const output = outputOf(result.metafile, outfile);
  if (!output.exports.includes(fn.exportName)) {
    throw new BundleExportError(fn, fn.exportName);
  }
  const code = await readFile(outfile);

  return {
    name: fn.name,
    handler: fn.handler,
    bytes: code.byteLength,
    gzipBytes: gzipSync(code).byteLength,
    packages: packagesOf(result.metafile),
  };
}

/**
 * Writes what every bundle needs at run time next to the bundles: a
 * `package.json` making `.js` ESM, and the stack files the functions read
 * (`stacks/<environment>.yaml`).
 */
export async function writeRuntimeFiles(
  root: string,
  outDir: string,
): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(
    join(outDir, 'package.json'),
    `${JSON.stringify({ type: 'module' }, null, 2)}\n`,
  );

  const stacksDir = join(root, 'stacks');
  const files = await readdir(stacksDir).catch(() => [] as string[]);
  const stacks = files.filter((file) => /\.ya?ml$/.test(file));
  if (stacks.length === 0) return;

  await mkdir(join(outDir, 'stacks'), { recursive: true });
  for (const file of stacks) {
    await copyFile(join(stacksDir, file), join(outDir, 'stacks', file));
  }
}

function outputOf(metafile: Metafile, outfile: string) {
  const key = relative(process.cwd(), outfile);
  const output = metafile.outputs[key];
  if (output === undefined) throw new PackagingError(`esbuild wrote no ${key}`);

  return output;
}

function packagesOf(metafile: Metafile): string[] {
  const names = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match?.[1] !== undefined) names.add(match[1]);
  }

  return [...names].sort();
}
