import { describe, expect, it } from 'vitest';
import {
  PERMISSION_SET_SCOPES,
  PERMISSION_SETS,
  permissionSetsFor,
} from '../../lib/policy/index.ts';

interface TableRow {
  service: string;
  access: string;
  sets: string[];
}

/**
 * The permission-set table of the original implementation, row by row and
 * in its order: ../shared/reference/evalap-original.md, section 1.3.
 */
const ORIGINAL_TABLE: TableRow[] = [
  {
    service: 'serverless_containers',
    access: 'full_access',
    sets: ['ContainersFullAccess'],
  },
  {
    service: 'serverless_containers',
    access: 'read_only',
    sets: ['ContainersReadOnly'],
  },
  {
    service: 'serverless_containers',
    access: 'deploy_only',
    sets: ['ContainersNamespacesCreate', 'ContainersNamespacesDelete'],
  },
  {
    service: 'database',
    access: 'full_access',
    sets: ['RelationalDatabasesFullAccess'],
  },
  {
    service: 'database',
    access: 'read_only',
    sets: ['RelationalDatabasesReadOnly'],
  },
  {
    service: 'object_storage',
    access: 'full_access',
    sets: ['ObjectStorageFullAccess'],
  },
  {
    service: 'object_storage',
    access: 'read_only',
    sets: ['ObjectStorageReadOnly'],
  },
  {
    service: 'object_storage',
    access: 'write_only',
    sets: ['ObjectStorageObjectsWrite', 'ObjectStorageBucketsWrite'],
  },
  {
    service: 'secret_manager',
    access: 'full_access',
    sets: ['SecretManagerFullAccess'],
  },
  {
    service: 'secret_manager',
    access: 'read_only',
    sets: ['SecretManagerReadOnly'],
  },
  {
    service: 'secret_manager',
    access: 'secret_access',
    sets: ['SecretManagerSecretAccess'],
  },
  {
    service: 'container_registry',
    access: 'full_access',
    sets: ['ContainerRegistryFullAccess'],
  },
  {
    service: 'container_registry',
    access: 'read_only',
    sets: ['ContainerRegistryReadOnly'],
  },
  {
    service: 'cockpit',
    access: 'full_access',
    sets: ['ObservabilityFullAccess'],
  },
  {
    service: 'cockpit',
    access: 'read_only',
    sets: ['ObservabilityReadOnly'],
  },
  {
    service: 'cockpit',
    access: 'logs_only',
    sets: ['ObservabilityLogsRead'],
  },
  {
    service: 'cockpit',
    access: 'metrics_only',
    sets: ['ObservabilityMetricsRead'],
  },
  { service: 'vpc', access: 'full_access', sets: ['VPCFullAccess'] },
  { service: 'vpc', access: 'read_only', sets: ['VPCReadOnly'] },
];

/**
 * Our addition for the control plane (not in the original): IAM, with
 * organization-scoped sets of Scaleway's catalogue (lib/policy/catalogue.ts).
 */
const IAM_TABLE: TableRow[] = [
  { service: 'iam', access: 'full_access', sets: ['IAMManager'] },
  {
    service: 'iam',
    access: 'applications_and_policies',
    sets: ['IAMApplicationManager', 'IAMPolicyManager'],
  },
  { service: 'iam', access: 'read_only', sets: ['IAMReadOnly'] },
];

const ORIGINAL_SERVICES = [
  'serverless_containers',
  'database',
  'object_storage',
  'secret_manager',
  'container_registry',
  'cockpit',
  'vpc',
];

function pairsOf(rows: readonly TableRow[]): string[] {
  return rows.map((row) => `${row.service}:${row.access}`);
}

describe('PERMISSION_SETS', () => {
  it('holds the seven services of the original table, plus iam', () => {
    expect(Object.keys(PERMISSION_SETS)).toEqual([...ORIGINAL_SERVICES, 'iam']);
  });

  it.each(ORIGINAL_TABLE)(
    '$service $access grants $sets, as the original table',
    ({ service, access, sets }) => {
      const granted = permissionSetsFor(service, access);

      expect(granted).toEqual(sets);
    },
  );

  it.each(IAM_TABLE)(
    '$service $access grants $sets',
    ({ service, access, sets }) => {
      const granted = permissionSetsFor(service, access);

      expect(granted).toEqual(sets);
    },
  );

  it('has no (service, level) pair beyond the two tables', () => {
    const actual = Object.entries(PERMISSION_SETS).flatMap(
      ([service, levels]) =>
        Object.keys(levels).map((access) => `${service}:${access}`),
    );

    expect(actual).toEqual(pairsOf([...ORIGINAL_TABLE, ...IAM_TABLE]));
  });

  it.each(Object.keys(PERMISSION_SETS))(
    '%s has full_access and read_only',
    (service) => {
      expect(permissionSetsFor(service, 'full_access')).toBeDefined();
      expect(permissionSetsFor(service, 'read_only')).toBeDefined();
    },
  );

  it.each([
    { $case: 'unknown service', service: 'kubernetes', access: 'full_access' },
    {
      $case: 'level of another service',
      service: 'database',
      access: 'secret_access',
    },
  ])('has nothing for $$case ($service $access)', ({ service, access }) => {
    expect(permissionSetsFor(service, access)).toBeUndefined();
  });

  it('knows the scope type of every set it grants', () => {
    const granted = Object.values(PERMISSION_SETS).flatMap((levels) =>
      Object.values(levels).flat(),
    );

    for (const name of granted) {
      expect(PERMISSION_SET_SCOPES.has(name)).toBe(true);
    }
    expect(PERMISSION_SET_SCOPES.get('IAMManager')).toBe('organization');
    expect(PERMISSION_SET_SCOPES.get('ContainersFullAccess')).toBe('projects');
  });
});
