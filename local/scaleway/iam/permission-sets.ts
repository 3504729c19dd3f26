import { createHash } from 'node:crypto';

import { PERMISSION_SET_SCOPES } from '../../../lib/policy/index.ts';

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

// The catalogue is lib/policy's (Scaleway's permission-set reference and
// the security guide), so the policy checks and the local IAM agree;
// unknown names are refused as the real API refuses them.
/** Every permission set the local IAM knows, sorted by name. */
export const PERMISSION_SETS: readonly PermissionSet[] = [
  ...PERMISSION_SET_SCOPES,
]
  .map(([name, scope]) => permissionSet(name, scope))
  .sort((a, b) => a.name.localeCompare(b.name));

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
