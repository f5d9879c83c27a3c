import { describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import type { RouteSpec } from "../../src/proxyfile/types.js";
import { haproxyCheck, proxySpec } from "../support/dataplane-fixtures.js";
import { HAPROXY, requirements } from "../support/requirements.js";

/** Section header ("frontend port_443") → its body lines, trimmed, comments kept. */
function sections(config: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of config.split("\n")) {
    if (/^(global|defaults|frontend |backend )/.test(line)) {
      current = [];
      out.set(line, current);
    } else if (line.startsWith("    ") && current) {
      current.push(line.trim());
    } else if (line.trim() === "" || line.startsWith("#")) {
      current = undefined;
    } else {
      throw new Error(`unexpected line: ${line}`);
    }
  }
  return out;
}

function body(config: string, header: string): string[] {
  const lines = sections(config).get(header);
  if (!lines) throw new Error(`no section "${header}" in:\n${config}`);
  return lines;
}

const routes: RouteSpec[] = [
  // The wildcard route comes first on purpose: exact names must still win.
  { hostnames: ["*.example.nl"], backends: ["198.51.100.91"] },
  { hostnames: ["api.example.nl", "*.api.example.nl"], backends: ["198.51.100.1", "198.51.100.2"] },
  { hostnames: ["WWW.Example.NL"], backends: ["198.51.100.201"] },
];

const table = {
  plain: proxySpec(),
  "several ports": proxySpec({ ports: [22, 80, 443, 8080, 8443], tlsPorts: [443, 8443] }),
  "SNI and Host routes with wildcards": proxySpec({ routes }),
  "PROXY protocol v1": proxySpec({ routes, proxyProtocol: "v1" }),
  "PROXY protocol v2": proxySpec({ routes, proxyProtocol: "v2" }),
  "TLS on 8443 only": proxySpec({ ports: [8443, 80], tlsPorts: [8443], routes }),
  "TLS on port 80": proxySpec({ ports: [80], tlsPorts: [80], routes }),
  "sixteen backends": proxySpec({ backends: Array.from({ length: 16 }, (_, i) => `192.0.2.${i + 1}`) }),
  "tightest limits": proxySpec({
    limits: { connectionsPerClient: 1, newConnectionsPerClient: 1, idleTimeoutSeconds: 10 },
  }),
  "loosest limits": proxySpec({
    routes,
    limits: { connectionsPerClient: 8000, newConnectionsPerClient: 10000, idleTimeoutSeconds: 3600 },
  }),
  "replicas (health endpoint)": proxySpec({ replicas: 3, zones: ["1", "2", "3"], routes, proxyProtocol: "v2" }),
};

describe("renderHaproxyConfig passes the real haproxy -c", await requirements("data-plane", HAPROXY), () => {
  for (const [name, spec] of Object.entries(table)) {
    it(name, () => {
      const result = haproxyCheck(renderHaproxyConfig(spec, { nbthread: 2 }));
      expect(result.output).toContain("Configuration file is valid");
      expect(result.output).not.toMatch(/WARNING|ALERT/);
      expect(result.status).toBe(0);
    });
  }

  it("rejects broken configs (negative control: the check can fail)", () => {
    const good = renderHaproxyConfig(table["SNI and Host routes with wildcards"]);
    const missingBackend = good.replace("default_backend port_443_default", "default_backend port_443_nowhere");
    const badKeyword = good.replace("balance roundrobin", "balance no-such-algorithm");
    for (const broken of [missingBackend, badKeyword]) {
      expect(broken).not.toBe(good);
      const result = haproxyCheck(broken);
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/ALERT/);
    }
  });
});

describe("structure", () => {
  const spec = table["several ports"];
  const config = renderHaproxyConfig(spec);

  it("binds every port on IPv6 (v4v6) and forwards it to every backend on the same port", () => {
    for (const port of spec.ports) {
      expect(body(config, `frontend port_${port}`)).toContain(`bind :::${port} v4v6`);
      expect(body(config, `frontend port_${port}`)).toContain(`default_backend port_${port}_default`);
      expect(body(config, `backend port_${port}_default`).filter((l) => l.startsWith("server "))).toEqual([
        `server 203.0.113.4 203.0.113.4:${port} check`,
        `server 203.0.113.5 203.0.113.5:${port} check`,
      ]);
    }
    expect(config.match(/^frontend /gm)).toHaveLength(spec.ports.length);
  });

  it("inspects nothing without routes, so server-speaks-first protocols are not delayed", () => {
    expect(config).not.toContain("inspect-delay");
    expect(config).not.toContain("use_backend");
  });

  it("routes by SNI on TLS ports: exact names first, then wildcards from most specific", () => {
    const fe = body(renderHaproxyConfig(proxySpec({ routes })), "frontend port_443");
    expect(fe.filter((l) => l.startsWith("tcp-request") && !l.startsWith("tcp-request connection"))).toEqual([
      "tcp-request inspect-delay 5s",
      "tcp-request content accept if { req.ssl_hello_type 1 }",
    ]);
    expect(fe.filter((l) => l.startsWith("use_backend"))).toEqual([
      "use_backend port_443_route_2 if { req.ssl_sni -i api.example.nl }",
      "use_backend port_443_route_3 if { req.ssl_sni -i www.example.nl }",
      "use_backend port_443_route_2 if { req.ssl_sni -m end -i .api.example.nl }",
      "use_backend port_443_route_1 if { req.ssl_sni -m end -i .example.nl }",
    ]);
    // Rules are evaluated top-down and the default comes last.
    expect(fe.at(-1)).toBe("default_backend port_443_default");
  });

  it("routes port 80 by the Host header (port stripped) while staying in TCP mode", () => {
    const config80 = renderHaproxyConfig(proxySpec({ routes }));
    const fe = body(config80, "frontend port_80");
    expect(fe).toContain("tcp-request content accept if HTTP");
    expect(fe.filter((l) => l.startsWith("use_backend"))).toEqual([
      "use_backend port_80_route_2 if { req.hdr(host),field(1,:) -i api.example.nl }",
      "use_backend port_80_route_3 if { req.hdr(host),field(1,:) -i www.example.nl }",
      "use_backend port_80_route_2 if { req.hdr(host),field(1,:) -m end -i .api.example.nl }",
      "use_backend port_80_route_1 if { req.hdr(host),field(1,:) -m end -i .example.nl }",
    ]);
    expect(body(config80, "defaults")).toContain("mode tcp");
    expect(config80).not.toMatch(/mode http|switch-mode/);
  });

  it("uses SNI on port 80 when it is a TLS port, and only default backends on other plain ports", () => {
    const tls80 = renderHaproxyConfig(table["TLS on port 80"]);
    expect(body(tls80, "frontend port_80")).toContain("tcp-request content accept if { req.ssl_hello_type 1 }");
    const multi = renderHaproxyConfig(proxySpec({ ports: [80, 443, 8080], tlsPorts: [443], routes }));
    expect(body(multi, "frontend port_8080").filter((l) => !l.startsWith("tcp-request connection"))).toEqual([
      "bind :::8080 v4v6",
      "default_backend port_8080_default",
    ]);
    expect(multi).not.toContain("port_8080_route");
  });

  it("gives each route's backend only its own servers: no fallback to the defaults", () => {
    const cfg = renderHaproxyConfig(proxySpec({ routes }));
    for (const port of [80, 443]) {
      const servers = body(cfg, `backend port_${port}_route_2`).filter((l) => l.startsWith("server "));
      expect(servers).toEqual([
        `server 198.51.100.1 198.51.100.1:${port} check`,
        `server 198.51.100.2 198.51.100.2:${port} check`,
      ]);
    }
    expect(cfg).not.toMatch(/\bbackup\b|nbsrv/);
  });

  it("sends the PROXY protocol on every server line, health checks included", () => {
    for (const [version, option] of [
      ["v1", "send-proxy"],
      ["v2", "send-proxy-v2"],
    ] as const) {
      const cfg = renderHaproxyConfig(proxySpec({ routes, proxyProtocol: version }));
      const servers = cfg.split("\n").filter((l) => l.trim().startsWith("server "));
      expect(servers.length).toBe(2 * (2 + 1 + 2 + 1)); // 2 ports x (defaults + 3 routes' servers)
      for (const s of servers) expect(s.trim().split(" ").slice(3)).toEqual(["check", option, "check-send-proxy"]);
    }
    expect(renderHaproxyConfig(proxySpec({ routes }))).not.toContain("send-proxy");
  });

  it("is hardened for systemd, seamless reloads and Azure's 4-minute IPv6 idle timeout", () => {
    const global = body(config, "global");
    for (const line of ["user haproxy", "group haproxy", "chroot /var/lib/haproxy", "fd-hard-limit 25000"])
      expect(global).toContain(line);
    expect(global).toContain("stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd listeners");
    expect(global).not.toContain("daemon");
    const defaults = body(config, "defaults");
    expect(defaults).toEqual(
      expect.arrayContaining(["mode tcp", "maxconn 8000", "balance roundrobin", "option clitcpka", "option srvtcpka"]),
    );
    for (const side of ["clitcpka", "srvtcpka"]) {
      const idle = defaults.find((l) => l.startsWith(`${side}-idle `));
      expect(Number.parseInt(idle?.split(" ")[1] ?? "", 10)).toBeLessThan(240);
    }
    expect(defaults.find((l) => l.startsWith("default-server"))).toMatch(/inter 2s .*rise 2 fall 2/);
  });

  it("limits each client (IPv4 address or IPv6 /64) across all ports, before anything else happens", () => {
    const limited = renderHaproxyConfig(
      proxySpec({
        ports: [80, 443, 8080],
        routes,
        limits: { connectionsPerClient: 7, newConnectionsPerClient: 3, idleTimeoutSeconds: 45 },
      }),
    );
    // One table for every port, keyed by the address masked to /32 (IPv4) or /64 (IPv6).
    expect(body(limited, "backend per_client")).toContain(
      "stick-table type ipv6 size 100k expire 30s store conn_cur,conn_rate(10s)",
    );
    for (const port of [80, 443, 8080]) {
      const fe = body(limited, `frontend port_${port}`);
      // Right after bind: a refused connection never reaches inspection or a backend.
      expect(fe.slice(1, 4)).toEqual([
        "tcp-request connection track-sc0 src,ipmask(32,64) table per_client",
        "tcp-request connection reject if { sc0_conn_cur gt 7 }",
        "tcp-request connection reject if { sc0_conn_rate gt 30 }",
      ]);
    }
    const defaults = body(limited, "defaults");
    expect(defaults).toContain("timeout client 45s");
    expect(defaults).toContain("timeout server 45s");
    expect(limited).not.toMatch(/timeout (client|server) 1h/);
    expect(limited.split("\n").slice(0, 8).join("\n")).toContain("7 connections, 3 new per second; idle timeout 45 s");
  });

  it("keeps idle connections for five minutes by default, not an hour", () => {
    expect(body(config, "defaults")).toEqual(expect.arrayContaining(["timeout client 300s", "timeout server 300s"]));
    expect(body(config, "frontend port_443")).toContain("tcp-request connection reject if { sc0_conn_cur gt 100 }");
    expect(body(config, "frontend port_443")).toContain("tcp-request connection reject if { sc0_conn_rate gt 200 }");
  });

  it("refuses limits outside their bounds (the loader checks them too)", () => {
    const limits = { connectionsPerClient: 100, newConnectionsPerClient: 20, idleTimeoutSeconds: 300 };
    expect(() => renderHaproxyConfig(proxySpec({ limits: { ...limits, connectionsPerClient: 0 } }))).toThrow(
      /limits\.connectionsPerClient must be an integer from 1 to 8000/,
    );
    expect(() => renderHaproxyConfig(proxySpec({ limits: { ...limits, idleTimeoutSeconds: 1.5 } }))).toThrow(
      /limits\.idleTimeoutSeconds/,
    );
  });

  it("takes nbthread and splicing as tunables", () => {
    expect(body(renderHaproxyConfig(proxySpec(), { nbthread: 4 }), "global")).toContain("nbthread 4");
    expect(body(config, "global").some((l) => l.startsWith("nbthread"))).toBe(false);
    expect(body(config, "defaults")).toContain("option splice-request");
    expect(body(config, "defaults")).toContain("option splice-response");
    expect(body(renderHaproxyConfig(proxySpec(), { splice: "auto" }), "defaults")).toContain("option splice-auto");
    expect(
      body(renderHaproxyConfig(proxySpec(), { splice: "off" }), "defaults").some((l) => l.startsWith("option splice")),
    ).toBe(false);
    expect(() => renderHaproxyConfig(proxySpec(), { nbthread: 0 })).toThrow(/nbthread/);
  });
});

describe("determinism", () => {
  it("renders byte-identical text for equal specs, whatever the port order", () => {
    const a = renderHaproxyConfig(proxySpec({ routes, ports: [443, 80] }));
    const b = renderHaproxyConfig(structuredClone(proxySpec({ routes, ports: [80, 443] })));
    expect(b).toBe(a);
  });

  it("names the proxy in a header comment and carries no timestamp", () => {
    const cfg = renderHaproxyConfig(proxySpec({ name: "shop" }));
    expect(cfg.split("\n")[0]).toBe('# HAProxy config of azure-ipv6-proxy proxy "shop".');
    expect(cfg).not.toMatch(/\d{4}-\d{2}-\d{2}|\d{2}:\d{2}:\d{2}/);
  });

  it("changes when something that matters changes", () => {
    const base = renderHaproxyConfig(proxySpec());
    expect(renderHaproxyConfig(proxySpec({ backends: ["203.0.113.4", "203.0.113.6"] }))).not.toBe(base);
    expect(renderHaproxyConfig(proxySpec({ proxyProtocol: "v2" }))).not.toBe(base);
  });
});

describe("refuses values that could break out of a config token", () => {
  const cases: [string, Parameters<typeof proxySpec>[0], RegExp][] = [
    [
      "hostname with a space",
      { routes: [{ hostnames: ["a.nl }"], backends: ["203.0.113.9"] }] },
      /routes\[0\]\.hostnames\[0\].*not a hostname/,
    ],
    [
      "hostname with a newline",
      { routes: [{ hostnames: ["a.nl\nuser root"], backends: ["203.0.113.9"] }] },
      /not a hostname/,
    ],
    ["wildcard in the middle", { routes: [{ hostnames: ["a.*.nl"], backends: ["203.0.113.9"] }] }, /not a hostname/],
    ["backend that is no IPv4", { backends: ["203.0.113.4:80"] }, /backends\[0\].*not an IPv4 address/],
    ["duplicate backend", { backends: ["203.0.113.4", "203.0.113.4"] }, /lists 203\.0\.113\.4 twice/],
    ["TLS port outside ports", { ports: [80], tlsPorts: [443] }, /TLS port 443 is not one of its ports/],
    ["port out of range", { ports: [0] }, /not a TCP port/],
    [
      "hostname in two routes",
      {
        routes: [
          { hostnames: ["a.nl"], backends: ["203.0.113.9"] },
          { hostnames: ["A.nl"], backends: ["203.0.113.8"] },
        ],
      },
      /a\.nl appears in routes\[0\] and routes\[1\]/,
    ],
  ];
  for (const [name, overrides, message] of cases) {
    it(name, () => {
      expect(() => renderHaproxyConfig(proxySpec(overrides))).toThrow(message);
    });
  }
});

describe("the replicas' health endpoint", () => {
  it("is in a replica's config only, on its own port, answering by the drain state", () => {
    const replica = renderHaproxyConfig(proxySpec({ replicas: 2, zones: ["1", "2"] }));
    expect(body(replica, "frontend health")).toEqual([
      "mode http",
      "bind :::8405 v4v6",
      "option dontlog-normal",
      "timeout client 5s",
      'http-request return status 503 content-type text/plain string "draining" if { path /healthz } { nbsrv(health) lt 1 }',
      'http-request return status 200 content-type text/plain string "serving" if { path /healthz }',
      'http-request return status 404 content-type text/plain string "not found"',
    ]);
    expect(body(replica, "backend health")).toEqual(["mode http", "server serving 127.0.0.1:9"]);
    // A single VM keeps today's config, byte for byte.
    const single = renderHaproxyConfig(proxySpec());
    expect(single).not.toContain("frontend health");
    expect(replica.startsWith(single)).toBe(true);
  });
});
