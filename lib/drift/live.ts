import type { Iamv1alpha1 } from '@scaleway/sdk-iam';
import type { Rdbv1 } from '@scaleway/sdk-rdb';
import type { LiveResource, ResourceType } from '../inventory/types.ts';
import { ruleKey } from './declared.ts';

/** Detail lists read for some resources (absent: not read or failed). */
export interface LiveDetails {
  /** Rules of IAM policies, by policy id. */
  readonly policyRules: ReadonlyMap<string, readonly Iamv1alpha1.Rule[]>;
  /** ACL rules of databases with a public endpoint, by instance id. */
  readonly databaseAcl?: ReadonlyMap<string, readonly Rdbv1.ACLRule[]>;
}

const BYTES_PER_GB = 1_000_000_000;

/**
 * The live value of every field drift compares, named as in
 * `declaredResources`. Computed fields (ids, dates, status, counts,
 * endpoints' addresses) are not read; IPv6 subnets Scaleway adds on its
 * own are left out; durations become seconds.
 */
export function liveFields(
  resource: LiveResource,
  details: LiveDetails,
): Record<string, unknown> {
  const read = LIVE_READERS[resource.type] as (
    raw: unknown,
    details: LiveDetails,
    id: string,
  ) => Record<string, unknown>;

  return {
    tags: [...resource.tags],
    ...read(resource.raw, details, resource.id),
  };
}

type Readers = {
  [K in ResourceType]: (
    raw: LiveResource<K>['raw'],
    details: LiveDetails,
    id: string,
  ) => Record<string, unknown>;
};

const LIVE_READERS: Readers = {
  vpc: () => ({}),
  'private-network': (pn) => ({
    vpc: pn.vpcId,
    ipv4Subnets: pn.subnets
      .map((subnet) => subnet.subnet)
      .filter((cidr) => !cidr.includes(':')),
  }),
  secret: (secret) => ({
    path: secret.path,
    type: secret.type,
    protected: secret.protected,
    description: secret.description ?? '',
  }),
  'iam-application': (application) => ({
    description: application.description,
  }),
  'iam-policy': (policy, details, id) => {
    const rules = details.policyRules.get(id);
    return {
      application: policy.applicationId ?? null,
      ...(rules === undefined ? {} : { rules: rules.map(liveRuleKey) }),
    };
  },
  database: (instance, details, id) => {
    const endpoints = instance.endpoints ?? [];
    const privateEndpoint = endpoints.find((e) => e.privateNetwork);
    const acl = details.databaseAcl?.get(id);
    return {
      // read for a public endpoint only; not compared when absent
      ...(acl === undefined ? {} : { acl: acl.map((r) => r.ip).sort() }),
      engine: instance.engine,
      nodeType: instance.nodeType.toLowerCase(),
      volumeType: instance.volume?.type,
      volumeSizeGb: Math.round((instance.volume?.size ?? 0) / BYTES_PER_GB),
      highAvailability: instance.isHaCluster,
      encryptionAtRest: instance.encryption?.enabled ?? false,
      backupsEnabled: !(instance.backupSchedule?.disabled ?? true),
      backupRetentionDays: instance.backupSchedule?.retention,
      backupFrequencyHours: instance.backupSchedule?.frequency,
      publicEndpoint: endpoints.some((e) => e.loadBalancer !== undefined),
      privateNetwork: privateEndpoint?.privateNetwork?.privateNetworkId ?? null,
    };
  },
  'container-namespace': () => ({}),
  container: (container) => ({
    namespace: container.namespaceId,
    image: container.registryImage,
    cpu: container.cpuLimit,
    memory: container.memoryLimit,
    minScale: container.minScale,
    maxScale: container.maxScale,
    port: container.port,
    timeoutSeconds: seconds(container.timeout),
    privacy: container.privacy,
    env: container.environmentVariables,
    secretEnvKeys: container.secretEnvironmentVariables.map((s) => s.key),
    privateNetwork: container.privateNetworkId ?? null,
  }),
};

/** The comparable form of a live rule (see `ruleKey`). */
export function liveRuleKey(rule: Iamv1alpha1.Rule): string {
  const organizationWide =
    typeof rule.organizationId === 'string' && rule.organizationId !== '';
  const scope = organizationWide
    ? 'organization'
    : `project:${[...(rule.projectIds ?? [])].sort().join(',')}`;

  return ruleKey(rule.permissionSetNames ?? [], scope);
}

function seconds(duration: string | undefined): number | undefined {
  if (duration === undefined) return undefined;

  const value = Number.parseFloat(duration);

  return Number.isFinite(value) ? value : undefined;
}
