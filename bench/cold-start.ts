/**
 * Benchmark: bundle size and cold start of each function (issue #8).
 *
 * For every function serverless.yml declares whose source exists, two
 * builds of the same handler are started 20 times each in a fresh Node
 * process, timing from the spawn to the handler's first answer (a GET /,
 * which every function answers without calling Scaleway):
 * - bundled: the deployed esbuild bundle (scripts/package.ts), per-product
 *   `@scaleway/sdk-*` packages, everything in one file;
 * - umbrella: the same code with its dependencies left in node_modules
 *   and every `@scaleway/sdk-*` import replaced by the umbrella
 *   `@scaleway/sdk`, i.e. what a zip with node_modules would run.
 * Prints a markdown section for docs/performance.md.
 *
 * Run: `npx tsx bench/cold-start.ts` (`--quick` or `--runs 5` for a quick
 * look).
 */
import { spawn } from 'node:child_process';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { arch, cpus, loadavg, platform } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { packageService } from '../scripts/packaging/package-service.ts';
import {
  type PackagedFunction,
  readServerlessFunctions,
} from '../scripts/packaging/serverless-config.ts';
import { tempDir } from '../test/deploy/support.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEFAULT_RUNS = 20;
const ANSWER = 'COLD-START-ANSWER ';

/** Per-product packages and the umbrella names they stand for. */
const PRODUCT_PACKAGES = [
  'container',
  'function',
  'iam',
  'rdb',
  'secret',
  'vpc',
].map((product) => `@scaleway/sdk-${product}`);

/** One build of one function, measured. */
export interface ColdStartRow {
  readonly name: string;
  readonly variant: 'bundled' | 'umbrella' | 'baseline';
  /** Bytes to ship: the bundle, or the entry plus @scaleway/ packages. */
  readonly bytes: number;
  readonly medianMs: number;
  readonly p90Ms: number;
  /** Median CPU time (user + system) of the process until its answer. */
  readonly cpuMs: number;
  readonly status: number;
}

/** Result of a run: the rows and the functions not yet written. */
export interface ColdStartResult {
  readonly runs: number;
  readonly rows: readonly ColdStartRow[];
  readonly missing: readonly string[];
}

/** The child: imports a build, calls its handler once, prints the answer. */
const CHILD = `
const mod = await import(process.argv[2]);
const event = {
  httpMethod: 'GET', path: '/', headers: {}, multiValueHeaders: null,
  queryStringParameters: null, multiValueQueryStringParameters: null,
  pathParameters: null, stageVariables: {}, requestContext: {},
  body: '', isBase64Encoded: false,
};
const context = { memoryLimitInMb: 256, functionName: 'bench', functionVersion: '' };
const answer = await mod[process.argv[3]](event, context, () => undefined);
const cpu = process.cpuUsage();
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write('${ANSWER}' + (answer?.statusCode ?? 200) + ' ' + cpuMs + '\\n');
process.exit(0);
`;

/** Builds both variants of every function and times them. */
export async function runColdStartBench(
  runs: number,
): Promise<ColdStartResult> {
  const all = await readServerlessFunctions(join(ROOT, 'serverless.yml'));
  const present = await existing(all);
  const work = await tempDir('evalap-cold-start-');
  try {
    const childFile = join(work.path, 'child.mjs');
    await writeFile(childFile, CHILD);
    const service = join(work.path, 'service');
    await import('node:fs/promises').then((fs) => fs.mkdir(service));
    const packaged = await packageService({
      root: ROOT,
      serviceDir: service,
      stage: 'production',
      bundlesOnly: true,
      only: present.map((fn) => fn.name),
    });
    const umbrellaBytes = await scalewayPackagesBytes();

    const emptyHandler = join(work.path, 'empty.mjs');
    await writeFile(emptyHandler, 'export const handle = () => ({});\n');
    const rows: ColdStartRow[] = [
      {
        name: '(empty handler)',
        variant: 'baseline',
        bytes: 0,
        ...(await timeStarts(childFile, emptyHandler, 'handle', runs)),
      },
    ];
    for (const fn of present) {
      const bundled = join(service, fn.bundle);
      const umbrella = await buildUmbrella(fn, service);
      const bundle = packaged.bundles.find((b) => b.name === fn.name);
      rows.push({
        name: fn.name,
        variant: 'bundled',
        bytes: bundle?.bytes ?? 0,
        ...(await timeStarts(childFile, bundled, fn.exportName, runs)),
      });
      rows.push({
        name: fn.name,
        variant: 'umbrella',
        bytes: (await stat(umbrella)).size + umbrellaBytes,
        ...(await timeStarts(childFile, umbrella, fn.exportName, runs)),
      });
    }

    return {
      runs,
      rows,
      missing: all.filter((fn) => !present.includes(fn)).map((f) => f.name),
    };
  } finally {
    await work.remove();
  }
}

async function existing(
  functions: readonly PackagedFunction[],
): Promise<PackagedFunction[]> {
  const found: PackagedFunction[] = [];
  for (const fn of functions) {
    const there = await stat(join(ROOT, fn.source)).then(
      () => true,
      () => false,
    );
    if (there) found.push(fn);
  }

  return found;
}

/** The same entry, dependencies external, SDK imports on the umbrella. */
async function buildUmbrella(
  fn: PackagedFunction,
  service: string,
): Promise<string> {
  const outfile = join(service, 'umbrella', `${fn.name}.mjs`);
  await build({
    entryPoints: [join(ROOT, fn.source)],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    alias: Object.fromEntries(
      PRODUCT_PACKAGES.map((name) => [name, '@scaleway/sdk']),
    ),
    logLevel: 'error',
  });

  return outfile;
}

/** Bytes of node_modules/@scaleway: what the umbrella variant ships. */
async function scalewayPackagesBytes(): Promise<number> {
  const dir = join(ROOT, 'node_modules', '@scaleway');
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  let bytes = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }

  return bytes;
}

async function timeStarts(
  childFile: string,
  module: string,
  exportName: string,
  runs: number,
): Promise<{ medianMs: number; p90Ms: number; cpuMs: number; status: number }> {
  const times: number[] = [];
  const cpu: number[] = [];
  let status = 0;
  for (let run = 0; run < runs; run += 1) {
    const start = await timeStart(childFile, module, exportName);
    times.push(start.ms);
    cpu.push(start.cpuMs);
    status = start.status;
  }
  times.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);

  return {
    medianMs: percentile(times, 0.5),
    p90Ms: percentile(times, 0.9),
    cpuMs: percentile(cpu, 0.5),
    status,
  };
}

/** Spawns one process and resolves at its first answer. */
function timeStart(
  childFile: string,
  module: string,
  exportName: string,
): Promise<{ ms: number; cpuMs: number; status: number }> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [childFile, pathToFileURL(module).href, exportName],
    {
      // No credentials: the configuration falls back to the local
      // platform's defaults and nothing is called at start.
      env: {
        PATH: process.env.PATH,
        EVALAP_LOG_LEVEL: 'silent',
        EVALAP_FUNCTION_TOKEN: 'cold-start-bench-token',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let errors = '';

  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const line = output.split('\n').find((l) => l.startsWith(ANSWER));
      if (line === undefined) return;
      const ms = performance.now() - started;
      child.kill();
      const [status = '0', cpuMs = 'NaN'] = line
        .slice(ANSWER.length)
        .split(' ');
      resolve({ ms, cpuMs: Number(cpuMs), status: Number(status) });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!output.includes(ANSWER)) {
        reject(new Error(`${module} exited ${code} unanswered:\n${errors}`));
      }
    });
  });
}

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);

  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** The markdown section of docs/performance.md for a run. */
export function coldStartMarkdown(result: ColdStartResult): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const missing =
    result.missing.length === 0
      ? []
      : [
          '',
          `Not measured (source not written yet): ${result.missing.join(', ')}.`,
        ];

  return [
    '## Bundles and cold start',
    '',
    'Reproduce: `npx tsx bench/cold-start.ts` (part of `npm run bench`).',
    `Machine: Node ${process.version}, ${cpu}, ${cpus().length} cores, ` +
      `${platform()} ${arch()}.`,
    '',
    `Time from spawning \`node\` to the handler's first answer (a GET /, ` +
      'answered without calling Scaleway), median and 90th percentile of ' +
      `${result.runs} runs. *bundled* is the deployed esbuild bundle ` +
      '(per-product `@scaleway/sdk-*`, one file); *umbrella* is the same ' +
      'handler with its dependencies loaded from node_modules and the ' +
      'umbrella `@scaleway/sdk` instead of the per-product packages. Size: ' +
      'the bundle, or for *umbrella* its entry plus node_modules/@scaleway. ' +
      'The *baseline* row is Node itself answering from an empty handler; ' +
      'the platform adds its own image pull and sandbox start on top.',
    '',
    `Load average at the end of the run: ${loadavg()[0]?.toFixed(1)} ` +
      '(wall times grow with it; CPU time, user + system of the process ' +
      'until its answer, much less).',
    '',
    '| Function | Build | Size | Median | p90 | CPU (median) | Answer |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...result.rows.map(
      (row) =>
        `| ${row.name} | ${row.variant} | ${kib(row.bytes)} | ` +
        `${ms(row.medianMs)} | ${ms(row.p90Ms)} | ${ms(row.cpuMs)} | ` +
        `${row.status} |`,
    ),
    ...missing,
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string' }, quick: { type: 'boolean' } },
    strict: false,
  });
  const quickRuns = values.quick === true ? '5' : undefined;
  const runs = Number(values.runs ?? quickRuns ?? DEFAULT_RUNS);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error('--runs must be a positive integer');
  }

  process.stdout.write(coldStartMarkdown(await runColdStartBench(runs)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await main();
}
