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
