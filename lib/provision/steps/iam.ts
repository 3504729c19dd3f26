import type { Iamv1alpha1 } from '@scaleway/sdk-iam';
import {
  POLICY_PRESET_DEFINITIONS,
  resolvePolicyRules,
} from '../../policy/index.ts';
import type { IamApplication, IamPolicy } from '../../stack/index.ts';
import { UnmanagedResourceError } from '../errors.ts';
import { apiKeyDescription, isManaged, managedTags } from '../tags.ts';
import type { FieldChange } from '../types.ts';
import { toSecretData } from '../values.ts';
import type { ProvisionWalk } from '../walk.ts';

/**
 * IAM applications, their policies (rules resolved from presets or
 * custom rules, scoped to the stack project or the organization) and the
 * API keys that `iam-api-key` secrets hold.
 */
export async function convergeIam(walk: ProvisionWalk): Promise<void> {
  const { iam: api } = walk.context.clients;

  const applications = await walk.call('list IAM applications', () =>
    api.listApplications({}).all(),
  );
  const policies = await walk.call('list IAM policies', () =>
    api.listPolicies({}).all(),
  );

  for (const declared of walk.stack.iam.applications) {
    const appId = await convergeApplication(walk, api, applications, declared);
    for (const policy of declared.policies) {
      await convergePolicy(walk, api, policies, appId, policy);
    }
  }
  await convergeApiKeys(walk, api);

  const keptPolicies = new Set(walk.resources.map((r) => r.id));
  for (const policy of policies) {
    if (!isManaged(policy.tags, walk.environment)) continue;
    if (keptPolicies.has(policy.id)) continue;
    walk.orphans.push({
      item: orphan('iam-policy', policy.name, policy.id),
      remove: () => api.deletePolicy({ policyId: policy.id }),
    });
  }
  for (const application of applications) {
    if (!isManaged(application.tags, walk.environment)) continue;
    if (keptPolicies.has(application.id)) continue;
    walk.orphans.push({
      item: orphan('iam-application', application.name, application.id),
      remove: () => api.deleteApplication({ applicationId: application.id }),
    });
  }
}

async function convergeApplication(
  walk: ProvisionWalk,
  api: Iamv1alpha1.API,
  applications: Iamv1alpha1.Application[],
  declared: IamApplication,
): Promise<string | undefined> {
  const name = walk.deployed(declared.name);
  const description = declared.description ?? '';
  const live = applications.find((app) => app.name === name);
  if (live !== undefined && !isManaged(live.tags, walk.environment)) {
    throw new UnmanagedResourceError('IAM application', name, walk.environment);
  }

  let id = live?.id;
  if (live === undefined) {
    const created = await walk.change(
      { kind: 'iam-application', name, action: 'create' },
      () =>
        walk.call(`create IAM application ${name}`, () =>
          api.createApplication({
            name,
            description,
            tags: managedTags(walk.environment),
          }),
        ),
    );
    id = created?.id;
  } else if (live.description !== description) {
    await walk.change(
      {
        kind: 'iam-application',
        name,
        action: 'update',
        id: live.id,
        changes: [
          { field: 'description', from: live.description, to: description },
        ],
      },
      () =>
        walk.call(`update IAM application ${name}`, () =>
          api.updateApplication({ applicationId: live.id, description }),
        ),
    );
  } else {
    walk.unchanged('iam-application', name, live.id);
  }

  if (id !== undefined) {
    walk.ids.set(`iam-application:${declared.name}`, id);
    walk.applied({ kind: 'iam-application', name, id });
    if (live?.organizationId) {
      walk.ids.set('organization', live.organizationId);
    }
  }

  return id;
}

async function convergePolicy(
  walk: ProvisionWalk,
  api: Iamv1alpha1.API,
  policies: Iamv1alpha1.Policy[],
  applicationId: string | undefined,
  declared: IamPolicy,
): Promise<void> {
  const name = walk.deployed(declared.name);
  const description =
    declared.description ??
    (declared.preset === undefined
      ? ''
      : POLICY_PRESET_DEFINITIONS[declared.preset].description);
  const rules = ruleSpecs(walk, declared);
  const live = policies.find((policy) => policy.name === name);
  if (live !== undefined && !isManaged(live.tags, walk.environment)) {
    throw new UnmanagedResourceError('IAM policy', name, walk.environment);
  }

  if (live === undefined) {
    const created = await walk.change(
      {
        kind: 'iam-policy',
        name,
        action: 'create',
        details: { rules: rules.map((r) => r.permissionSetNames) },
      },
      () =>
        walk.call(`create IAM policy ${name}`, () =>
          api.createPolicy({
            name,
            description,
            rules,
            tags: managedTags(walk.environment),
            ...(applicationId === undefined ? {} : { applicationId }),
          }),
        ),
    );
    recordPolicy(walk, name, created?.id);
    return;
  }

  const liveRules = await walk.call(`list rules of IAM policy ${name}`, () =>
    api.listRules({ policyId: live.id }).all(),
  );
  const changes: FieldChange[] = [];
  if (live.description !== description) {
    changes.push({
      field: 'description',
      from: live.description,
      to: description,
    });
  }
  if (live.applicationId !== applicationId) {
    changes.push({
      field: 'application',
      from: live.applicationId ?? null,
      to: applicationId ?? null,
    });
  }
  const from = liveRules.map(ruleKey).sort();
  const to = rules.map(ruleKey).sort();
  if (from.join('\n') !== to.join('\n')) {
    changes.push({ field: 'rules', from, to });
  }

  if (changes.length === 0) {
    walk.unchanged('iam-policy', name, live.id);
  } else {
    await walk.change(
      { kind: 'iam-policy', name, action: 'update', id: live.id, changes },
      () =>
        updatePolicy(
          walk,
          api,
          live,
          changes,
          description,
          rules,
          applicationId,
        ),
    );
  }
  recordPolicy(walk, name, live.id);
}

async function updatePolicy(
  walk: ProvisionWalk,
  api: Iamv1alpha1.API,
  live: Iamv1alpha1.Policy,
  changes: FieldChange[],
  description: string,
  rules: Iamv1alpha1.RuleSpecs[],
  applicationId: string | undefined,
): Promise<void> {
  const fields = new Set(changes.map((c) => c.field));
  if (fields.has('description') || fields.has('application')) {
    await walk.call(`update IAM policy ${live.name}`, () =>
      api.updatePolicy({
        policyId: live.id,
        description,
        ...(applicationId === undefined ? {} : { applicationId }),
      }),
    );
  }
  if (fields.has('rules')) {
    await walk.call(`set rules of IAM policy ${live.name}`, () =>
      api.setRules({ policyId: live.id, rules }),
    );
  }
}

function recordPolicy(
  walk: ProvisionWalk,
  name: string,
  id: string | undefined,
): void {
  if (id !== undefined) {
    walk.applied({ kind: 'iam-policy', name, id });
  }
}

function ruleSpecs(
  walk: ProvisionWalk,
  declared: IamPolicy,
): Iamv1alpha1.RuleSpecs[] {
  return resolvePolicyRules(declared).map((rule) => {
    const names = [...rule.permissionSetNames];
    const organizationId = walk.context.organizationId;
    if (rule.scope === 'organization' && organizationId !== undefined) {
      return { permissionSetNames: names, condition: '', organizationId };
    }

    return {
      permissionSetNames: names,
      condition: '',
      projectIds: [walk.projectId],
    };
  });
}

function ruleKey(rule: {
  permissionSetNames?: string[] | undefined;
  projectIds?: string[] | undefined;
  organizationId?: string | undefined;
}): string {
  const sets = [...(rule.permissionSetNames ?? [])].sort().join(',');
  const scope =
    rule.projectIds !== undefined && rule.projectIds.length > 0
      ? `projects:${[...rule.projectIds].sort().join(',')}`
      : `organization:${rule.organizationId ?? ''}`;

  return `${sets} @ ${scope}`;
}

/**
 * API keys held by `iam-api-key` secrets. The key is created, then its
 * secret key written as the secret's first version at once. A secret with
 * no version whose application still has keys of ours (a crash between
 * the two calls) gets those keys deleted and a new one: their secret part
 * is lost, so they are unusable. A secret with a value is left alone
 * (rotation owns it) unless its key disappeared.
 */
async function convergeApiKeys(
  walk: ProvisionWalk,
  api: Iamv1alpha1.API,
): Promise<void> {
  for (const secret of walk.stack.secrets) {
    if (secret.generator.kind !== 'iam-api-key') continue;

    const application = secret.generator.application;
    const applicationId = walk.ids.get(`iam-application:${application}`);
    const secretId = walk.ids.get(`secret:${secret.name}`);
    const secretName = walk.deployed(secret.name);
    const description = apiKeyDescription(secretName);
    const keys =
      applicationId === undefined
        ? []
        : await walk.call(`list API keys of ${application}`, () =>
            api
              .listAPIKeys({
                bearerId: applicationId,
                bearerType: 'application',
                description,
              })
              .all(),
          );
    const ours = keys.filter((key) => key.description === description);
    const versions = walk.versionCounts.get(secret.name) ?? 0;

    if (versions > 0 && ours.length > 0) {
      const key = ours[0] as Iamv1alpha1.APIKey;
      walk.unchanged('iam-api-key', secretName, key.accessKey);
      recordKey(walk, secretName, key.accessKey, application);
      continue;
    }

    const from =
      versions > 0
        ? '(key gone)'
        : ours.length > 0
          ? '(key without stored value)'
          : '(none)';
    const created = await walk.change(
      {
        kind: 'iam-api-key',
        name: secretName,
        action: from === '(none)' ? 'create' : 'update',
        changes:
          from === '(none)' ? [] : [{ field: 'key', from, to: '(new key)' }],
        details: { application: walk.deployed(application) },
      },
      async () => {
        for (const stale of ours) {
          await walk.call(`delete unusable API key of ${application}`, () =>
            api.deleteAPIKey({ accessKey: stale.accessKey }),
          );
        }
        const key = await walk.call(`create API key of ${application}`, () =>
          api.createAPIKey({
            applicationId: applicationId as string,
            description,
            defaultProjectId: walk.projectId,
          }),
        );
        await walk.call(`store the API key in secret ${secretName}`, () =>
          walk.context.clients.secret.createSecretVersion({
            region: walk.region,
            secretId: secretId as string,
            data: toSecretData(key.secretKey ?? ''),
            description: `API key ${key.accessKey}`,
          }),
        );
        walk.rememberPayload(secret.name, key.secretKey ?? '');

        return key;
      },
    );
    if (created !== undefined) {
      recordKey(walk, secretName, created.accessKey, application);
    }
  }
}

function recordKey(
  walk: ProvisionWalk,
  secretName: string,
  accessKey: string,
  application: string,
): void {
  walk.applied({
    kind: 'iam-api-key',
    name: secretName,
    id: accessKey,
    attributes: { application: walk.deployed(application), secret: secretName },
  });
}

function orphan(
  kind: 'iam-policy' | 'iam-application',
  name: string,
  id: string,
) {
  return {
    kind,
    name,
    action: 'delete' as const,
    changes: [],
    id,
    reason: 'no longer declared',
  };
}
