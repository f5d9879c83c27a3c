/**
 * The check from outside on the wire (src/azure/outside-in.ts), against a
 * stand-in for a proxy on a loopback address: a real TLS server and a real
 * HTTP server answer for backends that are up, and a backend without a
 * server up gets the connection closed without a byte, as HAProxy's TCP mode
 * does (test/dataplane/outside-in.test.ts shows real HAProxy doing it).
 */
import { createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeOutside } from "../../src/azure/outside-in.js";
import type { OutsideProbe } from "../../src/verify/types.js";
import { type ProxyStandIn, startProxyStandIn } from "../support/proxy-stand-in.js";

const ADDRESS = "127.78.0.1";
const TLS_PORT = 18443;
const HTTP_PORT = 18080;
const down = new Set<string>();
let standIn: ProxyStandIn;

beforeAll(async () => {
  standIn = await startProxyStandIn(
    ADDRESS,
    {
      ports: [HTTP_PORT, TLS_PORT],
      tlsPorts: [TLS_PORT],
      backends: ["203.0.113.1"],
      routes: [{ hostnames: ["api.shop.example"], backends: ["203.0.113.2"] }],
    },
    (server) => !down.has(server),
  );
});
afterAll(async () => {
  await standIn?.close();
});

const tls = (name: string | undefined, backend: string): OutsideProbe => ({
  port: TLS_PORT,
  protocol: "tls",
  ...(name ? { name } : {}),
  backend,
});
const http = (name: string, backend: string): OutsideProbe => ({ port: HTTP_PORT, protocol: "http", name, backend });

describe("the check from outside, on the wire", () => {
  it("gets a ServerHello from the backend each SNI name routes to, and an HTTP answer for each Host", async () => {
    const check = await probeOutside({ address: ADDRESS, family: 4 }, [
      tls("api.shop.example", "port_443_route_1"),
      tls("shop.example", "port_443_default"),
      tls(undefined, "port_443_default"),
      http("api.shop.example", "port_80_route_1"),
    ]);
    expect(check.probes.map((p) => [p.outcome, p.detail])).toEqual([
      ["answered", "TLS handshake"],
      ["answered", "TLS handshake"],
      ["answered", "TLS handshake"],
      ["answered", "HTTP 200"],
    ]);
    // The stand-in routed by the names the probes sent.
    expect(standIn.answered.get(`203.0.113.2:${TLS_PORT}`)).toBe(1);
    expect(standIn.answered.get(`203.0.113.1:${TLS_PORT}`)).toBe(2);
    expect(standIn.answered.get(`203.0.113.2:${HTTP_PORT}`)).toBe(1);
  });

  it("sees the close of a route whose backends are all down, while the others still answer", async () => {
    down.add("203.0.113.2");
    try {
      const check = await probeOutside({ address: ADDRESS, family: 4 }, [
        tls("api.shop.example", "port_443_route_1"),
        tls("shop.example", "port_443_default"),
        http("api.shop.example", "port_80_route_1"),
      ]);
      expect(check.probes.map((p) => p.outcome)).toEqual(["closed", "answered", "closed"]);
    } finally {
      down.clear();
    }
  });

  it("tells a refused connection from a plain TCP port that a backend holds open or answers", async () => {
    // Server-side sockets see the probe's reset once it has its answer.
    const banner: Server = createServer((s) => s.on("error", () => undefined).end("220 ready\r\n"));
    const silent: Server = createServer((s) => s.on("error", () => undefined));
    await Promise.all([
      new Promise<void>((r) => banner.listen(18025, ADDRESS, r)),
      new Promise<void>((r) => silent.listen(18026, ADDRESS, r)),
    ]);
    try {
      // The banner ends the wait as soon as it arrives (the default hold is seconds).
      const answered = await probeOutside({ address: ADDRESS, family: 4 }, [
        { port: 18025, protocol: "tcp", backend: "port_18025_default" },
        { port: 18027, protocol: "tcp", backend: "port_18027_default" },
      ]);
      expect(answered.probes.map((p) => [p.outcome, p.detail])).toEqual([
        ["answered", "11 byte(s)"],
        ["refused", undefined],
      ]);
      // A silent backend never sends: the connection is still open when the hold ends.
      const held = await probeOutside(
        { address: ADDRESS, family: 4 },
        [{ port: 18026, protocol: "tcp", backend: "port_18026_default" }],
        { tcpHoldMs: 50 },
      );
      expect(held.probes.map((p) => p.outcome)).toEqual(["open"]);
    } finally {
      for (const s of [banner, silent]) s.close();
    }
  });
});
