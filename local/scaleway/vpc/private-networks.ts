import { z } from 'zod';
import type { PlatformClock } from '../../controls/clock.ts';
import {
  type AccountDefaults,
  InvalidArgumentsError,
  newId,
  noContent,
  ok,
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
  allocateIpv4,
  type Ipv4Block,
  isIpv6Cidr,
  isPrivateIpv4,
  overlaps,
  parseIpv4Cidr,
  randomIpv6Block,
} from './cidr.ts';
import {
  type PrivateNetworkRecord,
  type SubnetRecord,
  VPC_BASE,
  type VpcCollections,
} from './records.ts';
import { defaultVpc, findVpc, NAMED_ORDERINGS } from './vpcs.ts';

const NAME = z.string().min(1).max(255);
const TAGS = z.array(z.string().min(1).max(128)).nullish();
const SUBNETS = z.array(z.string().min(1)).nullish();

const CreateNetworkBody = z.object({
  name: NAME,
  project_id: z.guid(),
  tags: TAGS,
  subnets: SUBNETS,
  vpc_id: z.guid().nullish(),
  default_route_propagation_enabled: z.boolean().nullish(),
});

const UpdateNetworkBody = z.object({
  name: NAME.nullish(),
  tags: TAGS,
  default_route_propagation_enabled: z.boolean().nullish(),
});

const SubnetsBody = z.object({ subnets: z.array(z.string().min(1)) });

const ListNetworksQuery = z.object({
  name: queryString(),
  tags: queryArray(z.string()),
  project_id: queryString(),
  organization_id: queryString(),
  private_network_ids: queryArray(z.string()),
  vpc_id: queryString(),
  dhcp_enabled: queryBoolean(),
});

const ListSubnetsQuery = z.object({
  project_id: queryString(),
  organization_id: queryString(),
  subnet_ids: queryArray(z.string()),
  vpc_id: queryString(),
});

/** Registers the private network and subnet routes. */
export function registerPrivateNetworkRoutes(
  router: Router,
  collections: VpcCollections,
  clock: PlatformClock,
  account: AccountDefaults,
): void {
  const { privateNetworks } = collections;
  const networkOf = (params: Readonly<Record<string, string>>) =>
    findNetwork(
      collections,
      regionParam(params),
      pathParam(params, 'private_network_id'),
    );

  router.post(`${VPC_BASE}/private-networks`, (request) => {
    const region = regionParam(request.params);
    const input = parseBody(CreateNetworkBody, request.body);
    const vpc =
      input.vpc_id === undefined || input.vpc_id === null
        ? defaultVpc(collections, clock, account, region, input.project_id)
        : findVpc(collections, region, input.vpc_id);

    const id = newId();
    const now = timestamp(clock);
    const cidrs = planSubnets(collections, vpc.id, input.subnets ?? []);
    const subnet = (cidr: string): SubnetRecord => ({
      id: newId(),
      created_at: now,
      updated_at: now,
      subnet: cidr,
      project_id: input.project_id,
      private_network_id: id,
      vpc_id: vpc.id,
    });

    return ok(
      privateNetworks.insert({
        id,
        name: input.name,
        organization_id: account.organizationId,
        project_id: input.project_id,
        region,
        tags: input.tags ?? [],
        created_at: now,
        updated_at: now,
        subnets: cidrs.map(subnet),
        vpc_id: vpc.id,
        dhcp_enabled: true,
        default_route_propagation_enabled:
          input.default_route_propagation_enabled ?? false,
      }),
    );
  });

  router.get(`${VPC_BASE}/private-networks`, (request) => {
    const region = regionParam(request.params);
    const query = parseQuery(ListNetworksQuery, request.query);
    const ids = query.private_network_ids;

    const matching = privateNetworks.filter(
      (network) =>
        network.region === region &&
        (query.name === undefined || network.name.includes(query.name)) &&
        (query.tags ?? []).every((tag) => network.tags.includes(tag)) &&
        (query.project_id === undefined ||
          network.project_id === query.project_id) &&
        (query.organization_id === undefined ||
          network.organization_id === query.organization_id) &&
        (ids === undefined || ids.includes(network.id)) &&
        (query.vpc_id === undefined || network.vpc_id === query.vpc_id) &&
        (query.dhcp_enabled === undefined ||
          network.dhcp_enabled === query.dhcp_enabled),
    );
    const page = paginate(
      matching,
      request.query,
      NAMED_ORDERINGS,
      'created_at_asc',
    );

    return ok({
      private_networks: page.items,
      total_count: page.totalCount,
    });
  });

  router.get(`${VPC_BASE}/private-networks/{private_network_id}`, (request) =>
    ok(networkOf(request.params)),
  );

  router.patch(
    `${VPC_BASE}/private-networks/{private_network_id}`,
    (request) => {
      const network = networkOf(request.params);
      const input = parseBody(UpdateNetworkBody, request.body);

      return ok(
        privateNetworks.update(network.id, (current) => ({
          ...current,
          name: input.name ?? current.name,
          tags: input.tags ?? current.tags,
          default_route_propagation_enabled:
            input.default_route_propagation_enabled ??
            current.default_route_propagation_enabled,
          updated_at: timestamp(clock),
        })),
      );
    },
  );

  // Differs from Scaleway (docs/local-platform.md): resources attached to
  // the network (databases, containers) do not block its deletion here as
  // they do on Scaleway.
  router.delete(
    `${VPC_BASE}/private-networks/{private_network_id}`,
    (request) => {
      privateNetworks.delete(networkOf(request.params).id);

      return noContent();
    },
  );

  router.post(
    `${VPC_BASE}/private-networks/{private_network_id}/enable-dhcp`,
    (request) => {
      const network = networkOf(request.params);

      return ok(
        privateNetworks.update(network.id, (current) => ({
          ...current,
          dhcp_enabled: true,
          updated_at: timestamp(clock),
        })),
      );
    },
  );

  router.post(
    `${VPC_BASE}/private-networks/{private_network_id}/subnets`,
    (request) => {
      const network = networkOf(request.params);
      const input = parseBody(SubnetsBody, request.body);
      const added = checkExplicitSubnets(
        collections,
        network.vpc_id,
        input.subnets,
      );
      const now = timestamp(clock);

      privateNetworks.update(network.id, (current) => ({
        ...current,
        subnets: [
          ...current.subnets,
          ...added.map((cidr) => ({
            id: newId(),
            created_at: now,
            updated_at: now,
            subnet: cidr,
            project_id: current.project_id,
            private_network_id: current.id,
            vpc_id: current.vpc_id,
          })),
        ],
        updated_at: now,
      }));

      return ok({ subnets: added });
    },
  );

  router.delete(
    `${VPC_BASE}/private-networks/{private_network_id}/subnets`,
    (request) => {
      const network = networkOf(request.params);
      const input = parseBody(SubnetsBody, request.body);
      const unknown = input.subnets.filter(
        (cidr) => !network.subnets.some((subnet) => subnet.subnet === cidr),
      );
      if (unknown.length > 0) {
        throw InvalidArgumentsError.of(
          'subnets',
          'constraint',
          'subnets must belong to the private network',
        );
      }

      privateNetworks.update(network.id, (current) => ({
        ...current,
        subnets: current.subnets.filter(
          (subnet) => !input.subnets.includes(subnet.subnet),
        ),
        updated_at: timestamp(clock),
      }));

      return ok({ subnets: input.subnets });
    },
  );

  router.get(`${VPC_BASE}/subnets`, (request) => {
    const region = regionParam(request.params);
    const query = parseQuery(ListSubnetsQuery, request.query);
    const ids = query.subnet_ids;

    const matching = privateNetworks
      .filter(
        (network) =>
          network.region === region &&
          (query.project_id === undefined ||
            network.project_id === query.project_id) &&
          (query.organization_id === undefined ||
            network.organization_id === query.organization_id) &&
          (query.vpc_id === undefined || network.vpc_id === query.vpc_id),
      )
      .flatMap((network) => network.subnets)
      .filter((subnet) => ids === undefined || ids.includes(subnet.id));
    const page = paginate(matching, request.query);

    return ok({ subnets: page.items, total_count: page.totalCount });
  });
}

function findNetwork(
  collections: VpcCollections,
  region: Region,
  id: string,
): PrivateNetworkRecord {
  const network = collections.privateNetworks.get(id);
  if (network === undefined || network.region !== region) {
    throw new ResourceNotFoundError('private_network', id);
  }

  return network;
}

/**
 * The subnets of a new network: the ones asked for, checked, plus an
 * automatic IPv4 `/22` when none is IPv4 and an IPv6 `/64` when none is
 * IPv6 (what the real API does).
 */
function planSubnets(
  collections: VpcCollections,
  vpcId: string,
  requested: readonly string[],
): string[] {
  const cidrs = checkExplicitSubnets(collections, vpcId, requested);
  if (!cidrs.some((cidr) => parseIpv4Cidr(cidr) !== null)) {
    const allocated = allocateIpv4(ipv4BlocksOf(collections, vpcId));
    if (allocated === null) {
      throw InvalidArgumentsError.of(
        'subnets',
        'constraint',
        'no free /22 left in 172.16.0.0/12 for this VPC',
      );
    }
    cidrs.unshift(allocated);
  }
  if (!cidrs.some(isIpv6Cidr)) {
    cidrs.push(randomIpv6Block());
  }

  return cidrs;
}

// Differs from Scaleway (docs/local-platform.md): the real error bodies
// for bad or overlapping CIDRs were not observed; we answer 400
// invalid_arguments on `subnets`.
function checkExplicitSubnets(
  collections: VpcCollections,
  vpcId: string,
  requested: readonly string[],
): string[] {
  const taken: Ipv4Block[] = ipv4BlocksOf(collections, vpcId);
  const problems: string[] = [];
  for (const cidr of requested) {
    if (isIpv6Cidr(cidr)) {
      continue;
    }
    const block = parseIpv4Cidr(cidr);
    if (block === null) {
      problems.push(`${cidr} is not a network address in CIDR notation`);
      continue;
    }
    if (!isPrivateIpv4(block) || block.prefix < 8 || block.prefix > 29) {
      problems.push(`${cidr} must be a private (RFC 1918) /8 to /29 block`);
      continue;
    }
    if (taken.some((other) => overlaps(other, block))) {
      problems.push(`${cidr} overlaps a subnet of the VPC`);
      continue;
    }
    taken.push(block);
  }

  if (problems.length > 0) {
    throw new InvalidArgumentsError(
      problems.map((helpMessage) => ({
        argumentName: 'subnets',
        reason: 'constraint',
        helpMessage,
      })),
    );
  }

  return [...requested];
}

function ipv4BlocksOf(collections: VpcCollections, vpcId: string) {
  return collections.privateNetworks
    .filter((network) => network.vpc_id === vpcId)
    .flatMap((network) => network.subnets)
    .map((subnet) => parseIpv4Cidr(subnet.subnet))
    .filter((block): block is Ipv4Block => block !== null);
}
