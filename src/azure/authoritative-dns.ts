/**
 * Asks a DNS zone's own name servers, never a cache, what AAAA records a name
 * has, the way a resolver on the internet would learn it. The name servers
 * are the zone's `nameServers` property (Azure DNS assigns four per zone, e.g.
 * ns1-01.azure-dns.com.); their addresses come from the system resolver.
 *
 * The client is Node's own DNS resolver (c-ares), pointed at one name server
 * at a time with `setServers`. A fresh Resolver per check: c-ares 1.31+ keeps a
 * query cache per channel (nodejs/node#57636), and a check must see the name
 * server's answer of now.
 */
import { promises as dns } from "node:dns";
import { isIPv6 } from "node:net";
import { parseIp } from "../model/ip.js";
import type { DnsCheck } from "../verify/types.js";

export interface NameServerAddress {
  address: string;
  port: number;
}

/**
 * How to reach a name server named in a zone. The default asks the system
 * resolver for its addresses and uses port 53; the emulator's answers every
 * name with its own DNS listener, on a port of its choosing.
 */
export type NameServerLocator = (host: string) => Promise<NameServerAddress[]>;

export const systemNameServers: NameServerLocator = async (host) => {
  const found = await dns.lookup(host.replace(/\.$/, ""), { all: true });
  return found.map((a) => ({ address: a.address, port: 53 }));
};

/** Every name server is reached at one address ("127.0.0.1:5353", "[::1]:5353"). */
export function fixedNameServers(hostPort: string): NameServerLocator {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(hostPort) ?? /^([^:]+):(\d+)$/.exec(hostPort);
  if (!m) throw new Error(`name server address "${hostPort}" is not HOST:PORT (IPv6 as [ADDRESS]:PORT)`);
  const target = { address: m[1]!, port: Number(m[2]) };
  return async () => [target];
}

export interface AaaaQuery {
  /** Fully qualified names, without the trailing dot. */
  names: string[];
  expected: string | undefined;
  /** The zone's name servers, as the zone lists them. */
  nameServers: string[];
  locate: NameServerLocator;
  timeoutMs?: number;
}

/** Error codes after which another name server may still answer. */
const TRY_NEXT = new Set(["ETIMEOUT", "ECONNREFUSED", "EREFUSED", "ESERVFAIL", "ENOTIMP", "EBADRESP", "ECANCELLED"]);

export async function checkAaaaRecords(q: AaaaQuery): Promise<DnsCheck[]> {
  const servers = await locateAll(q.nameServers, q.locate);
  return Promise.all(q.names.map((name) => checkName(name, q.expected, servers, q.timeoutMs ?? 3000)));
}

async function locateAll(
  nameServers: string[],
  locate: NameServerLocator,
): Promise<{ name: string; address: string; port: number }[]> {
  const located = await Promise.all(
    nameServers.map(async (name) => {
      try {
        return (await locate(name)).map((a) => ({ name, ...a }));
      } catch {
        return [];
      }
    }),
  );
  return located.flat();
}

async function checkName(
  name: string,
  expected: string | undefined,
  servers: { name: string; address: string; port: number }[],
  timeoutMs: number,
): Promise<DnsCheck> {
  if (servers.length === 0) {
    return { name, status: "unanswered", addresses: [], detail: "the zone's name servers have no address" };
  }
  let lastError = "";
  let lastServer = "";
  for (const server of servers) {
    const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
    const host = isIPv6(server.address) ? `[${server.address}]` : server.address;
    resolver.setServers([`${host}:${server.port}`]);
    lastServer = server.name;
    try {
      const addresses = await resolver.resolve6(name);
      return judge(name, expected, addresses, server.name);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "";
      // NODATA: the name exists without AAAA; NXDOMAIN: the name does not exist.
      if (code === "ENODATA" || code === "ENOTFOUND") {
        return { name, status: "missing", addresses: [], nameServer: server.name };
      }
      lastError = `${server.name} ${code || (e as Error).message}`;
      if (!TRY_NEXT.has(code)) break;
    }
  }
  return { name, status: "unanswered", addresses: [], nameServer: lastServer, detail: lastError };
}

function judge(name: string, expected: string | undefined, addresses: string[], nameServer: string): DnsCheck {
  const same = (a: string, b: string) => {
    const x = parseIp(a);
    const y = parseIp(b);
    return x !== undefined && y !== undefined && x.version === y.version && x.value === y.value;
  };
  const ok = expected !== undefined && addresses.length > 0 && addresses.every((a) => same(a, expected));
  return { name, status: ok ? "ok" : "wrong", addresses: [...addresses].sort(), nameServer };
}
