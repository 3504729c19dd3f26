import { mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { verify } from '@node-rs/argon2';
import type { Functionv1beta1 } from '@scaleway/sdk-function';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ensureStateBucket } from '../../lib/state/index.ts';
import { PlatformClock } from '../../local/controls/clock.ts';
import { LOCAL_DEFAULTS, localQueueUrl } from '../../local/defaults.ts';
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
import {
  type StorageFixture,
  startStorageFixture,
} from '../support/storage.ts';
import { ROOT, tempDir } from './support.ts';

const STAGE = 'staging';
const NAMESPACE = `evalap-infra-${STAGE}`;
const AUDIT_QUEUE = `evalap-audit-${STAGE}`;

/** The control plane's Queues credentials and HTTP token. */
const CONTROL_PLANE_TOKENS = {
  EVALAP_SQS_ACCESS_KEY: 'queues-access-key',
  EVALAP_SQS_SECRET_KEY: 'queues-secret-key-value',
  EVALAP_FUNCTION_TOKEN: 'function-token-of-staging',
};

/**
 * The control plane's own values, as the deploying environment holds
 * them: the API key of its IAM application (made in beforeAll, as
 * docs/deploy.md has the user make it) and the tokens above.
 */
let controlPlane: Record<string, string>;

let local: TestScalewayApi;
let storage: StorageFixture;
let service: Awaited<ReturnType<typeof tempDir>>;
let report: PackageReport;
let output: string;
let namespace: Functionv1beta1.Namespace;
let functions: Functionv1beta1.Function[];

beforeAll(async () => {
  local = await startTestScalewayApi();
  storage = await startStorageFixture();
  // what docs/deploy.md has the user create before the first deploy
  await storage.sqs.send(new CreateQueueCommand({ QueueName: AUDIT_QUEUE }));
  await ensureStateBucket(storage.s3, `evalap-infra-state-${STAGE}`);
  const application = await local.iam.createApplication({
    name: `evalap-control-plane-${STAGE}`,
    description: 'the control plane',
  });
  const key = await local.iam.createAPIKey({
    applicationId: application.id,
    description: 'control plane',
  });
  controlPlane = {
    EVALAP_SCW_ACCESS_KEY: key.accessKey,
    EVALAP_SCW_SECRET_KEY: key.secretKey ?? '',
    ...CONTROL_PLANE_TOKENS,
  };
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
      EVALAP_S3_ENDPOINT: storage.storage.endpoint,
      EVALAP_SQS_ENDPOINT: storage.storage.endpoint,
      EVALAP_AUDIT_QUEUE_URL: localQueueUrl(storage.storage.port, AUDIT_QUEUE),
      ...controlPlane,
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
  await storage?.close();
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
      Object.keys(controlPlane).sort(),
    );
    for (const [key, value] of Object.entries(controlPlane)) {
      const hashed = secrets.find((s) => s.key === key)?.hashedValue ?? '';
      expect(await verify(hashed, value), key).toBe(true);
    }
    expect(JSON.stringify(namespace.environmentVariables)).not.toContain(
      controlPlane.EVALAP_SCW_SECRET_KEY,
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

  it('lets the local runner serve what was deployed, as deployed', async () => {
    const runner = await startDeployedRunner();
    const stack = parse(await readFile('stacks/staging.yaml', 'utf8'));

    try {
      expect(runner.skipped).toEqual([]);
      expect(runner.functions.map((fn) => fn.name).sort()).toEqual(
        functions.map((fn) => fn.name).sort(),
      );
      // the deployed provision applies the staging stack…
      const url = runner.functions.find((fn) => fn.name === 'provision')?.url;
      const applied = await fetch(`${url}/apply`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-auth-token': CONTROL_PLANE_TOKENS.EVALAP_FUNCTION_TOKEN,
        },
        body: JSON.stringify({
          requestId: 'deploy-test-apply-0001',
          environment: STAGE,
          stack,
        }),
      });
      expect(applied.status).toBe(200);
      const answer = (await applied.json()) as { changed: number };
      expect(answer.changed).toBeGreaterThan(10);
      // …then each registered CRON runs its bundle on that state
      for (const name of ['rotate-secrets', 'check-drift', 'ship-audit-logs']) {
        expect(await runner.runCron(name), name).toEqual([200]);
      }
    } finally {
      await runner.close();
    }
  });

  it.each([
    { case: 'no token: the platform gate', token: undefined, status: 403 },
    {
      case: "a platform key that is not the function's token",
      token: LOCAL_DEFAULTS.secretKey,
      status: 401,
    },
    {
      case: 'the deployed function token, and a bad body',
      token: CONTROL_PLANE_TOKENS.EVALAP_FUNCTION_TOKEN,
      status: 400,
    },
  ])('answers $status to a POST /plan with $case', async (row) => {
    const runner = await startDeployedRunner();

    try {
      const url = runner.functions.find((fn) => fn.name === 'provision')?.url;
      const response = await fetch(`${url}/plan`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(row.token === undefined ? {} : { 'x-auth-token': row.token }),
        },
        body: '{}',
      });

      expect(response.status).toBe(row.status);
    } finally {
      await runner.close();
    }
  });
});

/**
 * Serves the uploaded zip with what the API holds: each function's
 * handler and privacy, the namespace's variables, its registered CRON
 * triggers, and the secret values the deployer sent (the API keeps only
 * their hashes). Both the local key and the deployed function token pass
 * the private-function gate, as IAM keys with the right permission would.
 */
async function startDeployedRunner() {
  const runDir = await mkdtemp(join(service.path, 'deployed-'));
  const zip = await readFunctionArchive(
    local.api.store,
    functions[0]?.id ?? '',
  );
  await extractZip(zip ?? Buffer.alloc(0), runDir);
  // The runner maps a `dist/<file>/handler` to its functions/<file>.ts
  // source; the uploaded files are served from another folder name so
  // that the bundle itself is what runs.
  await rename(join(runDir, 'dist'), join(runDir, 'deployed'));
  const declared: Record<string, unknown> = {};
  for (const fn of functions) {
    const { crons } = await local.function.listCrons({ functionId: fn.id });
    declared[fn.name] = {
      handler: fn.handler.replace(/^dist\//, 'deployed/'),
      privacy: fn.privacy,
      events: crons.map((cron) => ({
        schedule: { rate: cron.schedule, input: cron.args },
      })),
    };
  }
  await writeFile(
    join(runDir, 'serverless.yml'),
    stringify({
      service: namespace.name,
      provider: {
        name: 'scaleway',
        runtime: 'node20',
        env: namespace.environmentVariables,
        secret: controlPlane,
      },
      functions: declared,
    }),
  );
  const gate = new Set([
    LOCAL_DEFAULTS.secretKey,
    CONTROL_PLANE_TOKENS.EVALAP_FUNCTION_TOKEN,
  ]);

  return startFunctionRunner({
    configFile: join(runDir, 'serverless.yml'),
    clock: new PlatformClock(),
    env: {},
    stage: STAGE,
    isAuthorized: (token) => gate.has(token),
  });
}
