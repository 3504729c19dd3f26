/** A parsed IPv4 CIDR block. */
export interface Cidr {
  /** The address as a 32-bit unsigned integer. */
  address: number;
  prefix: number;
}

/** Why a text is not a CIDR block. */
export type CidrProblem = 'format' | 'octet' | 'prefix';

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n`. Reports the first problem: the format, an octet
 * above 255 (or with a leading zero), or a prefix above 32.
 */
export function parseCidr(text: string): Cidr | CidrProblem {
  const match = CIDR_PATTERN.exec(text);
  if (!match) {
    return 'format';
  }

  const parts = match.slice(1, 5);
  const octets = parts.map(Number);
  const badOctet = parts.some(
    (part, index) =>
      (octets[index] ?? 0) > 255 || (part.length > 1 && part.startsWith('0')),
  );
  if (badOctet) {
    return 'octet';
  }

  const prefix = Number(match[5]);
  if (prefix > 32) {
    return 'prefix';
  }

  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);

  return { address, prefix };
}

/** The block's network address with the host bits cleared. */
export function networkAddress(cidr: Cidr): number {
  const size = 2 ** (32 - cidr.prefix);

  return Math.floor(cidr.address / size) * size;
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (inner.prefix < outer.prefix) {
    return false;
  }

  return (
    networkAddress({ address: inner.address, prefix: outer.prefix }) ===
    networkAddress(outer)
  );
}

/** Formats a 32-bit address as dotted quad. */
export function formatAddress(address: number): string {
  const octets = [24, 16, 8, 0].map(
    (shift) => Math.floor(address / 2 ** shift) % 256,
  );

  return octets.join('.');
}

/** The RFC 1918 private ranges. */
export const RFC1918_RANGES: readonly { text: string; cidr: Cidr }[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
].map((text) => ({ text, cidr: parseCidr(text) as Cidr }));

/**
 * An ACL entry as a block: `a.b.c.d/n`, or a single address (`/32`).
 * Undefined when it is neither.
 */
export function aclBlock(text: string): Cidr | undefined {
  const parsed = parseCidr(aclBlockText(text));

  return typeof parsed === 'string' ? undefined : parsed;
}

/**
 * An ACL entry as Scaleway lists it: a block stays as written, a single
 * address becomes a /32. Provisioning and drift both compare this form.
 */
export function aclBlockText(text: string): string {
  return text.includes('/') ? text : `${text}/32`;
}
