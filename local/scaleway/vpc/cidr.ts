import { randomBytes } from 'node:crypto';

/** An IPv4 block as integers. */
export interface Ipv4Block {
  start: number;
  size: number;
  prefix: number;
}

const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];

/** Parses `a.b.c.d/n` whose address is the network address; else null. */
export function parseIpv4Cidr(cidr: string): Ipv4Block | null {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(
    cidr,
  );
  if (match === null) {
    return null;
  }

  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefix > 32) {
    return null;
  }
  const start = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  if (start % size !== 0) {
    return null;
  }

  return { start, size, prefix };
}

/** Whether `cidr` is an IPv6 block, e.g. `fd46:78ab:30b8:177c::/64`. */
export function isIpv6Cidr(cidr: string): boolean {
  return /^[0-9a-f:]+::?[0-9a-f:]*\/\d{1,3}$/i.test(cidr);
}

/** Whether the block lies inside one of the RFC 1918 ranges. */
export function isPrivateIpv4(block: Ipv4Block): boolean {
  return PRIVATE_RANGES.some((range) => {
    const outer = parseIpv4Cidr(range) as Ipv4Block;
    return (
      block.start >= outer.start &&
      block.start + block.size <= outer.start + outer.size
    );
  });
}

/** Whether two blocks share an address. */
export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.start < b.start + b.size && b.start < a.start + a.size;
}

/** Formats a block back to `a.b.c.d/n`. */
export function formatIpv4(block: Ipv4Block): string {
  const octets = [24, 16, 8, 0].map(
    (shift) => Math.floor(block.start / 2 ** shift) % 256,
  );

  return `${octets.join('.')}/${block.prefix}`;
}

/**
 * The first free `/22` inside `172.16.0.0/12` that overlaps none of
 * `taken` (the API's automatic choice); null when the range is full.
 */
export function allocateIpv4(taken: readonly Ipv4Block[]): string | null {
  const range = parseIpv4Cidr('172.16.0.0/12') as Ipv4Block;
  const size = 2 ** 10;
  for (let start = range.start; start < range.start + range.size; ) {
    const candidate = { start, size, prefix: 22 };
    if (!taken.some((block) => overlaps(block, candidate))) {
      return formatIpv4(candidate);
    }
    start += size;
  }

  return null;
}

/** A random unique-local IPv6 `/64` (`fdxx:xxxx:xxxx:xxxx::/64`). */
export function randomIpv6Block(): string {
  const bytes = randomBytes(7);
  const hex = `fd${bytes.toString('hex')}`;
  const groups = [0, 4, 8, 12].map((index) => hex.slice(index, index + 4));

  return `${groups.join(':')}::/64`;
}
