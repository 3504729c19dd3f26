import { z } from 'zod';
import type { PlatformClock } from '../../controls/clock.ts';
import {
  type AccountDefaults,
  AlreadyExistsError,
  byFields,
  type Collection,
  newId,
  ok,
  paginate,
  parseBody,
  parseQuery,
  pathParam,
  queryString,
  type Router,
  regionParam,
  timestamp,
} from '../core/index.ts';
import {
  EnvironmentVariables,
  SecretEnvironmentVariables,
  Tags,
} from './environment.ts';
import { ServerlessNotFoundError } from './errors.ts';
import {
  type HashedSecret,
  hashSecrets,
  mergeSecrets,
} from './secret-environment.ts';

/** Statuses of serverless namespaces, containers, functions, triggers. */
export type ServerlessStatus =
  | 'created'
  | 'pending'
  | 'ready'
  | 'error'
  | 'deleting';

/** A Serverless Containers or Functions namespace (wire shape). */
export interface NamespaceRecord {
  id: string;
  name: string;
  description: string;
  environment_variables: Record<string, string>;
  secret_environment_variables: HashedSecret[];
  organization_id: string;
  project_id: string;
  region: string;
  status: ServerlessStatus;
  registry_namespace_id: string;
  registry_endpoint: string;
  error_message: string | null;
  tags: string[];
  created_at: string;
  updated_at: string;
  vpc_integration_activated: boolean;
}

const NamespaceName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/,
    'must be 1 to 63 letters, digits, dashes or underscores',
  );

const CreateNamespaceBody = z.object({
  name: NamespaceName,
  project_id: z.uuid().optional(),
  description: z.string().nullish(),
  environment_variables: EnvironmentVariables.nullish(),
  secret_environment_variables: SecretEnvironmentVariables.nullish(),
  tags: Tags.nullish(),
  activate_vpc_integration: z.boolean().nullish(),
});

const UpdateNamespaceBody = z.object({
  description: z.string().nullish(),
  environment_variables: EnvironmentVariables.nullish(),
  secret_environment_variables: SecretEnvironmentVariables.nullish(),
  tags: Tags.nullish(),
});

const ListNamespacesQuery = z.object({
  name: queryString(),
  project_id: queryString(),
  organization_id: queryString(),
});

const NAMESPACE_ORDERINGS = byFields<NamespaceRecord>({
  created_at: (namespace) => namespace.created_at,
  name: (namespace) => namespace.name,
});

/** What the namespace routes of one product need. */
export interface NamespaceRoutesOptions {
  /** `/containers/v1beta1/regions/{region}` or the functions one. */
  base: string;
  namespaces: Collection<NamespaceRecord>;
  clock: PlatformClock;
  account: AccountDefaults;
  /** Registry name prefix: `funcscw` (functions) or `ns` (containers). */
  registryPrefix: string;
  /** Deletes the namespace's children (containers or functions). */
  deleteChildren(namespaceId: string): void;
}

/** The namespace of `id` in `region`, or the type-less v1beta1 404. */
export function requireNamespace(
  namespaces: Collection<NamespaceRecord>,
  id: string,
  region: string,
): NamespaceRecord {
  const namespace = namespaces.get(id);
  if (namespace === undefined || namespace.region !== region) {
    throw new ServerlessNotFoundError('Namespace');
  }

  return namespace;
}

/**
 * Registers the namespace routes shared by both Serverless APIs. Creates
 * reply `pending` and deletes `deleting` (200); the stored namespace is
 * already `ready` (or gone), so the first GET sees the settled state.
 * Secret environment variables are kept as argon2id hashes only.
 */
export function registerNamespaceRoutes(
  router: Router,
  options: NamespaceRoutesOptions,
): void {
  const { base, namespaces, clock, account } = options;
  const one = `${base}/namespaces/{namespace_id}`;
  const find = (params: Readonly<Record<string, string>>) =>
    requireNamespace(
      namespaces,
      pathParam(params, 'namespace_id'),
      regionParam(params),
    );

  router.post(`${base}/namespaces`, async (request) => {
    const region = regionParam(request.params);
    const body = parseBody(CreateNamespaceBody, request.body);
    const projectId = body.project_id ?? account.projectId;
    const duplicate = namespaces.filter(
      (n) =>
        n.name === body.name &&
        n.project_id === projectId &&
        n.region === region,
    )[0];
    if (duplicate !== undefined) {
      throw new AlreadyExistsError(
        'namespace',
        duplicate.id,
        'a namespace with this name already exists in the project',
      );
    }

    const now = timestamp(clock);
    const suffix = newId().slice(0, 8);
    const namespace = namespaces.insert({
      id: newId(),
      name: body.name,
      description: body.description ?? '',
      environment_variables: body.environment_variables ?? {},
      secret_environment_variables: await hashSecrets(
        body.secret_environment_variables ?? [],
      ),
      organization_id: account.organizationId,
      project_id: projectId,
      region,
      status: 'ready',
      registry_namespace_id: newId(),
      registry_endpoint: `rg.${region}.scw.cloud/${options.registryPrefix}${compact(body.name)}${suffix}`,
      error_message: null,
      tags: body.tags ?? [],
      created_at: now,
      updated_at: now,
      vpc_integration_activated: body.activate_vpc_integration ?? false,
    });

    return ok({ ...namespace, status: 'pending' });
  });

  router.get(`${base}/namespaces`, (request) => {
    const region = regionParam(request.params);
    const query = parseQuery(ListNamespacesQuery, request.query);
    const matching = namespaces.filter(
      (n) =>
        n.region === region &&
        (query.name === undefined || n.name === query.name) &&
        (query.project_id === undefined || n.project_id === query.project_id) &&
        (query.organization_id === undefined ||
          n.organization_id === query.organization_id),
    );
    const page = paginate(
      matching,
      request.query,
      NAMESPACE_ORDERINGS,
      'created_at_asc',
    );

    return ok({ namespaces: page.items, total_count: page.totalCount });
  });

  router.get(one, (request) => ok(find(request.params)));

  router.patch(one, async (request) => {
    const current = find(request.params);
    const body = parseBody(UpdateNamespaceBody, request.body);
    const secrets = await mergeSecrets(
      current.secret_environment_variables,
      body.secret_environment_variables ?? [],
    );

    const updated = namespaces.update(current.id, (namespace) => ({
      ...namespace,
      description: body.description ?? namespace.description,
      environment_variables:
        body.environment_variables ?? namespace.environment_variables,
      secret_environment_variables: secrets,
      tags: body.tags ?? namespace.tags,
      updated_at: timestamp(clock),
    }));

    return ok({ ...updated, status: 'pending' });
  });

  router.delete(one, (request) => {
    const namespace = find(request.params);

    options.deleteChildren(namespace.id);
    namespaces.delete(namespace.id);

    return ok({ ...namespace, status: 'deleting' });
  });
}

/** A name as it appears inside generated host and registry names. */
export function compact(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}
