/**
 * Real IPv6 traffic through real HAProxy running the rendered config, in
 * network namespaces: an IPv6-only client, the dual-stack proxy, three
 * IPv4-only backends with their own certificates (backend3 is the default).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import type { ProxyProtocol } from "../../src/proxyfile/types.js";
import { ADDR, nsRun } from "../support/netns.js";
import { requirements } from "../support/requirements.js";
import { LAB_REQUIREMENTS, type Lab, startLab, trafficSpec, viaProxy } from "../support/traffic-lab.js";
import type { ProbeResult, WhoAmI } from "../support/traffic-protocol.js";

const needs = await requirements("traffic", ...LAB_REQUIREMENTS);

const [B1, B2, B3] = ADDR.backendV4;
const spec = (proxyProtocol: ProxyProtocol) =>
  trafficSpec({
    backends: [B3],
    routes: [
      { hostnames: ["a.example.test"], backends: [B1] },
      { hostnames: ["b.example.test", "*.wild.example.test"], backends: [B2] },
    ],
    proxyProtocol,
  });

/** Hostname → backend expected to answer it, on both the SNI port and the Host port. */
const EXPECTED_ROUTES: [string, string][] = [
  ["a.example.test", "backend1"],
  ["A.Example.TEST", "backend1"],
  ["b.example.test", "backend2"],
  ["x.wild.example.test", "backend2"],
  ["deep.x.wild.example.test", "backend2"],
  // A wildcard covers names below its suffix, not the suffix itself.
  ["wild.example.test", "backend3"],
  ["unmatched.example.test", "backend3"],
];

const answeredBy = (r: ProbeResult) => r.whoami?.backend ?? `failed: ${r.error ?? r.status}`;

describe("data plane: routing real traffic", needs, () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startLab({ tag: "route", backendCount: 3 });
    await lab.startHaproxy(renderHaproxyConfig(spec("none")));
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("passes TLS through over IPv6: the client gets each backend's own certificate", async () => {
    const results = await lab.agent.probes([
      viaProxy.https("a.example.test"),
      viaProxy.https("b.example.test"),
      viaProxy.https("unmatched.example.test"),
    ]);
    const byName = Object.fromEntries(lab.backends.map((b) => [b.name, b.certificate.fingerprint256]));
    expect(new Set(Object.values(byName)).size).toBe(3);
    for (const r of results) {
      expect(r.ok, r.error).toBe(true);
      expect(r.peerFingerprint256).toBe(byName[r.whoami?.backend ?? ""]);
      // The backend's TLS stack itself received the client's SNI: nothing terminated TLS in between.
      expect(r.whoami?.tls).toBe(true);
      // Without PROXY protocol the backend sees the proxy's IPv4 address as its peer.
      expect(r.whoami?.peer.address).toBe(ADDR.proxyV4);
      expect(r.whoami?.proxyHeader).toBeNull();
    }
    expect(results.map((r) => r.whoami?.servername)).toEqual([
      "a.example.test",
      "b.example.test",
      "unmatched.example.test",
    ]);
  });

  it("has an IPv6-only client: the backends' IPv4 addresses are unreachable from it", async () => {
    const direct = await lab.agent.probe({ host: B1, port: 443, tls: true, timeoutMs: 2000 });
    expect(direct.ok).toBe(false);
    expect(direct.error).toMatch(/ENETUNREACH|EHOSTUNREACH|timeout/);
  });

  it("routes TLS by SNI: exact names, wildcards, and unmatched names to the default backends", async () => {
    const results = await lab.agent.probes(EXPECTED_ROUTES.map(([host]) => viaProxy.https(host)));
    expect(EXPECTED_ROUTES.map(([host], i) => [host, answeredBy(results[i]!)])).toEqual(EXPECTED_ROUTES);
    // A ClientHello without SNI (connecting by address) has no name to match.
    const noSni = await lab.agent.probe(viaProxy.https(undefined, { hostHeader: "a.example.test" }));
    expect(answeredBy(noSni)).toBe("backend3");
  });

  it("routes plain HTTP on port 80 by Host header, ignoring a :port suffix", async () => {
    const results = await lab.agent.probes(EXPECTED_ROUTES.map(([host]) => viaProxy.http(host)));
    expect(EXPECTED_ROUTES.map(([host], i) => [host, answeredBy(results[i]!)])).toEqual(EXPECTED_ROUTES);
    const withPort = await lab.agent.probes([
      viaProxy.http("a.example.test:80"),
      viaProxy.http("x.wild.example.test:8080"),
    ]);
    expect(withPort.map(answeredBy)).toEqual(["backend1", "backend2"]);
    for (const r of results) expect(r.whoami?.tls).toBe(false);
  });

  it("also accepts IPv4 clients on the same ports (the VM's public IPv4 keeps working)", async () => {
    // curl from backend3's namespace, which has IPv4 only, to the proxy's IPv4 address.
    const body = await nsRun(lab.topology.backends[2]!, "curl", [
      "-sSk",
      "--max-time",
      "5",
      "--resolve",
      `a.example.test:443:${ADDR.proxyV4}`,
      "https://a.example.test/whoami",
    ]);
    const whoami = JSON.parse(body) as WhoAmI;
    expect(whoami.backend).toBe("backend1");
    expect(whoami.servername).toBe("a.example.test");
  });

  it("spreads unmatched traffic over all default backends (round robin)", async () => {
    await lab.haproxy!.reload(renderHaproxyConfig(trafficSpec({ backends: [B1, B2, B3] })));
    const results = await lab.agent.probes(Array.from({ length: 9 }, () => viaProxy.https("any.example.test")));
    const counts: Record<string, number> = {};
    for (const r of results) counts[answeredBy(r)] = (counts[answeredBy(r)] ?? 0) + 1;
    expect(counts).toEqual({ backend1: 3, backend2: 3, backend3: 3 });
  });

  for (const version of ["v2", "v1"] as const) {
    it(`sends PROXY protocol ${version}: the backend reads the client's IPv6 address and port`, async () => {
      await lab.haproxy!.reload(renderHaproxyConfig(spec(version)));
      const results = await lab.agent.probes([viaProxy.https("a.example.test"), viaProxy.http("b.example.test")]);
      expect(results.map(answeredBy)).toEqual(["backend1", "backend2"]);
      for (const [i, r] of results.entries()) {
        expect(r.whoami?.proxyHeader).toEqual({
          version: version === "v2" ? 2 : 1,
          command: "PROXY",
          family: "TCP6",
          sourceAddress: ADDR.clientV6,
          sourcePort: r.localPort,
          destinationAddress: ADDR.proxyV6,
          destinationPort: i === 0 ? 443 : 80,
        });
        expect(r.whoami?.peer.address).toBe(ADDR.proxyV4);
      }
      // TLS still passes through behind the header.
      expect(results[0]?.peerFingerprint256).toBe(lab.backends[0]?.certificate.fingerprint256);
    });
  }
});
