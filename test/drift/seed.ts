import { randomUUID } from 'node:crypto';
import type { ResourceStore } from '../../local/scaleway/core/store.ts';

/** How many resources of each kind {@link seedResources} adds. */
export interface SeedCounts {
  secrets: number;
  privateNetworks: number;
  containers: number;
}

/** 10,000 resources: 5,000 secrets, 2,500 networks, 2,500 containers. */
export const TEN_THOUSAND: SeedCounts = {
  secrets: 5_000,
  privateNetworks: 2_500,
  containers: 2_500,
};

type StoredRecord = { id: string; name: string; tags: string[] };

/**
 * Fills the local API's store with resources of another team of the same
 * project (untagged, outside the managed namespace), cloned from records
 * the applied stack created: fast, and always in the API's own shape.
 * Containers go to one extra namespace.
 */
export function seedResources(store: ResourceStore, counts: SeedCounts): void {
  const clone = (kind: string, resource: string, count: number) => {
    const collection = store.collection<StoredRecord>({ kind, resource });
    const [template] = collection.all();
    if (template === undefined) throw new Error(`no ${kind} to clone`);
    for (let i = 0; i < count; i += 1) {
      collection.insert({
        ...structuredClone(template),
        id: randomUUID(),
        name: `other-${resource}-${i}`,
        tags: ['team=other'],
      });
    }
    return collection;
  };

  const namespaces = clone('container.namespace', 'namespace', 1);
  const extraNamespace = namespaces.all().at(-1);
  const containers = store.collection<StoredRecord & { namespace_id: string }>({
    kind: 'container.container',
    resource: 'container',
  });
  const [template] = containers.all();
  if (template === undefined || extraNamespace === undefined) {
    throw new Error('no container to clone');
  }
  for (let i = 0; i < counts.containers; i += 1) {
    containers.insert({
      ...structuredClone(template),
      id: randomUUID(),
      name: `other-container-${i}`,
      namespace_id: extraNamespace.id,
      tags: [],
    });
  }
  clone('secret-manager.secret', 'secret', counts.secrets);
  clone('vpc.private_network', 'private_network', counts.privateNetworks);
}
