import { Errors } from '@scaleway/sdk-client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseEngine } from '../../../local/postgres/engine.ts';
import { startPostgres } from '../../../local/postgres/server.ts';
import { rdbProduct } from '../../../local/scaleway/rdb/index.ts';
import {
  startTestScalewayApi,
  type TestScalewayApi,
} from '../../support/scaleway.ts';

const ADMIN_PASSWORD = 'Adm1n-passw0rd!';
const FAST = { minDelay: 1, maxDelay: 1, timeout: 10 };

let engine: DatabaseEngine;
let local: TestScalewayApi;

beforeAll(async () => {
  engine = await startPostgres({ port: 0 });
  local = await startTestScalewayApi({ products: [rdbProduct({ engine })] });
});

afterAll(async () => {
  await local?.close();
  await engine?.close();
});

function createInstance(name: string, extra: object = {}) {
  return local.rdb.createInstance({
    name,
    engine: 'PostgreSQL-16',
    nodeType: 'DB-DEV-S',
    isHaCluster: false,
    userName: `${name.replaceAll('-', '_')}_admin`,
    password: ADMIN_PASSWORD,
    tags: ['evalap'],
    disableBackup: false,
    volumeSize: 0,
    backupSameRegion: false,
    encryption: { enabled: true },
    ...extra,
  });
}

/** Logs in as `user` over TLS, verifying the server against `ca`. */
async function loginOutcome(
  ca: string,
  host: string,
  port: number,
  user: string,
  password: string,
): Promise<string> {
  const client = new pg.Client({
    host,
    port,
    user,
    password,
    database: 'rdb',
    ssl: { ca, rejectUnauthorized: true, servername: host },
  });
  try {
    await client.connect();
    const result = await client.query<{ ssl: boolean }>(
      'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    return result.rows[0]?.ssl === true ? 'connected over tls' : 'plaintext';
  } catch (error) {
    return (error as { code?: string }).code ?? 'failed';
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('RDB instances', () => {
  it('creates a provisioning instance that is ready on the first poll', async () => {
    const created = await createInstance('ins-ready');

    const ready = await local.rdb.waitForInstance(
      { instanceId: created.id },
      FAST,
    );

    expect(created.status).toBe('provisioning');
    expect(ready.status).toBe('ready');
    expect(ready.nodeType).toBe('db-dev-s');
    expect(ready.encryption?.enabled).toBe(true);
    expect(ready.endpoints).toHaveLength(1);
    expect(ready.endpoint?.loadBalancer).toEqual({});
    expect(ready.endpoint?.port).toBe(engine.port);
    expect(ready.createdAt).toBeInstanceOf(Date);
  });

  it('creates only a private endpoint when asked for one', async () => {
    const privateNetworkId = '0b2b6f0e-8d1e-4f56-9c56-5b2b1a1e2f30';

    const created = await createInstance('ins-private', {
      initEndpoints: [{ privateNetwork: { privateNetworkId, ipamConfig: {} } }],
    });

    expect(created.endpoint).toBeUndefined();
    expect(created.endpoints[0]?.privateNetwork).toMatchObject({
      privateNetworkId,
      provisioningMode: 'ipam',
    });
  });

  it.each([
    { case: 'weak password', change: { password: 'short' }, arg: 'password' },
    { case: 'MySQL engine', change: { engine: 'MySQL-8' }, arg: 'engine' },
  ])('rejects a $case with InvalidArgumentsError', async ({ change, arg }) => {
    const attempt = createInstance('ins-bad', change);

    const error = await attempt.catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Errors.InvalidArgumentsError);
    const names = (error as Errors.InvalidArgumentsError).details.map(
      (d) => d.argumentName,
    );
    expect(names).toContain(arg);
    expect(JSON.stringify(error)).not.toContain('short');
  });

  it('updates name, tags and backup schedule but keeps encryption', async () => {
    const created = await createInstance('ins-update');

    const updated = await local.rdb.updateInstance({
      instanceId: created.id,
      name: 'ins-renamed',
      tags: ['a', 'b'],
      backupScheduleFrequency: 12,
      backupScheduleRetention: 30,
    });

    expect(updated.name).toBe('ins-renamed');
    expect(updated.tags).toEqual(['a', 'b']);
    expect(updated.backupSchedule).toMatchObject({
      frequency: 12,
      retention: 30,
    });
    expect(updated.encryption?.enabled).toBe(true);
  });

  it('pages the list with a true total_count', async () => {
    const all = await local.rdb.listInstances({ pageSize: 1 }).all();
    const first = await local.rdb.listInstances({ pageSize: 1 });

    expect(first.instances).toHaveLength(1);
    expect(first.totalCount).toBe(all.length);
    expect(all.length).toBeGreaterThanOrEqual(3);
  });

  it('deletes with 200 deleting, then answers ResourceNotFoundError', async () => {
    const created = await createInstance('ins-delete');

    const deleted = await local.rdb.deleteInstance({ instanceId: created.id });
    const error = await local.rdb
      .getInstance({ instanceId: created.id })
      .catch((e: unknown) => e);

    expect(deleted.status).toBe('deleting');
    expect(error).toBeInstanceOf(Errors.ResourceNotFoundError);
    expect((error as Errors.ResourceNotFoundError).resource).toBe('instance');
  });
});

describe('RDB endpoints and ACLs', () => {
  it('adds and deletes a public endpoint', async () => {
    const created = await createInstance('ins-endpoints', {
      initEndpoints: [
        {
          privateNetwork: {
            privateNetworkId: '1b2b6f0e-8d1e-4f56-9c56-5b2b1a1e2f30',
            serviceIp: '192.168.1.254/24',
          },
        },
      ],
    });

    const endpoint = await local.rdb.createEndpoint({
      instanceId: created.id,
      endpointSpec: { loadBalancer: {} },
    });
    const withPublic = await local.rdb.getInstance({ instanceId: created.id });
    await local.rdb.deleteEndpoint({ endpointId: endpoint.id });
    const after = await local.rdb.getInstance({ instanceId: created.id });

    expect(withPublic.endpoint?.id).toBe(endpoint.id);
    expect(withPublic.endpoints).toHaveLength(2);
    expect(after.endpoints.map((e) => e.id)).not.toContain(endpoint.id);
  });

  it('starts with an open ACL and replaces it on set', async () => {
    const created = await createInstance('ins-acl');
    const before = await local.rdb.listInstanceACLRules({
      instanceId: created.id,
    });

    await local.rdb.setInstanceACLRules({
      instanceId: created.id,
      rules: [{ ip: '10.0.0.1', description: 'office' }],
    });
    const after = await local.rdb.listInstanceACLRules({
      instanceId: created.id,
    });

    expect(before.rules.map((r) => r.ip)).toEqual(['0.0.0.0/0']);
    expect(after.rules).toMatchObject([
      { ip: '10.0.0.1/32', description: 'office', action: 'allow' },
    ]);
    expect(after.totalCount).toBe(1);
  });
});

describe('RDB users and the real PostgreSQL roles', () => {
  it('changes a password: old refused, new accepted (verify-full)', async () => {
    const instance = await createInstance('ins-users');
    const blob = await local.rdb.getInstanceCertificate({
      instanceId: instance.id,
    });
    const ca = await blob.text();
    const { hostname = '', port } = instance.endpoint ?? {};
    await local.rdb.createUser({
      instanceId: instance.id,
      name: 'app_user',
      password: 'Old-passw0rd!',
      isAdmin: false,
    });
    const before = await loginOutcome(
      ca,
      hostname,
      port ?? 0,
      'app_user',
      'Old-passw0rd!',
    );

    const updated = await local.rdb.updateUser({
      instanceId: instance.id,
      name: 'app_user',
      password: 'New-passw0rd!',
    });

    expect(ca).toContain('-----BEGIN CERTIFICATE-----');
    expect(before).toBe('connected over tls');
    expect(updated).toEqual({ name: 'app_user', isAdmin: false });
    expect(
      await loginOutcome(ca, hostname, port ?? 0, 'app_user', 'Old-passw0rd!'),
    ).toBe('28P01');
    expect(
      await loginOutcome(ca, hostname, port ?? 0, 'app_user', 'New-passw0rd!'),
    ).toBe('connected over tls');
  });

  it('lists, refuses a duplicate, and deletes users', async () => {
    const instance = await createInstance('ins-user-list');
    await local.rdb.createUser({
      instanceId: instance.id,
      name: 'reader',
      password: 'Read3r-passw0rd!',
      isAdmin: false,
    });

    const duplicate = await local.rdb
      .createUser({
        instanceId: instance.id,
        name: 'reader',
        password: 'Read3r-passw0rd!',
        isAdmin: false,
      })
      .catch((e: unknown) => e);
    const listed = await local.rdb.listUsers({ instanceId: instance.id });
    await local.rdb.deleteUser({ instanceId: instance.id, name: 'reader' });
    const roles = await engine.listUsers();
    const missing = await local.rdb
      .updateUser({ instanceId: instance.id, name: 'reader', isAdmin: true })
      .catch((e: unknown) => e);

    expect(duplicate).toBeInstanceOf(Errors.AlreadyExistsError);
    expect(listed.users).toEqual([
      { name: 'ins_user_list_admin', isAdmin: true },
      { name: 'reader', isAdmin: false },
    ]);
    expect(roles.map((r) => r.name)).not.toContain('reader');
    expect(missing).toBeInstanceOf(Errors.ResourceNotFoundError);
  });

  it('serves the certificate as a JSON file object without dl', async () => {
    const instance = await createInstance('ins-cert');

    const response = await fetch(
      `${local.url}/rdb/v1/regions/fr-par/instances/${instance.id}/certificate`,
      { headers: { 'x-auth-token': '11111111-1111-4111-8111-111111111111' } },
    );
    const body = (await response.json()) as { content: string; name: string };

    expect(response.headers.get('content-type')).toBe('application/json');
    expect(body.name).toBe('ssl_certificate');
    expect(Buffer.from(body.content, 'base64').toString()).toBe(
      engine.caCertificatePem(),
    );
  });
});
