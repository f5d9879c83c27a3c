/**
 * Renders the HAProxy config that runs on a proxy VM. The text is stored in
 * the VM's userData, hashed and diffed line by line in the plan, so it must be
 * byte-identical for the same spec: no timestamps, stable ordering.
 *
 * Design:
 * - TCP mode only, TLS passthrough: HAProxy never terminates TLS.
 * - Every port in `spec.ports` is one frontend listening on IPv6 (and IPv4,
 *   `v4v6`), forwarding to the same port on the backends, round-robin.
 * - On TLS ports, routes are chosen by the ClientHello SNI. On port 80 (when it
 *   is not a TLS port) by the HTTP/1 Host header, parsed in-fly from the TCP
 *   stream so the bytes still pass through untouched. Other ports only use the
 *   default backends, without any inspection delay.
 * - A route's backend has no fallback: with all of its servers down the client
 *   is disconnected rather than sent to the default backends.
 */

import { TOOL_NAME } from "../model/names.js";
import { LIMIT_BOUNDS, type ProxySpec, type RouteSpec } from "../proxyfile/types.js";
import { renderHealthSections } from "./health.js";
import { assertHostname, assertIpv4, assertPort, type HostnameMatch, hostnameMatch } from "./names.js";

export interface HaproxyOptions {
  /** Worker threads; unset lets HAProxy use one per CPU. */
  nbthread?: number | undefined;
  /**
   * Kernel splicing between sockets. "forced" (default) splices both
   * directions: in HAProxy 2.6 `splice-auto` rarely engaged and cost as much
   * CPU per GiB as no splicing, while forced splicing halved it (BENCHMARKS.md).
   */
  splice?: "forced" | "auto" | "off";
}

/**
 * Capacity. HAProxy derives its global maxconn from the file descriptors it may
 * use: with `fd-hard-limit 25000` that is about 10000 connections (8000 below a
 * 20000 system limit) instead of refusing to start where the system allows
 * fewer. 10000 connections with their buffers fit the 1 GiB of a small VM.
 * Per frontend (port) a lower cap, so one port can't take every connection.
 */
const FD_HARD_LIMIT = 25000;
const FRONTEND_MAXCONN = 8000;

/**
 * Per-client limits (spec.limits) share one table across all ports, so a
 * client's connections to 80 and 443 count together. The table is keyed by
 * `src,ipmask(32,64)`: an IPv4 client by its address, an IPv6 client by its
 * /64 (HAProxy 2.6 configuration.txt, "ipmask(<mask4>,[<mask6>])"). It must be
 * `type ipv6`: `type ip` holds IPv4 keys only (haproxy/haproxy#2962); IPv4
 * clients of the v4v6 listener are stored as ::ffff:a.b.c.d, each on its own.
 * 100k entries take about 10 MB; the oldest idle ones make way when it is full.
 * An entry outlives its last connection by 30 s, longer than the 10 s rate period.
 */
export const CLIENT_TABLE = "per_client";
const RATE_PERIOD_SECONDS = 10;

const INDENT = "    ";

export function renderHaproxyConfig(spec: ProxySpec, opts: HaproxyOptions = {}): string {
  const ports = [...new Set(spec.ports)].sort((a, b) => a - b);
  ports.forEach(assertPort);
  for (const port of spec.tlsPorts) {
    if (!ports.includes(port)) throw new Error(`proxy ${spec.name}: TLS port ${port} is not one of its ports`);
  }
  checkBackends(spec.name, "backends", spec.backends);
  if (spec.backends.length === 0) throw new Error(`proxy ${spec.name}: needs at least one backend`);
  const routes = spec.routes.map((route, i) => checkRoute(spec.name, route, i));
  checkUniqueHostnames(spec.name, routes);

  const sections = [header(spec, ports), globalSection(opts), defaultsSection(spec, opts), clientTableSection()];
  for (const port of ports) {
    const kind = spec.tlsPorts.includes(port) ? "sni" : port === 80 ? "host" : "none";
    sections.push(portSections(spec, port, routes.length > 0 ? kind : "none", routes));
  }
  // Replicas sit behind a load balancer that probes this endpoint; a single VM has none.
  if (spec.replicas > 1) sections.push(renderHealthSections());
  return sections.join("\n");
}

type RoutingKind = "sni" | "host" | "none";

interface CheckedRoute {
  /** 1-based position in the spec, used in backend names. */
  number: number;
  hostnames: HostnameMatch[];
  backends: string[];
}

function checkRoute(proxy: string, route: RouteSpec, index: number): CheckedRoute {
  checkBackends(proxy, `routes[${index}].backends`, route.backends);
  if (route.backends.length === 0) throw new Error(`proxy ${proxy}: routes[${index}] needs at least one backend`);
  const hostnames = route.hostnames.map((h, j) => {
    assertHostname(h, `proxy ${proxy}: routes[${index}].hostnames[${j}]`);
    return hostnameMatch(h);
  });
  return { number: index + 1, hostnames, backends: route.backends };
}

function checkBackends(proxy: string, field: string, backends: string[]): void {
  for (const [i, b] of backends.entries()) assertIpv4(b, `proxy ${proxy}: ${field}[${i}]`);
  const dup = backends.find((b, i) => backends.indexOf(b) !== i);
  if (dup) throw new Error(`proxy ${proxy}: ${field} lists ${dup} twice`);
}

function checkUniqueHostnames(proxy: string, routes: CheckedRoute[]): void {
  const seen = new Map<string, number>();
  for (const route of routes) {
    for (const h of route.hostnames) {
      const first = seen.get(h.pattern);
      if (first !== undefined) {
        throw new Error(
          `proxy ${proxy}: hostname ${h.pattern} appears in routes[${first - 1}] and routes[${route.number - 1}]`,
        );
      }
      seen.set(h.pattern, route.number);
    }
  }
}

function header(spec: ProxySpec, ports: number[]): string {
  const tls = ports.filter((p) => spec.tlsPorts.includes(p));
  return lines(
    `# HAProxy config of ${TOOL_NAME} proxy "${spec.name}".`,
    `# Generated from the proxy's spec and stored in the VM's userData; ipv6-proxy-apply`,
    `# installs it. Local edits are lost on the next apply.`,
    `# TCP mode, TLS passthrough (TLS is never terminated here).`,
    `# Ports: ${ports.join(", ")}; SNI routing on: ${tls.length ? tls.join(", ") : "none"}; routes: ${spec.routes.length}.`,
    `# PROXY protocol towards backends: ${spec.proxyProtocol}.`,
    `# Per client (IPv4 address or IPv6 /64): ${spec.limits.connectionsPerClient} connections, ` +
      `${spec.limits.newConnectionsPerClient} new per second; idle timeout ${spec.limits.idleTimeoutSeconds} s.`,
  );
}

function globalSection(opts: HaproxyOptions): string {
  const out = [
    "global",
    // systemd's unit runs `haproxy -Ws` (master-worker), so no `daemon`.
    "log /dev/log local0",
    "chroot /var/lib/haproxy",
    "user haproxy",
    "group haproxy",
    // expose-fd listeners: a reload hands the listening sockets to the new
    // workers, so no connection attempt is refused during a config change.
    "stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd listeners",
    "stats timeout 30s",
    `fd-hard-limit ${FD_HARD_LIMIT}`,
    // Old workers keep serving their connections after a reload; bound how long.
    "hard-stop-after 30m",
  ];
  if (opts.nbthread !== undefined) {
    if (!Number.isInteger(opts.nbthread) || opts.nbthread < 1 || opts.nbthread > 64) {
      throw new Error(`nbthread must be an integer from 1 to 64, got ${opts.nbthread}`);
    }
    out.push(`nbthread ${opts.nbthread}`);
  }
  return section(out);
}

function defaultsSection(spec: ProxySpec, opts: HaproxyOptions): string {
  const idle = checkedLimit(spec, "idleTimeoutSeconds");
  const out = [
    "defaults",
    "mode tcp",
    "log global",
    "option tcplog",
    "option dontlognull",
    `maxconn ${FRONTEND_MAXCONN}`,
    "balance roundrobin",
    // A failed connect is retried once more on another server of the same backend.
    "retries 2",
    "option redispatch 1",
    "timeout connect 5s",
    // Azure drops idle IPv6 flows after a fixed 4 minutes. Keepalive probes after
    // 60 s of silence keep idle connections (websockets, long polls) open on both
    // sides and detect dead peers within 60 + 6 x 10 s. Keepalives carry no data,
    // so they do not reset the inactivity timeouts below (spec.limits.idleTimeoutSeconds):
    // a live but silent client cannot hold its connections for ever.
    "option clitcpka",
    "clitcpka-idle 60s",
    "clitcpka-intvl 10s",
    "clitcpka-cnt 6",
    "option srvtcpka",
    "srvtcpka-idle 60s",
    "srvtcpka-intvl 10s",
    "srvtcpka-cnt 6",
    `timeout client ${idle}s`,
    `timeout server ${idle}s`,
    "timeout client-fin 30s",
    "timeout server-fin 30s",
    // Health checks. A backend that refuses connections is marked down after two
    // failed checks: the next regular check (≤ 2 s) plus one fast re-check (1 s),
    // so within 3 s. One that silently drops packets costs a check timeout (2 s)
    // per check: worst case 2 + 2 + 1 + 2 = 7 s. Meanwhile a failed connect is
    // retried on another server (`retries` + `option redispatch`), so clients of the
    // default backends rarely notice. A recovered backend returns after two good
    // checks, ~4 s.
    "timeout check 2s",
    "default-server inter 2s fastinter 1s downinter 2s rise 2 fall 2",
  ];
  const splice = opts.splice ?? "forced";
  if (splice === "forced") out.push("option splice-request", "option splice-response");
  if (splice === "auto") out.push("option splice-auto");
  return section(out);
}

/** Holds the per-client counters; a backend without servers is HAProxy's way to declare a shared table. */
function clientTableSection(): string {
  return section([
    `backend ${CLIENT_TABLE}`,
    "# One entry per client: an IPv4 address or an IPv6 /64, across all ports.",
    `stick-table type ipv6 size 100k expire 30s store conn_cur,conn_rate(${RATE_PERIOD_SECONDS}s)`,
  ]);
}

/**
 * Refused at accept time, before any byte is read or a backend is contacted.
 * conn_cur counts the connection being accepted, so "gt N" lets N through.
 * Refused attempts count towards the rate too: a client that keeps hammering
 * stays refused until it slows down.
 */
function clientLimitRules(spec: ProxySpec): string[] {
  const connections = checkedLimit(spec, "connectionsPerClient");
  const perPeriod = checkedLimit(spec, "newConnectionsPerClient") * RATE_PERIOD_SECONDS;
  return [
    `tcp-request connection track-sc0 src,ipmask(32,64) table ${CLIENT_TABLE}`,
    `tcp-request connection reject if { sc0_conn_cur gt ${connections} }`,
    `tcp-request connection reject if { sc0_conn_rate gt ${perPeriod} }`,
  ];
}

function checkedLimit(spec: ProxySpec, key: keyof ProxySpec["limits"]): number {
  const value = spec.limits[key];
  const [min, max] = LIMIT_BOUNDS[key];
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`proxy ${spec.name}: limits.${key} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

function portSections(spec: ProxySpec, port: number, kind: RoutingKind, routes: CheckedRoute[]): string {
  const frontend = [`frontend port_${port}`, `bind :::${port} v4v6`, ...clientLimitRules(spec)];
  const backends: string[] = [];
  if (kind !== "none") {
    frontend.push(...routingRules(port, kind, routes));
    for (const route of routes) {
      const names = route.hostnames.map((h) => h.pattern).join(" ");
      backends.push(
        backendSection(
          spec,
          `port_${port}_route_${route.number}`,
          `route ${route.number}: ${names}`,
          port,
          route.backends,
        ),
      );
    }
  }
  frontend.push(`default_backend port_${port}_default`);
  const what =
    kind === "sni" ? "TLS, routes by SNI" : kind === "host" ? "HTTP, routes by Host" : "default backends only";
  return [
    `# ---- port ${port}: ${what}`,
    section(frontend),
    backendSection(spec, `port_${port}_default`, "default backends", port, spec.backends),
    ...backends,
  ].join("\n");
}

/**
 * Content-switching rules. HAProxy takes the first matching `use_backend`, so
 * exact names come first, then wildcards from the most specific suffix down.
 * Wildcards match any depth below their suffix, never the suffix itself.
 */
function routingRules(port: number, kind: "sni" | "host", routes: CheckedRoute[]): string[] {
  // `req.ssl_hello_type 1` only matches once the whole ClientHello is buffered
  // (even when it spans several TCP segments); `HTTP` once the request headers
  // are. Non-TLS/non-HTTP data fails the test at once and goes to the defaults.
  // On port 80 the first request picks the backend for the whole connection;
  // HTTP/1 clients open one connection per host, so this is what they expect.
  const wait = kind === "sni" ? "{ req.ssl_hello_type 1 }" : "HTTP";
  // The Host header may carry a port; only the name is compared.
  const fetch = kind === "sni" ? "req.ssl_sni" : "req.hdr(host),field(1,:)";
  const out = ["tcp-request inspect-delay 5s", `tcp-request content accept if ${wait}`];
  for (const route of routes) {
    const exact = route.hostnames.filter((h) => !h.wildcard).map((h) => h.pattern);
    if (exact.length) out.push(`use_backend port_${port}_route_${route.number} if { ${fetch} -i ${exact.join(" ")} }`);
  }
  const wildcards = routes
    .flatMap((route) => route.hostnames.filter((h) => h.wildcard).map((h) => ({ route: route.number, h })))
    // Ties compare code units: locale collation could differ between Node builds.
    .sort((a, b) => b.h.labels - a.h.labels || a.route - b.route || (a.h.pattern < b.h.pattern ? -1 : 1));
  for (const { route, h } of wildcards) {
    out.push(`use_backend port_${port}_route_${route} if { ${fetch} -m end -i ${h.suffix} }`);
  }
  return out;
}

function backendSection(spec: ProxySpec, name: string, comment: string, port: number, servers: string[]): string {
  const proxyProtocol =
    spec.proxyProtocol === "v1"
      ? " send-proxy check-send-proxy"
      : spec.proxyProtocol === "v2"
        ? " send-proxy-v2 check-send-proxy"
        : "";
  return section([
    `backend ${name}`,
    `# ${comment}`,
    ...servers.map((ip) => `server ${ip} ${ip}:${port} check${proxyProtocol}`),
  ]);
}

function section(body: string[]): string {
  const [head, ...rest] = body;
  return lines(head ?? "", ...rest.map((l) => INDENT + l));
}

function lines(...ls: string[]): string {
  return ls.map((l) => `${l}\n`).join("");
}
