import type { ListPage } from './paginate.ts';
import type {
  InventoryApis,
  InventoryScope,
  LiveResource,
  ResourceType,
} from './types.ts';

/** Fetches one page of a type and lifts its items into LiveResources. */
export type TypeLister<K extends ResourceType> = (
  apis: InventoryApis,
  scope: InventoryScope,
  page: number,
  pageSize: number,
) => Promise<ListPage<LiveResource<K>>>;

type Listers = {
  [K in Exclude<ResourceType, 'container'>]: TypeLister<K>;
};

/**
 * One list call per type, filtered server-side to the project (IAM: the
 * organization), secrets scheduled for deletion excluded (a deleted
 * secret is gone for the stack even while Scaleway keeps it restorable).
 */
export const TYPE_LISTERS: Listers = {
  vpc: async (apis, scope, page, pageSize) => {
    const r = await apis.vpc.listVPCs({
      region: scope.region,
      projectId: scope.projectId,
      page,
      pageSize,
    });
    return lift('vpc', r.vpcs, r.totalCount);
  },
  'private-network': async (apis, scope, page, pageSize) => {
    const r = await apis.vpc.listPrivateNetworks({
      region: scope.region,
      projectId: scope.projectId,
      page,
      pageSize,
    });
    return lift('private-network', r.privateNetworks, r.totalCount);
  },
  secret: async (apis, scope, page, pageSize) => {
    const r = await apis.secret.listSecrets({
      region: scope.region,
      projectId: scope.projectId,
      scheduledForDeletion: false,
      page,
      pageSize,
    });
    return lift('secret', r.secrets, r.totalCount);
  },
  'iam-application': async (apis, scope, page, pageSize) => {
    const r = await apis.iam.listApplications({
      organizationId: requireOrganization(scope),
      page,
      pageSize,
    });
    return lift('iam-application', r.applications, r.totalCount);
  },
  'iam-policy': async (apis, scope, page, pageSize) => {
    const r = await apis.iam.listPolicies({
      organizationId: requireOrganization(scope),
      page,
      pageSize,
    });
    return lift('iam-policy', r.policies, r.totalCount);
  },
  database: async (apis, scope, page, pageSize) => {
    const r = await apis.rdb.listInstances({
      region: scope.region,
      projectId: scope.projectId,
      page,
      pageSize,
    });
    return lift('database', r.instances, r.totalCount);
  },
  'container-namespace': async (apis, scope, page, pageSize) => {
    const r = await apis.container.listNamespaces({
      region: scope.region,
      projectId: scope.projectId,
      page,
      pageSize,
    });
    return lift('container-namespace', r.namespaces, r.totalCount);
  },
};

interface Listed {
  id: string;
  name: string;
  tags?: string[];
}

export function lift<K extends ResourceType, T extends Listed>(
  type: K,
  items: readonly T[],
  totalCount: number,
): ListPage<LiveResource<K>> {
  return {
    totalCount,
    items: items.map((raw) => ({
      type,
      id: raw.id,
      name: raw.name,
      tags: raw.tags ?? [],
      raw: raw as unknown as LiveResource<K>['raw'],
    })),
  };
}

function requireOrganization(scope: InventoryScope): string {
  if (scope.organizationId === undefined) {
    // Caught by readInventory, which reports IAM types as unknown.
    throw new Error('organization id not configured');
  }

  return scope.organizationId;
}

/**
 * One page of the containers of one namespace: the v1beta1 list requires
 * a `namespace_id`, so containers are listed namespace by namespace.
 */
export async function listContainersPage(
  apis: InventoryApis,
  scope: InventoryScope,
  namespaceId: string,
  page: number,
  pageSize: number,
): Promise<ListPage<LiveResource<'container'>>> {
  const r = await apis.container.listContainers({
    region: scope.region,
    namespaceId,
    page,
    pageSize,
  });

  return lift('container', r.containers, r.totalCount);
}
