import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { extractZip } from '../../scripts/packaging/artefact.ts';
import {
  type PackageReport,
  packageService,
} from '../../scripts/packaging/package-service.ts';
import { ROOT, tempDir } from './support.ts';

/** The size target of one bundle. */
const MAX_BUNDLE_BYTES = 2 * 1024 * 1024;

let service: Awaited<ReturnType<typeof tempDir>>;
let report: PackageReport;

beforeAll(async () => {
  service = await tempDir('evalap-package-');
  report = await packageService({
    root: ROOT,
    serviceDir: service.path,
    stage: 'production',
  });
}, 180_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await service?.remove();
});

describe('npm run package -- --stage production', () => {
  it('builds one zip holding every handler serverless.yml names', () => {
    const names = report.zip?.entries.map((entry) => entry.name) ?? [];

    for (const fn of report.functions) expect(names).toContain(fn.bundle);
    expect(report.zip?.path).toMatch(/evalap-infra-production\.zip$/);
  });

  it('ships only dist/: no sources, node_modules or config', () => {
    const names = report.zip?.entries.map((entry) => entry.name) ?? [];

    expect(names.filter((name) => !name.startsWith('dist/'))).toEqual([]);
    expect(names).toContain('dist/package.json');
    expect(names).toContain('dist/stacks/production.yaml');
  });

  it.each(['provision', 'rotate-secrets', 'check-drift', 'ship-audit-logs'])(
    '%s: a bundle under 2 MB with per-product SDK packages',
    (name) => {
      const bundle = report.bundles.find((b) => b.name === name);

      expect(bundle?.bytes).toBeGreaterThan(0);
      expect(bundle?.bytes).toBeLessThan(MAX_BUNDLE_BYTES);
      expect(bundle?.packages).not.toContain('@scaleway/sdk');
    },
  );

  it('exports the handler from each bundle extracted from the zip', async () => {
    const dir = join(service.path, 'extracted');
    await extractZip(report.zip?.path ?? '', dir);
    vi.stubEnv('EVALAP_FUNCTION_TOKEN', 'a-token-for-the-import-test');

    for (const fn of report.functions) {
      const module = (await import(join(dir, fn.bundle))) as Record<
        string,
        unknown
      >;
      expect(typeof module[fn.exportName], fn.name).toBe('function');
    }
  });

  it('writes no deploy-time value into the zip', async () => {
    const dir = join(service.path, 'scan');
    const files = await extractZip(report.zip?.path ?? '', dir);

    for (const file of files) {
      const text = await readFile(join(dir, file), 'utf8');
      expect(text).not.toContain('unset-at-package-time');
    }
  });
});
