import {
  noContent,
  ok,
  parseBody,
  pathParam,
  ResourceNotFoundError,
  type Router,
  regionParam,
} from '../core/index.ts';
import { RDB_BASE, type RdbContext, requireInstance } from './context.ts';
import { buildEndpoints } from './instance-routes.ts';
import type { EndpointRecord, InstanceRecord } from './model.ts';
import { CreateEndpointBody } from './schemas.ts';

/**
 * Registers the endpoint routes: add a public (load balancer) or private
 * network endpoint to an instance, get one, delete one (204).
 */
export function registerEndpointRoutes(
  router: Router,
  context: RdbContext,
): void {
  const { instances } = context;

  router.post(`${RDB_BASE}/instances/{instance_id}/endpoints`, (request) => {
    const instance = requireInstance(context, request.params);
    const body = parseBody(CreateEndpointBody, request.body);
    const [endpoint] = buildEndpoints(
      context,
      instance.region,
      [body.endpoint_spec],
      instance.endpoints,
    );
    if (endpoint === undefined) {
      throw new TypeError('buildEndpoints returned no endpoint');
    }

    instances.update(instance.id, (current) => ({
      ...current,
      endpoints: [...current.endpoints, endpoint],
    }));

    return ok(endpoint);
  });

  router.get(`${RDB_BASE}/endpoints/{endpoint_id}`, (request) => {
    const { endpoint } = requireEndpoint(context, request.params);

    return ok(endpoint);
  });

  router.delete(`${RDB_BASE}/endpoints/{endpoint_id}`, (request) => {
    const { instance, endpoint } = requireEndpoint(context, request.params);

    instances.update(instance.id, (current) => ({
      ...current,
      endpoints: current.endpoints.filter((e) => e.id !== endpoint.id),
    }));

    return noContent();
  });
}

function requireEndpoint(
  context: RdbContext,
  params: Readonly<Record<string, string>>,
): { instance: InstanceRecord; endpoint: EndpointRecord } {
  const region = regionParam(params);
  const id = pathParam(params, 'endpoint_id');
  for (const instance of context.instances.all()) {
    const endpoint = instance.endpoints.find((e) => e.id === id);
    if (endpoint !== undefined && instance.region === region) {
      return { instance, endpoint };
    }
  }

  throw new ResourceNotFoundError('endpoint', id);
}
