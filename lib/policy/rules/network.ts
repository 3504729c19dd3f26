import type { Stack } from '../../stack/schema.ts';
import {
  cidrContains,
  formatAddress,
  networkAddress,
  parseCidr,
  RFC1918_RANGES,
} from '../cidr.ts';
import { error, type Finding } from '../finding.ts';

/**
 * Prefix lengths accepted for a private network.
 * - /28, the smallest block: the smallest size Scaleway's console offers
 *   for a private network (console sizes /20 to /28; scaleway-api.md,
 *   "CIDR constraints").
 * - /16, the largest block: the guide's production network, 10.2.0.0/16
 *   ("CIDR Block Guidelines"), which issue 2 also requires, with
 *   10.0.0.0/16 and 172.20.0.0/16, to pass. It is larger than the
 *   console's /20; Scaleway documents no bound for its VPC API, so we
 *   follow the guide.
 */
export const PRIVATE_NETWORK_PREFIXES = { min: 16, max: 28 } as const;

const CIDR_MESSAGES = {
  format: 'write the block as a.b.c.d/n, e.g. 10.2.0.0/16',
  octet: 'each address octet must be 0-255, without leading zeros',
  prefix: 'the prefix length must be 0-32',
} as const;

/**
 * Network checks: the private network CIDR is a well-formed IPv4 block,
 * its network address, entirely inside an RFC 1918 range, with a prefix
 * size Scaleway private networks accept.
 */
export function checkNetwork(stack: Stack): Finding[] {
  const network = stack.network;
  if (network === undefined) {
    return [];
  }

  const path = ['network', 'privateNetwork', 'cidr'];
  const cidr = parseCidr(network.privateNetwork.cidr);
  if (typeof cidr === 'string') {
    return [error(`network.cidr-${cidr}`, path, CIDR_MESSAGES[cidr])];
  }

  const findings: Finding[] = [];
  const isPrivate = RFC1918_RANGES.some((range) =>
    cidrContains(range.cidr, cidr),
  );
  if (!isPrivate) {
    findings.push(
      error(
        'network.cidr-private',
        path,
        'use a block inside an RFC 1918 range: 10.0.0.0/8, ' +
          '172.16.0.0/12 or 192.168.0.0/16',
      ),
    );
  }

  const { min, max } = PRIVATE_NETWORK_PREFIXES;
  if (cidr.prefix < min || cidr.prefix > max) {
    findings.push(
      error(
        'network.cidr-prefix-size',
        path,
        `private networks take a prefix from /${min} to /${max}`,
      ),
    );
  }

  const base = networkAddress(cidr);
  if (base !== cidr.address) {
    findings.push(
      error(
        'network.cidr-host-bits',
        path,
        `host bits are set; use the network address ` +
          `${formatAddress(base)}/${cidr.prefix}`,
      ),
    );
  }

  return findings;
}
