import { Errors } from '@scaleway/sdk-client';
import type { Vpcv2 } from '@scaleway/sdk-vpc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startTestScalewayApi,
  type TestScalewayApi,
} from '../../support/scaleway.ts';

let local: TestScalewayApi;
let vpc: Vpcv2.API;

beforeAll(async () => {
  local = await startTestScalewayApi();
  vpc = local.vpc;
});

afterAll(async () => {
  await local.close();
});

function createVpc(name = 'main') {
  return vpc.createVPC({ name, enableRouting: true, tags: ['evalap'] });
}

function createNetwork(vpcId: string, subnets?: string[]) {
  return vpc.createPrivateNetwork({
    name: 'pn',
    vpcId,
    defaultRoutePropagationEnabled: false,
    ...(subnets === undefined ? {} : { subnets }),
  });
}

describe('VPCs', () => {
  it('creates a VPC and lists it by tag', async () => {
    const created = await createVpc('tagged');

    const page = await vpc.listVPCs({ tags: ['evalap'], name: 'tagged' });

    expect(created).toMatchObject({
      isDefault: false,
      routingEnabled: true,
      privateNetworkCount: 0,
      tags: ['evalap'],
    });
    expect(page.vpcs.map((item) => item.id)).toEqual([created.id]);
  });

  it('has a default VPC that holds networks created without one', async () => {
    const network = await vpc.createPrivateNetwork({
      name: 'no-vpc',
      defaultRoutePropagationEnabled: false,
    });

    const defaults = await vpc.listVPCs({ isDefault: true });

    expect(defaults.vpcs[0]?.name).toBe('default');
    expect(network.vpcId).toBe(defaults.vpcs[0]?.id);
  });

  it('refuses to delete a VPC that still has networks', async () => {
    const created = await createVpc();
    const network = await createNetwork(created.id);

    const error = await vpc
      .deleteVPC({ vpcId: created.id })
      .catch((caught: unknown) => caught);
    await vpc.deletePrivateNetwork({ privateNetworkId: network.id });
    await vpc.deleteVPC({ vpcId: created.id });
    const gone = vpc.getVPC({ vpcId: created.id });

    expect(error).toBeInstanceOf(Errors.PreconditionFailedError);
    await expect(gone).rejects.toBeInstanceOf(Errors.ResourceNotFoundError);
  });
});

describe('private networks', () => {
  it.each([
    {
      $case: 'no subnet: a /22 from 172.16.0.0/12 and an IPv6 /64',
      subnets: undefined,
      ipv4: /^172\.(1[6-9]|2\d|3[01])\.\d+\.0\/22$/,
    },
    {
      $case: 'an IPv4 subnet: kept, plus an IPv6 /64',
      subnets: ['192.168.1.0/24'],
      ipv4: /^192\.168\.1\.0\/24$/,
    },
  ])('allocates subnets for $$case', async ({ subnets, ipv4 }) => {
    const created = await createVpc();

    const network = await createNetwork(created.id, subnets);
    const cidrs = network.subnets.map((subnet) => subnet.subnet);

    expect(cidrs).toHaveLength(2);
    expect(cidrs[0]).toMatch(ipv4);
    expect(cidrs[1]).toMatch(/^fd[0-9a-f:]+::\/64$/);
    expect(network.subnets[0]?.privateNetworkId).toBe(network.id);
  });

  it.each([
    { $case: 'overlaps another network', subnet: '10.1.0.0/24' },
    { $case: 'is public', subnet: '8.8.8.0/24' },
    { $case: 'is not a network address', subnet: '10.2.0.5/24' },
  ])('refuses a subnet that $$case', async ({ subnet }) => {
    const created = await createVpc();
    await createNetwork(created.id, ['10.1.0.0/16']);

    const attempt = createNetwork(created.id, [subnet]);

    await expect(attempt).rejects.toBeInstanceOf(Errors.InvalidArgumentsError);
  });

  it('adds and removes subnets', async () => {
    const created = await createVpc();
    const network = await createNetwork(created.id, ['10.10.0.0/24']);

    await vpc.addSubnets({
      privateNetworkId: network.id,
      subnets: ['10.10.1.0/24'],
    });
    await vpc.deleteSubnets({
      privateNetworkId: network.id,
      subnets: ['10.10.0.0/24'],
    });
    const after = await vpc.getPrivateNetwork({ privateNetworkId: network.id });

    expect(after.subnets.map((subnet) => subnet.subnet)).toContain(
      '10.10.1.0/24',
    );
    expect(after.subnets.map((subnet) => subnet.subnet)).not.toContain(
      '10.10.0.0/24',
    );
  });

  it('deletes with 204, then raises ResourceNotFoundError', async () => {
    const created = await createVpc();
    const network = await createNetwork(created.id);

    await vpc.deletePrivateNetwork({ privateNetworkId: network.id });
    const error = await vpc
      .getPrivateNetwork({ privateNetworkId: network.id })
      .catch((caught: unknown) => caught);

    expect((error as Errors.ResourceNotFoundError).resource).toBe(
      'private_network',
    );
  });

  it('filters networks by VPC and counts them on the VPC', async () => {
    const created = await createVpc();
    await createNetwork(created.id);
    await createNetwork(created.id);

    const page = await vpc.listPrivateNetworks({ vpcId: created.id });
    const counted = await vpc.getVPC({ vpcId: created.id });

    expect(page.totalCount).toBe(2);
    expect(counted.privateNetworkCount).toBe(2);
  });
});
