import type { Collection } from '../core/index.ts';

/** Base path of IAM routes (global: no region). */
export const IAM_BASE = '/iam/v1alpha1';

/** A stored application (`nb_api_keys` is computed). */
export interface ApplicationRecord {
  id: string;
  name: string;
  description: string;
  created_at: string;
  updated_at: string;
  organization_id: string;
  editable: boolean;
  deletable: boolean;
  managed: boolean;
  tags: string[];
}

/** A stored API key: the secret key is kept only as a SHA-256 hash. */
export interface ApiKeyRecord {
  access_key: string;
  secret_key_sha256: string;
  application_id: string;
  description: string;
  created_at: string;
  updated_at: string;
  expires_at: string | null;
  default_project_id: string;
  editable: boolean;
  deletable: boolean;
  managed: boolean;
  creation_ip: string;
  organization_id: string;
}

/** Who a policy applies to: exactly one of these. */
export type Principal =
  | { application_id: string }
  | { user_id: string }
  | { group_id: string }
  | { no_principal: true };

/** A stored policy (`nb_*` counts are computed from its rules). */
export interface PolicyRecord {
  id: string;
  name: string;
  description: string;
  organization_id: string;
  created_at: string;
  updated_at: string;
  editable: boolean;
  deletable: boolean;
  managed: boolean;
  tags: string[];
  principal: Principal;
}

/** A stored rule of a policy. */
export interface RuleRecord {
  id: string;
  policy_id: string;
  position: number;
  permission_set_names: string[];
  permission_sets_scope_type: 'projects' | 'organization';
  condition: string;
  scope: { organization_id: string } | { project_ids: string[] };
}

/** The collections of IAM. */
export interface IamCollections {
  applications: Collection<ApplicationRecord>;
  apiKeys: Collection<ApiKeyRecord>;
  policies: Collection<PolicyRecord>;
  rules: Collection<RuleRecord>;
}

/** The rules of a policy, in order. */
export function rulesOf(
  collections: IamCollections,
  policyId: string,
): RuleRecord[] {
  return collections.rules
    .filter((rule) => rule.policy_id === policyId)
    .sort((a, b) => a.position - b.position);
}

/** An application as the API sends it. */
export function applicationToWire(
  collections: IamCollections,
  application: ApplicationRecord,
) {
  return {
    ...application,
    nb_api_keys: collections.apiKeys.filter(
      (key) => key.application_id === application.id,
    ).length,
  };
}

/** An API key as the API sends it; `secretKey` only at creation. */
export function apiKeyToWire(key: ApiKeyRecord, secretKey: string | null) {
  return {
    access_key: key.access_key,
    secret_key: secretKey,
    application_id: key.application_id,
    description: key.description,
    created_at: key.created_at,
    updated_at: key.updated_at,
    expires_at: key.expires_at,
    default_project_id: key.default_project_id,
    editable: key.editable,
    deletable: key.deletable,
    managed: key.managed,
    creation_ip: key.creation_ip,
  };
}

/** A policy as the API sends it (no rules; counts of them). */
export function policyToWire(
  collections: IamCollections,
  policy: PolicyRecord,
) {
  const rules = rulesOf(collections, policy.id);
  const scopes = new Set(
    rules.flatMap((rule) =>
      'organization_id' in rule.scope
        ? [`organization:${rule.scope.organization_id}`]
        : rule.scope.project_ids.map((id) => `project:${id}`),
    ),
  );
  const sets = new Set(rules.flatMap((rule) => rule.permission_set_names));

  return {
    id: policy.id,
    name: policy.name,
    description: policy.description,
    organization_id: policy.organization_id,
    created_at: policy.created_at,
    updated_at: policy.updated_at,
    editable: policy.editable,
    deletable: policy.deletable,
    managed: policy.managed,
    nb_rules: rules.length,
    nb_scopes: scopes.size,
    nb_permission_sets: sets.size,
    tags: policy.tags,
    ...policy.principal,
  };
}

/** A rule as the API sends it. */
export function ruleToWire(rule: RuleRecord) {
  return {
    id: rule.id,
    permission_set_names: rule.permission_set_names,
    permission_sets_scope_type: rule.permission_sets_scope_type,
    condition: rule.condition,
    ...rule.scope,
  };
}
