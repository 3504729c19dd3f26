/** A Scaleway product as seen in the API path, and its IAM vocabulary. */
export interface ProductPermissions {
  /** Human name, e.g. `Secret Manager`. */
  readonly product: string;
  /** `project` or `organization`: where the permission set applies. */
  readonly scope: 'project' | 'organization';
  /** The permission set that a request of this method and path needs. */
  readonly permissionSet: string;
}

interface Rule {
  readonly prefix: string;
  readonly product: string;
  readonly scope: 'project' | 'organization';
  readonly read: string;
  readonly write: string;
  readonly special?: (method: string, path: string) => string | undefined;
}

const RULES: readonly Rule[] = [
  {
    prefix: '/secret-manager/',
    product: 'Secret Manager',
    scope: 'project',
    read: 'SecretManagerReadOnly',
    write: 'SecretManagerSecretWrite',
    special: secretManagerSet,
  },
  {
    prefix: '/iam/',
    product: 'IAM',
    scope: 'organization',
    read: 'IAMReadOnly',
    write: 'IAMManager',
  },
  {
    prefix: '/vpc/',
    product: 'VPC',
    scope: 'project',
    read: 'VPCReadOnly',
    write: 'VPCFullAccess',
    special: (method, path) => {
      if (!path.includes('/private-networks')) return undefined;

      return method === 'GET'
        ? 'PrivateNetworksReadOnly'
        : 'PrivateNetworksFullAccess';
    },
  },
  {
    prefix: '/rdb/',
    product: 'Managed Databases',
    scope: 'project',
    read: 'RelationalDatabasesReadOnly',
    write: 'RelationalDatabasesFullAccess',
  },
  {
    prefix: '/containers/',
    product: 'Serverless Containers',
    scope: 'project',
    read: 'ContainersReadOnly',
    write: 'ContainersFullAccess',
  },
  {
    prefix: '/functions/',
    product: 'Serverless Functions',
    scope: 'project',
    read: 'FunctionsReadOnly',
    write: 'FunctionsFullAccess',
  },
];

/**
 * The product and the permission set a Scaleway API request needs, from
 * its method and path; `undefined` for a path we do not call.
 *
 * @example
 * permissionsFor('GET', '/rdb/v1/regions/fr-par/instances');
 * // { product: 'Managed Databases', scope: 'project',
 * //   permissionSet: 'RelationalDatabasesReadOnly' }
 */
export function permissionsFor(
  method: string,
  path: string,
): ProductPermissions | undefined {
  const rule = RULES.find((candidate) => path.startsWith(candidate.prefix));
  if (rule === undefined) return undefined;

  const verb = method.toUpperCase();
  const fallback = verb === 'GET' ? rule.read : rule.write;
  const permissionSet = rule.special?.(verb, path) ?? fallback;

  return { product: rule.product, scope: rule.scope, permissionSet };
}

/** The region of a regional API path, e.g. `fr-par`. */
export function regionOfPath(path: string): string | undefined {
  return /\/regions\/([a-z]{2}-[a-z]{3})\//.exec(path)?.[1];
}

function secretManagerSet(method: string, path: string): string | undefined {
  if (method === 'GET' && path.endsWith('/access')) {
    return 'SecretManagerSecretAccess';
  }
  if (method === 'DELETE') return 'SecretManagerSecretDelete';
  if (method === 'POST' && /\/secrets$/.test(path)) {
    return 'SecretManagerSecretCreate';
  }

  return undefined;
}
