import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Errors } from '@scaleway/sdk-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PlatformControls } from '../../../local/controls/controls.ts';
import type { CounterSnapshot } from '../../../local/controls/counters.ts';
import { LOCAL_DEFAULTS } from '../../../local/defaults.ts';
import {
  startTestScalewayApi,
  type TestScalewayApi,
} from '../../support/scaleway.ts';

const TOKEN = LOCAL_DEFAULTS.secretKey;
const SECRETS_ROUTE = 'GET /secret-manager/v1beta1/regions/{region}/secrets';
const SECRETS_PATH = '/secret-manager/v1beta1/regions/fr-par/secrets';
const VPC_PATH = '/vpc/v2/regions/fr-par';
const RDB_PATH = '/rdb/v1/regions/fr-par';
const LATENCY_MS = 300;

interface ClockState {
  now: string;
  offsetMs: number;
}

interface ErrorBody {
  details: { argument_name: string }[];
}

let local: TestScalewayApi;

beforeAll(async () => {
  local = await startTestScalewayApi();
});

afterAll(async () => {
  await local.close();
});

beforeEach(() => {
  local.api.controls.reset();
});

async function json<T>(response: Promise<Response> | Response): Promise<T> {
  return (await (await response).json()) as T;
}

function newApplication() {
  return local.iam.createApplication({
    name: 'deleted-app',
    description: '',
  });
}

function newInstance() {
  return local.rdb.createInstance({
    name: 'ins-deletes',
    engine: 'PostgreSQL-16',
    nodeType: 'db-dev-s',
    isHaCluster: false,
    userName: 'deletes_admin',
    password: 'Adm1n-passw0rd!',
    tags: [],
    disableBackup: true,
    volumeSize: 0,
    backupSameRegion: false,
  });
}

function call(path: string, init: RequestInit = {}) {
  return fetch(`${local.url}${path}`, {
    ...init,
    headers: { 'x-auth-token': TOKEN, ...init.headers },
  });
}

describe('wire format', () => {
  it.each([
    { $case: 'a JSON reply', path: SECRETS_PATH, status: 200 },
    { $case: 'an error', path: `${SECRETS_PATH}/nope`, status: 404 },
    { $case: 'an unknown route', path: '/nothing/here', status: 404 },
  ])('sends Content-Type application/json exactly for $$case', async (row) => {
    const response = await call(row.path);

    expect(response.status).toBe(row.status);
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it.each([
    { $case: 'plain', contentType: 'application/json' },
    { $case: 'with charset', contentType: 'application/json; charset=utf-8' },
  ])('accepts a $$case request content type', async ({ contentType }) => {
    const response = await call(SECRETS_PATH, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: JSON.stringify({
        name: `ct-${contentType.length}`,
        project_id: LOCAL_DEFAULTS.projectId,
      }),
    });
    const body = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(200);
    expect(body.created_at).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.ephemeral_policy).toBeNull();
    expect(body.tags).toEqual([]);
  });

  it('replies 204 with an empty body on delete', async () => {
    const secret = await local.secret.createSecret({
      name: 'to-delete',
    } as never);

    const response = await call(`${SECRETS_PATH}/${secret.id}`, {
      method: 'DELETE',
    });

    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it.each([
    {
      $case: 'an IAM application',
      create: async () => {
        const app = await newApplication();
        return `/iam/v1alpha1/applications/${app.id}`;
      },
    },
    {
      $case: 'an IAM policy',
      create: async () => {
        const policy = await local.iam.createPolicy({
          name: 'deleted-policy',
          description: '',
          noPrincipal: true,
        });
        return `/iam/v1alpha1/policies/${policy.id}`;
      },
    },
    {
      $case: 'an IAM API key',
      create: async () => {
        const key = await local.iam.createAPIKey({
          applicationId: (await newApplication()).id,
          description: '',
        });
        return `/iam/v1alpha1/api-keys/${key.accessKey}`;
      },
    },
    {
      $case: 'a VPC',
      create: async () => {
        const vpc = await local.vpc.createVPC({
          name: 'deleted-vpc',
          enableRouting: true,
        });
        return `${VPC_PATH}/vpcs/${vpc.id}`;
      },
    },
    {
      $case: 'a private network',
      create: async () => {
        const network = await local.vpc.createPrivateNetwork({
          name: 'deleted-network',
          defaultRoutePropagationEnabled: false,
        });
        return `${VPC_PATH}/private-networks/${network.id}`;
      },
    },
    {
      $case: 'a secret version',
      create: async () => {
        const secret = await local.secret.createSecret({
          name: `versioned-${crypto.randomUUID()}`,
        } as never);
        await local.secret.createSecretVersion({
          secretId: secret.id,
          data: Buffer.from('value').toString('base64'),
        });
        return `${SECRETS_PATH}/${secret.id}/versions/1`;
      },
    },
    {
      $case: 'a database user',
      create: async () => {
        const instance = await newInstance();
        await local.rdb.createUser({
          instanceId: instance.id,
          name: 'deleted_user',
          password: 'Us3r-passw0rd!',
          isAdmin: false,
        });
        return `${RDB_PATH}/instances/${instance.id}/users/deleted_user`;
      },
    },
    {
      $case: 'a database endpoint',
      create: async () => {
        const instance = await newInstance();
        return `${RDB_PATH}/endpoints/${instance.endpoints[0]?.id}`;
      },
    },
  ])('replies 204 with an empty body on deleting $$case', async (row) => {
    const path = await row.create();

    const response = await call(path, { method: 'DELETE' });

    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('names the resource in a 404 body', async () => {
    const response = await call(`${SECRETS_PATH}/missing-id`);

    expect(await response.json()).toEqual({
      message: 'resource is not found',
      resource: 'secret',
      resource_id: 'missing-id',
      type: 'not_found',
    });
  });
});

describe('authentication', () => {
  it('raises DeniedAuthenticationError for an unknown token', async () => {
    const stranger = local.clientsWithToken(
      '99999999-9999-4999-8999-999999999999',
    );

    const attempt = stranger.secret.listSecrets({
      scheduledForDeletion: false,
    });

    await expect(attempt).rejects.toBeInstanceOf(
      Errors.DeniedAuthenticationError,
    );
  });

  it('answers 401 with the real body when the token is missing', async () => {
    const response = await fetch(`${local.url}${SECRETS_PATH}`);

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      message: 'authentication is denied',
      method: 'api_key',
      reason: 'invalid_argument',
      type: 'denied_authentication',
    });
  });

  it('reads the header name case-insensitively', async () => {
    const response = await fetch(`${local.url}${SECRETS_PATH}`, {
      headers: { 'X-AUTH-TOKEN': TOKEN },
    });

    expect(response.status).toBe(200);
  });
});

describe('pagination', () => {
  beforeAll(async () => {
    for (let index = 0; index < 25; index += 1) {
      await local.secret.createSecret({
        name: `paged-${String(index).padStart(2, '0')}`,
        path: '/paged',
      } as never);
    }
  });

  it('returns the true total with one page of items', async () => {
    const page = await local.secret.listSecrets({
      path: '/paged',
      scheduledForDeletion: false,
      pageSize: 10,
      page: 3,
      orderBy: 'name_asc',
    });

    expect(page.totalCount).toBe(25);
    expect(page.secrets.map((secret) => secret.name)).toEqual(
      ['20', '21', '22', '23', '24'].map((suffix) => `paged-${suffix}`),
    );
  });

  it('defaults to 20 items a page', async () => {
    const page = await local.secret.listSecrets({
      path: '/paged',
      scheduledForDeletion: false,
    });

    expect(page.secrets).toHaveLength(20);
  });

  it('lets the SDK fetch every page with .all()', async () => {
    const all = await local.secret
      .listSecrets({ path: '/paged', scheduledForDeletion: false, pageSize: 7 })
      .all();

    expect(new Set(all.map((secret) => secret.id)).size).toBe(25);
  });

  it('refuses a page size above 100', async () => {
    const attempt = local.secret.listSecrets({
      scheduledForDeletion: false,
      pageSize: 101,
    });

    await expect(attempt).rejects.toBeInstanceOf(Errors.InvalidArgumentsError);
  });
});

describe('controls: counters', () => {
  it('counts requests per route and per class', async () => {
    await local.secret.listSecrets({ scheduledForDeletion: false });
    await local.secret.listSecrets({ scheduledForDeletion: true });
    await local.secret.createSecret({ name: 'counted' } as never);

    const counters = local.api.controls.counters.snapshot();

    expect(local.api.controls.counters.count(SECRETS_ROUTE)).toBe(2);
    expect(counters.read).toBe(2);
    expect(counters.write).toBe(1);
  });

  it('serves and resets the counters over HTTP', async () => {
    await local.secret.listSecrets({ scheduledForDeletion: false });

    const before = await json<CounterSnapshot>(
      fetch(`${local.url}/_local/counters`),
    );
    await fetch(`${local.url}/_local/counters/reset`, { method: 'POST' });
    const after = await json<CounterSnapshot>(
      fetch(`${local.url}/_local/counters`),
    );

    expect(before.routes[SECRETS_ROUTE]).toBe(1);
    expect(after).toEqual({ total: 0, read: 0, write: 0, routes: {} });
  });
});

describe('controls: faults', () => {
  const list = () => local.secret.listSecrets({ scheduledForDeletion: false });

  it('throttles the next request with 429 and Retry-After', async () => {
    local.api.controls.faults.add({
      route: SECRETS_ROUTE,
      kind: 'throttle',
      retryAfterSeconds: 7,
      count: 1,
    });

    const throttled = await call(SECRETS_PATH);
    const next = await call(SECRETS_PATH);

    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect(next.status).toBe(200);
  });

  it.each([
    {
      $case: 'gateway-style 429 → ScalewayError',
      fault: { kind: 'throttle' as const },
      errorClass: Errors.ScalewayError,
      status: 429,
    },
    {
      $case: 'api-style 429 → TooManyRequestsError',
      fault: { kind: 'throttle' as const, throttleStyle: 'api' as const },
      errorClass: Errors.TooManyRequestsError,
      status: 429,
    },
    {
      $case: '502 → ScalewayError',
      fault: { kind: 'error' as const, status: 502 },
      errorClass: Errors.ScalewayError,
      status: 502,
    },
  ])('makes the SDK raise $$case', async ({ fault, errorClass, status }) => {
    local.api.controls.faults.add({ ...fault, count: 1 });

    const error = await list().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(errorClass);
    expect((error as Errors.ScalewayError).status).toBe(status);
  });

  it('drops the connection', async () => {
    local.api.controls.faults.add({ kind: 'drop', count: 1 });

    await expect(call(SECRETS_PATH)).rejects.toThrow();
    expect((await call(SECRETS_PATH)).status).toBe(200);
  });

  it('hits requests at the chosen rate', async () => {
    const draws = [0.1, 0.9, 0.2, 0.8];
    const seeded = new PlatformControls({ random: () => draws.shift() ?? 1 });

    seeded.faults.add({ kind: 'error', rate: 0.5 });
    const hits = [1, 2, 3, 4].map(() => seeded.faults.take('GET /x'));

    expect(hits.map((hit) => hit !== undefined)).toEqual([
      true,
      false,
      true,
      false,
    ]);
  });

  it('is set and cleared over HTTP, reporting every bad field', async () => {
    const bad = await fetch(`${local.url}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'explode', rate: 2 }),
    });
    const added = await fetch(`${local.url}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'error', status: 500 }),
    });
    const failing = await call(SECRETS_PATH);
    await fetch(`${local.url}/_local/faults`, { method: 'DELETE' });
    const healed = await call(SECRETS_PATH);

    expect(bad.status).toBe(400);
    const details = (await json<ErrorBody>(bad)).details as {
      argument_name: string;
    }[];
    expect(details.map((detail) => detail.argument_name).sort()).toEqual([
      'kind',
      'rate',
    ]);
    expect(added.status).toBe(200);
    expect(failing.status).toBe(500);
    expect(healed.status).toBe(200);
  });
});

describe('controls: latency', () => {
  it.each([
    { $case: 'the exact route wins', route: SECRETS_ROUTE, expected: 30 },
    { $case: 'a prefix wins over global', route: 'GET /vpc/x', expected: 10 },
    { $case: 'global applies elsewhere', route: 'GET /iam/x', expected: 5 },
  ])('picks the most precise delay: $$case', ({ route, expected }) => {
    const { latency } = local.api.controls;
    latency.set({ ms: 5 });
    latency.set({ ms: 10, route: 'GET /vpc/*' });
    latency.set({ ms: 30, route: SECRETS_ROUTE });

    expect(latency.delayFor(route)).toBe(expected);
  });

  it('holds the delayed route for its delay and leaves others fast', async () => {
    const timed = async (request: () => Promise<unknown>) => {
      const start = performance.now();
      await request();
      return performance.now() - start;
    };
    const listSecrets = () =>
      local.secret.listSecrets({ scheduledForDeletion: false });
    const listVpcs = () => local.vpc.listVPCs({});
    await listSecrets(); // warm the connection up
    local.api.controls.latency.set({ ms: LATENCY_MS, route: SECRETS_ROUTE });

    const delayed = await timed(listSecrets);
    const undelayed = await timed(listVpcs);

    expect(delayed).toBeGreaterThanOrEqual(0.9 * LATENCY_MS);
    expect(undelayed).toBeLessThan(LATENCY_MS);
  });

  it('is set over HTTP and still serves the request', async () => {
    const set = await fetch(`${local.url}/_local/latency`, {
      method: 'POST',
      body: JSON.stringify({ ms: 20 }),
    });

    const response = await call(SECRETS_PATH);

    expect(await set.json()).toEqual({ latency: { '*': 20 } });
    expect(response.status).toBe(200);
  });
});

describe('controls: clock', () => {
  it('moves forward over HTTP and stamps new resources', async () => {
    const before = await json<ClockState>(fetch(`${local.url}/_local/clock`));

    const advanced = await fetch(`${local.url}/_local/clock/advance`, {
      method: 'POST',
      body: JSON.stringify({ days: 2, hours: 1 }),
    });
    const secret = await local.secret.createSecret({
      name: 'after-advance',
    } as never);

    const { offsetMs } = await json<ClockState>(advanced);
    expect(offsetMs - before.offsetMs).toBe(49 * 3_600_000);
    expect(secret.createdAt?.getTime()).toBeGreaterThan(
      Date.now() + 48 * 3_600_000,
    );
  });

  it('refuses to move backward', async () => {
    const response = await fetch(`${local.url}/_local/clock/advance`, {
      method: 'POST',
      body: JSON.stringify({ ms: -5 }),
    });

    expect(response.status).toBe(400);
  });
});

describe('persistence', () => {
  it('keeps state across a restart with a data folder', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scw-api-'));
    try {
      const first = await startTestScalewayApi({ dataDir });
      const created = await first.secret.createSecret({
        name: 'durable',
      } as never);
      await first.close();

      const second = await startTestScalewayApi({ dataDir });
      const found = await second.secret.getSecret({ secretId: created.id });
      await second.close();

      expect(found.name).toBe('durable');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
