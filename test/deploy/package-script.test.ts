import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliRun, ROOT } from '../support/cli.ts';

/**
 * `npm run package -- <args>` as a user runs it, with every proxy
 * variable pointing at a closed port: a tool that tried the network
 * through them would fail.
 */
function npmRunPackage(...args: string[]): Promise<CliRun> {
  const offline = 'http://127.0.0.1:9';
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'package', '--', ...args],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          HTTP_PROXY: offline,
          HTTPS_PROXY: offline,
          npm_config_offline: 'true',
        },
      },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

interface Manifest {
  stage: string;
  functions: { name: string; bytes: number }[];
  zip: { bytes: number; files: number } | null;
}

describe('npm run package', () => {
  it('builds the production artefact and its manifest', async () => {
    // no manifest of an earlier run can pass for this one
    await rm(join(ROOT, 'dist', 'manifest.json'), { force: true });

    const run = await npmRunPackage('--stage', 'production');

    expect(run.code, run.stderr).toBe(0);
    const manifest = JSON.parse(
      await readFile(join(ROOT, 'dist', 'manifest.json'), 'utf8'),
    ) as Manifest;
    expect(manifest.stage).toBe('production');
    expect(manifest.functions.map((fn) => fn.name).sort()).toEqual([
      'check-drift',
      'provision',
      'rotate-secrets',
      'ship-audit-logs',
    ]);
    for (const fn of manifest.functions) {
      expect(fn.bytes, fn.name).toBeLessThan(2 * 1024 * 1024);
    }
    expect(manifest.zip?.files).toBeGreaterThanOrEqual(4);
  }, 120_000);

  it('refuses an unknown stage with exit 2, naming the option', async () => {
    const run = await npmRunPackage('--stage', 'prod');

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^--stage: /m);
  });
});
