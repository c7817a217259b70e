import * as ipaddr from "ipaddr.js";

/** An IPv4 network: its first address as a 32-bit number and its prefix length. */
export interface Ipv4Network {
  readonly base: number;
  readonly prefix: number;
}

function toNumber(address: ipaddr.IPv4): number {
  return address.octets.reduce((n, octet) => n * 256 + octet, 0);
}

function toAddress(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

function size(net: Ipv4Network): number {
  return 2 ** (32 - net.prefix);
}

/** Dotted-decimal IPv4 CIDR shape: four octets and a prefix length, each 1 to 3 digits. */
const CIDR_SHAPE = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,3}$/;

/**
 * The first number of `text` written with a leading zero (`010` in `010.0.0.0/16`), if any. Such numbers
 * are octal to some parsers (ipaddr.js, inet_aton: 010 is 8) and decimal or an error to others (Go's
 * net.ParseCIDR, which Terraform and AWS use, refuses them), so the project never reads one.
 */
export function leadingZeroNumber(text: string): string | undefined {
  if (!CIDR_SHAPE.test(text)) return undefined;
  return text.split(/[./]/).find((part) => part.length > 1 && part.startsWith("0"));
}

/**
 * Parses `a.b.c.d/n`. Returns undefined unless it is IPv4 CIDR notation in plain decimal (no number with
 * a leading zero) whose host bits are zero (`10.0.0.1/16` is refused: AWS and Terraform want the network
 * address).
 */
export function parseIpv4Cidr(text: string): Ipv4Network | undefined {
  if (!CIDR_SHAPE.test(text) || leadingZeroNumber(text) !== undefined) return undefined;
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    return undefined;
  }
  const [address, prefix] = parsed;
  if (address.kind() !== "ipv4" || prefix > 32) return undefined;
  const base = toNumber(address as ipaddr.IPv4);
  return base % 2 ** (32 - prefix) === 0 ? { base, prefix } : undefined;
}

export function formatCidr(net: Ipv4Network): string {
  return `${toAddress(net.base)}/${net.prefix}`;
}

/** True when `inner` lies wholly inside `outer`. */
export function contains(outer: Ipv4Network, inner: Ipv4Network): boolean {
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}

export function overlaps(a: Ipv4Network, b: Ipv4Network): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** Terraform's `cidrsubnet(net, newBits, index)`. */
export function subnet(net: Ipv4Network, newBits: number, index: number): Ipv4Network {
  const prefix = net.prefix + newBits;
  if (prefix > 32 || index < 0 || index >= 2 ** newBits) {
    throw new RangeError(`cannot take subnet ${index} of ${formatCidr(net)} with ${newBits} new bits`);
  }
  return { base: net.base + index * 2 ** (32 - prefix), prefix };
}
