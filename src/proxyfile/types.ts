/**
 * The user's proxy file, after validation and defaults. This is the public
 * contract of `proxies/<name>.yaml` (see schema/proxy.schema.json).
 */

/** Where a value sits in a proxy file; lines and columns are 1-based. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export const PROXY_PROTOCOLS = ["none", "v1", "v2"] as const;
export type ProxyProtocol = (typeof PROXY_PROTOCOLS)[number];

export interface DnsSpec {
  zone: string;
  /** Defaults to the proxy's resourceGroup. */
  resourceGroup: string;
  /** Relative record names; "@" is the apex. */
  records: string[];
  ttl: number;
}

export interface RouteSpec {
  /** Exact names or a single leading wildcard label ("*.api.example.nl"). */
  hostnames: string[];
  backends: string[];
}

export interface SshSpec {
  /** IPv4 or IPv6 CIDRs allowed to reach port 22. */
  allowFrom: string[];
  publicKeys: string[];
}

/**
 * Protection of the proxy against one client taking all of it. A client is one
 * IPv4 address or one IPv6 /64 (a home or office network usually holds a whole
 * /64, so counting single IPv6 addresses would be no limit at all).
 */
export interface ClientLimits {
  /** Connections one client may hold open at once, all ports together. */
  connectionsPerClient: number;
  /** New connections per second one client may open, averaged over 10 s. */
  newConnectionsPerClient: number;
  /** A connection without data in either direction for this long is closed. */
  idleTimeoutSeconds: number;
}

export interface ProxySpec {
  /** 1-40 chars of [a-z0-9-], starts with a letter; defaults to the file name. */
  name: string;
  /** Path of the file the spec came from, relative to the working directory. */
  file: string;
  location: string;
  resourceGroup: string;
  /** Undefined means: use the action/CLI default subscription. */
  subscriptionId?: string;
  /** 1-16 IPv4 addresses that receive unmatched traffic. */
  backends: string[];
  /** TCP ports forwarded 1:1; default [80, 443]. */
  ports: number[];
  /** Ports on which TLS SNI routing applies; default: 443 when listed in ports. */
  tlsPorts: number[];
  vmSize: string;
  dns?: DnsSpec;
  tags: Record<string, string>;
  routes: RouteSpec[];
  proxyProtocol: ProxyProtocol;
  limits: ClientLimits;
  /** Undefined means no SSH at all (no NSG rule, no key but a throwaway one). */
  ssh?: SshSpec;
  /** Proxy VMs; with more than one they sit behind a Standard load balancer. Default 1. */
  replicas: number;
  /**
   * Availability zones the replicas are spread over, round-robin: the file's
   * list, else the region's zones when replicas > 1. Empty with one replica,
   * and in regions without zones (the replicas then share an availability set).
   */
  zones: string[];
  /** Also serve the site on the load balancer's public IPv4 (replicas > 1 only). Default false. */
  ipv4: boolean;
  /**
   * Location of each top-level field in the file, for located plan errors; also of
   * every value below them, by field path ("dns.records[0]", "routes[1].hostnames[0]").
   * Fields left to their defaults have no entry.
   */
  locations: Partial<Record<string, SourceLocation>>;
}

export const DEFAULT_PORTS = [80, 443] as const;
export const DEFAULT_VM_SIZE = "Standard_B2ats_v2";
export const DEFAULT_DNS_TTL = 300;

/**
 * A browser opens up to 6 connections per host name, so 100 leaves room for an
 * office behind one address; 20 new connections a second (200 in 10 s) is far
 * above what page loads need and far below a flood. Five minutes of silence is
 * above Azure's own 4-minute idle timeout for IPv6 flows without keepalives.
 */
export const DEFAULT_LIMITS: ClientLimits = {
  connectionsPerClient: 100,
  newConnectionsPerClient: 20,
  idleTimeoutSeconds: 300,
};
/** Bounds of the limits: the lowest values that still serve a browser, the highest that still limit. */
export const LIMIT_BOUNDS = {
  connectionsPerClient: [1, 8000],
  newConnectionsPerClient: [1, 10000],
  idleTimeoutSeconds: [10, 3600],
} as const satisfies Record<keyof ClientLimits, readonly [number, number]>;

/** One problem in one proxy file. */
export interface SpecError extends SourceLocation {
  /** Field path such as `backends[1]` or `dns.records[0]`; empty for the whole file. */
  field: string;
  message: string;
}

/** `proxies/www.yaml:4:3 backends[1]: "10.0.0.300" is not an IPv4 address` */
export function formatSpecError(e: SpecError): string {
  const where = `${e.file}:${e.line}:${e.column}`;
  return e.field ? `${where} ${e.field}: ${e.message}` : `${where} ${e.message}`;
}

export interface LoadResult {
  proxies: ProxySpec[];
  errors: SpecError[];
}
