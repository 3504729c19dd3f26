import { ListBucketsCommand } from '@aws-sdk/client-s3';
import type { ProvisionContext } from '../../lib/provision/index.ts';

/**
 * Every resource name the platform holds, per kind, sorted, duplicates
 * kept: two runs that converge to the same resources give equal lists.
 */
export async function inventoryNames(
  context: ProvisionContext,
  projectId: string,
): Promise<Record<string, string[]>> {
  const { secret, iam, vpc, rdb, container, s3 } = context.clients;
  const region = 'fr-par';
  const names = <T>(items: T[], pick: (item: T) => string) =>
    items.map(pick).sort();

  const instances = await rdb.listInstances({ region, projectId }).all();
  const users = await Promise.all(
    instances.map((i) => rdb.listUsers({ region, instanceId: i.id }).all()),
  );
  const namespaces = await container
    .listNamespaces({ region, projectId })
    .all();
  const containers = await Promise.all(
    namespaces.map((n) =>
      container.listContainers({ region, namespaceId: n.id }).all(),
    ),
  );
  const secrets = await secret
    .listSecrets({ region, projectId, scheduledForDeletion: false })
    .all();
  const versions = await Promise.all(
    secrets.map(async (s) => `${s.name}:${s.versionCount}`),
  );
  const buckets = await s3.send(new ListBucketsCommand({}));

  return {
    vpcs: names(await vpc.listVPCs({ region, projectId }).all(), (v) => v.name),
    networks: names(
      await vpc.listPrivateNetworks({ region, projectId }).all(),
      (n) => n.name,
    ),
    secrets: versions.sort(),
    applications: names(await iam.listApplications({}).all(), (a) => a.name),
    policies: names(await iam.listPolicies({}).all(), (p) => p.name),
    apiKeys: names(await iam.listAPIKeys({}).all(), (k) => k.description),
    instances: names(instances, (i) => i.name),
    users: names(users.flat(), (u) => u.name),
    namespaces: names(namespaces, (n) => n.name),
    containers: names(containers.flat(), (c) => `${c.name}:${c.status}`),
    buckets: names(buckets.Buckets ?? [], (b) => b.Name ?? ''),
  };
}
