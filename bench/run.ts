/**
 * Runs every benchmark of bench/ in turn (`npm run bench`) and writes
 * each one's markdown section into docs/performance.md, replacing the
 * section with the same `## ` heading and keeping the others.
 *
 * A benchmark is a bench/*.ts file that prints its section, starting
 * with a `## ` heading, on stdout. Arguments after `--` are passed to
 * every benchmark (e.g. `npm run bench -- --quick`); `--only name` runs
 * one.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOC = join(ROOT, 'docs', 'performance.md');
const TITLE = '# Performance\n\nMeasured by `npm run bench` (bench/run.ts).\n';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const onlyIndex = args.indexOf('--only');
  const only = onlyIndex >= 0 ? args[onlyIndex + 1] : undefined;
  const passed = onlyIndex >= 0 ? args.toSpliced(onlyIndex, 2) : args;

  const benches = (await readdir(join(ROOT, 'bench')))
    .filter((file) => file.endsWith('.ts') && file !== 'run.ts')
    .filter((file) => only === undefined || file === `${only}.ts`)
    .sort();

  let failed = 0;
  for (const file of benches) {
    process.stderr.write(`bench: ${file}\n`);
    const { code, stdout } = await runBench(join('bench', file), passed);
    const section = sectionOf(stdout);
    if (code !== 0 || section === undefined) {
      process.stderr.write(`bench: ${file} failed (exit ${code})\n`);
      failed += 1;
      continue;
    }
    await writeSection(section);
    process.stdout.write(`${section}\n`);
  }

  return failed === 0 ? 0 : 1;
}

function runBench(
  file: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });

  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout }));
  });
}

/** The text from the first `## ` heading on, or undefined. */
function sectionOf(stdout: string): string | undefined {
  const start = stdout.search(/^## /m);
  if (start < 0) return undefined;

  return `${stdout.slice(start).trimEnd()}\n`;
}

async function writeSection(section: string): Promise<void> {
  const heading = section.split('\n', 1)[0] ?? '';
  const doc = await readFile(DOC, 'utf8').catch(() => TITLE);
  const lines = doc.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) {
    await writeFile(DOC, `${doc.trimEnd()}\n\n${section}`);
    return;
  }

  const next = lines.findIndex(
    (line, i) => i > start && line.startsWith('## '),
  );
  const end = next < 0 ? lines.length : next;
  const before = lines.slice(0, start).join('\n');
  const after = lines.slice(end).join('\n');
  const parts = [before.trimEnd(), section.trimEnd(), after.trim()];
  await writeFile(DOC, `${parts.filter((part) => part !== '').join('\n\n')}\n`);
}

process.exitCode = await main();
