/**
 * Address arithmetic for the network rules: CIDR parsing, containment,
 * overlap, and picking addresses. Addresses are bigints so IPv4 and IPv6 share
 * one code path.
 */
import { isIPv4, isIPv6 } from "node:net";

export type IpVersion = 4 | 6;

export interface Cidr {
  version: IpVersion;
  network: bigint;
  prefixLength: number;
  text: string;
}

const bits = (v: IpVersion) => (v === 4 ? 32 : 128);

export function ipVersionOf(address: string): IpVersion | undefined {
  return isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
}

export function parseIp(address: string): { version: IpVersion; value: bigint } | undefined {
  if (isIPv4(address)) {
    const value = address.split(".").reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
    return { version: 4, value };
  }
  if (!isIPv6(address)) return undefined;
  let text = address.split("%")[0]!;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hex groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = parseIp(v4[1]!)!.value;
    text = text.slice(0, -v4[1]!.length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const fill = tail === undefined ? [] : Array(8 - headGroups.length - tailGroups.length).fill("0");
  const groups = [...headGroups, ...fill, ...tailGroups];
  const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g || "0", 16)), 0n);
  return { version: 6, value };
}

export function formatIp(version: IpVersion, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== "0") {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > best.len && j - i > 1) best = { start: i, len: j - i };
    i = j;
  }
  if (best.start < 0) return groups.join(":");
  return `${groups.slice(0, best.start).join(":")}::${groups.slice(best.start + best.len).join(":")}`;
}

/** Parses "10.0.0.0/24" or "fd00::/64"; undefined when it is not CIDR notation or has host bits set. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const ip = parseIp(m[1]!);
  const prefixLength = Number(m[2]);
  if (!ip || prefixLength > bits(ip.version)) return undefined;
  const hostBits = BigInt(bits(ip.version) - prefixLength);
  if (ip.value & ((1n << hostBits) - 1n)) return undefined;
  return { version: ip.version, network: ip.value, prefixLength, text };
}

const size = (c: Cidr) => 1n << BigInt(bits(c.version) - c.prefixLength);

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.version === inner.version &&
    inner.prefixLength >= outer.prefixLength &&
    inner.network >= outer.network &&
    inner.network + size(inner) <= outer.network + size(outer)
  );
}

export function cidrContainsIp(c: Cidr, address: string): boolean {
  const ip = parseIp(address);
  return !!ip && ip.version === c.version && ip.value >= c.network && ip.value < c.network + size(c);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.version === b.version && a.network < b.network + size(b) && b.network < a.network + size(a);
}

/**
 * The first free host address of a subnet, skipping what Azure reserves: the
 * network address and the next three (.1 gateway, .2/.3 DNS), and for IPv4 the
 * broadcast address.
 */
export function firstFreeAddress(c: Cidr, taken: Set<string>): string | undefined {
  const last = c.network + size(c) - (c.version === 4 ? 2n : 1n);
  for (let v = c.network + 4n; v <= last; v++) {
    const text = formatIp(c.version, v);
    if (!taken.has(text)) return text;
  }
  return undefined;
}

/** Azure keeps the first four addresses of a subnet, and for IPv4 the broadcast address. */
export function isReservedAddress(c: Cidr, address: string): boolean {
  const ip = parseIp(address);
  if (!ip || ip.version !== c.version) return false;
  const offset = ip.value - c.network;
  return offset < 4n || (c.version === 4 && offset === size(c) - 1n);
}

/** "Is this an address or a prefix, and which version?" for NSG rule prefixes; undefined for service tags and "*". */
export function prefixVersion(prefix: string): IpVersion | undefined {
  const base = prefix.includes("/") ? prefix.split("/")[0]! : prefix;
  return ipVersionOf(base);
}
