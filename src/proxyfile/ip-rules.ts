/**
 * Address checks for backends and SSH source ranges. What is an address at
 * all is decided in src/model/ip.ts; the functions here add the ranges a
 * proxy can never forward to (UNUSABLE_IPV4, the one list of them) and the
 * CIDR rules an NSG rule needs.
 *
 * Each check returns undefined for a good value or a message fragment that
 * reads after the quoted value: `"10.0.0.300" is not an IPv4 address`.
 */
import { addressBits, type Cidr, cidrContainsIp, formatIp, hostMask, parseCidr, parseIp } from "../model/ip.js";
import { NETWORK } from "../model/names.js";

const range = (prefix: string): Cidr => {
  const cidr = parseCidr(prefix);
  if (!cidr) throw new Error(`internal: ${prefix} is not a CIDR range`);
  return cidr;
};

/**
 * Why an address in a private range is refused: a proxy's virtual network is
 * connected to nothing (no peering, VPN or ExpressRoute; every proxy's uses
 * the same address space, NETWORK in model/names.ts), so the only way out is
 * the internet, from the proxy's own public IPv4 address.
 */
const NEVER_REACHABLE =
  "the proxy reaches backends over the internet from its public IPv4 address and its virtual network is isolated " +
  "(every proxy's virtual network uses the same address space), so it can never reach this address; " +
  "use the backend's public IPv4 address";

export interface UnusableRange {
  /** CIDR, e.g. "10.0.0.0/8". */
  cidr: string;
  /** Reads after the quoted address. */
  why: string;
}

/**
 * IPv4 ranges no backend can be in, most specific first (the first match
 * names the reason). Sources: RFC 6890 and the IANA IPv4 Special-Purpose
 * Address Registry (ranges that are not globally reachable), RFC 1918
 * (private), RFC 6598 (shared address space, carrier-grade NAT), and Azure's
 * documentation of 168.63.129.16 ("What is IP address 168.63.129.16",
 * learn.microsoft.com/azure/virtual-network/what-is-ip-address-168-63-129-16).
 *
 * The documentation ranges of RFC 5737 (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24) are deliberately accepted: they exist so that examples and
 * tests name no real host, and the samples, the README and the test suite
 * use them. A proxy given one forwards to an address that never answers, as
 * with any wrong public address; its health check marks the backend down.
 */
export const UNUSABLE_IPV4: readonly UnusableRange[] = [
  {
    cidr: "168.63.129.16/32",
    why: "is Azure's platform address (DNS, health probes and the VM agent talk to it), not a backend",
  },
  {
    cidr: NETWORK.vnetIpv4,
    why: `is in the proxy's own virtual network (${NETWORK.vnetIpv4}); use the backend's public IPv4 address`,
  },
  { cidr: "10.0.0.0/8", why: `is a private address (10.0.0.0/8, RFC 1918): ${NEVER_REACHABLE}` },
  { cidr: "172.16.0.0/12", why: `is a private address (172.16.0.0/12, RFC 1918): ${NEVER_REACHABLE}` },
  { cidr: "192.168.0.0/16", why: `is a private address (192.168.0.0/16, RFC 1918): ${NEVER_REACHABLE}` },
  {
    cidr: "100.64.0.0/10",
    why: `is in the shared address space for carrier-grade NAT (100.64.0.0/10, RFC 6598): ${NEVER_REACHABLE}`,
  },
  { cidr: "0.0.0.0/8", why: 'is in 0.0.0.0/8 ("this network"), which cannot be a backend' },
  { cidr: "127.0.0.0/8", why: "is a loopback address (127.0.0.0/8): it would be the proxy VM itself" },
  {
    cidr: "169.254.0.0/16",
    why: "is a link-local address (169.254.0.0/16, where Azure's instance metadata service lives), which is never routed",
  },
  {
    cidr: "192.0.0.0/24",
    why: "is in the IETF protocol assignments range (192.0.0.0/24, RFC 6890), which is not routed on the internet",
  },
  {
    cidr: "192.88.99.0/24",
    why: "is in the deprecated 6to4 relay anycast range (192.88.99.0/24, RFC 7526), which cannot be a backend",
  },
  {
    cidr: "198.18.0.0/15",
    why: "is in the network benchmarking range (198.18.0.0/15, RFC 2544), which is not routed on the internet",
  },
  { cidr: "224.0.0.0/4", why: "is a multicast address (224.0.0.0/4)" },
  { cidr: "240.0.0.0/4", why: "is a reserved or broadcast address (240.0.0.0/4)" },
];

const UNUSABLE_RANGES = UNUSABLE_IPV4.map((r) => ({ range: range(r.cidr), why: r.why }));

/** A backend: a dotted-quad IPv4 address the proxy can reach over the internet. */
export function backendAddressProblem(value: string): string | undefined {
  if (parseIp(value)?.version !== 4) return "is not an IPv4 address";
  return UNUSABLE_RANGES.find((r) => cidrContainsIp(r.range, value))?.why;
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
