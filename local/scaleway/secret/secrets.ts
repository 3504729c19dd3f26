import { z } from 'zod';
import type { PlatformClock } from '../../controls/clock.ts';
import {
  byFields,
  InvalidArgumentsError,
  newId,
  noContent,
  ok,
  PreconditionFailedError,
  paginate,
  parseBody,
  parseQuery,
  pathParam,
  queryArray,
  queryBoolean,
  queryString,
  type Region,
  ResourceNotFoundError,
  type Router,
  regionParam,
  timestamp,
} from '../core/index.ts';
import {
  normalisePath,
  SECRET_BASE,
  SECRET_TYPES,
  type SecretCollections,
  type SecretRecord,
  secretToWire,
  versionsOf,
} from './records.ts';

const NAME = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[a-zA-Z0-9_.-]+$/, 'must contain only letters, digits, _ . -');
const TAGS = z.array(z.string().min(1).max(255)).nullish();
const TYPE = z.enum([...SECRET_TYPES, 'unknown_type']).optional();
const EPHEMERAL_POLICY = z
  .object({
    time_to_live: z
      .string()
      .regex(/^\d+(\.\d+)?s$/, 'must be a duration like 1800s')
      .nullish(),
    expires_once_accessed: z.boolean().nullish(),
    action: z.enum(['unknown_action', 'delete', 'disable']).optional(),
  })
  .nullish();

const CreateSecretBody = z.object({
  name: NAME,
  project_id: z.guid(),
  tags: TAGS,
  description: z.string().max(1024).nullish(),
  type: TYPE,
  path: z.string().max(1024).nullish(),
  protected: z.boolean().nullish(),
  ephemeral_policy: EPHEMERAL_POLICY,
  key_id: z.string().nullish(),
});

const UpdateSecretBody = z.object({
  name: NAME.nullish(),
  tags: TAGS,
  description: z.string().max(1024).nullish(),
  path: z.string().max(1024).nullish(),
  ephemeral_policy: EPHEMERAL_POLICY,
});

const ListSecretsQuery = z.object({
  project_id: queryString(),
  organization_id: queryString(),
  name: queryString(),
  path: queryString(),
  tags: queryArray(z.string()),
  type: z.enum([...SECRET_TYPES, 'unknown_type']).optional(),
  ephemeral: queryBoolean(),
  scheduled_for_deletion: queryBoolean(),
});

const ProjectQuery = z.object({ project_id: queryString() });

const SECRET_ORDERINGS = byFields<SecretRecord>({
  name: (secret) => secret.name,
  created_at: (secret) => secret.created_at,
  updated_at: (secret) => secret.updated_at,
});

/** Registers the secret routes (create, get, list, update, delete, ...). */
export function registerSecretRoutes(
  router: Router,
  collections: SecretCollections,
  clock: PlatformClock,
): void {
  const { secrets } = collections;
  const wire = (secret: SecretRecord) => ok(secretToWire(collections, secret));
  const find = (region: Region, id: string) => findSecret(secrets, region, id);

  router.post(`${SECRET_BASE}/secrets`, (request) => {
    const region = regionParam(request.params);
    const input = parseBody(CreateSecretBody, request.body);
    const path = requirePath(input.path ?? undefined);
    assertNameFree(collections, region, input.project_id, path, input.name);

    const now = timestamp(clock);
    const secret: SecretRecord = {
      id: newId(),
      project_id: input.project_id,
      name: input.name,
      status: 'ready',
      created_at: now,
      updated_at: now,
      tags: input.tags ?? [],
      description: input.description ?? '',
      managed: false,
      type:
        input.type === undefined || input.type === 'unknown_type'
          ? 'opaque'
          : input.type,
      protected: input.protected ?? false,
      path,
      ephemeral_policy: toPolicy(input.ephemeral_policy),
      used_by: [],
      deletion_requested_at: null,
      key_id: input.key_id ?? null,
      region,
    };

    return wire(secrets.insert(secret));
  });

  router.get(`${SECRET_BASE}/secrets/{secret_id}`, (request) =>
    wire(find(regionParam(request.params), secretIdOf(request.params))),
  );

  router.patch(`${SECRET_BASE}/secrets/{secret_id}`, (request) => {
    const secret = find(
      regionParam(request.params),
      secretIdOf(request.params),
    );
    const input = parseBody(UpdateSecretBody, request.body);
    const name = input.name ?? secret.name;
    const path =
      input.path === undefined || input.path === null
        ? secret.path
        : requirePath(input.path);
    if (name !== secret.name || path !== secret.path) {
      assertNameFree(collections, secret.region, secret.project_id, path, name);
    }

    return wire(
      secrets.update(secret.id, (current) => ({
        ...current,
        name,
        path,
        tags: input.tags ?? current.tags,
        description: input.description ?? current.description,
        ephemeral_policy:
          input.ephemeral_policy === undefined
            ? current.ephemeral_policy
            : toPolicy(input.ephemeral_policy),
        updated_at: timestamp(clock),
      })),
    );
  });

  router.delete(`${SECRET_BASE}/secrets/{secret_id}`, (request) => {
    const secret = find(
      regionParam(request.params),
      secretIdOf(request.params),
    );
    if (secret.protected) {
      throw new PreconditionFailedError(
        'protected_resource',
        'cannot delete a protected secret',
      );
    }

    if (secret.ephemeral_policy !== null) {
      for (const version of versionsOf(collections, secret.id)) {
        collections.versions.delete(version.key);
      }
      secrets.delete(secret.id);
      return noContent();
    }
    if (secret.deletion_requested_at === null) {
      secrets.update(secret.id, (current) => ({
        ...current,
        deletion_requested_at: timestamp(clock),
      }));
    }

    return noContent();
  });

  router.post(`${SECRET_BASE}/secrets/{secret_id}/restore`, (request) => {
    const secret = find(
      regionParam(request.params),
      secretIdOf(request.params),
    );
    if (secret.deletion_requested_at === null) {
      return wire(secret);
    }
    assertNameFree(
      collections,
      secret.region,
      secret.project_id,
      secret.path,
      secret.name,
    );

    return wire(
      secrets.update(secret.id, (current) => ({
        ...current,
        deletion_requested_at: null,
        updated_at: timestamp(clock),
      })),
    );
  });

  for (const action of ['protect', 'unprotect'] as const) {
    router.post(`${SECRET_BASE}/secrets/{secret_id}/${action}`, (request) => {
      const secret = find(
        regionParam(request.params),
        secretIdOf(request.params),
      );

      return wire(
        secrets.update(secret.id, (current) => ({
          ...current,
          protected: action === 'protect',
          updated_at: timestamp(clock),
        })),
      );
    });
  }

  router.post(`${SECRET_BASE}/secrets/{secret_id}/add-owner`, (request) => {
    const secret = find(
      regionParam(request.params),
      secretIdOf(request.params),
    );
    const input = parseBody(
      z.object({ product: z.enum(['edge_services', 's2s_vpn']) }),
      request.body,
    );
    secrets.update(secret.id, (current) => ({
      ...current,
      used_by: [...new Set([...current.used_by, input.product])],
    }));

    return noContent();
  });

  router.get(`${SECRET_BASE}/secrets`, (request) => {
    const region = regionParam(request.params);
    const query = parseQuery(ListSecretsQuery, request.query);
    const path = query.path === undefined ? undefined : requirePath(query.path);
    const deleted = query.scheduled_for_deletion ?? false;

    const matching = secrets.filter(
      (secret) =>
        secret.region === region &&
        (secret.deletion_requested_at !== null) === deleted &&
        (query.project_id === undefined ||
          secret.project_id === query.project_id) &&
        (query.name === undefined || secret.name === query.name) &&
        (path === undefined || secret.path === path) &&
        (query.tags ?? []).every((tag) => secret.tags.includes(tag)) &&
        (query.type === undefined ||
          query.type === 'unknown_type' ||
          secret.type === query.type) &&
        (query.ephemeral === undefined ||
          (secret.ephemeral_policy !== null) === query.ephemeral),
    );
    const page = paginate(
      matching,
      request.query,
      SECRET_ORDERINGS,
      'name_asc',
    );

    return ok({
      secrets: page.items.map((secret) => secretToWire(collections, secret)),
      total_count: page.totalCount,
    });
  });

  router.get(`${SECRET_BASE}/tags`, (request) => {
    const region = regionParam(request.params);
    const query = parseQuery(ProjectQuery, request.query);
    const tags = new Set<string>();
    for (const secret of inProject(secrets.all(), region, query.project_id)) {
      for (const tag of secret.tags) {
        tags.add(tag);
      }
    }
    const page = paginate([...tags].sort(), request.query);

    return ok({ tags: page.items, total_count: page.totalCount });
  });

  router.get(`${SECRET_BASE}/secret-types`, (request) => {
    const region = regionParam(request.params);
    const query = parseQuery(ProjectQuery, request.query);
    const types = new Set(
      inProject(secrets.all(), region, query.project_id).map(
        (secret) => secret.type,
      ),
    );
    const page = paginate([...types].sort(), request.query);

    return ok({ types: page.items, total_count: page.totalCount });
  });
}

/** The secret with this id in this region; 404 otherwise. */
export function findSecret(
  secrets: SecretCollections['secrets'],
  region: Region,
  id: string,
): SecretRecord {
  const secret = secrets.get(id);
  if (secret === undefined || secret.region !== region) {
    throw new ResourceNotFoundError('secret', id);
  }

  return secret;
}

/** The `{secret_id}` path parameter. */
export function secretIdOf(params: Readonly<Record<string, string>>) {
  return pathParam(params, 'secret_id');
}

function inProject(
  secrets: SecretRecord[],
  region: Region,
  projectId: string | undefined,
): SecretRecord[] {
  return secrets.filter(
    (secret) =>
      secret.region === region &&
      secret.deletion_requested_at === null &&
      (projectId === undefined || secret.project_id === projectId),
  );
}

function requirePath(path: string | undefined): string {
  const normalised = normalisePath(path);
  if (normalised === null) {
    throw InvalidArgumentsError.of(
      'path',
      'format',
      'path must start with / and hold only letters, digits, _ . -',
    );
  }

  return normalised;
}

function assertNameFree(
  collections: SecretCollections,
  region: Region,
  projectId: string,
  path: string,
  name: string,
): void {
  const taken = collections.secrets
    .all()
    .some(
      (secret) =>
        secret.region === region &&
        secret.project_id === projectId &&
        secret.path === path &&
        secret.name === name &&
        secret.deletion_requested_at === null,
    );
  if (taken) {
    throw InvalidArgumentsError.of(
      'name',
      'format',
      'cannot have same secret name in same path',
    );
  }
}

function toPolicy(
  policy: z.infer<typeof EPHEMERAL_POLICY>,
): SecretRecord['ephemeral_policy'] {
  if (policy === undefined || policy === null) {
    return null;
  }

  return {
    time_to_live:
      policy.time_to_live === undefined || policy.time_to_live === null
        ? null
        : `${Number.parseFloat(policy.time_to_live)}s`,
    expires_once_accessed: policy.expires_once_accessed ?? false,
    action: policy.action ?? 'unknown_action',
  };
}
