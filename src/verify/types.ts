/**
 * The vocabulary of health checks: what a proxy should serve (VerifyTarget),
 * what each VM and each DNS name server answered, and the verdict. Plain data:
 * a HealthReport serialises to JSON as is (`status --json`).
 */

/** Where a proxy's VM lives; a proxy has one VM per replica. */
export interface VmRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/** What a proxy should serve, from its file and what Azure holds. */
export interface VerifyTarget {
  proxy: string;
  file?: string;
  /** The address the AAAA records must hold; undefined when Azure has none (yet). */
  ipv6Address?: string;
  /** Outbound address towards the backends: what backends allow-list. */
  ipv4Address?: string;
  expectedConfigSha256: string;
  ports: number[];
  /** Every backend address of the proxy file (default and route backends). */
  backends: string[];
  vms: VmRef[];
  /**
   * How users reach the proxy, for the check from outside (src/verify/outside-in.ts):
   * the ports that route by TLS SNI and the hostnames of each route, in file order.
   */
  routing: { tlsPorts: number[]; routes: string[][] };
  /**
   * Whether the public IPv4 address takes connections on the proxy ports: a single VM's
   * HAProxy listens on both families, a load balancer forwards IPv4 only with `ipv4: true`.
   */
  servesIpv4: boolean;
  dns?: {
    subscriptionId: string;
    resourceGroup: string;
    zone: string;
    /** Fully qualified names without the trailing dot, e.g. www.example.nl. */
    names: string[];
  };
}

/** One backend server of one HAProxy backend (a port's defaults or a route), as `show stat` reports it. */
export interface ServerCheck {
  /** HAProxy backend name, e.g. port_443_default, port_443_route_2. */
  backend: string;
  /** The server name, which the rendered config makes the backend's IPv4 address. */
  server: string;
  /** The proxy port this backend serves, from the backend name. */
  port?: number;
  up: boolean;
  /** HAProxy's status column as is: UP, DOWN, "DOWN 1/2" (recovering), "UP 1/2" (failing), MAINT, ... */
  status: string;
  /** Last check's code: L4OK, L4CON, L4TOUT, ... */
  check: string;
  /** Last check's reason in words ("Connection refused", or HAProxy's description of the code). */
  reason: string;
  /** Seconds since the last UP/DOWN change. */
  sinceSeconds?: number;
}

/** What the health script printed on one VM, parsed. */
export interface HealthAnswer {
  /** The script ran to its last line. */
  complete: boolean;
  haproxy?: "active" | "inactive" | "missing";
  configSha256?: string;
  /** Ports a process named haproxy listens on. */
  listening: number[];
  servers: ServerCheck[];
  /** Servers the script counted, including any that Run Command's 4 KB output limit cut off. */
  serverCount: number;
  /** Why the stats socket gave no answer. */
  statsError?: string;
  cloudInit?: string;
}

export type VmCheckStatus =
  /** The script answered. */
  | "answered"
  /** The identity may not use Run Command: backend health is unknown, not bad. */
  | "not-permitted"
  /** Run Command failed, or the script did not finish. */
  | "error";

export interface VmHealth {
  vm: VmRef;
  status: VmCheckStatus;
  answer?: HealthAnswer;
  error?: string;
  durationMs: number;
}

/** What a probe from outside sends on a port, by what HAProxy expects there. */
export type ProbeProtocol =
  /** A TLS ClientHello, with the SNI name HAProxy routes by (TLS passthrough: a backend answers the handshake). */
  | "tls"
  /** An HTTP/1.1 HEAD request, with the Host HAProxy routes by on port 80. */
  | "http"
  /** A TCP connection only: any other port goes to the default backends without inspection. */
  | "tcp";

/** One connection the check from outside makes: to which port, with which name, meant for which HAProxy backend. */
export interface OutsideProbe {
  port: number;
  protocol: ProbeProtocol;
  /** SNI name (tls) or Host (http); none for tcp, or a TLS port of a proxy without any name. */
  name?: string;
  /** The HAProxy backend the name selects (port_443_route_1, port_443_default). */
  backend: string;
}

export type ProbeOutcome =
  /** Bytes came back: a backend answered through HAProxy (a ServerHello, a TLS alert, an HTTP status line). */
  | "answered"
  /** A plain TCP connection stayed open: HAProxy connected it to a backend. */
  | "open"
  /** HAProxy accepted the connection and closed it without a byte: no server of that backend is up. */
  | "closed"
  /** Connection refused: nothing listens on the port. */
  | "refused"
  /** No connection, or no answer, in time: the address drops packets, or the VM is off. */
  | "timeout"
  /** The runner has no route to the address family (GitHub-hosted runners have no IPv6). */
  | "unreachable"
  | "error";

export interface ProbeResult extends OutsideProbe {
  outcome: ProbeOutcome;
  /** What came back or what failed, in words. */
  detail?: string;
  durationMs: number;
}

/** The check from outside: connections to the proxy's public address, as a user makes them. */
export interface OutsideCheck {
  address: string;
  family: 4 | 6;
  probes: ProbeResult[];
}

/** Which check produced a proxy's backend health. */
export type HealthSource =
  /** The health script on each VM through Run Command: HAProxy's own view of every backend server. */
  | "run-command"
  /** Connections to the public address from the runner: whether each route and port answers. */
  | "outside-in"
  /** Neither could be made. */
  | "none";

export type DnsStatus = "ok" | "wrong" | "missing" | "unanswered";

export interface DnsCheck {
  name: string;
  status: DnsStatus;
  /** The AAAA addresses the zone's name server answered. */
  addresses: string[];
  /** The name server that answered (or the last one tried). */
  nameServer?: string;
  detail?: string;
}

export type Verdict = "healthy" | "warning" | "failure";

export interface ProxyHealth {
  proxy: string;
  file?: string;
  ipv6Address?: string;
  ipv4Address?: string;
  vms: VmHealth[];
  /** Present when backend health was checked from outside (the identity may not use Run Command). */
  outside?: OutsideCheck;
  /** Which check the backend health comes from. */
  source: HealthSource;
  dns: DnsCheck[];
  verdict: Verdict;
  /** Why the proxy fails: nobody can use it (no backend UP, a wrong DNS name, a port not served). */
  failures: string[];
  /** What needs attention while it still serves (some backends DOWN, an unexpected config). */
  warnings: string[];
  /** Facts that are neither (a check that could not be made). */
  notes: string[];
  durationMs: number;
}

export interface HealthReport {
  proxies: ProxyHealth[];
  verdict: Verdict;
  durationMs: number;
}
