import { crc32 } from 'node:zlib';
import { z } from 'zod';
import type { PlatformClock } from '../../controls/clock.ts';
import {
  InvalidArgumentsError,
  noContent,
  ok,
  PreconditionFailedError,
  paginate,
  parseBody,
  parseQuery,
  pathParam,
  queryArray,
  queryString,
  ResourceNotFoundError,
  type Router,
  regionParam,
  timestamp,
} from '../core/index.ts';
import {
  MAX_SECRET_BYTES,
  normalisePath,
  SECRET_BASE,
  type SecretCollections,
  type SecretRecord,
  type VersionRecord,
  versionKey,
  versionsOf,
  versionToWire,
} from './records.ts';
import { findSecret, secretIdOf } from './secrets.ts';

const VERSION_BASE = `${SECRET_BASE}/secrets/{secret_id}/versions`;
const BASE64 =
  /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const CreateVersionBody = z.object({
  data: z.string().regex(BASE64, 'must be base64'),
  data_crc32: z.number().int().min(0).max(0xffffffff).nullish(),
  description: z.string().max(1024).nullish(),
  disable_previous: z.boolean().nullish(),
});

const UpdateVersionBody = z.object({
  description: z.string().max(1024).nullish(),
  ephemeral_properties: z.record(z.string(), z.unknown()).nullish(),
});

const VERSION_STATUSES = [
  'unknown_status',
  'enabled',
  'disabled',
  'deleted',
  'scheduled_for_deletion',
] as const;

const ListVersionsQuery = z.object({
  status: queryArray(z.enum(VERSION_STATUSES)),
});

const AccessByPathQuery = z.object({
  project_id: queryString(),
  secret_name: z.string().min(1),
  secret_path: queryString(),
});

/** Registers the version routes (create, get, list, access, ...). */
export function registerVersionRoutes(
  router: Router,
  collections: SecretCollections,
  clock: PlatformClock,
): void {
  const { versions } = collections;
  const wire = (version: VersionRecord) =>
    ok(versionToWire(collections, version));
  const secretOf = (params: Readonly<Record<string, string>>) =>
    findSecret(collections.secrets, regionParam(params), secretIdOf(params));
  const versionOf = (params: Readonly<Record<string, string>>) =>
    resolveRevision(collections, secretOf(params), revisionOf(params));

  router.post(VERSION_BASE, (request) => {
    const secret = secretOf(request.params);
    const input = parseBody(CreateVersionBody, request.body);
    checkPayload(secret, input.data, input.data_crc32 ?? undefined);
    if (secret.deletion_requested_at !== null) {
      throw new PreconditionFailedError(
        'resource_scheduled_for_deletion',
        'cannot add a version to a secret scheduled for deletion',
      );
    }

    const existing = versionsOf(collections, secret.id);
    const previous = existing.at(-1);
    const now = timestamp(clock);
    if (input.disable_previous === true && previous?.status === 'enabled') {
      versions.update(previous.key, (current) => ({
        ...current,
        status: 'disabled',
        updated_at: now,
      }));
    }

    const revision = (previous?.revision ?? 0) + 1;
    const version = versions.insert({
      key: versionKey(secret.id, revision),
      revision,
      secret_id: secret.id,
      status: 'enabled',
      status_before_deletion: 'enabled',
      created_at: now,
      updated_at: now,
      deleted_at: null,
      description: input.description ?? '',
      ephemeral_properties: null,
      deletion_requested_at: null,
      region: secret.region,
      data: input.data,
      data_crc32: input.data_crc32 ?? null,
    });
    collections.secrets.update(secret.id, (current) => ({
      ...current,
      updated_at: now,
    }));

    return wire(version);
  });

  router.get(VERSION_BASE, (request) => {
    const secret = secretOf(request.params);
    const query = parseQuery(ListVersionsQuery, request.query);
    const statuses = (query.status ?? []).filter(
      (status) => status !== 'unknown_status',
    );

    const matching = versionsOf(collections, secret.id)
      .reverse()
      .filter(
        (version) =>
          statuses.length === 0 ||
          (statuses as string[]).includes(version.status),
      );
    const page = paginate(matching, request.query);

    return ok({
      versions: page.items.map((version) =>
        versionToWire(collections, version),
      ),
      total_count: page.totalCount,
    });
  });

  router.get(`${VERSION_BASE}/{revision}`, (request) =>
    wire(versionOf(request.params)),
  );

  router.patch(`${VERSION_BASE}/{revision}`, (request) => {
    const version = versionOf(request.params);
    const input = parseBody(UpdateVersionBody, request.body);

    return wire(
      versions.update(version.key, (current) => ({
        ...current,
        description: input.description ?? current.description,
        ephemeral_properties:
          input.ephemeral_properties === undefined
            ? current.ephemeral_properties
            : input.ephemeral_properties,
        updated_at: timestamp(clock),
      })),
    );
  });

  router.delete(`${VERSION_BASE}/{revision}`, (request) => {
    const version = versionOf(request.params);
    if (version.status === 'enabled' || version.status === 'disabled') {
      const now = timestamp(clock);
      versions.update(version.key, (current) => ({
        ...current,
        status: 'scheduled_for_deletion',
        status_before_deletion: version.status as 'enabled' | 'disabled',
        deletion_requested_at: now,
        updated_at: now,
      }));
    }

    return noContent();
  });

  for (const action of ['enable', 'disable'] as const) {
    router.post(`${VERSION_BASE}/{revision}/${action}`, (request) => {
      const version = versionOf(request.params);
      assertUsable(version);

      return wire(
        versions.update(version.key, (current) => ({
          ...current,
          status: action === 'enable' ? 'enabled' : 'disabled',
          updated_at: timestamp(clock),
        })),
      );
    });
  }

  router.post(`${VERSION_BASE}/{revision}/restore`, (request) => {
    const version = versionOf(request.params);
    if (version.status !== 'scheduled_for_deletion') {
      return wire(version);
    }

    return wire(
      versions.update(version.key, (current) => ({
        ...current,
        status: current.status_before_deletion,
        deletion_requested_at: null,
        updated_at: timestamp(clock),
      })),
    );
  });

  router.get(`${VERSION_BASE}/{revision}/access`, (request) => {
    const secret = secretOf(request.params);
    const version = resolveRevision(
      collections,
      secret,
      revisionOf(request.params),
    );

    return ok(accessReply(secret, version));
  });

  router.get(
    `${SECRET_BASE}/secrets-by-path/versions/{revision}/access`,
    (request) => {
      const region = regionParam(request.params);
      const query = parseQuery(AccessByPathQuery, request.query);
      const path = normalisePath(query.secret_path) ?? '';
      const secret = collections.secrets
        .all()
        .find(
          (candidate) =>
            candidate.region === region &&
            candidate.deletion_requested_at === null &&
            candidate.name === query.secret_name &&
            candidate.path === path &&
            (query.project_id === undefined ||
              candidate.project_id === query.project_id),
        );
      if (secret === undefined) {
        throw new ResourceNotFoundError('secret', query.secret_name);
      }
      const version = resolveRevision(
        collections,
        secret,
        revisionOf(request.params),
      );

      return ok(accessReply(secret, version));
    },
  );
}

function revisionOf(params: Readonly<Record<string, string>>): string {
  return pathParam(params, 'revision');
}

/**
 * Resolves `{revision}`: a number, `latest` (the newest version not
 * deleted) or `latest_enabled` (the newest enabled one).
 */
function resolveRevision(
  collections: SecretCollections,
  secret: SecretRecord,
  revision: string,
): VersionRecord {
  const all = versionsOf(collections, secret.id);
  let found: VersionRecord | undefined;
  if (revision === 'latest') {
    found = all.findLast(
      (version) =>
        version.status === 'enabled' || version.status === 'disabled',
    );
  } else if (revision === 'latest_enabled') {
    found = all.findLast((version) => version.status === 'enabled');
  } else if (/^[1-9]\d{0,8}$/.test(revision)) {
    found = all.find((version) => version.revision === Number(revision));
  } else {
    throw InvalidArgumentsError.of(
      'revision',
      'format',
      'revision must be a number, latest or latest_enabled',
    );
  }

  if (found === undefined) {
    throw new ResourceNotFoundError('secret_version', revision);
  }

  return found;
}

function assertUsable(version: VersionRecord): void {
  if (version.status === 'deleted') {
    throw new ResourceNotFoundError('secret_version', String(version.revision));
  }
  if (version.status === 'scheduled_for_deletion') {
    throw new PreconditionFailedError(
      'resource_scheduled_for_deletion',
      'the secret version is scheduled for deletion',
    );
  }
}

// Differs from Scaleway (docs/local-platform.md): the real reply to
// accessing a disabled version was not observed; we answer 412
// precondition_failed, which is our inference.
function accessReply(secret: SecretRecord, version: VersionRecord) {
  assertUsable(version);
  if (version.status === 'disabled') {
    throw new PreconditionFailedError(
      'resource_disabled',
      'cannot access a disabled secret version',
    );
  }

  return {
    secret_id: secret.id,
    revision: version.revision,
    data: version.data,
    data_crc32: version.data_crc32,
    type: secret.type,
  };
}

/** Size limit, CRC and the structure the secret's type requires. */
function checkPayload(
  secret: SecretRecord,
  data: string,
  dataCrc32: number | undefined,
): void {
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > MAX_SECRET_BYTES) {
    throw InvalidArgumentsError.of(
      'data',
      'constraint',
      `secret data must be at most ${MAX_SECRET_BYTES} bytes`,
    );
  }
  // Differs from Scaleway (docs/local-platform.md): the CRC variant is not
  // documented; we use IEEE CRC32.
  if (dataCrc32 !== undefined && crc32(bytes) !== dataCrc32) {
    throw InvalidArgumentsError.of(
      'data_crc32',
      'constraint',
      'data_crc32 does not match the data',
    );
  }

  const problem = structureProblem(secret.type, bytes);
  if (problem !== null) {
    throw InvalidArgumentsError.of('data', 'format', problem);
  }
}

function structureProblem(type: string, bytes: Buffer): string | null {
  const requiredKeys: Record<string, string[]> = {
    key_value: [],
    basic_credentials: ['username', 'password'],
    database_credentials: ['engine', 'username', 'password', 'host'],
    ssh_key: ['ssh_private_key'],
  };
  const required = requiredKeys[type];
  if (required === undefined) {
    return null;
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return '- invalid: data must be a JSON object\n';
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return '- invalid: data must be a JSON object\n';
  }

  const values = Object.values(parsed);
  if (values.some((value) => typeof value !== 'string')) {
    const given = values.find((value) => typeof value !== 'string');
    return `- invalid: Invalid type. Expected: string, given: ${
      given === null ? 'null' : typeof given
    }\n`;
  }
  const missing = required.filter((key) => !(key in parsed));

  return missing.length === 0
    ? null
    : `- missing: ${missing.join(', ')} is required\n`;
}
