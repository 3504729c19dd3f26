import type { RuleScope, ServiceUse } from '../stack/vocabulary.ts';
import {
  ORGANIZATION_PERMISSION_SETS,
  PROJECT_PERMISSION_SETS,
} from './catalogue.ts';

/**
 * The service × access level table: which Scaleway permission sets each
 * access level grants. The seven services and their levels are those of
 * the original implementation; `iam` is added for the control plane, which
 * manages IAM applications, policies and API keys.
 */
export const PERMISSION_SETS = {
  serverless_containers: {
    full_access: ['ContainersFullAccess'],
    read_only: ['ContainersReadOnly'],
    deploy_only: ['ContainersNamespacesCreate', 'ContainersNamespacesDelete'],
  },
  database: {
    full_access: ['RelationalDatabasesFullAccess'],
    read_only: ['RelationalDatabasesReadOnly'],
  },
  object_storage: {
    full_access: ['ObjectStorageFullAccess'],
    read_only: ['ObjectStorageReadOnly'],
    write_only: ['ObjectStorageObjectsWrite', 'ObjectStorageBucketsWrite'],
  },
  secret_manager: {
    full_access: ['SecretManagerFullAccess'],
    read_only: ['SecretManagerReadOnly'],
    secret_access: ['SecretManagerSecretAccess'],
  },
  container_registry: {
    full_access: ['ContainerRegistryFullAccess'],
    read_only: ['ContainerRegistryReadOnly'],
  },
  cockpit: {
    full_access: ['ObservabilityFullAccess'],
    read_only: ['ObservabilityReadOnly'],
    logs_only: ['ObservabilityLogsRead'],
    metrics_only: ['ObservabilityMetricsRead'],
  },
  vpc: {
    full_access: ['VPCFullAccess'],
    read_only: ['VPCReadOnly'],
  },
  iam: {
    full_access: ['IAMManager'],
    applications_and_policies: ['IAMApplicationManager', 'IAMPolicyManager'],
    read_only: ['IAMReadOnly'],
  },
} as const satisfies Record<string, Record<string, readonly string[]>>;

/** A service of the permission-set table. */
export type IamService = keyof typeof PERMISSION_SETS;

/** Services whose permission sets are organization-scoped. */
export const ORGANIZATION_SERVICES: ReadonlySet<string> = new Set(['iam']);

/**
 * Which declared uses each access level serves. The least-privilege check
 * flags `full_access` when another level of the service serves the use.
 */
export const LEVEL_USES: Record<
  IamService,
  Record<string, readonly ServiceUse[]>
> = {
  serverless_containers: {
    full_access: ['manage', 'deploy', 'read'],
    read_only: ['read'],
    deploy_only: ['deploy'],
  },
  database: { full_access: ['manage', 'read'], read_only: ['read'] },
  object_storage: {
    full_access: ['manage', 'write', 'read'],
    read_only: ['read'],
    write_only: ['write'],
  },
  secret_manager: {
    full_access: ['manage', 'read-secrets', 'read'],
    read_only: ['read'],
    secret_access: ['read-secrets'],
  },
  container_registry: {
    full_access: ['manage', 'write', 'read'],
    read_only: ['read'],
  },
  cockpit: {
    full_access: ['manage', 'read', 'logs', 'metrics'],
    read_only: ['read', 'logs', 'metrics'],
    logs_only: ['logs'],
    metrics_only: ['metrics'],
  },
  vpc: { full_access: ['manage', 'read'], read_only: ['read'] },
  iam: {
    full_access: ['manage', 'read'],
    applications_and_policies: ['manage'],
    read_only: ['read'],
  },
};

/** Scope type of a Scaleway permission set. */
export type PermissionSetScopeType = 'projects' | 'organization';

/**
 * Known permission sets and their scope type: Scaleway's catalogue
 * (catalogue.ts), plus the names of the service table that it does not
 * list (the original implementation's `deploy_only`, `logs_only` and
 * `metrics_only` sets), with the scope of their service.
 */
export const PERMISSION_SET_SCOPES: ReadonlyMap<
  string,
  PermissionSetScopeType
> = new Map<string, PermissionSetScopeType>([
  ...ORGANIZATION_PERMISSION_SETS.map(
    (name) => [name, 'organization'] as const,
  ),
  ...PROJECT_PERMISSION_SETS.map((name) => [name, 'projects'] as const),
  ...Object.entries(PERMISSION_SETS).flatMap(([service, levels]) =>
    Object.values(levels)
      .flat()
      .map(
        (name) =>
          [
            name,
            ORGANIZATION_SERVICES.has(service) ? 'organization' : 'projects',
          ] as const,
      ),
  ),
]);

/** The service of the table a permission set belongs to, if any. */
export function serviceOfPermissionSet(name: string): IamService | undefined {
  for (const [service, levels] of Object.entries(PERMISSION_SETS)) {
    const sets: readonly string[] = Object.values(levels).flat();
    if (sets.includes(name)) {
      return service as IamService;
    }
  }

  return undefined;
}

/** True when `service` is a service of the permission-set table. */
export function isIamService(service: string): service is IamService {
  return Object.hasOwn(PERMISSION_SETS, service);
}

/** The access levels of a service, in table order. */
export function accessLevelsOf(service: IamService): string[] {
  return Object.keys(PERMISSION_SETS[service]);
}

/**
 * The permission sets an access level grants, or undefined when the
 * service or the level is unknown.
 */
export function permissionSetsFor(
  service: string,
  access: string,
): readonly string[] | undefined {
  if (!isIamService(service)) {
    return undefined;
  }
  const levels: Record<string, readonly string[]> = PERMISSION_SETS[service];

  return Object.hasOwn(levels, access) ? levels[access] : undefined;
}

/** A rule of a preset: a service access level on a scope. */
export interface PresetRule {
  service: IamService;
  access: string;
  scope: RuleScope;
}

/** A preset: its rules and the uses that justify them. */
export interface PolicyPresetDefinition {
  description: string;
  rules: readonly PresetRule[];
  needs: Readonly<Partial<Record<IamService, ServiceUse>>>;
}
