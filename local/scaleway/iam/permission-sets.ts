import { createHash } from 'node:crypto';

/** The scope a permission set applies to. */
export type PermissionSetScope = 'projects' | 'organization';

/** A permission set as the API lists it. */
export interface PermissionSet {
  id: string;
  name: string;
  scope_type: PermissionSetScope;
  description: string;
  categories: string[];
}

// Names from Scaleway's permission-set reference (docs-content, validated
// 2026-03-20) and the security configuration guide.
// Limitation (#3): a subset of the ~174 real sets; unknown names are
// refused as the real API refuses them.
const ORGANIZATION_SETS = [
  'ProjectManager',
  'ProjectReadOnly',
  'IAMReadOnly',
  'IAMManager',
  'IAMApplicationManager',
  'IAMApplicationReadOnly',
  'IAMUserManager',
  'IAMUserReadOnly',
  'IAMGroupManager',
  'IAMGroupReadOnly',
  'IAMPolicyManager',
  'IAMPolicyReadOnly',
  'BillingReadOnly',
  'BillingManager',
  'OrganizationManager',
  'OrganizationReadOnly',
  'SupportTicketManager',
  'SupportTicketReadOnly',
  'AbuseTicketManager',
  'AuditTrailReadOnly',
  'AuditTrailExportRead',
  'AuditTrailExportDelete',
  'AuditTrailFullAccess',
  'EnvironmentalImpactReadOnly',
  'NotificationManagerFullAccess',
  'NotificationManagerReadOnly',
];

const PROJECT_SETS = [
  'AllProductsFullAccess',
  'AllProductsReadOnly',
  'ContainersFullAccess',
  'ContainersReadOnly',
  'ContainersPrivateAccess',
  'FunctionsFullAccess',
  'FunctionsReadOnly',
  'FunctionsPrivateAccess',
  'ContainerRegistryFullAccess',
  'ContainerRegistryReadOnly',
  'PrivateNetworksFullAccess',
  'PrivateNetworksReadOnly',
  'VPCFullAccess',
  'VPCReadOnly',
  'IPAMFullAccess',
  'IPAMReadOnly',
  'RelationalDatabasesFullAccess',
  'RelationalDatabasesReadOnly',
  'SecretManagerFullAccess',
  'SecretManagerReadOnly',
  'SecretManagerSecretAccess',
  'SecretManagerSecretCreate',
  'SecretManagerSecretDelete',
  'SecretManagerSecretWrite',
  'SecretManagerSecretRestore',
  'KeyManagerFullAccess',
  'KeyManagerReadOnly',
  'KeyManagerKeyEncrypt',
  'KeyManagerKeyDecrypt',
  'ObjectStorageFullAccess',
  'ObjectStorageReadOnly',
  'ObservabilityFullAccess',
  'ObservabilityReadOnly',
  'ServerlessJobsFullAccess',
  'ServerlessJobsReadOnly',
];

/** Every permission set the local IAM knows, sorted by name. */
export const PERMISSION_SETS: readonly PermissionSet[] = [
  ...ORGANIZATION_SETS.map((name) => permissionSet(name, 'organization')),
  ...PROJECT_SETS.map((name) => permissionSet(name, 'projects')),
].sort((a, b) => a.name.localeCompare(b.name));

const BY_NAME = new Map(PERMISSION_SETS.map((set) => [set.name, set]));

/** The permission set with this name, if it exists. */
export function permissionSetNamed(name: string): PermissionSet | undefined {
  return BY_NAME.get(name);
}

function permissionSet(name: string, scope: PermissionSetScope): PermissionSet {
  return {
    id: stableId(name),
    name,
    scope_type: scope,
    description: `${name} permission set`,
    categories: [categoryOf(name)],
  };
}

function categoryOf(name: string): string {
  const prefix = /^[A-Z][a-z]+|^[A-Z]+(?=[A-Z][a-z])/.exec(name);

  return prefix?.[0] ?? name;
}

/** A UUID derived from the name, so ids survive restarts. */
function stableId(name: string): string {
  const hex = createHash('sha256')
    .update(`permission-set:${name}`)
    .digest('hex');

  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `4${hex.slice(13, 16)}`,
    `8${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}
