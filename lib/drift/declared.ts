import type { ResourceType } from '../inventory/types.ts';
import { environmentTag, MANAGED_BY_TAG } from '../inventory/types.ts';
import { aclBlockText } from '../policy/index.ts';
import { resolvePolicyRules } from '../policy/presets.ts';
import { companionsOfContainer } from '../secrets/companions.ts';
import {
  deployedName,
  type Stack,
  type StackPath,
  secretBindings,
} from '../stack/index.ts';

/** Finds the live id of a declared resource (undefined: not matched). */
export type ResolveId = (
  type: ResourceType,
  name: string,
) => string | undefined;

/** A field whose comparison is skipped (its reference is not live). */
export const SKIP = Symbol('skip');

/** Declared fields, by the name findings use; SKIP to leave one out. */
export type DeclaredFields = Record<string, unknown>;

/** A resource the stack declares, as drift compares it. */
export interface DeclaredResource {
  readonly type: ResourceType;
  /** Deployed name, e.g. `api-production`. */
  readonly name: string;
  /** Where it is declared in the stack. */
  readonly path: StackPath;
  /** The declared value of each compared field. */
  fields(resolve: ResolveId): DeclaredFields;
  /** Secret env var name -> deployed secret name (containers). */
  readonly secretEnv?: Readonly<Record<string, string>>;
  /**
   * Secret env vars a container may hold or not: the access key set by
   * an IAM key's rotation (lib/secrets/companions.ts).
   */
  readonly optionalSecretEnv?: readonly string[];
}

/**
 * Every resource of a stack with the fields drift compares. Only what the
 * stack declares (with its schema defaults) is compared: computed fields
 * and service defaults the stack does not model are never drift.
 */
export function declaredResources(stack: Stack): DeclaredResource[] {
  const env = stack.environment;
  const named = (name: string) => deployedName(name, env);
  const tags = [MANAGED_BY_TAG, environmentTag(env)];
  const resources: DeclaredResource[] = [];

  if (stack.network !== undefined) {
    const { vpc, privateNetwork } = stack.network;
    resources.push({
      type: 'vpc',
      name: named(vpc.name),
      path: ['network', 'vpc'],
      fields: () => ({ tags }),
    });
    resources.push({
      type: 'private-network',
      name: named(privateNetwork.name),
      path: ['network', 'privateNetwork'],
      fields: (resolve) => ({
        tags,
        vpc: resolve('vpc', named(vpc.name)) ?? SKIP,
        ipv4Subnets: [privateNetwork.cidr],
      }),
    });
  }

  stack.secrets.forEach((secret, index) => {
    resources.push({
      type: 'secret',
      name: named(secret.name),
      path: ['secrets', index],
      fields: () => ({
        tags,
        path: secret.path,
        type: secret.type,
        protected: secret.protected,
        description: secret.description ?? '',
      }),
    });
  });

  stack.iam.applications.forEach((application, a) => {
    const applicationName = named(application.name);
    resources.push({
      type: 'iam-application',
      name: applicationName,
      path: ['iam', 'applications', a],
      fields: () => ({ tags, description: application.description ?? '' }),
    });
    application.policies.forEach((policy, p) => {
      resources.push({
        type: 'iam-policy',
        name: named(policy.name),
        path: ['iam', 'applications', a, 'policies', p],
        fields: (resolve) => ({
          tags,
          application: resolve('iam-application', applicationName) ?? SKIP,
          rules: resolvePolicyRules(policy).map((rule) =>
            ruleKey(
              rule.permissionSetNames,
              rule.scope === 'organization'
                ? 'organization'
                : `project:${stack.project.id}`,
            ),
          ),
        }),
      });
    });
  });

  const database = stack.database;
  const networkName = stack.network && named(stack.network.privateNetwork.name);
  if (database !== undefined) {
    resources.push({
      type: 'database',
      name: named(database.name),
      path: ['database'],
      fields: (resolve) => ({
        tags,
        engine: database.engine,
        nodeType: database.nodeType.toLowerCase(),
        volumeType: database.volume.type,
        volumeSizeGb: database.volume.sizeGb,
        highAvailability: database.highAvailability,
        encryptionAtRest: database.encryptionAtRest,
        backupsEnabled: database.backups.enabled,
        ...(database.backups.enabled
          ? {
              backupRetentionDays: database.backups.retentionDays,
              backupFrequencyHours: database.backups.frequencyHours,
            }
          : {}),
        publicEndpoint: database.endpoint === 'public',
        ...(database.acl === undefined || database.endpoint !== 'public'
          ? {}
          : { acl: declaredAcl(database.acl) }),
        privateNetwork:
          networkName === undefined
            ? null
            : (resolve('private-network', networkName) ?? SKIP),
      }),
    });
  }

  const containers = stack.containers;
  if (containers !== undefined) {
    resources.push({
      type: 'container-namespace',
      name: named(containers.namespace.name),
      path: ['containers', 'namespace'],
      fields: () => ({ tags }),
    });
    const bindings = secretBindings(stack);
    containers.items.forEach((container, index) => {
      const companions = companionsOfContainer(stack, container.name);
      const secretEnv = Object.fromEntries([
        ...bindings
          .filter((binding) => binding.container === container.name)
          .map((binding) => [binding.env, named(binding.secret)]),
        // the role of an alternating pair, set by provisioning
        ...companions
          .filter((companion) => companion.part === 'username')
          .map((companion) => [companion.env, named(companion.secret)]),
      ]);
      resources.push({
        type: 'container',
        name: named(container.name),
        path: ['containers', 'items', index],
        secretEnv,
        optionalSecretEnv: companions
          .filter((companion) => companion.part === 'access-key')
          .map((companion) => companion.env),
        fields: (resolve) => ({
          tags,
          namespace:
            resolve('container-namespace', named(containers.namespace.name)) ??
            SKIP,
          image: container.image,
          cpu: container.cpu,
          memory: container.memory,
          minScale: container.minScale,
          maxScale: container.maxScale,
          port: container.port,
          timeoutSeconds: container.timeoutSeconds,
          privacy: container.privacy,
          env: container.env,
          secretEnvKeys: Object.keys(secretEnv),
          privateNetwork:
            container.privateNetwork && networkName !== undefined
              ? (resolve('private-network', networkName) ?? SKIP)
              : null,
        }),
      });
    });
  }

  return resources;
}

/** A policy rule as one comparable string: scope and permission sets. */
export function ruleKey(
  permissionSets: readonly string[],
  scope: string,
): string {
  return `${scope} ${[...permissionSets].sort().join(',')}`;
}

/** A declared ACL as Scaleway lists it: sorted blocks, an address a /32. */
function declaredAcl(acl: readonly { ip: string }[]): string[] {
  return acl.map((entry) => aclBlockText(entry.ip)).sort();
}
