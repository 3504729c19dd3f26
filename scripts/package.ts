/**
 * Bundles each file of functions/ with esbuild into
 * dist/<name>/handler.js (ESM, Node 20, one file holding only what it
 * imports), copies the stack files the functions read, checks that every
 * bundle exports `handle`, and prints the sizes.
 *
 * Usage: npm run package [-- --stage production] [--out dist]
 * The serverless.yml handler of a function is `dist/<name>/handler.handle`.
 */
import {
  copyFile,
  mkdir,
  readdir,
  readFile,
  rm,
  writeFile,
} from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { z } from 'zod';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const HANDLER_EXPORT = 'handle';

/** Lets bundled CommonJS dependencies `require` Node built-ins in ESM. */
const REQUIRE_SHIM =
  "import { createRequire as __evalapCreateRequire } from 'node:module';\n" +
  'const require = __evalapCreateRequire(import.meta.url);';

const argsSchema = z.strictObject({
  stage: z.enum(['dev', 'staging', 'production']).default('dev'),
  out: z.string().min(1).default('dist'),
});

interface Bundle {
  readonly name: string;
  readonly handler: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { stage: { type: 'string' }, out: { type: 'string' } },
    strict: true,
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      process.stderr.write(`--${issue.path.join('.')}: ${issue.message}\n`);
    }
    process.exit(2);
  }
  const { stage, out } = parsed.data;
  const outDir = resolve(ROOT, out);

  const names = await functionNames();
  if (names.length === 0) throw new Error('no function in functions/');

  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const bundles: Bundle[] = [];
  for (const name of names) bundles.push(await bundle(name, outDir));

  await writeFile(
    join(outDir, 'package.json'),
    `${JSON.stringify({ type: 'module' }, null, 2)}\n`,
  );
  await copyStacks(outDir);
  await writeFile(
    join(outDir, 'manifest.json'),
    `${JSON.stringify({ stage, functions: bundles }, null, 2)}\n`,
  );

  process.stdout.write(report(stage, bundles));
}

async function functionNames(): Promise<string[]> {
  const files = await readdir(join(ROOT, 'functions'));

  return files
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .map((file) => basename(file, '.ts'))
    .sort();
}

async function bundle(name: string, outDir: string): Promise<Bundle> {
  const outfile = join(outDir, name, 'handler.js');
  const result = await build({
    entryPoints: [join(ROOT, 'functions', `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
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
  if (!output.exports.includes(HANDLER_EXPORT)) {
    throw new Error(`functions/${name}.ts does not export ${HANDLER_EXPORT}`);
  }
  const code = await readFile(outfile);

  return {
    name,
    handler: `${relative(ROOT, outfile).replace(/\.js$/, '')}.${HANDLER_EXPORT}`,
    bytes: code.byteLength,
    gzipBytes: gzipSync(code).byteLength,
  };
}

function outputOf(metafile: Metafile, outfile: string) {
  const key = relative(process.cwd(), outfile);
  const output = metafile.outputs[key];
  if (output === undefined) throw new Error(`esbuild wrote no ${key}`);

  return output;
}

async function copyStacks(outDir: string): Promise<void> {
  const stacksDir = join(ROOT, 'stacks');
  const files = await readdir(stacksDir).catch(() => [] as string[]);
  const stacks = files.filter((file) => /\.ya?ml$/.test(file));
  if (stacks.length === 0) return;

  await mkdir(join(outDir, 'stacks'), { recursive: true });
  for (const file of stacks) {
    await copyFile(join(stacksDir, file), join(outDir, 'stacks', file));
  }
}

function report(stage: string, bundles: readonly Bundle[]): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const rows = bundles.map(
    (b) =>
      `  ${b.name.padEnd(18)} ${kib(b.bytes).padStart(11)} ` +
      `${kib(b.gzipBytes).padStart(11)}  ${b.handler}`,
  );

  return [
    `Packaged ${bundles.length} function(s) for stage ${stage}`,
    `  ${'function'.padEnd(18)} ${'size'.padStart(11)} ${'gzip'.padStart(11)}  handler`,
    ...rows,
  ]
    .join('\n')
    .concat('\n');
}

await main();
