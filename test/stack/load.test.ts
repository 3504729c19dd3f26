import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deployedName,
  formatStackPath,
  loadStack,
  parseStack,
  StackFileError,
} from '../../lib/stack/index.ts';

const MINIMAL = `project:
  id: 33333333-3333-4333-8333-333333333333
  name: evalap
region: fr-par
environment: dev
audit:
  sink: stdout
  retentionDays: 7
`;

function problemsOf(text: string) {
  try {
    parseStack(text, 'test.yaml');
  } catch (error) {
    if (error instanceof StackFileError) {
      return error.problems.map((p) => ({
        path: formatStackPath(p.path),
        line: p.position?.line,
        column: p.position?.column,
        message: p.message,
      }));
    }
    throw error;
  }
  throw new Error('expected a StackFileError');
}

describe('parseStack', () => {
  it('applies defaults to a minimal stack', () => {
    const stack = parseStack(MINIMAL, 'minimal.yaml');

    expect(stack.secrets).toEqual([]);
    expect(stack.iam.applications).toEqual([]);
    expect(stack.buckets).toEqual([]);
    expect(stack.environment).toBe('dev');
  });

  it.each([
    {
      case: 'unknown top-level key',
      text: `${MINIMAL}colour: blue\n`,
      expected: { path: 'colour', line: 9, column: 1 },
      message: 'unknown key "colour"',
    },
    {
      case: 'unknown nested key',
      text: MINIMAL.replace('  name: evalap', '  name: evalap\n  nmae: x'),
      expected: { path: 'project.nmae', line: 4, column: 3 },
      message: 'unknown key "nmae"',
    },
    {
      case: 'wrong type',
      text: MINIMAL.replace('retentionDays: 7', 'retentionDays: seven'),
      expected: { path: 'audit.retentionDays', line: 8, column: 18 },
      message: 'expected number',
    },
    {
      case: 'value outside the vocabulary',
      text: MINIMAL.replace('region: fr-par', 'region: us-east-1'),
      expected: { path: 'region', line: 4, column: 9 },
      message: 'fr-par',
    },
    {
      case: 'missing key',
      text: MINIMAL.replace('  sink: stdout\n', ''),
      expected: { path: 'audit.sink', line: 7, column: 3 },
      message: 'missing key "sink"',
    },
    {
      case: 'missing enum key, with the allowed values',
      text: MINIMAL.replace('environment: dev\n', ''),
      expected: { path: 'environment', line: 1, column: 1 },
      message: 'missing key "environment" (one of: dev, staging, production)',
    },
    {
      case: 'missing key of a plain type',
      text: MINIMAL.replace('  name: evalap\n', ''),
      expected: { path: 'project.name', line: 2, column: 3 },
      message: 'missing key "name" (expected string)',
    },
    {
      case: 'empty value, not as missing',
      text: MINIMAL.replace('environment: dev', 'environment:'),
      expected: { path: 'environment', line: 5, column: 13 },
      message: 'Invalid option: expected one of',
    },
  ])('reports $case with its path and position', (row) => {
    const problems = problemsOf(row.text);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject(row.expected);
    expect(problems[0]?.message).toContain(row.message);
  });

  it('reports every problem at once', () => {
    const text = MINIMAL.replace('region: fr-par', 'region: mars')
      .replace('environment: dev', 'environment: qa')
      .concat('extra: 1\n');

    const paths = problemsOf(text).map((p) => p.path);

    expect(paths).toEqual(['region', 'environment', 'extra']);
  });

  it.each([
    { case: 'an unclosed flow sequence', text: 'a: [1\nb: 2\n' },
    { case: 'a duplicate key', text: `${MINIMAL}region: nl-ams\n` },
    { case: 'a tab indentation', text: 'project:\n\tid: x\n' },
  ])('reports $case as not YAML, with a line', ({ text }) => {
    const problems = problemsOf(text);

    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.message).toMatch(/^not valid YAML/);
    expect(problems[0]?.line).toBeGreaterThan(0);
  });

  it('refuses an empty file', () => {
    const problems = problemsOf('');

    expect(problems[0]?.path).toBe('(root)');
  });
});

describe('loadStack', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'evalap-stack-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it.each(['dev', 'staging', 'production'])(
    'loads stacks/%s.yaml',
    async (environment) => {
      const stack = await loadStack(`stacks/${environment}.yaml`);

      expect(stack.environment).toBe(environment);
      expect(stack.project.name).toBe('evalap');
    },
  );

  it('reports a missing file as a StackFileError', async () => {
    const missing = join(folder, 'nope.yaml');

    const failure = loadStack(missing);

    await expect(failure).rejects.toBeInstanceOf(StackFileError);
    await expect(failure).rejects.toMatchObject({ source: missing });
  });

  it('names the file in the error', async () => {
    const file = join(folder, 'bad.yaml');
    await writeFile(file, `${MINIMAL}oops: true\n`);

    const failure = loadStack(file);

    await expect(failure).rejects.toThrow(`${file} is not a valid stack`);
  });
});

describe('deployedName', () => {
  it.each([
    {
      name: 'db-password',
      environment: 'production',
      expected: 'db-password-production',
    },
    { name: 'evalap-audit', environment: 'dev', expected: 'evalap-audit-dev' },
  ] as const)('$name in $environment is $expected', (row) => {
    expect(deployedName(row.name, row.environment)).toBe(row.expected);
  });
});
