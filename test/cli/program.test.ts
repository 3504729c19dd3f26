import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the installed bin, as `npx evalap-infra …` does. */
function evalapInfra(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/evalap-infra.js', ...args],
      { cwd: ROOT },
      (error, stdout, stderr) => {
        const code = error ? Number(error.code ?? 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe.concurrent('evalap-infra', () => {
  it("prints the package's version with --version", async () => {
    const manifest = JSON.parse(
      await readFile(join(ROOT, 'package.json'), 'utf8'),
    ) as { version: string };

    const run = await evalapInfra('--version');

    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(manifest.version);
  });

  it('refuses an unknown environment with the choices (exit 2)', async () => {
    const run = await evalapInfra('audit', 'verify', '--env', 'nosuch');

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /'nosuch' is invalid\. Allowed choices are dev, staging, production/,
    );
  });
});
