/**
 * The check from outside, its pure parts: which connections it makes for a
 * proxy (one per route and port, with the name HAProxy routes by), the bytes
 * of its ClientHello, and what the answers mean for the verdict and the
 * report. test/emulator/outside-in.test.ts makes the connections;
 * test/dataplane/outside-in.test.ts makes them through real HAProxy.
 */
import { describe, expect, it } from "vitest";
import { CLIENT_HELLO_RANDOM_BYTES, clientHello, serverNameOf } from "../../src/verify/client-hello.js";
import { judgeOutside, outsideAddress, outsideProbes, routeOf, UNROUTED_NAME } from "../../src/verify/outside-in.js";
import { renderHealthMarkdown, renderHealthText } from "../../src/verify/render.js";
import type { OutsideCheck, ProbeOutcome, ProbeResult, VerifyTarget } from "../../src/verify/types.js";
import { describeBackend, healthReport, judgeProxy } from "../../src/verify/verdict.js";

const target = (over: Partial<VerifyTarget> = {}): VerifyTarget => ({
  proxy: "shop",
  ipv6Address: "2001:db8::10",
  ipv4Address: "198.51.100.7",
  expectedConfigSha256: "a".repeat(64),
  ports: [80, 443],
  backends: ["203.0.113.7"],
  vms: [{ subscriptionId: "s", resourceGroup: "rg", name: "shop-vm" }],
  routing: { tlsPorts: [443], routes: [] },
  servesIpv4: true,
  dns: { subscriptionId: "s", resourceGroup: "rg", zone: "shop.example", names: ["shop.example", "www.shop.example"] },
  ...over,
});

const ROUTES = [["api.shop.example"], ["*.img.shop.example", "img.shop.example"], ["*.shop.example"]];

describe("the connections it makes", () => {
  it("asks each TLS port with the SNI name of each route and a name for the default backends", () => {
    const probes = outsideProbes(target({ routing: { tlsPorts: [443], routes: ROUTES } }));
    expect(probes.filter((p) => p.port === 443)).toEqual([
      { port: 443, protocol: "tls", name: "api.shop.example", backend: "port_443_route_1" },
      { port: 443, protocol: "tls", name: "ipv6-proxy-check.img.shop.example", backend: "port_443_route_2" },
      { port: 443, protocol: "tls", name: "ipv6-proxy-check.shop.example", backend: "port_443_route_3" },
      // shop.example matches no route (a wildcard covers names below its suffix only).
      { port: 443, protocol: "tls", name: "shop.example", backend: "port_443_default" },
    ]);
    // Port 80 routes by Host, with the same names.
    expect(probes.filter((p) => p.port === 80).map((p) => [p.protocol, p.name, p.backend])).toEqual([
      ["http", "api.shop.example", "port_80_route_1"],
      ["http", "ipv6-proxy-check.img.shop.example", "port_80_route_2"],
      ["http", "ipv6-proxy-check.shop.example", "port_80_route_3"],
      ["http", "shop.example", "port_80_default"],
    ]);
  });

  it("gives the default backends a name that matches no route when every DNS name is routed", () => {
    const probes = outsideProbes(
      target({ ports: [443], routing: { tlsPorts: [443], routes: [["shop.example", "www.shop.example"]] } }),
    );
    expect(probes.at(-1)).toEqual({ port: 443, protocol: "tls", name: UNROUTED_NAME, backend: "port_443_default" });
  });

  it("connects only, on a port that is neither TLS nor 80; and without routes asks the defaults once per port", () => {
    expect(outsideProbes(target({ ports: [443, 8080] }))).toEqual([
      { port: 443, protocol: "tls", name: "shop.example", backend: "port_443_default" },
      { port: 8080, protocol: "tcp", backend: "port_8080_default" },
    ]);
  });

  it("picks routes as HAProxy's rules do: exact names first, then the longest wildcard suffix", () => {
    expect(routeOf("API.shop.example", ROUTES)).toBe(1);
    expect(routeOf("img.shop.example", ROUTES)).toBe(2);
    expect(routeOf("a.b.img.shop.example", ROUTES)).toBe(2);
    expect(routeOf("x.shop.example", ROUTES)).toBe(3);
    expect(routeOf("shop.example", ROUTES)).toBeUndefined();
  });

  it("skips a route no name can reach (its only wildcard is shadowed by another route's)", () => {
    const probes = outsideProbes(
      target({
        ports: [443],
        routing: { tlsPorts: [443], routes: [["*.shop.example"], ["ipv6-proxy-check.shop.example"]] },
      }),
    );
    // The wildcard's probe name is taken by route 2's exact name, so route 1 gets no probe of its own.
    expect(probes.map((p) => p.backend)).toEqual(["port_443_route_2", "port_443_default"]);
  });

  it("uses the public IPv4 where it serves the ports, else the IPv6 address", () => {
    expect(outsideAddress(target())).toEqual({ address: "198.51.100.7", family: 4 });
    // Replicas without `ipv4: true`: the load balancer's IPv4 is for outbound traffic only.
    expect(outsideAddress(target({ servesIpv4: false }))).toEqual({ address: "2001:db8::10", family: 6 });
    expect(outsideAddress(target({ servesIpv4: false, ipv6Address: undefined as never }))).toBeUndefined();
  });
});

describe("the ClientHello", () => {
  const random = Buffer.alloc(CLIENT_HELLO_RANDOM_BYTES, 7);
  it("is one TLS handshake record whose lengths add up, and carries the SNI name", () => {
    const hello = clientHello("Api.Shop.Example", random);
    expect(hello[0]).toBe(0x16);
    expect(hello.readUInt16BE(3)).toBe(hello.length - 5);
    expect(hello[5]).toBe(0x01);
    expect(hello.readUIntBE(6, 3)).toBe(hello.length - 9);
    expect(serverNameOf(hello)).toBe("api.shop.example");
  });
  it("carries no SNI when there is no name", () => {
    expect(serverNameOf(clientHello(undefined, random))).toBeUndefined();
    expect(() => clientHello("x", Buffer.alloc(10))).toThrow(/96 random bytes/);
  });
});

const result = (port: number, backend: string, outcome: ProbeOutcome, name?: string): ProbeResult => ({
  port,
  protocol: port === 443 ? "tls" : "http",
  backend,
  ...(name ? { name } : {}),
  outcome,
  durationMs: 3,
});
const check = (...probes: ProbeResult[]): OutsideCheck => ({ address: "198.51.100.7", family: 4, probes });

describe("what the answers mean", () => {
  it("is healthy when every route answers", () => {
    const j = judgeOutside(
      check(result(443, "port_443_route_1", "answered"), result(443, "port_443_default", "answered")),
      describeBackend,
    );
    expect(j).toEqual({ failures: [], warnings: [], notes: [] });
  });

  it("warns about a route whose backends HAProxy finds all down, while the rest answers", () => {
    const j = judgeOutside(
      check(result(443, "port_443_route_1", "closed", "api.shop.example"), result(443, "port_443_default", "answered")),
      describeBackend,
    );
    expect(j.failures).toEqual([]);
    expect(j.warnings).toEqual([
      "port 443, route 1 gives no answer from outside (443 api.shop.example (TLS): HAProxy closed the connection without an answer: no backend server is up)",
    ]);
  });

  it("fails when nothing answers, and names a port that takes no connection", () => {
    const none = judgeOutside(
      check(result(443, "port_443_default", "closed"), result(80, "port_80_default", "closed")),
      describeBackend,
    );
    expect(none.failures).toEqual([
      expect.stringMatching(/^no backend answers through the proxy from outside \(443 \(TLS\): HAProxy closed/),
    ]);
    const port = judgeOutside(
      check(result(443, "port_443_default", "answered"), result(80, "port_80_default", "refused")),
      describeBackend,
    );
    expect(port.failures).toEqual(["port 80 of 198.51.100.7 takes no connection from outside (connection refused)"]);
  });

  it("only notes a check it could not make: the runner has no route to the address", () => {
    const j = judgeOutside(
      { address: "2001:db8::10", family: 6, probes: [result(443, "port_443_default", "unreachable")] },
      describeBackend,
    );
    expect(j).toEqual({
      failures: [],
      warnings: [],
      notes: [
        "backend health not checked from outside: this runner has no route to IPv6 2001:db8::10 (GitHub-hosted runners have no IPv6)",
      ],
    });
  });

  it("gives the proxy's verdict, says in the report which check made the row, and why Run Command was not used", () => {
    const refused = { vm: target().vms[0]!, status: "not-permitted" as const, error: "403", durationMs: 1 };
    const p = judgeProxy(
      target(),
      [refused],
      [],
      5,
      check(
        result(443, "port_443_route_1", "closed", "api.shop.example"),
        result(443, "port_443_default", "answered", "shop.example"),
      ),
    );
    expect(p.verdict).toBe("warning");
    expect(p.source).toBe("outside-in");
    expect(p.notes).toEqual([
      expect.stringContaining("HAProxy's own view not read: the Azure identity may not use Run Command"),
    ]);
    const md = renderHealthMarkdown(healthReport([p], 5));
    const row = md.split("\n").find((l) => l.startsWith("| `shop`"))!;
    expect(row).toContain(
      "443 api.shop.example (TLS) no answer (closed: no server up)<br>443 shop.example (TLS) answers",
    );
    expect(row).toContain("| from outside (IPv4 198.51.100.7) |");
    expect(renderHealthText(healthReport([p], 5))).toContain("  checked   from outside (IPv4 198.51.100.7)");

    const unchecked = judgeProxy(target(), [refused], [], 5);
    expect(unchecked.source).toBe("none");
    expect(unchecked.verdict).toBe("healthy");
    expect(renderHealthMarkdown(healthReport([unchecked], 5))).toContain("| not checked | not checked |");
  });
});
