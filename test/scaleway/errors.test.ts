import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Containerv1beta1 } from '@scaleway/sdk-container';
import { Iamv1alpha1 } from '@scaleway/sdk-iam';
import { Rdbv1 } from '@scaleway/sdk-rdb';
import { Secretv1beta1 } from '@scaleway/sdk-secret';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../lib/config/index.ts';
import {
  callScaleway,
  createScalewayClient,
  permissionsFor,
  retryScaleway,
  ScalewayAuthenticationError,
  ScalewayConflictError,
  ScalewayInvalidRequestError,
  ScalewayNotFoundError,
  ScalewayPermissionError,
  ScalewayUnavailableError,
  SecretNotFoundError,
  translateScalewayError,
} from '../../lib/scaleway/index.ts';

const PROJECT_ID = '4a8d6f1e-2b3c-4d5e-8f90-a1b2c3d4e5f6';
const ORGANIZATION_ID = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const SECRET_ID = 'a1b2c3d4-0000-4000-8000-000000000001';
const SECRET_KEY = '9b0e2f51-6c3a-4c1e-8f7a-5d2b1e0c9a77';

/** A canned answer of the fake Scaleway API, bodies from scaleway-api.md 3.2. */
interface Answer {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

const answers = new Map<string, Answer[]>();
let server: Server;
let config: Config;

function answer(method: string, path: string, ...replies: Answer[]): void {
  answers.set(`${method} ${path}`, replies);
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const replies = answers.get(`${request.method} ${path}`) ?? [];
    const reply = replies.length > 1 ? replies.shift() : replies[0];
    if (reply === undefined) {
      response.writeHead(500).end();
      return;
    }
    const headers: Record<string, string> = { ...reply.headers };
    if (reply.body !== undefined) headers['Content-Type'] = 'application/json';
    response.writeHead(reply.status, headers);
    response.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  config = loadConfig({
    SCW_ACCESS_KEY: 'SCWABCDEFGHIJKLMNOPQ',
    SCW_SECRET_KEY: SECRET_KEY,
    SCW_DEFAULT_PROJECT_ID: PROJECT_ID,
    SCW_DEFAULT_ORGANIZATION_ID: ORGANIZATION_ID,
    SCW_API_URL: `http://127.0.0.1:${port}`,
  });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function secretApi(): Secretv1beta1.API {
  return new Secretv1beta1.API(createScalewayClient(config));
}

async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call succeeded');
}

const SECRETS = '/secret-manager/v1beta1/regions/fr-par/secrets';

describe('translateScalewayError', () => {
  it('403 names the missing permission set and the project', async () => {
    answer('GET', `${SECRETS}/${SECRET_ID}/versions/latest/access`, {
      status: 403,
      body: {
        details: [{ action: 'read', resource: 'secret_version' }],
        message: 'insufficient permissions',
        type: 'permissions_denied',
      },
    });

    const error = translateScalewayError(
      await failure(() =>
        secretApi().accessSecretVersion({
          secretId: SECRET_ID,
          revision: 'latest',
        }),
      ),
    );

    expect(error).toBeInstanceOf(ScalewayPermissionError);
    expect(error).toMatchObject({
      fault: 'ours',
      permissionSet: 'SecretManagerSecretAccess',
      scopeId: PROJECT_ID,
      retryable: false,
    });
    expect(error.message).toContain('SecretManagerSecretAccess');
    expect(error.message).toContain(`scoped to project ${PROJECT_ID}`);
    expect(error.message).not.toContain(SECRET_KEY);
  });

  it('403 on IAM names the organization scope', async () => {
    answer('GET', '/iam/v1alpha1/policies', {
      status: 403,
      body: {
        details: [{ action: 'read', resource: 'policy' }],
        message: 'insufficient permissions',
        type: 'permissions_denied',
      },
    });
    const iam = new Iamv1alpha1.API(createScalewayClient(config));

    const error = await failure(() =>
      callScaleway(() => iam.listPolicies({ organizationId: ORGANIZATION_ID })),
    );

    expect(error).toBeInstanceOf(ScalewayPermissionError);
    expect((error as Error).message).toContain(
      `IAMReadOnly scoped to the organization ${ORGANIZATION_ID}`,
    );
  });

  it('404 on a secret names its region and path', async () => {
    answer('GET', `${SECRETS}/${SECRET_ID}`, {
      status: 404,
      body: {
        message: 'resource is not found',
        resource: 'secret',
        resource_id: SECRET_ID,
        type: 'not_found',
      },
    });

    const error = await failure(() =>
      callScaleway(() => secretApi().getSecret({ secretId: SECRET_ID }), {
        secret: { name: 'db-password', path: '/evalap/production' },
      }),
    );

    expect(error).toBeInstanceOf(SecretNotFoundError);
    expect(error).toMatchObject({
      fault: 'caller',
      httpStatus: 404,
      region: 'fr-par',
      secretPath: '/evalap/production',
      resourceId: SECRET_ID,
    });
    expect((error as Error).message).toMatch(
      /secret db-password.* not found in region fr-par at path \/evalap\/production/,
    );
  });

  it('404 without a type (Containers v1beta1) is still a not-found', async () => {
    const path = '/containers/v1beta1/regions/fr-par/namespaces/ns-1';
    answer('GET', path, {
      status: 404,
      body: { message: 'Namespace was not found' },
    });
    const api = new Containerv1beta1.API(createScalewayClient(config));

    const error = await failure(() =>
      callScaleway(() => api.getNamespace({ namespaceId: 'ns-1' })),
    );

    expect(error).toBeInstanceOf(ScalewayNotFoundError);
    expect(error).toMatchObject({ resource: 'namespace', region: 'fr-par' });
  });

  it.each([
    {
      case: 'invalid arguments',
      status: 400,
      body: {
        details: [
          {
            argument_name: 'data',
            help_message:
              '- invalid: Invalid type. Expected: string, given: object\n',
            reason: 'format',
          },
        ],
        message: 'invalid argument(s)',
        type: 'invalid_arguments',
      },
      expected: ScalewayInvalidRequestError,
      fault: 'caller',
    },
    {
      case: 'denied authentication',
      status: 401,
      body: {
        message: 'authentication is denied',
        method: 'api_key',
        reason: 'invalid_argument',
        type: 'denied_authentication',
      },
      expected: ScalewayAuthenticationError,
      fault: 'ours',
    },
    {
      case: 'protected secret',
      status: 412,
      body: {
        help_message: 'cannot delete a protected secret',
        message: 'precondition is not respected',
        precondition: 'protected_resource',
        type: 'precondition_failed',
      },
      expected: ScalewayConflictError,
      fault: 'caller',
    },
    {
      case: 'transient state',
      status: 409,
      body: {
        current_state: 'updating',
        message: 'resource is in a transient state',
        resource: 'secret',
        resource_id: SECRET_ID,
        type: 'transient_state',
      },
      expected: ScalewayUnavailableError,
      fault: 'outside',
    },
    {
      case: 'untyped 503',
      status: 503,
      body: { message: 'cloud-init is not supported on this offer' },
      expected: ScalewayUnavailableError,
      fault: 'outside',
    },
  ])(
    '$case → $expected.name ($fault)',
    async ({ status, body, expected, fault }) => {
      answer('DELETE', `${SECRETS}/${SECRET_ID}`, { status, body });

      const error = await failure(() =>
        callScaleway(() => secretApi().deleteSecret({ secretId: SECRET_ID })),
      );

      expect(error).toBeInstanceOf(expected);
      expect(error).toMatchObject({ fault, upstreamStatus: status });
      expect((error as Error).message).not.toContain(SECRET_KEY);
    },
  );

  it('an unreachable API is the outside world', async () => {
    const closed = loadConfig({
      SCW_ACCESS_KEY: 'SCWABCDEFGHIJKLMNOPQ',
      SCW_SECRET_KEY: SECRET_KEY,
      SCW_DEFAULT_PROJECT_ID: PROJECT_ID,
      SCW_API_URL: 'http://127.0.0.1:1',
    });
    const api = new Rdbv1.API(createScalewayClient(closed));

    const error = await failure(() => callScaleway(() => api.listInstances()));

    expect(error).toBeInstanceOf(ScalewayUnavailableError);
    expect(error).toMatchObject({ fault: 'outside' });
  });
});

describe('retryScaleway', () => {
  const INSTANCES = '/rdb/v1/regions/fr-par/instances';

  it('retries a 429 after its Retry-After, then succeeds', async () => {
    answer(
      'GET',
      INSTANCES,
      { status: 429, headers: { 'Retry-After': '7' } },
      { status: 503, body: { message: 'upstream connect error' } },
      { status: 200, body: { instances: [], total_count: 0 } },
    );
    const api = new Rdbv1.API(createScalewayClient(config));
    const waits: number[] = [];

    const result = await retryScaleway(() => api.listInstances(), {
      minDelayMs: 100,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    expect(result.totalCount).toBe(0);
    expect(waits).toEqual([7_000, 200]);
  });

  it('does not retry the caller’s fault', async () => {
    answer('GET', INSTANCES, {
      status: 404,
      body: {
        message: 'resource is not found',
        resource: 'instance',
        resource_id: 'x',
        type: 'not_found',
      },
    });
    const api = new Rdbv1.API(createScalewayClient(config));
    const waits: number[] = [];

    const error = await failure(() =>
      retryScaleway(() => api.listInstances(), {
        sleep: async (ms) => {
          waits.push(ms);
        },
      }),
    );

    expect(error).toBeInstanceOf(ScalewayNotFoundError);
    expect(waits).toEqual([]);
  });

  it('gives up after the bounded number of retries', async () => {
    answer('GET', INSTANCES, { status: 502, body: { message: 'bad gateway' } });
    const api = new Rdbv1.API(createScalewayClient(config));
    const waits: number[] = [];

    const error = await failure(() =>
      retryScaleway(() => api.listInstances(), {
        retries: 2,
        minDelayMs: 10,
        sleep: async (ms) => {
          waits.push(ms);
        },
      }),
    );

    expect(error).toBeInstanceOf(ScalewayUnavailableError);
    expect(waits).toEqual([10, 20]);
  });

  it('gives up at once when Retry-After exceeds the bound', async () => {
    answer('GET', INSTANCES, {
      status: 429,
      headers: { 'Retry-After': '3600' },
    });
    const api = new Rdbv1.API(createScalewayClient(config));
    const waits: number[] = [];

    const error = await failure(() =>
      retryScaleway(() => api.listInstances(), {
        sleep: async (ms) => {
          waits.push(ms);
        },
      }),
    );

    expect(error).toMatchObject({ fault: 'outside', retryAfterMs: 3_600_000 });
    expect(waits).toEqual([]);
  });
});

describe('permissionsFor', () => {
  it.each([
    ['GET', `${SECRETS}/x/versions/3/access`, 'SecretManagerSecretAccess'],
    ['POST', SECRETS, 'SecretManagerSecretCreate'],
    ['POST', `${SECRETS}/x/versions`, 'SecretManagerSecretWrite'],
    ['DELETE', `${SECRETS}/x`, 'SecretManagerSecretDelete'],
    ['GET', SECRETS, 'SecretManagerReadOnly'],
    [
      'POST',
      '/vpc/v2/regions/fr-par/private-networks',
      'PrivateNetworksFullAccess',
    ],
    ['GET', '/vpc/v2/regions/fr-par/vpcs', 'VPCReadOnly'],
    [
      'POST',
      '/rdb/v1/regions/fr-par/instances',
      'RelationalDatabasesFullAccess',
    ],
    [
      'PATCH',
      '/containers/v1beta1/regions/fr-par/containers/c',
      'ContainersFullAccess',
    ],
    ['GET', '/functions/v1beta1/regions/fr-par/functions', 'FunctionsReadOnly'],
    ['POST', '/iam/v1alpha1/policies', 'IAMManager'],
  ])('%s %s needs %s', (method, path, expected) => {
    expect(permissionsFor(method, path)?.permissionSet).toBe(expected);
  });
});
