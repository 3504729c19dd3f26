import { defineProduct } from '../core/index.ts';
import { registerPrivateNetworkRoutes } from './private-networks.ts';
import type {
  PrivateNetworkRecord,
  VpcCollections,
  VpcRecord,
} from './records.ts';
import { registerVpcRoutes } from './vpcs.ts';

/**
 * VPC v2 (`/vpc/v2/regions/{region}`): VPCs (with each project's default
 * VPC), private networks with IPv4 and IPv6 subnets, subnet add/delete.
 */
export const vpcProduct = defineProduct({
  name: 'vpc',
  register({ router, store, clock, account }) {
    const collections: VpcCollections = {
      vpcs: store.collection<VpcRecord>({ kind: 'vpc.vpc', resource: 'vpc' }),
      privateNetworks: store.collection<PrivateNetworkRecord>({
        kind: 'vpc.private_network',
        resource: 'private_network',
      }),
    };

    registerVpcRoutes(router, collections, clock, account);
    registerPrivateNetworkRoutes(router, collections, clock, account);
  },
});
