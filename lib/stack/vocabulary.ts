/**
 * The closed vocabularies of a stack file: the values Scaleway (or the
 * guide) accepts for a field. Kept apart from the schema so the policy
 * checks, the CLI and the docs can list them without importing zod.
 */

/** Scaleway regions a stack may target. */
export const REGIONS = ['fr-par', 'nl-ams', 'pl-waw'] as const;

/** Deployment environments, in increasing order of strictness. */
export const ENVIRONMENTS = ['dev', 'staging', 'production'] as const;

/** The six Secret Manager secret types. */
export const SECRET_TYPES = [
  'opaque',
  'database_credentials',
  'basic_credentials',
  'certificate',
  'ssh_key',
  'key_value',
] as const;

/** Managed PostgreSQL engines a stack may declare. */
export const DATABASE_ENGINES = [
  'PostgreSQL-15',
  'PostgreSQL-16',
  'PostgreSQL-17',
] as const;

/** libpq SSL modes, weakest first. */
export const SSL_MODES = [
  'disable',
  'allow',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
] as const;

/** How clients reach a managed database. */
export const DATABASE_ENDPOINTS = ['private-network', 'public'] as const;

/**
 * Privileges a database user can be given on the logical database, as
 * the Managed Databases API names them (its `none` and `custom` are not
 * declarable: a declared user always gets one of these).
 */
export const DATABASE_PRIVILEGES = ['readonly', 'readwrite', 'all'] as const;

/** Block volume types of Managed Databases. */
export const VOLUME_TYPES = ['sbs_5k', 'sbs_15k', 'lssd'] as const;

/** Serverless container privacy: `private` needs a token to be called. */
export const CONTAINER_PRIVACY = ['public', 'private'] as const;

/** Object lock retention modes (S3 semantics). */
export const OBJECT_LOCK_MODES = ['GOVERNANCE', 'COMPLIANCE'] as const;

/** Where audit events go. */
export const AUDIT_SINKS = ['stdout', 'file', 'object-storage'] as const;

/** IAM policy presets of the guide, plus the control plane's own. */
export const POLICY_PRESETS = [
  'evalap-service',
  'ci-cd',
  'read-only',
  'control-plane',
] as const;

/** Scope of an IAM rule: the stack's project, or the whole organization. */
export const RULE_SCOPES = ['project', 'organization'] as const;

/**
 * What a principal does with a service, declared by each policy so the
 * least-privilege check can compare it with what the rules grant.
 */
export const SERVICE_USES = [
  'manage',
  'deploy',
  'write',
  'read',
  'read-secrets',
  'logs',
  'metrics',
] as const;

export type Region = (typeof REGIONS)[number];
export type Environment = (typeof ENVIRONMENTS)[number];
export type SecretType = (typeof SECRET_TYPES)[number];
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];
export type SslMode = (typeof SSL_MODES)[number];
export type DatabaseEndpoint = (typeof DATABASE_ENDPOINTS)[number];
export type DatabasePrivilege = (typeof DATABASE_PRIVILEGES)[number];
export type AuditSink = (typeof AUDIT_SINKS)[number];
export type PolicyPreset = (typeof POLICY_PRESETS)[number];
export type RuleScope = (typeof RULE_SCOPES)[number];
export type ServiceUse = (typeof SERVICE_USES)[number];
