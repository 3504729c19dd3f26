import type { Collection, Region } from '../core/index.ts';

/** Base path of Secret Manager routes. */
export const SECRET_BASE = '/secret-manager/v1beta1/regions/{region}';

/** A secret or version scheduled for deletion is purged after 7 days. */
export const DELETION_DELAY_MS = 7 * 86_400_000;

/** Largest secret payload, decoded (64 KiB). */
export const MAX_SECRET_BYTES = 64 * 1024;

export const SECRET_TYPES = [
  'opaque',
  'certificate',
  'key_value',
  'basic_credentials',
  'database_credentials',
  'ssh_key',
] as const;

export type SecretType = (typeof SECRET_TYPES)[number];

export type VersionStatus =
  | 'enabled'
  | 'disabled'
  | 'deleted'
  | 'scheduled_for_deletion';

export interface EphemeralPolicy {
  time_to_live: string | null;
  expires_once_accessed: boolean;
  action: string;
}

/** A stored secret (wire fields; `version_count` is computed). */
export interface SecretRecord {
  id: string;
  project_id: string;
  name: string;
  status: 'ready' | 'locked';
  created_at: string;
  updated_at: string;
  tags: string[];
  description: string;
  managed: boolean;
  type: SecretType;
  protected: boolean;
  path: string;
  ephemeral_policy: EphemeralPolicy | null;
  used_by: string[];
  deletion_requested_at: string | null;
  key_id: string | null;
  region: Region;
}

/** A stored version; `key` is `<secret_id>/<revision>`. */
export interface VersionRecord {
  key: string;
  revision: number;
  secret_id: string;
  status: VersionStatus;
  /** Status to go back to on restore. */
  status_before_deletion: 'enabled' | 'disabled';
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  description: string;
  ephemeral_properties: Record<string, unknown> | null;
  deletion_requested_at: string | null;
  region: string;
  /** Base64 payload, as sent (the API never decodes it for the caller). */
  data: string;
  data_crc32: number | null;
}

/** The collections of Secret Manager. */
export interface SecretCollections {
  secrets: Collection<SecretRecord>;
  versions: Collection<VersionRecord>;
}

/** The key of a version record. */
export function versionKey(secretId: string, revision: number): string {
  return `${secretId}/${revision}`;
}

/** The versions of a secret, oldest first. */
export function versionsOf(
  collections: SecretCollections,
  secretId: string,
): VersionRecord[] {
  return collections.versions
    .filter((version) => version.secret_id === secretId)
    .sort((a, b) => a.revision - b.revision);
}

/** A secret as the API sends it. */
export function secretToWire(
  collections: SecretCollections,
  secret: SecretRecord,
) {
  return {
    id: secret.id,
    project_id: secret.project_id,
    name: secret.name,
    status: secret.status,
    created_at: secret.created_at,
    updated_at: secret.updated_at,
    tags: secret.tags,
    version_count: versionsOf(collections, secret.id).length,
    description: secret.description,
    managed: secret.managed,
    type: secret.type,
    protected: secret.protected,
    path: secret.path,
    ephemeral_policy: secret.ephemeral_policy,
    used_by: secret.used_by,
    deletion_requested_at: secret.deletion_requested_at,
    key_id: secret.key_id,
    region: secret.region,
  };
}

/** A version as the API sends it (never its data). */
export function versionToWire(
  collections: SecretCollections,
  version: VersionRecord,
) {
  const newest = versionsOf(collections, version.secret_id).at(-1);

  return {
    revision: version.revision,
    secret_id: version.secret_id,
    status: version.status,
    created_at: version.created_at,
    updated_at: version.updated_at,
    deleted_at: version.deleted_at,
    description: version.description,
    latest: newest?.revision === version.revision,
    ephemeral_properties: version.ephemeral_properties,
    deletion_requested_at: version.deletion_requested_at,
    region: version.region,
  };
}

/**
 * Normalises a folder path: leading `/`, no trailing `/`, no empty
 * segments; `''` and `/` give `/`. Returns `null` when a segment is
 * invalid.
 */
export function normalisePath(path: string | undefined): string | null {
  if (path === undefined || path === '') {
    return '/';
  }
  if (!path.startsWith('/')) {
    return null;
  }

  const segments = path.split('/').filter((segment) => segment !== '');
  const valid = segments.every((segment) => /^[a-zA-Z0-9_.-]+$/.test(segment));
  if (!valid) {
    return null;
  }

  return `/${segments.join('/')}`;
}
