import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalapInfra, ROOT } from '../support/cli.ts';

describe.concurrent('evalap-infra validate', () => {
  let folder: string;
  let invalid: string;
  let warningsOnly: string;
  let notAStack: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'evalap-cli-'));
    const production = await readFile(
      join(ROOT, 'stacks/production.yaml'),
      'utf8',
    );

    invalid = join(folder, 'invalid.yaml');
    await writeFile(
      invalid,
      production
        .replace('cidr: 10.2.0.0/16', 'cidr: 8.8.8.0/24')
        .replace('retentionDays: 90\n', 'retentionDays: 30\n'),
    );

    warningsOnly = join(folder, 'warnings.yaml');
    await writeFile(
      warningsOnly,
      production.replace('highAvailability: true', 'highAvailability: false'),
    );

    notAStack = join(folder, 'not-a-stack.yaml');
    await writeFile(
      notAStack,
      production.replace('  name: evalap\n', '  name: evalap\n  owner: me\n'),
    );
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('accepts the three example stacks with exit 0', async () => {
    const run = await evalapInfra(
      'validate',
      'stacks/dev.yaml',
      'stacks/staging.yaml',
      'stacks/production.yaml',
    );

    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      'stacks/dev.yaml: valid, 0 errors, 0 warnings',
      'stacks/staging.yaml: valid, 0 errors, 0 warnings',
      'stacks/production.yaml: valid, 0 errors, 0 warnings',
    ]);
  });

  it('exits with the worst code of several files', async () => {
    const run = await evalapInfra(
      'validate',
      'stacks/dev.yaml',
      notAStack,
      invalid,
    );

    expect(run.code).toBe(2);
    expect(run.stdout).toContain('stacks/dev.yaml: valid');
    expect(run.stdout).toContain(`${invalid}: invalid`);
  });

  it('exits 1 and prints one line per finding', async () => {
    const run = await evalapInfra('validate', invalid);

    const lines = run.stdout.trim().split('\n');

    expect(run.code).toBe(1);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      /^error\s+network\.cidr-private\s+network\.privateNetwork\.cidr: /,
    );
    expect(lines[1]).toMatch(
      /^error\s+audit\.retention\s+audit\.retentionDays/,
    );
    expect(lines[2]).toContain('invalid, 2 errors, 0 warnings');
  });

  it('exits 0 when there are only warnings', async () => {
    const run = await evalapInfra('validate', warningsOnly);

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^warning\s+database\.high-availability/);
  });

  it('exits 2 for a file that is not a stack, with line and column', async () => {
    const run = await evalapInfra('validate', notAStack);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${notAStack}:9:3  project.owner: unknown key "owner"`,
    );
  });

  it.each([
    {
      $case: 'a tab-indented key',
      broken: '  sink: object-storage\n',
      replacement: '\tsink: object-storage\n',
      // the tab itself, at the start of its line
      lineOffset: 0,
      column: 1,
      message: 'Tabs are not allowed as indentation',
      name: 'tab.yaml',
    },
    {
      $case: 'an unclosed flow mapping',
      broken: '    lifecycle: { expirationDays: 90 }\n',
      replacement: '    lifecycle: { expirationDays: 90\n',
      // the parser notices the missing } where the next key starts
      lineOffset: 1,
      column: 5,
      message:
        'Flow map in block collection must be sufficiently indented and ' +
        'end with a }',
      name: 'unclosed.yaml',
    },
  ])(
    'exits 2 for bad YAML ($$case), naming the file and the line',
    async ({ broken, replacement, lineOffset, column, message, name }) => {
      const production = await readFile(
        join(ROOT, 'stacks/production.yaml'),
        'utf8',
      );
      const text = production.replace(broken, replacement);
      const line =
        text.slice(0, text.indexOf(replacement)).split('\n').length +
        lineOffset;
      const file = join(folder, name);
      await writeFile(file, text);

      const run = await evalapInfra('validate', file);

      expect(text).not.toBe(production);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`${file}:${line}:${column}  (root): `);
      expect(run.stderr).toContain(`not valid YAML: ${message}`);
    },
  );

  it('exits 2 for a missing file', async () => {
    const run = await evalapInfra('validate', join(folder, 'absent.yaml'));

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no such file: check the path');
  });

  it('prints findings as JSON with --json', async () => {
    const run = await evalapInfra('validate', invalid, '--json');

    const result = JSON.parse(run.stdout);

    expect(run.code).toBe(1);
    expect(result).toMatchObject({ stack: true, valid: false, errors: 2 });
    expect(result.findings[0]).toEqual({
      ruleId: 'network.cidr-private',
      severity: 'error',
      path: 'network.privateNetwork.cidr',
      segments: ['network', 'privateNetwork', 'cidr'],
      message: expect.stringContaining('RFC 1918'),
    });
  });

  it('prints problems as JSON with --json', async () => {
    const run = await evalapInfra('validate', notAStack, '--json');

    const result = JSON.parse(run.stdout);

    expect(run.code).toBe(2);
    expect(result.problems).toEqual([
      {
        path: 'project.owner',
        line: 9,
        column: 3,
        message: 'unknown key "owner"',
      },
    ]);
  });
});
