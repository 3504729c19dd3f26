import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evalapInfra, ROOT } from '../support/cli.ts';

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
