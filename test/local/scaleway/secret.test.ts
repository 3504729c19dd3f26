import { Errors } from '@scaleway/sdk-client';
import type { Secretv1beta1 } from '@scaleway/sdk-secret';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestScalewayApi,
  type TestScalewayApi,
} from '../../support/scaleway.ts';

const DAY_MS = 86_400_000;

let local: TestScalewayApi;
let secrets: Secretv1beta1.API;
let counter = 0;

beforeAll(async () => {
  local = await startTestScalewayApi();
  secrets = local.secret;
});

afterAll(async () => {
  await local.close();
});

function createSecret(
  request: Partial<Secretv1beta1.CreateSecretRequest> = {},
) {
  counter += 1;

  return secrets.createSecret({
    name: `secret-${counter}`,
    ...request,
  } as Secretv1beta1.CreateSecretRequest);
}

function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

describe('secrets', () => {
  it.each([
    { $case: 'trailing slash', path: '/app/', expected: '/app' },
    { $case: 'empty', path: '', expected: '/' },
    { $case: 'double slashes', path: '/a//b/', expected: '/a/b' },
    { $case: 'absent', path: undefined, expected: '/' },
  ])('normalises the path: $$case', async ({ path, expected }) => {
    const secret = await createSecret(path === undefined ? {} : { path });

    expect(secret.path).toBe(expected);
  });

  it('fills the defaults of a new secret', async () => {
    const secret = await createSecret();

    expect(secret).toMatchObject({
      status: 'ready',
      type: 'opaque',
      protected: false,
      description: '',
      tags: [],
      versionCount: 0,
      region: 'fr-par',
    });
  });

  it('refuses a duplicate name in the same path with a 400', async () => {
    await createSecret({ name: 'dup', path: '/dup' });

    const error = await createSecret({ name: 'dup', path: '/dup/' }).catch(
      (caught: unknown) => caught,
    );
    const elsewhere = await createSecret({ name: 'dup', path: '/other' });

    expect(error).toBeInstanceOf(Errors.InvalidArgumentsError);
    expect((error as Errors.InvalidArgumentsError).status).toBe(400);
    expect(
      (error as Errors.InvalidArgumentsError).details[0]?.helpMessage,
    ).toBe('cannot have same secret name in same path');
    expect(elsewhere.path).toBe('/other');
  });

  it('raises ResourceNotFoundError for a missing secret', async () => {
    const error = await secrets
      .getSecret({ secretId: '00000000-0000-4000-8000-000000000000' })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Errors.ResourceNotFoundError);
    expect((error as Errors.ResourceNotFoundError).resource).toBe('secret');
  });

  it('refuses to delete a protected secret with 412', async () => {
    const secret = await createSecret({ protected: true });

    const error = await secrets
      .deleteSecret({ secretId: secret.id })
      .catch((caught: unknown) => caught);
    await secrets.unprotectSecret({ secretId: secret.id });
    await secrets.deleteSecret({ secretId: secret.id });

    expect(error).toBeInstanceOf(Errors.PreconditionFailedError);
    expect((error as Errors.PreconditionFailedError).status).toBe(412);
    expect((error as Errors.PreconditionFailedError).precondition).toBe(
      'protected_resource',
    );
  });

  it('protects and unprotects through the endpoints', async () => {
    const secret = await createSecret();

    const shielded = await secrets.protectSecret({ secretId: secret.id });
    const refused = await secrets
      .deleteSecret({ secretId: secret.id })
      .catch((caught: unknown) => caught);
    const stillThere = await secrets.getSecret({ secretId: secret.id });
    const unshielded = await secrets.unprotectSecret({ secretId: secret.id });
    await secrets.deleteSecret({ secretId: secret.id });
    const deleted = await secrets.getSecret({ secretId: secret.id });

    expect(shielded.protected).toBe(true);
    expect(refused).toBeInstanceOf(Errors.PreconditionFailedError);
    expect((refused as Errors.PreconditionFailedError).status).toBe(412);
    expect((refused as Errors.PreconditionFailedError).precondition).toBe(
      'protected_resource',
    );
    expect(stillThere.deletionRequestedAt).toBeUndefined();
    expect(unshielded.protected).toBe(false);
    expect(deleted.deletionRequestedAt).toBeInstanceOf(Date);
  });

  it('deletes softly, then purges after 7 days', async () => {
    const secret = await createSecret({ path: '/soft' });

    await secrets.deleteSecret({ secretId: secret.id });
    const deleted = await secrets.getSecret({ secretId: secret.id });
    const active = await secrets.listSecrets({
      path: '/soft',
      scheduledForDeletion: false,
    });
    const scheduled = await secrets.listSecrets({
      path: '/soft',
      scheduledForDeletion: true,
    });
    local.api.clock.advance(7 * DAY_MS + 1);
    const purged = secrets
      .getSecret({ secretId: secret.id })
      .catch((caught: unknown) => caught);

    expect(deleted.deletionRequestedAt).toBeInstanceOf(Date);
    expect(deleted.status).toBe('ready');
    expect(active.totalCount).toBe(0);
    expect(scheduled.secrets.map((item) => item.id)).toEqual([secret.id]);
    expect(await purged).toBeInstanceOf(Errors.ResourceNotFoundError);
  });

  it('restores a secret scheduled for deletion', async () => {
    const secret = await createSecret();
    await secrets.deleteSecret({ secretId: secret.id });

    const restored = await secrets.restoreSecret({ secretId: secret.id });

    expect(restored.deletionRequestedAt).toBeUndefined();
  });

  it.each([
    { $case: 'by name', filter: { name: 'filter-a' }, expected: ['filter-a'] },
    {
      $case: 'by every tag',
      filter: { tags: ['x', 'y'] },
      expected: ['filter-a'],
    },
    {
      $case: 'by one tag',
      filter: { tags: ['x'] },
      expected: ['filter-a', 'filter-b'],
    },
    {
      $case: 'by type',
      filter: { type: 'key_value' as const },
      expected: ['filter-b'],
    },
  ])('filters the list $$case', async ({ filter, expected }) => {
    const path = `/filters-${expected.join('-')}-${counter}`;
    await createSecret({ name: 'filter-a', path, tags: ['x', 'y'] });
    await createSecret({
      name: 'filter-b',
      path,
      tags: ['x'],
      type: 'key_value',
    });

    const page = await secrets.listSecrets({
      path,
      scheduledForDeletion: false,
      orderBy: 'name_asc',
      ...filter,
    });

    expect(page.secrets.map((secret) => secret.name)).toEqual(expected);
  });

  it('lists the tags in use', async () => {
    await createSecret({ tags: ['listed-tag'] });

    const page = await secrets.listTags({});

    expect(page.tags).toContain('listed-tag');
  });
});

describe('secret versions', () => {
  it('creates versions without disabling the previous one', async () => {
    const secret = await createSecret();

    await secrets.createSecretVersion({
      secretId: secret.id,
      data: base64('v1'),
    });
    const second = await secrets.createSecretVersion({
      secretId: secret.id,
      data: base64('v2'),
    });
    const list = await secrets.listSecretVersions({ secretId: secret.id });
    const after = await secrets.getSecret({ secretId: secret.id });

    expect(second).toMatchObject({ revision: 2, latest: true });
    expect(list.versions.map((version) => version.revision)).toEqual([2, 1]);
    expect(list.versions.map((version) => version.status)).toEqual([
      'enabled',
      'enabled',
    ]);
    expect(list.versions[1]?.latest).toBe(false);
    expect(after.versionCount).toBe(2);
  });

  it('disables the previous version on request', async () => {
    const secret = await createSecret();
    await secrets.createSecretVersion({
      secretId: secret.id,
      data: base64('v1'),
    });

    await secrets.createSecretVersion({
      secretId: secret.id,
      data: base64('v2'),
      disablePrevious: true,
    });
    const first = await secrets.getSecretVersion({
      secretId: secret.id,
      revision: '1',
    });

    expect(first.status).toBe('disabled');
  });

  it.each([
    { $case: 'a number', revision: '1', expected: 1, disableThird: false },
    { $case: 'latest', revision: 'latest', expected: 3, disableThird: false },
    {
      $case: 'latest_enabled',
      revision: 'latest_enabled',
      expected: 2,
      disableThird: true,
    },
  ])('accesses the data by $$case', async (row) => {
    const secret = await createSecret();
    for (const value of ['1', '2', '3']) {
      await secrets.createSecretVersion({
        secretId: secret.id,
        data: base64(`data-${value}`),
      });
    }
    if (row.disableThird) {
      await secrets.disableSecretVersion({
        secretId: secret.id,
        revision: '3',
      });
    }

    const access = await secrets.accessSecretVersion({
      secretId: secret.id,
      revision: row.revision,
    });

    expect(access.revision).toBe(row.expected);
    expect(Buffer.from(access.data, 'base64').toString()).toBe(
      `data-${row.expected}`,
    );
  });

  it('refuses access to a disabled version', async () => {
    const secret = await createSecret();
    await secrets.createSecretVersion({
      secretId: secret.id,
      data: base64('x'),
    });
    await secrets.disableSecretVersion({ secretId: secret.id, revision: '1' });

    const attempt = secrets.accessSecretVersion({
      secretId: secret.id,
      revision: '1',
    });

    await expect(attempt).rejects.toBeInstanceOf(
      Errors.PreconditionFailedError,
    );
  });

  it('accesses a version by path and name', async () => {
    await createSecret({ name: 'by-path', path: '/apps/api' });
    const page = await secrets.listSecrets({
      name: 'by-path',
      path: '/apps/api',
      scheduledForDeletion: false,
    });
    const id = page.secrets[0]?.id ?? '';
    await secrets.createSecretVersion({ secretId: id, data: base64('p') });

    const access = await secrets.accessSecretVersionByPath({
      secretName: 'by-path',
      secretPath: '/apps/api',
      revision: 'latest',
    });

    expect(access.secretId).toBe(id);
  });

  it.each([
    {
      $case: 'larger than 64 KiB',
      data: Buffer.alloc(64 * 1024 + 1).toString('base64'),
      type: 'opaque' as const,
    },
    { $case: 'not base64', data: 'not base64!', type: 'opaque' as const },
    {
      $case: 'a key_value with a nested object',
      data: base64('{"key":"value","invalid":{}}'),
      type: 'key_value' as const,
    },
  ])('refuses data $$case', async ({ data, type }) => {
    const secret = await createSecret({ type });

    const attempt = secrets.createSecretVersion({ secretId: secret.id, data });

    await expect(attempt).rejects.toBeInstanceOf(Errors.InvalidArgumentsError);
  });

  it('accepts exactly 64 KiB', async () => {
    const secret = await createSecret();

    const version = await secrets.createSecretVersion({
      secretId: secret.id,
      data: Buffer.alloc(64 * 1024, 1).toString('base64'),
    });

    expect(version.revision).toBe(1);
  });

  it('schedules a deleted version for deletion and keeps the count', async () => {
    const secret = await createSecret();
    await secrets.createSecretVersion({
      secretId: secret.id,
      data: base64('x'),
    });

    await secrets.deleteSecretVersion({ secretId: secret.id, revision: '1' });
    const version = await secrets.getSecretVersion({
      secretId: secret.id,
      revision: '1',
    });
    const after = await secrets.getSecret({ secretId: secret.id });

    expect(version.status).toBe('scheduled_for_deletion');
    expect(version.deletionRequestedAt).toBeInstanceOf(Date);
    expect(after.versionCount).toBe(1);
  });

  it('ages versions with the platform clock', async () => {
    const secret = await createSecret();
    const old = await secrets.createSecretVersion({
      secretId: secret.id,
      data: base64('old'),
    });

    local.api.clock.advance(91 * DAY_MS);
    const fresh = await secrets.createSecretVersion({
      secretId: secret.id,
      data: base64('new'),
    });

    const ageMs =
      (fresh.createdAt?.getTime() ?? 0) - (old.createdAt?.getTime() ?? 0);
    expect(ageMs).toBeGreaterThanOrEqual(91 * DAY_MS);
    expect(ageMs).toBeLessThan(92 * DAY_MS);
  });

  it('raises ResourceNotFoundError for a missing revision', async () => {
    const secret = await createSecret();

    const attempt = secrets.getSecretVersion({
      secretId: secret.id,
      revision: 'latest',
    });

    await expect(attempt).rejects.toBeInstanceOf(Errors.ResourceNotFoundError);
  });
});
