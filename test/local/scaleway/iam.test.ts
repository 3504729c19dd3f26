import { Errors } from '@scaleway/sdk-client';
import type { Iamv1alpha1 } from '@scaleway/sdk-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_DEFAULTS } from '../../../local/defaults.ts';
import {
  startTestScalewayApi,
  type TestScalewayApi,
} from '../../support/scaleway.ts';

const PROJECT = LOCAL_DEFAULTS.projectId;
const ORGANIZATION = LOCAL_DEFAULTS.organizationId;

let local: TestScalewayApi;
let iam: Iamv1alpha1.API;

beforeAll(async () => {
  local = await startTestScalewayApi();
  iam = local.iam;
});

afterAll(async () => {
  await local.close();
});

function createApplication(name = 'app') {
  return iam.createApplication({ name, description: '' });
}

describe('applications', () => {
  it('creates, updates, lists and deletes an application', async () => {
    const created = await createApplication('ci-runner');

    const updated = await iam.updateApplication({
      applicationId: created.id,
      tags: ['ci'],
    });
    const listed = await iam.listApplications({ name: 'ci-runner' });
    await iam.deleteApplication({ applicationId: created.id });
    const error = await iam
      .getApplication({ applicationId: created.id })
      .catch((caught: unknown) => caught);

    expect(created).toMatchObject({
      organizationId: ORGANIZATION,
      nbApiKeys: 0,
      editable: true,
      tags: [],
    });
    expect(updated.tags).toEqual(['ci']);
    expect(listed.applications.map((item) => item.id)).toEqual([created.id]);
    expect(error).toBeInstanceOf(Errors.ResourceNotFoundError);
    expect((error as Errors.ResourceNotFoundError).resource).toBe(
      'application',
    );
  });
});

describe('API keys', () => {
  it('returns the secret key only at creation', async () => {
    const application = await createApplication();

    const created = await iam.createAPIKey({
      applicationId: application.id,
      description: 'deploy',
    });
    const fetched = await iam.getAPIKey({ accessKey: created.accessKey });

    expect(created.accessKey).toMatch(/^SCW[A-Z0-9]{17}$/);
    expect(created.secretKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.defaultProjectId).toBe(PROJECT);
    expect(fetched.secretKey).toBeNull();
  });

  it('accepts a new key as a token until it is deleted', async () => {
    const application = await createApplication();
    const key = await iam.createAPIKey({
      applicationId: application.id,
      description: 'token',
    });
    const asKey = local.clientsWithToken(key.secretKey ?? '');

    const before = await asKey.vpc.listVPCs({});
    await iam.deleteAPIKey({ accessKey: key.accessKey });
    const after = asKey.vpc.listVPCs({});

    expect(before.totalCount).toBeGreaterThanOrEqual(1);
    await expect(after).rejects.toBeInstanceOf(
      Errors.DeniedAuthenticationError,
    );
  });

  it('refuses an expired key by the platform clock', async () => {
    const application = await createApplication();
    const key = await iam.createAPIKey({
      applicationId: application.id,
      description: 'short',
      expiresAt: new Date(local.api.clock.now().getTime() + 3_600_000),
    });
    const asKey = local.clientsWithToken(key.secretKey ?? '');

    local.api.clock.advance(2 * 3_600_000);
    const error = await asKey.vpc
      .listVPCs({})
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Errors.DeniedAuthenticationError);
    expect((error as Errors.DeniedAuthenticationError).reason).toBe('expired');
  });

  it('lists the keys of an application', async () => {
    const application = await createApplication();
    await iam.createAPIKey({ applicationId: application.id, description: '' });
    await iam.createAPIKey({ applicationId: application.id, description: '' });

    const page = await iam.listAPIKeys({ bearerId: application.id });
    const counted = await iam.getApplication({
      applicationId: application.id,
    });

    expect(page.totalCount).toBe(2);
    expect(page.apiKeys.every((key) => key.secretKey === null)).toBe(true);
    expect(counted.nbApiKeys).toBe(2);
  });
});

describe('policies and rules', () => {
  it('creates a policy with rules and counts them', async () => {
    const application = await createApplication();

    const policy = await iam.createPolicy({
      name: 'secret-reader',
      description: '',
      applicationId: application.id,
      rules: [
        {
          permissionSetNames: [
            'SecretManagerReadOnly',
            'SecretManagerSecretAccess',
          ],
          projectIds: [PROJECT],
          condition: '',
        },
        {
          permissionSetNames: ['IAMReadOnly'],
          organizationId: ORGANIZATION,
          condition: '',
        },
      ],
    });
    const rules = await iam.listRules({ policyId: policy.id });

    expect(policy).toMatchObject({
      applicationId: application.id,
      nbRules: 2,
      nbScopes: 2,
      nbPermissionSets: 3,
    });
    expect(rules.rules.map((rule) => rule.permissionSetsScopeType)).toEqual([
      'projects',
      'organization',
    ]);
    expect(rules.rules[0]?.projectIds).toEqual([PROJECT]);
    expect(rules.rules[1]?.organizationId).toBe(ORGANIZATION);
  });

  it('replaces every rule with setRules, with new ids', async () => {
    const policy = await iam.createPolicy({
      name: 'replaced',
      description: '',
      noPrincipal: true,
      rules: [
        {
          permissionSetNames: ['VPCReadOnly'],
          projectIds: [PROJECT],
          condition: '',
        },
      ],
    });
    const before = await iam.listRules({ policyId: policy.id });

    const set = await iam.setRules({
      policyId: policy.id,
      rules: [
        {
          permissionSetNames: ['VPCFullAccess'],
          projectIds: [PROJECT],
          condition: '',
        },
      ],
    });

    expect(set.rules.map((rule) => rule.permissionSetNames)).toEqual([
      ['VPCFullAccess'],
    ]);
    expect(set.rules[0]?.id).not.toBe(before.rules[0]?.id);
  });

  const badRules: { $case: string; rule: Iamv1alpha1.RuleSpecs }[] = [
    {
      $case: 'an unknown permission set',
      rule: {
        permissionSetNames: ['MadeUpAccess'],
        projectIds: [PROJECT],
        condition: '',
      },
    },
    {
      $case: 'mixed scope types',
      rule: {
        permissionSetNames: ['IAMManager', 'VPCReadOnly'],
        organizationId: ORGANIZATION,
        condition: '',
      },
    },
    {
      $case: 'an organization set scoped to projects',
      rule: {
        permissionSetNames: ['IAMManager'],
        projectIds: [PROJECT],
        condition: '',
      },
    },
  ];

  it.each(badRules)('refuses a rule with $$case', async ({ rule }) => {
    const attempt = iam.createPolicy({
      name: 'bad',
      description: '',
      noPrincipal: true,
      rules: [rule],
    });

    await expect(attempt).rejects.toBeInstanceOf(Errors.InvalidArgumentsError);
  });

  it('deletes a policy with 204, then 404', async () => {
    const policy = await iam.createPolicy({
      name: 'gone',
      description: '',
      noPrincipal: true,
    });

    await iam.deletePolicy({ policyId: policy.id });
    const error = await iam
      .getPolicy({ policyId: policy.id })
      .catch((caught: unknown) => caught);

    expect((error as Errors.ResourceNotFoundError).resource).toBe('policy');
  });
});

describe('permission sets', () => {
  it.each([
    { name: 'SecretManagerSecretAccess', scope: 'projects' },
    { name: 'RelationalDatabasesReadOnly', scope: 'projects' },
    { name: 'IAMManager', scope: 'organization' },
  ])('lists $name with scope $scope', async ({ name, scope }) => {
    const all = await iam.listPermissionSets({ pageSize: 10 }).all();

    expect(all.find((set) => set.name === name)?.scopeType).toBe(scope);
  });
});
