/**
 * IP addresses and CIDR prefixes as numbers. `node:net` decides what is an
 * address at all (it rejects "1.2.3.04", "1.2.3" and surrounding spaces);
 * this module turns addresses into bigints so IPv4 and IPv6 share one code
 * path, and back into text in the form people write (RFC 5952).
 */
import { isIPv4, isIPv6 } from "node:net";

export type IpVersion = 4 | 6;

export interface ParsedIp {
  version: IpVersion;
  value: bigint;
}

export interface Cidr {
  version: IpVersion;
  network: bigint;
  prefixLength: number;
  /** The prefix as it was written. */
  text: string;
}

export const addressBits = (version: IpVersion): number => (version === 4 ? 32 : 128);

export function ipVersionOf(address: string): IpVersion | undefined {
  return isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
}

/** An IPv4 or IPv6 address as a number; an IPv6 zone id ("%eth0") is ignored. Undefined when it is no address. */
export function parseIp(address: string): ParsedIp | undefined {
  if (isIPv4(address)) return { version: 4, value: ipv4Value(address) };
  if (!isIPv6(address)) return undefined;
  let text = address.split("%")[0] ?? "";
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hex groups.
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const n = ipv4Value(tail);
    text = `${text.slice(0, lastColon + 1)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const restGroups = rest === undefined || rest === "" ? [] : rest.split(":");
  const fill = rest === undefined ? [] : Array<string>(8 - headGroups.length - restGroups.length).fill("0");
  const groups = [...headGroups, ...fill, ...restGroups];
  return { version: 6, value: groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n) };
}

function ipv4Value(address: string): bigint {
  return address.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

/** The text form of an address: dotted quad, or IPv6 with the longest run of zero groups compressed (RFC 5952). */
export function formatIp(version: IpVersion, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    // A single zero group is not compressed; of equal runs the first wins.
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(":");
  return `${groups.slice(0, best.start).join(":")}::${groups.slice(best.start + best.length).join(":")}`;
}

/** Parses "10.0.0.0/24" or "fd00::/64"; undefined when it is not CIDR notation or has host bits set. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m?.[1] || !m[2]) return undefined;
  const ip = parseIp(m[1]);
  const prefixLength = Number(m[2]);
  if (!ip || prefixLength > addressBits(ip.version)) return undefined;
  if (ip.value & hostMask(ip.version, prefixLength)) return undefined;
  return { version: ip.version, network: ip.value, prefixLength, text };
}

/** The bits of an address below a prefix of this length. */
export function hostMask(version: IpVersion, prefixLength: number): bigint {
  return (1n << BigInt(addressBits(version) - prefixLength)) - 1n;
}

/** How many addresses a prefix holds. */
export const cidrSize = (c: Cidr): bigint => 1n << BigInt(addressBits(c.version) - c.prefixLength);

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.version === inner.version &&
    inner.prefixLength >= outer.prefixLength &&
    inner.network >= outer.network &&
    inner.network + cidrSize(inner) <= outer.network + cidrSize(outer)
  );
}

export function cidrContainsIp(c: Cidr, address: string): boolean {
  const ip = parseIp(address);
  return !!ip && ip.version === c.version && ip.value >= c.network && ip.value < c.network + cidrSize(c);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.network < b.network + cidrSize(b) && b.network < a.network + cidrSize(a);
}

/** "Is this an address or a prefix, and which version?"; undefined for anything else (service tags, "*"). */
export function prefixVersion(prefix: string): IpVersion | undefined {
  return ipVersionOf(prefix.split("/")[0] ?? "");
}
