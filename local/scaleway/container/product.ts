import {
  type Collection,
  defineProduct,
  type ResourceStore,
  type ScalewayProduct,
} from '../core/index.ts';
import type { ContainerRecord } from './container-model.ts';
import {
  CONTAINERS_BASE,
  registerContainerRoutes,
} from './container-routes.ts';
import { type NamespaceRecord, registerNamespaceRoutes } from './namespace.ts';

const CONTAINER_KIND = { kind: 'container.container', resource: 'container' };

/**
 * The Serverless Containers API (v1beta1): namespaces with VPC
 * integration, containers with argon2id-hashed secret environment
 * variables, deploy and status transitions.
 *
 * @example
 * const api = await startScalewayApi({ products: [containerProduct()] });
 */
export function containerProduct(): ScalewayProduct {
  return defineProduct({
    name: 'container',
    register({ router, store, clock, account }) {
      const namespaces = store.collection<NamespaceRecord>({
        kind: 'container.namespace',
        resource: 'namespace',
      });
      const containers = containerCollection(store);

      registerNamespaceRoutes(router, {
        base: CONTAINERS_BASE,
        namespaces,
        clock,
        account,
        registryPrefix: 'funcscw',
        deleteChildren: (namespaceId) => {
          for (const c of containers.filter(
            (c) => c.namespace_id === namespaceId,
          )) {
            containers.delete(c.id);
          }
        },
      });
      registerContainerRoutes(router, { namespaces, containers, clock });
    },
  });
}

function containerCollection(
  store: ResourceStore,
): Collection<ContainerRecord> {
  return store.collection<ContainerRecord>(CONTAINER_KIND);
}

/** One container's deployment history, as tests and benchmarks read it. */
export interface ContainerDeployments {
  /** How many times the container was deployed (deploy or redeploy). */
  count: number;
  /** When the last deployment became ready (RFC 3339), or null. */
  lastReadyAt: string | null;
}

/**
 * How many times a container was deployed, read from the API's store
 * (`ScalewayApi.store`); `undefined` for an unknown container. Lets a
 * rotation test assert one redeploy per container.
 *
 * @example
 * expect(readContainerDeployments(local.api.store, id)?.count).toBe(1);
 */
export function readContainerDeployments(
  store: ResourceStore,
  containerId: string,
): ContainerDeployments | undefined {
  const container = containerCollection(store).get(containerId);
  if (container === undefined) {
    return undefined;
  }

  return { count: container.deployments, lastReadyAt: container.ready_at };
}
