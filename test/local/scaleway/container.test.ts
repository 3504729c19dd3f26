import { verify } from '@node-rs/argon2';
import { Errors } from '@scaleway/sdk-client';
import type { Containerv1beta1 } from '@scaleway/sdk-container';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CPU_MEMORY_TABLE } from '../../../lib/policy/index.ts';
import { readContainerDeployments } from '../../../local/scaleway/container/index.ts';
import { exampleStack } from '../../policy/fixtures.ts';
import {
  startTestScalewayApi,
  type TestScalewayApi,
} from '../../support/scaleway.ts';

const FAST = { minDelay: 1, maxDelay: 1, timeout: 10 };
const TOKEN = '11111111-1111-4111-8111-111111111111';
const CONTAINERS_PATH = '/containers/v1beta1/regions/fr-par/containers';

let local: TestScalewayApi;
let namespaceId: string;

beforeAll(async () => {
  local = await startTestScalewayApi();
  const namespace = await local.container.createNamespace({
    name: 'evalap',
    activateVpcIntegration: true,
    environmentVariables: { STAGE: 'dev' },
    secretEnvironmentVariables: [{ key: 'NS_SECRET', value: 'ns-value' }],
  });
  namespaceId = namespace.id;
});

afterAll(async () => {
  await local?.close();
});

function createContainer(
  name: string,
  extra: Partial<Containerv1beta1.CreateContainerRequest> = {},
) {
  return local.container.createContainer({
    namespaceId,
    name,
    registryImage: 'rg.fr-par.scw.cloud/evalap/api:1.0',
    cpuLimit: 1000,
    memoryLimit: 2048,
    minScale: 1,
    maxScale: 3,
    port: 8000,
    privacy: 'private',
    environmentVariables: { LOG_LEVEL: 'info' },
    secretEnvironmentVariables: [
      { key: 'DB_PASSWORD', value: 'first-value' },
      { key: 'API_KEY', value: 'api-value' },
    ],
    privateNetworkId: '2b2b6f0e-8d1e-4f56-9c56-5b2b1a1e2f30',
    ...extra,
  });
}

describe('Containers namespaces', () => {
  it('is pending on create and ready on the first poll', async () => {
    const created = await local.container.createNamespace({ name: 'ns-wait' });

    const ready = await local.container.waitForNamespace(
      { namespaceId: created.id },
      FAST,
    );

    expect(created.status).toBe('pending');
    expect(ready.status).toBe('ready');
    expect(ready.registryEndpoint).toMatch(/^rg\.fr-par\.scw\.cloud\//);
  });

  it('keeps VPC integration and hashes secrets with argon2id', async () => {
    const namespace = await local.container.getNamespace({ namespaceId });
    const [secret] = namespace.secretEnvironmentVariables;

    expect(namespace.vpcIntegrationActivated).toBe(true);
    expect(namespace.environmentVariables).toEqual({ STAGE: 'dev' });
    expect(secret?.key).toBe('NS_SECRET');
    expect(secret?.hashedValue).toMatch(/^\$argon2id\$/);
    expect(await verify(secret?.hashedValue ?? '', 'ns-value')).toBe(true);
  });
});

describe('Containers', () => {
  it('creates a container with its settings, secrets only hashed', async () => {
    const container = await createContainer('api');

    const raw = await fetch(
      `${local.url}/containers/v1beta1/regions/fr-par/containers/${container.id}`,
      { headers: { 'x-auth-token': '11111111-1111-4111-8111-111111111111' } },
    ).then((response) => response.text());

    expect(container).toMatchObject({
      status: 'created',
      cpuLimit: 1000,
      memoryLimit: 2048,
      minScale: 1,
      maxScale: 3,
      port: 8000,
      privacy: 'private',
      privateNetworkId: '2b2b6f0e-8d1e-4f56-9c56-5b2b1a1e2f30',
    });
    expect(container.secretEnvironmentVariables.map((s) => s.key)).toEqual([
      'DB_PASSWORD',
      'API_KEY',
    ]);
    expect(raw).not.toContain('first-value');
    expect(raw).not.toContain('api-value');
  });

  it('merges secrets on update: change, add, and delete on null', async () => {
    const container = await createContainer('worker');

    const updated = await local.container.updateContainer({
      containerId: container.id,
      secretEnvironmentVariables: [
        { key: 'DB_PASSWORD', value: 'second-value' },
        { key: 'NEW_SECRET', value: 'new-value' },
        { key: 'API_KEY' },
      ],
      redeploy: false,
    });
    const byKey = new Map(
      updated.secretEnvironmentVariables.map((s) => [s.key, s.hashedValue]),
    );

    expect([...byKey.keys()]).toEqual(['DB_PASSWORD', 'NEW_SECRET']);
    expect(await verify(byKey.get('DB_PASSWORD') ?? '', 'second-value')).toBe(
      true,
    );
    expect(await verify(byKey.get('DB_PASSWORD') ?? '', 'first-value')).toBe(
      false,
    );
    expect(updated.status).toBe('created');
  });

  it('deploys: pending, then ready with one deployment counted', async () => {
    const container = await createContainer('deployed');

    const deploying = await local.container.deployContainer({
      containerId: container.id,
    });
    const ready = await local.container.waitForContainer(
      { containerId: container.id },
      FAST,
    );

    expect(deploying.status).toBe('pending');
    expect(ready.status).toBe('ready');
    expect(ready.readyAt).toBeInstanceOf(Date);
    expect(readContainerDeployments(local.api.store, container.id)).toEqual({
      count: 1,
      lastReadyAt: ready.readyAt?.toISOString(),
    });
  });

  it('detaches a private network with an empty id', async () => {
    const container = await createContainer('detached');

    const updated = await local.container.updateContainer({
      containerId: container.id,
      privateNetworkId: '',
      redeploy: false,
    });

    expect(updated.privateNetworkId).toBeNull();
  });

  it('pages containers with a true total_count', async () => {
    const page = await local.container.listContainers({
      namespaceId,
      pageSize: 2,
    });
    const all = await local.container.listContainers({ namespaceId }).all();

    expect(page.containers).toHaveLength(2);
    expect(page.totalCount).toBe(all.length);
    expect(all.length).toBeGreaterThanOrEqual(4);
  });

  it('deletes with 200 deleting, then a type-less 404', async () => {
    const container = await createContainer('doomed');

    const deleted = await local.container.deleteContainer({
      containerId: container.id,
    });
    const error = await local.container
      .getContainer({ containerId: container.id })
      .catch((e: unknown) => e);

    expect(deleted.status).toBe('deleting');
    expect(error).toBeInstanceOf(Errors.ScalewayError);
    expect(error).not.toBeInstanceOf(Errors.ResourceNotFoundError);
    expect((error as Errors.ScalewayError).status).toBe(404);
    expect((error as Errors.ScalewayError).rawMessage).toBe(
      'Container was not found',
    );
  });

  it.each([
    {
      case: 'unknown namespace',
      namespaceId: crypto.randomUUID(),
      status: 404,
    },
    { case: 'SCW_ reserved variable', namespaceId: '', status: 400 },
  ])('refuses a create with $case', async ({ namespaceId: id, status }) => {
    const attempt = local.container.createContainer({
      namespaceId: id || namespaceId,
      name: 'refused',
      environmentVariables: id ? {} : { SCW_TOKEN: 'x' },
    });

    const error = await attempt.catch((e: unknown) => e);

    expect((error as Errors.ScalewayError).status).toBe(status);
  });
});

/** The smallest and largest memory of each CPU row of the policy table. */
const POLICY_COMBINATIONS = [...CPU_MEMORY_TABLE].flatMap(([cpu, range]) => [
  { $case: `${cpu} mvCPU, least memory`, cpu, memory: range.min },
  { $case: `${cpu} mvCPU, most memory`, cpu, memory: range.max },
]);

/** CPU and memory of every container of the three example stacks. */
const EXAMPLE_SIZES = (['dev', 'staging', 'production'] as const).flatMap(
  (environment) =>
    (exampleStack(environment).containers?.items ?? []).map((c) => ({
      $case: `${environment} ${c.name}`,
      name: `${environment}-${c.name}`,
      cpu: c.cpu,
      memory: c.memory,
    })),
);

describe('Container CPU and memory limits', () => {
  it.each(POLICY_COMBINATIONS)(
    'accepts what the policy accepts: $$case',
    async ({ cpu, memory }) => {
      const container = await local.container.createContainer({
        namespaceId,
        name: `sized-${cpu}-${memory}`,
        cpuLimit: cpu,
        memoryLimit: memory,
      });

      expect(container.cpuLimit).toBe(cpu);
      expect(container.memoryLimit).toBe(memory);
    },
  );

  it.each(EXAMPLE_SIZES)(
    'accepts the example stack container $$case ($cpu mvCPU, $memory MB)',
    async ({ name, cpu, memory }) => {
      const container = await local.container.createContainer({
        namespaceId,
        name,
        cpuLimit: cpu,
        memoryLimit: memory,
      });

      expect(container.cpuLimit).toBe(cpu);
      expect(container.memoryLimit).toBe(memory);
    },
  );

  it.each([
    { $case: 'CPU above 6000 mvCPU', cpu: 6001, memory: 8192 },
    { $case: 'CPU below 70 mvCPU', cpu: 69, memory: 128 },
    { $case: 'memory above 12228 MB', cpu: 4000, memory: 12_229 },
    { $case: 'memory below 128 MB', cpu: 100, memory: 127 },
  ])('refuses $$case', async ({ cpu, memory }) => {
    const attempt = local.container.createContainer({
      namespaceId,
      name: 'oversized',
      cpuLimit: cpu,
      memoryLimit: memory,
    });

    await expect(attempt).rejects.toBeInstanceOf(Errors.InvalidArgumentsError);
  });
});

describe('Containers: PATCH as Go and Terraform clients send it', () => {
  let patched = 0;

  it.each([
    {
      $case: 'a secret sent with value null is deleted, others kept',
      patch: {
        secret_environment_variables: [{ key: 'API_KEY', value: null }],
      },
      expected: {
        secret_environment_variables: [
          {
            key: 'DB_PASSWORD',
            hashed_value: expect.stringMatching(/^\$argon2id\$/),
          },
        ],
      },
    },
    {
      $case: 'unknown_privacy keeps the privacy',
      patch: { privacy: 'unknown_privacy' },
      expected: { privacy: 'private' },
    },
    {
      $case: 'unknown_protocol keeps the protocol',
      patch: { protocol: 'unknown_protocol' },
      expected: { protocol: 'h2c' },
    },
    {
      $case: 'unknown_http_option keeps the HTTP option',
      patch: { http_option: 'unknown_http_option' },
      expected: { http_option: 'redirected' },
    },
    {
      $case: 'unknown_sandbox keeps the sandbox',
      patch: { sandbox: 'unknown_sandbox' },
      expected: { sandbox: 'v1' },
    },
    {
      $case: 'null fields keep their values',
      patch: { port: null, min_scale: null, environment_variables: null },
      expected: {
        port: 8000,
        min_scale: 1,
        environment_variables: { LOG_LEVEL: 'info' },
      },
    },
  ])('$$case', async ({ patch, expected }) => {
    patched += 1;
    const container = await createContainer(`patched-${patched}`, {
      protocol: 'h2c',
      httpOption: 'redirected',
      sandbox: 'v1',
    });

    const response = await fetch(
      `${local.url}${CONTAINERS_PATH}/${container.id}`,
      {
        method: 'PATCH',
        headers: { 'x-auth-token': TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify({ ...patch, redeploy: false }),
      },
    );

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject(expected);
  });
});
