/**
 * Address checks for backends and SSH source ranges. What is an address at
 * all is decided in src/model/ip.ts; the functions here add the ranges a
 * proxy must never forward to and the CIDR rules an NSG rule needs.
 *
 * Each check returns undefined for a good value or a message fragment that
 * reads after the quoted value: `"10.0.0.300" is not an IPv4 address`.
 */
import { addressBits, type Cidr, cidrContainsIp, formatIp, hostMask, parseCidr, parseIp } from "../model/ip.js";

const range = (prefix: string): Cidr => {
  const cidr = parseCidr(prefix);
  if (!cidr) throw new Error(`internal: ${prefix} is not a CIDR range`);
  return cidr;
};

/** IPv4 ranges no backend can live in; private ranges are deliberately allowed (VNet backends). */
const UNUSABLE_IPV4: { range: Cidr; why: string }[] = [
  { range: range("0.0.0.0/8"), why: 'is in 0.0.0.0/8 ("this network"), which cannot be a backend' },
  { range: range("127.0.0.0/8"), why: "is a loopback address (127.0.0.0/8)" },
  { range: range("169.254.0.0/16"), why: "is a link-local address (169.254.0.0/16)" },
  { range: range("224.0.0.0/4"), why: "is a multicast address (224.0.0.0/4)" },
  { range: range("240.0.0.0/4"), why: "is a reserved or broadcast address (240.0.0.0/4)" },
];

/** A backend: a dotted-quad IPv4 address outside the unusable ranges. */
export function backendAddressProblem(value: string): string | undefined {
  if (parseIp(value)?.version !== 4) return "is not an IPv4 address";
  return UNUSABLE_IPV4.find((r) => cidrContainsIp(r.range, value))?.why;
}

const PREFIX_DIGITS = /^(0|[1-9][0-9]{0,2})$/;

/** An NSG source range: "203.0.113.0/24" or "2001:db8::/32", prefix required, no host bits, no zone id. */
export function cidrProblem(value: string): string | undefined {
  const parts = value.split("/");
  if (parts.length !== 2)
    return 'is not a CIDR range (expected "address/prefix", e.g. "203.0.113.0/24" or "2001:db8::/48")';
  const [address = "", prefixText = ""] = parts;
  const ip = address.includes("%") ? undefined : parseIp(address);
  if (!ip) return `is not a CIDR range: "${address}" is not an IPv4 or IPv6 address`;
  const bits = addressBits(ip.version);
  if (!PREFIX_DIGITS.test(prefixText) || Number(prefixText) > bits) {
    return `is not a CIDR range: the prefix length must be a number from 0 to ${bits}`;
  }
  const mask = hostMask(ip.version, Number(prefixText));
  if ((ip.value & mask) !== 0n) {
    return `has host bits set (did you mean "${formatIp(ip.version, ip.value & ~mask)}/${prefixText}"?)`;
  }
  return undefined;
}
