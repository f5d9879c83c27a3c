/**
 * Azure's address rules for the emulator's network: which host addresses a
 * subnet hands out. Parsing and prefix arithmetic live in src/model/ip.ts.
 */
import { type Cidr, cidrSize, formatIp, parseIp } from "../model/ip.js";

/**
 * The first free host address of a subnet, skipping what Azure reserves: the
 * network address and the next three (.1 gateway, .2/.3 DNS), and for IPv4 the
 * broadcast address.
 */
export function firstFreeAddress(c: Cidr, taken: Set<string>): string | undefined {
  const last = c.network + cidrSize(c) - (c.version === 4 ? 2n : 1n);
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
  return offset < 4n || (c.version === 4 && offset === cidrSize(c) - 1n);
}
