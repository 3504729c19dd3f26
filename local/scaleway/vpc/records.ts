import type { Collection } from '../core/index.ts';

/** Base path of VPC v2 routes. */
export const VPC_BASE = '/vpc/v2/regions/{region}';

/** A stored VPC (wire fields; `private_network_count` is computed). */
export interface VpcRecord {
  id: string;
  name: string;
  organization_id: string;
  project_id: string;
  region: string;
  tags: string[];
  is_default: boolean;
  routing_enabled: boolean;
  custom_routes_propagation_enabled: boolean;
  created_at: string;
  updated_at: string;
}

/** A subnet of a private network, as on the wire. */
export interface SubnetRecord {
  id: string;
  created_at: string;
  updated_at: string;
  subnet: string;
  project_id: string;
  private_network_id: string;
  vpc_id: string;
}

/** A stored private network, as on the wire. */
export interface PrivateNetworkRecord {
  id: string;
  name: string;
  organization_id: string;
  project_id: string;
  region: string;
  tags: string[];
  created_at: string;
  updated_at: string;
  subnets: SubnetRecord[];
  vpc_id: string;
  dhcp_enabled: boolean;
  default_route_propagation_enabled: boolean;
}

/** The collections of the VPC product. */
export interface VpcCollections {
  vpcs: Collection<VpcRecord>;
  privateNetworks: Collection<PrivateNetworkRecord>;
}

/** A VPC as the API sends it. */
export function vpcToWire(collections: VpcCollections, vpc: VpcRecord) {
  return {
    id: vpc.id,
    name: vpc.name,
    organization_id: vpc.organization_id,
    project_id: vpc.project_id,
    region: vpc.region,
    tags: vpc.tags,
    is_default: vpc.is_default,
    created_at: vpc.created_at,
    updated_at: vpc.updated_at,
    private_network_count: collections.privateNetworks.filter(
      (network) => network.vpc_id === vpc.id,
    ).length,
    routing_enabled: vpc.routing_enabled,
    custom_routes_propagation_enabled: vpc.custom_routes_propagation_enabled,
  };
}
