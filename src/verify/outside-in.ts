/**
 * Backend health from outside, for an identity that may not use Run Command
 * (the read-only plan identity of the scheduled drift run: Run Command is
 * root on the VM). It connects to the proxy's public address as a user
 * would, once per port and route, and sees whether a backend answers through
 * HAProxy:
 * - on a TLS port, a ClientHello with the route's SNI name; the backend
 *   answers with a ServerHello or an alert (TLS passthrough);
 * - on port 80, an HTTP HEAD request with the route's Host;
 * - on any other port, a TCP connection.
 * In TCP mode, HAProxy closes a connection whose backend has no server up
 * without sending a byte (it has no error page to send), so "closed without
 * an answer" means that route's backends are all down. Checked against real
 * HAProxy with the rendered config in test/dataplane/outside-in.test.ts.
 *
 * What it cannot see, unlike Run Command: which server of a backend is down
 * while another still answers (HAProxy sends the connection to a live one),
 * and the config HAProxy runs. Those need the apply identity (mode status).
 *
 * Why not the load balancer's "Health probe status" metric (DipAvailability,
 * MicrosoftDocs/azure-docs load-balancer/monitor-load-balancer-reference.md:
 * "how Load Balancer views the health of your application, as indicated by
 * your health probe configuration"): the probe asks each replica's
 * /healthz, which answers 200 while HAProxy serves whatever its backends do
 * (src/dataplane/health.ts), so a replica with every backend dead shows as
 * healthy; it exists only for proxies with replicas; and reading it needs
 * Microsoft.Insights/metrics/read plus a metrics client outside this tool's
 * SDK set. The connections below see what users see, on every proxy.
 *
 * Which address: GitHub-hosted runners have IPv4 only (actions/runner-images#668;
 * kyma-project/test-infra#14424 "standard hosted runners only have IPv4
 * addresses"), so the public IPv4 where it serves the proxy ports, else the
 * IPv6 address (a self-hosted runner with IPv6 can reach it; others report
 * the check as not made).
 */
import { hostnameMatch } from "../dataplane/names.js";
import type { OutsideCheck, OutsideProbe, ProbeProtocol, ProbeResult, VerifyTarget } from "./types.js";

/** A name under `.invalid` never exists (RFC 2606 §2): the default backends get it when every real name is routed. */
export const UNROUTED_NAME = "ipv6-proxy-check.invalid";

/** Where to connect from outside, or undefined when the proxy has no public address yet. */
export function outsideAddress(target: VerifyTarget): { address: string; family: 4 | 6 } | undefined {
  if (target.servesIpv4 && target.ipv4Address) return { address: target.ipv4Address, family: 4 };
  if (target.ipv6Address) return { address: target.ipv6Address, family: 6 };
  return undefined;
}

/** The connections to make: one per route and one for the default backends, on every port. */
export function outsideProbes(target: VerifyTarget): OutsideProbe[] {
  const { tlsPorts, routes } = target.routing;
  const names = target.dns?.names ?? [];
  const probes: OutsideProbe[] = [];
  for (const port of target.ports) {
    const protocol: ProbeProtocol = tlsPorts.includes(port) ? "tls" : port === 80 ? "http" : "tcp";
    // The rendered config routes by SNI on TLS ports and by Host on port 80, when there are routes.
    const routed = routes.length > 0 && protocol !== "tcp";
    if (protocol === "tcp") {
      probes.push({ port, protocol, backend: `port_${port}_default` });
      continue;
    }
    if (routed) {
      routes.forEach((hostnames, i) => {
        const name = nameFor(hostnames, i + 1, routes);
        if (name) probes.push({ port, protocol, name, backend: `port_${port}_route_${i + 1}` });
      });
    }
    const unrouted = routed ? [...names, UNROUTED_NAME].find((n) => routeOf(n, routes) === undefined) : names[0];
    probes.push({
      port,
      protocol,
      ...(unrouted !== undefined ? { name: unrouted } : protocol === "http" ? { name: UNROUTED_NAME } : {}),
      backend: `port_${port}_default`,
    });
  }
  return probes;
}

/**
 * A name HAProxy sends to route `number`: its first exact hostname, else a
 * name under its first wildcard; undefined when another route would take it.
 */
function nameFor(hostnames: string[], number: number, routes: string[][]): string | undefined {
  const candidates = hostnames.map((h) => {
    const m = hostnameMatch(h);
    return m.wildcard ? `ipv6-proxy-check${m.suffix}` : m.pattern;
  });
  return candidates.find((n) => routeOf(n, routes) === number);
}

/**
 * The route (1-based) HAProxy picks for `name`, as src/dataplane/haproxy.ts
 * orders its rules: exact names first, then wildcards from the longest suffix.
 */
export function routeOf(name: string, routes: string[][]): number | undefined {
  const n = name.toLowerCase();
  const exact = routes.findIndex((hs) => hs.some((h) => !hostnameMatch(h).wildcard && hostnameMatch(h).pattern === n));
  if (exact >= 0) return exact + 1;
  const wild = routes
    .flatMap((hs, i) => hs.map((h) => ({ route: i + 1, m: hostnameMatch(h) })))
    .filter(({ m }) => m.wildcard && n.endsWith(m.suffix))
    .sort((a, b) => b.m.labels - a.m.labels || a.route - b.route);
  return wild[0]?.route;
}

export interface OutsideJudgement {
  failures: string[];
  warnings: string[];
  notes: string[];
}

const serving = (r: ProbeResult) => r.outcome === "answered" || r.outcome === "open";

/**
 * What the answers mean. Nothing answering at all is a failure, as is a port
 * where nothing takes connections; a route whose backends are all down is a
 * warning, as Run Command's view makes it (the proxy still serves its other names).
 */
export function judgeOutside(check: OutsideCheck, describeBackend: (name: string) => string): OutsideJudgement {
  const out: OutsideJudgement = { failures: [], warnings: [], notes: [] };
  const at = `${check.address}`;
  const made = check.probes.filter((p) => p.outcome !== "unreachable");
  if (check.probes.length > 0 && made.length === 0) {
    out.notes.push(
      `backend health not checked from outside: this runner has no route to IPv${check.family} ${at}` +
        (check.family === 6 ? " (GitHub-hosted runners have no IPv6)" : ""),
    );
    return out;
  }
  const deadPorts = new Set<number>();
  for (const port of [...new Set(made.map((p) => p.port))]) {
    const onPort = made.filter((p) => p.port === port);
    if (onPort.every((p) => p.outcome === "refused" || p.outcome === "timeout")) {
      deadPorts.add(port);
      out.failures.push(`port ${port} of ${at} takes no connection from outside (${outcomeWords(onPort[0]!)})`);
    }
  }
  if (made.length > 0 && !made.some(serving) && deadPorts.size < new Set(made.map((p) => p.port)).size) {
    out.failures.push(
      `no backend answers through the proxy from outside (${made
        .filter((p) => !deadPorts.has(p.port))
        .map((p) => `${probeLabel(p)}: ${outcomeWords(p)}`)
        .join("; ")})`,
    );
    return out;
  }
  for (const p of made) {
    if (deadPorts.has(p.port) || serving(p)) continue;
    out.warnings.push(
      `${describeBackend(p.backend)} gives no answer from outside (${probeLabel(p)}: ${outcomeWords(p)})`,
    );
  }
  return out;
}

/** "443 shop.example (TLS)" */
export function probeLabel(p: OutsideProbe): string {
  const kind = p.protocol === "tls" ? "TLS" : p.protocol === "http" ? "HTTP" : "TCP";
  return `${p.port}${p.name ? ` ${p.name}` : ""} (${kind})`;
}

export function outcomeWords(p: ProbeResult): string {
  switch (p.outcome) {
    case "answered":
      return `answers${p.detail ? ` (${p.detail})` : ""}`;
    case "open":
      return "connection held open by a backend";
    case "closed":
      return "HAProxy closed the connection without an answer: no backend server is up";
    case "refused":
      return "connection refused";
    case "timeout":
      return p.detail ?? "no answer in time";
    case "unreachable":
      return p.detail ?? "no route from this runner";
    case "error":
      return p.detail ?? "error";
  }
}
