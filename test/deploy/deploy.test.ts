import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verify } from '@node-rs/argon2';
import type { Functionv1beta1 } from '@scaleway/sdk-function';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PlatformClock } from '../../local/controls/clock.ts';
import { LOCAL_DEFAULTS } from '../../local/defaults.ts';
import { startFunctionRunner } from '../../local/runner/runner.ts';
import { readFunctionArchive } from '../../local/scaleway/function/index.ts';
import { extractZip } from '../../scripts/packaging/artefact.ts';
import {
  type PackageReport,
  packageService,
} from '../../scripts/packaging/package-service.ts';
import { runServerless } from '../../scripts/packaging/serverless-cli.ts';
import {
  startTestScalewayApi,
  type TestScalewayApi,
} from '../support/scaleway.ts';
import { ROOT, tempDir } from './support.ts';

const STAGE = 'staging';
const NAMESPACE = `evalap-infra-${STAGE}`;

/** The control plane's own values, as the deploying environment holds them. */
const CONTROL_PLANE = {
  EVALAP_SCW_ACCESS_KEY: 'SCWCONTROLPLANE00001',
  EVALAP_SCW_SECRET_KEY: '44444444-4444-4444-8444-444444444444',
  EVALAP_SQS_ACCESS_KEY: 'queues-access-key',
  EVALAP_SQS_SECRET_KEY: 'queues-secret-key-value',
  EVALAP_FUNCTION_TOKEN: 'function-token-of-staging',
};

let local: TestScalewayApi;
let service: Awaited<ReturnType<typeof tempDir>>;
let report: PackageReport;
let output: string;
let namespace: Functionv1beta1.Namespace;
let functions: Functionv1beta1.Function[];

beforeAll(async () => {
  local = await startTestScalewayApi();
  service = await tempDir('evalap-deploy-');
  report = await packageService({
    root: ROOT,
    serviceDir: service.path,
    stage: STAGE,
  });

  output = await runServerless(['deploy', '--stage', STAGE], {
    cwd: service.path,
    env: {
      PATH: process.env.PATH,
      HOME: service.path,
      SCW_SECRET_KEY: LOCAL_DEFAULTS.secretKey,
      SCW_DEFAULT_PROJECT_ID: LOCAL_DEFAULTS.projectId,
      SCW_DEFAULT_ORGANIZATION_ID: LOCAL_DEFAULTS.organizationId,
      SCW_FUNCTION_URL: `${local.url}/functions/v1beta1/regions/fr-par`,
      EVALAP_SCW_API_URL: local.url,
      ...CONTROL_PLANE,
    },
  });

  const namespaces = await local.function.listNamespaces({ name: NAMESPACE });
  const found = namespaces.namespaces[0];
  if (found === undefined) throw new Error(`no namespace\n${output}`);
  namespace = found;
  functions = (await local.function.listFunctions({ namespaceId: found.id }))
    .functions;
}, 240_000);

afterAll(async () => {
  await local?.close();
  await service?.remove();
});

function functionNamed(name: string): Functionv1beta1.Function {
  const fn = functions.find((candidate) => candidate.name === name);
  if (fn === undefined) throw new Error(`function ${name} not deployed`);

  return fn;
}

describe('serverless deploy --stage staging on the local Functions API', () => {
  it('creates the stage namespace with the environment', () => {
    expect(namespace.name).toBe(NAMESPACE);
    expect(namespace.projectId).toBe(LOCAL_DEFAULTS.projectId);
    expect(namespace.environmentVariables).toMatchObject({
      EVALAP_ENVIRONMENT: STAGE,
      EVALAP_STATE_BUCKET: `evalap-infra-state-${STAGE}`,
      EVALAP_SCW_DEFAULT_PROJECT_ID: LOCAL_DEFAULTS.projectId,
      EVALAP_SCW_API_URL: local.url,
    });
  });

  it('stores each control-plane credential as a hashed secret', async () => {
    const secrets = namespace.secretEnvironmentVariables;

    expect(secrets.map((s) => s.key).sort()).toEqual(
      Object.keys(CONTROL_PLANE).sort(),
    );
    for (const [key, value] of Object.entries(CONTROL_PLANE)) {
      const hashed = secrets.find((s) => s.key === key)?.hashedValue ?? '';
      expect(await verify(hashed, value), key).toBe(true);
    }
    expect(JSON.stringify(namespace.environmentVariables)).not.toContain(
      CONTROL_PLANE.EVALAP_SCW_SECRET_KEY,
    );
  });

  it.each([
    { name: 'provision', handler: 'dist/provision/handler.handle' },
    { name: 'rotate-secrets', handler: 'dist/rotate-secrets/handler.handle' },
    { name: 'check-drift', handler: 'dist/check-drift/handler.handle' },
    { name: 'ship-audit-logs', handler: 'dist/ship-audit-logs/handler.handle' },
  ])('deploys $name, private, on node20', ({ name, handler }) => {
    const fn = functionNamed(name);

    expect(fn).toMatchObject({
      handler,
      runtime: 'node20',
      privacy: 'private',
      status: 'ready',
    });
  });

  it('uploads the packaged zip to every function', async () => {
    const { readFile } = await import('node:fs/promises');
    const zip = await readFile(report.zip?.path ?? '');

    for (const fn of functions) {
      const uploaded = await readFunctionArchive(local.api.store, fn.id);
      expect(uploaded?.equals(zip), fn.name).toBe(true);
    }
  });

  it.each([
    {
      name: 'rotate-secrets',
      schedule: '0 3 * * *',
      args: { job: 'rotate-due' },
    },
    {
      name: 'check-drift',
      schedule: '0 * * * *',
      args: { job: 'check-drift' },
    },
    {
      name: 'ship-audit-logs',
      schedule: '0,15,30,45 * * * *',
      args: { job: 'ship-and-seal' },
    },
  ])('registers the CRON of $name at $schedule', async (row) => {
    const { crons } = await local.function.listCrons({
      functionId: functionNamed(row.name).id,
    });

    expect(crons.map((c) => [c.schedule, c.args])).toEqual([
      [row.schedule, row.args],
    ]);
  });

  it.each([
    { name: 'provision', queue: `evalap-provision-${STAGE}` },
    { name: 'ship-audit-logs', queue: `evalap-audit-${STAGE}` },
  ])('registers the queue trigger of $name on $queue', async (row) => {
    const { triggers } = await local.function.listTriggers({
      functionId: functionNamed(row.name).id,
    });

    expect(triggers.map((t) => t.scwSqsConfig?.queue)).toEqual([row.queue]);
    expect(triggers[0]?.scwSqsConfig?.mnqProjectId).toBe(
      LOCAL_DEFAULTS.projectId,
    );
  });

  it('lets the local runner serve the uploaded bundle', async () => {
    const runDir = join(service.path, 'deployed');
    const fn = functionNamed('ship-audit-logs');
    const zip = await readFunctionArchive(local.api.store, fn.id);
    await extractZip(zip ?? Buffer.alloc(0), runDir);
    // The runner maps a `dist/<file>/handler` to its functions/<file>.ts
    // source; the uploaded files are served from another folder name so
    // that the bundle itself is what runs.
    await rename(join(runDir, 'dist'), join(runDir, 'deployed'));
    await writeFile(
      join(runDir, 'serverless.yml'),
      stringify({
        service: namespace.name,
        provider: { name: 'scaleway', runtime: fn.runtime },
        functions: {
          [fn.name]: {
            handler: fn.handler.replace(/^dist\//, 'deployed/'),
            privacy: fn.privacy,
          },
        },
      }),
    );
    const runner = await startFunctionRunner({
      configFile: join(runDir, 'serverless.yml'),
      clock: new PlatformClock(),
      env: {},
    });

    try {
      expect(runner.skipped).toEqual([]);
      const url = runner.functions[0]?.url ?? '';
      const denied = await fetch(url);
      const answered = await fetch(url, {
        headers: { 'x-auth-token': LOCAL_DEFAULTS.secretKey },
      });

      expect(denied.status).toBe(403);
      expect(answered.status).toBe(405);
      expect(await answered.json()).toEqual({ error: 'use POST' });
    } finally {
      await runner.close();
    }
  });
});
