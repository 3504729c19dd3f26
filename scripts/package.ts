/**
 * Builds the deployable artefact offline: bundles each function that
 * serverless.yml declares with esbuild into dist/<file>/handler.js (ESM,
 * Node 20, one file holding only what it imports), copies the stack files
 * the functions read, runs `serverless package --stage <stage>` (osls 3)
 * and checks that the zip holds every handler. Writes dist/manifest.json
 * and prints the sizes.
 *
 * Usage: npm run package [-- --stage production] [--bundles-only]
 * Exit codes: 0 built, 1 packaging failed (e.g. a missing handler), 2 bad
 * arguments.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { PackagingError } from './packaging/errors.ts';
import {
  type PackageReport,
  packageService,
  STAGES,
} from './packaging/package-service.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const argsSchema = z.strictObject({
  stage: z.enum(STAGES).default('dev'),
  'bundles-only': z.boolean().default(false),
});

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      stage: { type: 'string' },
      'bundles-only': { type: 'boolean' },
    },
    strict: true,
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      process.stderr.write(`--${issue.path.join('.')}: ${issue.message}\n`);
    }
    return 2;
  }

  try {
    const report = await packageService({
      root: ROOT,
      stage: parsed.data.stage,
      bundlesOnly: parsed.data['bundles-only'],
    });
    await writeFile(
      join(ROOT, 'dist', 'manifest.json'),
      `${JSON.stringify(manifest(report), null, 2)}\n`,
    );
    process.stdout.write(summary(report));
  } catch (error) {
    if (!(error instanceof PackagingError)) throw error;

    process.stderr.write(`package: ${error.message}\n`);
    return 1;
  }

  return 0;
}

function manifest(report: PackageReport) {
  return {
    stage: report.stage,
    functions: report.bundles,
    zip:
      report.zip === undefined
        ? null
        : { bytes: report.zip.bytes, files: report.zip.entries.length },
  };
}

function summary(report: PackageReport): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const rows = report.bundles.map(
    (b) =>
      `  ${b.name.padEnd(18)} ${kib(b.bytes).padStart(11)} ` +
      `${kib(b.gzipBytes).padStart(11)}  ${b.handler}`,
  );
  const zip =
    report.zip === undefined
      ? '(bundles only: no serverless package)'
      : `${report.zip.path}: ${kib(report.zip.bytes)}, ` +
        `${report.zip.entries.length} files`;

  return [
    `Packaged ${report.bundles.length} function(s) for stage ${report.stage}`,
    `  ${'function'.padEnd(18)} ${'size'.padStart(11)} ` +
      `${'gzip'.padStart(11)}  handler`,
    ...rows,
    `  ${zip}`,
  ]
    .join('\n')
    .concat('\n');
}

process.exitCode = await main();
