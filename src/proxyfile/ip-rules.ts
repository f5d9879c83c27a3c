/**
 * Address checks for backends and SSH source ranges. `node:net` decides what
 * is an address at all (it rejects "1.2.3.04", "1.2.3" and surrounding
 * spaces); the functions here add the ranges a proxy must never forward to
 * and the CIDR rules an NSG rule needs.
 *
 * Each check returns undefined for a good value or a message fragment that
 * reads after the quoted value: `"10.0.0.300" is not an IPv4 address`.
 */
import { isIPv4, isIPv6 } from "node:net";

/** IPv4 ranges no backend can live in; private ranges are deliberately allowed (VNet backends). */
const UNUSABLE_IPV4: { network: string; prefix: number; why: string }[] = [
  { network: "0.0.0.0", prefix: 8, why: 'is in 0.0.0.0/8 ("this network"), which cannot be a backend' },
  { network: "127.0.0.0", prefix: 8, why: "is a loopback address (127.0.0.0/8)" },
  { network: "169.254.0.0", prefix: 16, why: "is a link-local address (169.254.0.0/16)" },
  { network: "224.0.0.0", prefix: 4, why: "is a multicast address (224.0.0.0/4)" },
  { network: "240.0.0.0", prefix: 4, why: "is a reserved or broadcast address (240.0.0.0/4)" },
];

function ipv4ToNumber(address: string): number {
  return address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** A backend: a dotted-quad IPv4 address outside the unusable ranges. */
export function backendAddressProblem(value: string): string | undefined {
  if (!isIPv4(value)) return "is not an IPv4 address";
  const n = ipv4ToNumber(value);
  const range = UNUSABLE_IPV4.find((r) => n >>> (32 - r.prefix) === ipv4ToNumber(r.network) >>> (32 - r.prefix));
  return range?.why;
}

/** Expands a valid IPv6 address (no zone id) to its 128-bit value. */
export function ipv6ToBigInt(address: string): bigint {
  let text = address;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    // Embedded IPv4 ("::ffff:192.0.2.1"): rewrite as two hex groups.
    const n = ipv4ToNumber(tail);
    text = `${text.slice(0, lastColon + 1)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = "", rest] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const restGroups = rest === undefined || rest === "" ? [] : rest.split(":");
  const missing = 8 - headGroups.length - restGroups.length;
  const groups = rest === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill("0"), ...restGroups];
  return groups.reduce((acc, group) => (acc << 16n) | BigInt(parseInt(group, 16)), 0n);
}

const PREFIX_DIGITS = /^(0|[1-9][0-9]{0,2})$/;

/** An NSG source range: "203.0.113.0/24" or "2001:db8::/32", prefix required, no host bits. */
export function cidrProblem(value: string): string | undefined {
  const parts = value.split("/");
  if (parts.length !== 2)
    return 'is not a CIDR range (expected "address/prefix", e.g. "203.0.113.0/24" or "2001:db8::/48")';
  const [address = "", prefixText = ""] = parts;
  const v4 = isIPv4(address);
  const v6 = !v4 && !address.includes("%") && isIPv6(address);
  if (!v4 && !v6) return `is not a CIDR range: "${address}" is not an IPv4 or IPv6 address`;
  const bits = v4 ? 32 : 128;
  if (!PREFIX_DIGITS.test(prefixText) || Number(prefixText) > bits) {
    return `is not a CIDR range: the prefix length must be a number from 0 to ${bits}`;
  }
  const prefix = BigInt(prefixText);
  const value128 = v4 ? BigInt(ipv4ToNumber(address)) : ipv6ToBigInt(address);
  const hostMask = (1n << (BigInt(bits) - prefix)) - 1n;
  if ((value128 & hostMask) !== 0n) {
    const network = value128 & ~hostMask;
    return `has host bits set (did you mean "${formatAddress(network, v4)}/${prefixText}"?)`;
  }
  return undefined;
}

function formatAddress(value: bigint, v4: boolean): string {
  if (v4) return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952) so the suggestion looks like what people type.
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === "0") j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
  }
  if (bestStart < 0) return groups.join(":");
  const left = groups.slice(0, bestStart).join(":");
  const right = groups.slice(bestStart + bestLength).join(":");
  return `${left}::${right}`;
}
