import { z } from 'zod';
import type { PlatformClock } from '../../controls/clock.ts';
import {
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
  type ContainerRecord,
  CreateContainerBody,
  containerToWire,
  UpdateContainerBody,
  type UpdateContainerInput,
} from './container-model.ts';
import { ServerlessNotFoundError } from './errors.ts';
import {
  compact,
  type NamespaceRecord,
  requireNamespace,
} from './namespace.ts';
import { hashSecrets, mergeSecrets } from './secret-environment.ts';

/** Base path of the Serverless Containers v1beta1 API. */
export const CONTAINERS_BASE = '/containers/v1beta1/regions/{region}';

const ListContainersQuery = z.object({
  namespace_id: queryString(),
  name: queryString(),
  project_id: queryString(),
  organization_id: queryString(),
});

const CONTAINER_ORDERINGS = byFields<ContainerRecord>({
  created_at: (container) => container.created_at,
  name: (container) => container.name,
});

/** What the container routes need. */
export interface ContainerRoutesContext {
  namespaces: Collection<NamespaceRecord>;
  containers: Collection<ContainerRecord>;
  clock: PlatformClock;
}

/**
 * Registers the container routes. A new container is `created` (never
 * deployed); a deploy, or an update without `redeploy: false`, replies
 * `pending`, stores `ready`, sets `ready_at` and counts one deployment.
 * A delete replies 200 `deleting` and removes the container.
 */
export function registerContainerRoutes(
  router: Router,
  context: ContainerRoutesContext,
): void {
  const { namespaces, containers, clock } = context;
  const one = `${CONTAINERS_BASE}/containers/{container_id}`;
  const find = (params: Readonly<Record<string, string>>) => {
    const container = containers.get(pathParam(params, 'container_id'));
    if (container === undefined || container.region !== regionParam(params)) {
      throw new ServerlessNotFoundError('Container');
    }

    return container;
  };

  router.post(`${CONTAINERS_BASE}/containers`, async (request) => {
    const region = regionParam(request.params);
    const body = parseBody(CreateContainerBody, request.body);
    const namespace = requireNamespace(namespaces, body.namespace_id, region);
    const duplicate = containers.filter(
      (c) => c.namespace_id === namespace.id && c.name === body.name,
    )[0];
    if (duplicate !== undefined) {
      throw new AlreadyExistsError(
        'container',
        duplicate.id,
        'a container with this name already exists in the namespace',
      );
    }

    const now = timestamp(clock);
    const registry = namespace.registry_endpoint;
    const container = containers.insert({
      id: newId(),
      name: body.name,
      namespace_id: namespace.id,
      status: 'created',
      environment_variables: body.environment_variables ?? {},
      secret_environment_variables: await hashSecrets(
        body.secret_environment_variables ?? [],
      ),
      min_scale: body.min_scale ?? 0,
      max_scale: body.max_scale ?? 5,
      memory_limit: body.memory_limit ?? 2048,
      cpu_limit: body.cpu_limit ?? 1000,
      timeout: body.timeout ?? '300s',
      error_message: null,
      privacy: body.privacy ?? 'public',
      description: body.description ?? '',
      registry_image: body.registry_image ?? `${registry}/${body.name}:latest`,
      max_concurrency: body.max_concurrency ?? 50,
      domain_name: `${compact(namespace.name)}${namespace.id.slice(0, 8)}-${body.name}.functions.fnc.${region}.scw.cloud`,
      protocol: body.protocol ?? 'http1',
      port: body.port ?? 8080,
      http_option: body.http_option ?? 'enabled',
      sandbox: body.sandbox ?? 'v2',
      local_storage_limit: body.local_storage_limit ?? 1000,
      scaling_option: body.scaling_option ?? {
        concurrent_requests_threshold: 50,
      },
      health_check: body.health_check ?? {
        failure_threshold: 30,
        interval: '10s',
        tcp: {},
      },
      tags: body.tags ?? [],
      private_network_id: body.private_network_id || null,
      command: body.command ?? [],
      args: body.args ?? [],
      region,
      created_at: now,
      updated_at: now,
      ready_at: null,
      deployments: 0,
    });

    return ok(containerToWire(container));
  });

  router.get(`${CONTAINERS_BASE}/containers`, (request) => {
    const region = regionParam(request.params);
    const query = parseQuery(ListContainersQuery, request.query);
    const projectOf = (c: ContainerRecord) => namespaces.get(c.namespace_id);
    const matching = containers.filter(
      (c) =>
        c.region === region &&
        (query.namespace_id === undefined ||
          c.namespace_id === query.namespace_id) &&
        (query.name === undefined || c.name === query.name) &&
        (query.project_id === undefined ||
          projectOf(c)?.project_id === query.project_id) &&
        (query.organization_id === undefined ||
          projectOf(c)?.organization_id === query.organization_id),
    );
    const page = paginate(
      matching,
      request.query,
      CONTAINER_ORDERINGS,
      'created_at_asc',
    );

    return ok({
      containers: page.items.map((c) => containerToWire(c)),
      total_count: page.totalCount,
    });
  });

  router.get(one, (request) => ok(containerToWire(find(request.params))));

  router.patch(one, async (request) => {
    const current = find(request.params);
    const body = parseBody(UpdateContainerBody, request.body);
    const secrets = await mergeSecrets(
      current.secret_environment_variables,
      body.secret_environment_variables ?? [],
    );
    const redeploy = body.redeploy !== false;

    const updated = containers.update(current.id, (container) => {
      const changed = applyUpdate(container, body);
      const now = timestamp(clock);
      return {
        ...changed,
        secret_environment_variables: secrets,
        updated_at: now,
        ...(redeploy ? deployed(container, now) : {}),
      };
    });

    return ok(containerToWire(updated, redeploy ? 'pending' : updated.status));
  });

  router.post(`${one}/deploy`, (request) => {
    const current = find(request.params);

    const updated = containers.update(current.id, (container) => ({
      ...container,
      ...deployed(container, timestamp(clock)),
    }));

    return ok(containerToWire(updated, 'pending'));
  });

  router.delete(one, (request) => {
    const container = find(request.params);

    containers.delete(container.id);

    return ok(containerToWire(container, 'deleting'));
  });
}

/** The fields a deployment changes. */
function deployed(
  container: ContainerRecord,
  now: string,
): Pick<ContainerRecord, 'status' | 'ready_at' | 'deployments'> {
  return {
    status: 'ready',
    ready_at: now,
    deployments: container.deployments + 1,
  };
}

function applyUpdate(
  container: ContainerRecord,
  body: UpdateContainerInput,
): ContainerRecord {
  const privateNetwork =
    body.private_network_id === undefined || body.private_network_id === null
      ? container.private_network_id
      : body.private_network_id || null;

  return {
    ...container,
    environment_variables:
      body.environment_variables ?? container.environment_variables,
    min_scale: body.min_scale ?? container.min_scale,
    max_scale: body.max_scale ?? container.max_scale,
    memory_limit: body.memory_limit ?? container.memory_limit,
    cpu_limit: body.cpu_limit ?? container.cpu_limit,
    timeout: body.timeout ?? container.timeout,
    privacy: body.privacy ?? container.privacy,
    description: body.description ?? container.description,
    registry_image: body.registry_image ?? container.registry_image,
    max_concurrency: body.max_concurrency ?? container.max_concurrency,
    protocol: body.protocol ?? container.protocol,
    port: body.port ?? container.port,
    http_option: body.http_option ?? container.http_option,
    sandbox: body.sandbox ?? container.sandbox,
    local_storage_limit:
      body.local_storage_limit ?? container.local_storage_limit,
    scaling_option: body.scaling_option ?? container.scaling_option,
    health_check: body.health_check ?? container.health_check,
    tags: body.tags ?? container.tags,
    private_network_id: privateNetwork,
    command: body.command ?? container.command,
    args: body.args ?? container.args,
  };
}
