// biome-ignore-all lint/suspicious/noTemplateCurlyInString: serverless.yml variables
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MissingHandlerError } from '../../scripts/packaging/errors.ts';
import {
  PACKAGE_PLACEHOLDER,
  packageEnvironment,
  runServerless,
} from '../../scripts/packaging/serverless-cli.ts';
import {
  assertSourcesExist,
  readServerlessFunctions,
  requiredDeployVariables,
} from '../../scripts/packaging/serverless-config.ts';
import { PLUGIN_CRON, ROOT, tempDir } from './support.ts';

const STAGES = ['dev', 'staging', 'production'] as const;

interface Resolved {
  service: string;
  params: Record<string, Record<string, unknown>>;
  custom: { evalap: { auditRetentionDays: number } };
  provider: { env: Record<string, string>; secret: Record<string, string> };
  functions: Record<
    string,
    {
      handler: string;
      privacy: string;
      privateNetworkId?: string | null;
      events?: (
        | { schedule: { rate: string; input?: unknown } }
        | { sqs: { name: string; queue: string } }
      )[];
    }
  >;
}

const resolved = new Map<string, Resolved>();

/** `serverless print` of each stage, offline, with placeholder values. */
beforeAll(async () => {
  const text = await readFile(join(ROOT, 'serverless.yml'), 'utf8');
  const env = packageEnvironment(requiredDeployVariables(text), {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
  });

  await Promise.all(
    STAGES.map(async (stage) => {
      const output = await runServerless(
        ['print', '--stage', stage, '--format', 'json'],
        { cwd: ROOT, env },
      );
      const json = output.slice(output.indexOf('{'));
      resolved.set(stage, JSON.parse(json) as Resolved);
    }),
  );
}, 120_000);

function stageConfig(stage: string): Resolved {
  const config = resolved.get(stage);
  if (config === undefined) throw new Error(`no print for ${stage}`);

  return config;
}

describe('serverless.yml', () => {
  it('declares the four functions with their bundle handlers', async () => {
    const functions = await readServerlessFunctions(
      join(ROOT, 'serverless.yml'),
    );

    expect(functions.map((fn) => [fn.name, fn.handler, fn.source])).toEqual([
      ['provision', 'dist/provision/handler.handle', 'functions/provision.ts'],
      [
        'rotate-secrets',
        'dist/rotate-secrets/handler.handle',
        'functions/rotate-secrets.ts',
      ],
      [
        'check-drift',
        'dist/check-drift/handler.handle',
        'functions/check-drift.ts',
      ],
      [
        'ship-audit-logs',
        'dist/ship-audit-logs/handler.handle',
        'functions/ship-audit-logs.ts',
      ],
    ]);
  });

  it.each(STAGES)('%s: the namespace name carries the stage', (stage) => {
    expect(stageConfig(stage).service).toBe(`evalap-infra-${stage}`);
  });

  it.each(STAGES)('%s: every CRON rate passes the plugin check', (stage) => {
    const rates = Object.values(stageConfig(stage).functions).flatMap((fn) =>
      (fn.events ?? []).flatMap((e) =>
        'schedule' in e ? [e.schedule.rate] : [],
      ),
    );

    expect(rates.length).toBe(3);
    for (const rate of rates) expect(rate).toMatch(PLUGIN_CRON);
  });

  it.each([
    { stage: 'dev', rotation: '0 6 * * *', drift: '0 * * * *' },
    { stage: 'staging', rotation: '0 3 * * *', drift: '0 * * * *' },
    { stage: 'production', rotation: '0 2 * * *', drift: '0 * * * *' },
  ])('$stage: rotation at $rotation, drift at $drift', (row) => {
    const { functions } = stageConfig(row.stage);
    const rateOf = (name: string) =>
      functions[name]?.events?.flatMap((e) =>
        'schedule' in e ? [e.schedule.rate] : [],
      );

    expect(rateOf('rotate-secrets')).toEqual([row.rotation]);
    expect(rateOf('check-drift')).toEqual([row.drift]);
  });

  it.each(STAGES)('%s: queue triggers read the stage queues', (stage) => {
    const queues = Object.entries(stageConfig(stage).functions).flatMap(
      ([name, fn]) =>
        (fn.events ?? []).flatMap((e) =>
          'sqs' in e ? [`${name}<-${e.sqs.queue}`] : [],
        ),
    );

    expect(queues).toEqual([
      `provision<-evalap-provision-${stage}`,
      `ship-audit-logs<-evalap-audit-${stage}`,
    ]);
  });

  it.each(STAGES)(
    '%s: audit retention equals the stack audit.retentionDays',
    async (stage) => {
      const stack = parse(
        await readFile(join(ROOT, 'stacks', `${stage}.yaml`), 'utf8'),
      ) as { audit?: { retentionDays?: number } };

      expect(stageConfig(stage).custom.evalap.auditRetentionDays).toBe(
        stack.audit?.retentionDays,
      );
    },
  );

  it('injects credentials as secrets only, from the environment', async () => {
    const text = await readFile(join(ROOT, 'serverless.yml'), 'utf8');
    const { provider } = stageConfig('production');

    expect(Object.keys(provider.secret).sort()).toEqual([
      'EVALAP_FUNCTION_TOKEN',
      'EVALAP_SCW_ACCESS_KEY',
      'EVALAP_SCW_SECRET_KEY',
      'EVALAP_SQS_ACCESS_KEY',
      'EVALAP_SQS_SECRET_KEY',
    ]);
    expect(Object.values(provider.secret)).toEqual(
      Array(5).fill(PACKAGE_PLACEHOLDER),
    );
    expect(Object.keys(provider.env).some((k) => /SECRET|TOKEN/.test(k))).toBe(
      false,
    );
    expect(Object.keys(provider.env).some((k) => k.startsWith('SCW_'))).toBe(
      false,
    );
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/i);
  });

  it('keeps every function private', () => {
    const privacy = Object.values(stageConfig('production').functions).map(
      (fn) => fn.privacy,
    );

    expect(privacy).toEqual(['private', 'private', 'private', 'private']);
  });

  it('attaches rotate-secrets alone to EVALAP_PRIVATE_NETWORK_ID', async () => {
    const networkId = 'a1b2c3d4-0000-4000-8000-000000000001';
    const text = await readFile(join(ROOT, 'serverless.yml'), 'utf8');
    const env = packageEnvironment(requiredDeployVariables(text), {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      EVALAP_PRIVATE_NETWORK_ID: networkId,
    });

    const output = await runServerless(
      ['print', '--stage', 'production', '--format', 'json'],
      { cwd: ROOT, env },
    );

    const attached = JSON.parse(output.slice(output.indexOf('{'))) as Resolved;
    const networks = (config: Resolved) =>
      Object.entries(config.functions).map(([name, fn]) => [
        name,
        fn.privateNetworkId ?? null,
      ]);
    expect(networks(attached)).toEqual([
      ['provision', null],
      ['rotate-secrets', networkId],
      ['check-drift', null],
      ['ship-audit-logs', null],
    ]);
    // without the variable (before the first apply), no network at all
    expect(networks(stageConfig('production')).map(([, id]) => id)).toEqual([
      null,
      null,
      null,
      null,
    ]);
  }, 60_000);
});

describe('requiredDeployVariables', () => {
  it.each([
    { $case: 'plain', text: 'a: ${env:A_B}', names: ['A_B'] },
    { $case: 'fallback ignored', text: "a: ${env:X, 'y'}", names: [] },
    {
      $case: 'deduplicated',
      text: '${env:A} ${env:A} ${env:B}',
      names: ['A', 'B'],
    },
  ])('$$case', ({ text, names }) => {
    expect(requiredDeployVariables(text)).toEqual(names);
  });
});

describe('assertSourcesExist', () => {
  let root: Awaited<ReturnType<typeof tempDir>>;

  beforeAll(async () => {
    root = await tempDir('evalap-package-');
    await writeFile(
      join(root.path, 'serverless.yml'),
      await readFile(join(ROOT, 'serverless.yml')),
    );
  });

  afterAll(() => root.remove());

  it('names every declared function whose source is missing', async () => {
    const functions = await readServerlessFunctions(
      join(root.path, 'serverless.yml'),
    );

    const failure = (() => {
      try {
        assertSourcesExist(root.path, functions);
      } catch (error) {
        return error;
      }
    })();

    expect(failure).toBeInstanceOf(MissingHandlerError);
    expect((failure as MissingHandlerError).missing.map((f) => f.name)).toEqual(
      ['provision', 'rotate-secrets', 'check-drift', 'ship-audit-logs'],
    );
    expect((failure as Error).message).toContain(
      'function provision: handler dist/provision/handler.handle needs ' +
        'functions/provision.ts',
    );
  });
});
