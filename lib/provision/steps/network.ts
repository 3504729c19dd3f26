import type { Vpcv2 } from '@scaleway/sdk-vpc';
import { UnmanagedResourceError } from '../errors.ts';
import { isManaged, managedTags } from '../tags.ts';
import type { ProvisionWalk } from '../walk.ts';

/**
 * The VPC (routing enabled) and its private network. The CIDR of a
 * private network is set at creation: a different one is a replacement.
 */
export async function convergeNetwork(walk: ProvisionWalk): Promise<void> {
  const { vpc: api } = walk.context.clients;
  const region = walk.region;
  const environment = walk.environment;

  const vpcs = await walk.call('list VPCs', () =>
    api.listVPCs({ region, projectId: walk.projectId }).all(),
  );
  const networks = await walk.call('list private networks', () =>
    api.listPrivateNetworks({ region, projectId: walk.projectId }).all(),
  );
  const declared = walk.stack.network;

  if (declared !== undefined) {
    const vpc = await convergeVpc(walk, api, vpcs, declared.vpc.name);
    await convergePrivateNetwork(walk, api, networks, vpc, declared);
  }

  const keepVpc = walk.ids.get('vpc');
  const keepNetwork = walk.ids.get('private-network');
  for (const network of networks) {
    if (!isManaged(network.tags, environment) || network.id === keepNetwork) {
      continue;
    }
    walk.orphans.push({
      item: orphanItem('private-network', network.name, network.id),
      remove: () =>
        api.deletePrivateNetwork({ region, privateNetworkId: network.id }),
    });
  }
  for (const vpc of vpcs) {
    if (!isManaged(vpc.tags, environment) || vpc.id === keepVpc) {
      continue;
    }
    walk.orphans.push({
      item: orphanItem('vpc', vpc.name, vpc.id),
      remove: () => api.deleteVPC({ region, vpcId: vpc.id }),
    });
  }
}

async function convergeVpc(
  walk: ProvisionWalk,
  api: Vpcv2.API,
  vpcs: Vpcv2.VPC[],
  baseName: string,
): Promise<string | undefined> {
  const name = walk.deployed(baseName);
  const region = walk.region;
  const live = vpcs.find((vpc) => vpc.name === name);
  if (live !== undefined && !isManaged(live.tags, walk.environment)) {
    throw new UnmanagedResourceError('VPC', name, walk.environment);
  }

  let id = live?.id;
  if (live === undefined) {
    const created = await walk.change(
      { kind: 'vpc', name, action: 'create', details: { routing: true } },
      () =>
        walk.call(`create VPC ${name}`, () =>
          api.createVPC({
            region,
            name,
            projectId: walk.projectId,
            tags: managedTags(walk.environment),
            enableRouting: true,
          }),
        ),
    );
    id = created?.id;
  } else if (!live.routingEnabled) {
    await walk.change(
      {
        kind: 'vpc',
        name,
        action: 'update',
        id: live.id,
        changes: [{ field: 'routingEnabled', from: false, to: true }],
      },
      () =>
        walk.call(`enable routing on VPC ${name}`, () =>
          api.enableRouting({ region, vpcId: live.id }),
        ),
    );
  } else {
    walk.unchanged('vpc', name, live.id);
  }

  if (id !== undefined) {
    walk.ids.set('vpc', id);
    walk.applied({ kind: 'vpc', name, id, region });
  }

  return id;
}

async function convergePrivateNetwork(
  walk: ProvisionWalk,
  api: Vpcv2.API,
  networks: Vpcv2.PrivateNetwork[],
  vpcId: string | undefined,
  declared: NonNullable<ProvisionWalk['stack']['network']>,
): Promise<void> {
  const name = walk.deployed(declared.privateNetwork.name);
  const cidr = declared.privateNetwork.cidr;
  const region = walk.region;
  const live = networks.find((network) => network.name === name);
  if (live !== undefined && !isManaged(live.tags, walk.environment)) {
    throw new UnmanagedResourceError('private network', name, walk.environment);
  }

  const create = () =>
    walk.call(`create private network ${name}`, () =>
      api.createPrivateNetwork({
        region,
        name,
        projectId: walk.projectId,
        tags: managedTags(walk.environment),
        subnets: [cidr],
        ...(vpcId === undefined ? {} : { vpcId }),
        defaultRoutePropagationEnabled: false,
      }),
    );

  let id = live?.id;
  const reason =
    live === undefined ? undefined : replaceReason(live, cidr, vpcId);
  if (live === undefined) {
    const created = await walk.change(
      { kind: 'private-network', name, action: 'create', details: { cidr } },
      create,
    );
    id = created?.id;
  } else if (reason !== undefined) {
    const created = await walk.change(
      { kind: 'private-network', name, action: 'replace', reason, id: live.id },
      async () => {
        await walk.call(`delete private network ${name}`, () =>
          api.deletePrivateNetwork({ region, privateNetworkId: live.id }),
        );
        return create();
      },
    );
    id = created?.id ?? live.id;
  } else {
    walk.unchanged('private-network', name, live.id);
  }

  if (id !== undefined) {
    walk.ids.set('private-network', id);
    walk.applied({
      kind: 'private-network',
      name,
      id,
      region,
      attributes: { cidr },
    });
  }
}

function replaceReason(
  live: Vpcv2.PrivateNetwork,
  cidr: string,
  vpcId: string | undefined,
): string | undefined {
  const ipv4 = live.subnets
    .map((s) => s.subnet)
    .filter((s) => !s.includes(':'));
  if (!ipv4.includes(cidr)) {
    return `CIDR ${ipv4.join(', ') || 'none'} → ${cidr} (set at creation)`;
  }
  if (vpcId !== undefined && live.vpcId !== vpcId) {
    return 'attached to another VPC (set at creation)';
  }

  return undefined;
}

function orphanItem(kind: 'vpc' | 'private-network', name: string, id: string) {
  return {
    kind,
    name,
    action: 'delete' as const,
    changes: [],
    id,
    reason: 'no longer declared',
  };
}
