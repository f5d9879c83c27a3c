/**
 * The check from outside against real HAProxy running the rendered config,
 * from the lab's client namespace as a user on the internet: every route of
 * a TLS port and of port 80 answers while its backend lives; once HAProxy has
 * marked a route's only backend down, HAProxy closes that route's connections
 * without a byte (TCP mode has no error page), which is what the check reads
 * as "no backend server is up", while the other routes still answer.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { judgeOutside, outsideProbes } from "../../src/verify/outside-in.js";
import type { OutsideCheck, VerifyTarget } from "../../src/verify/types.js";
import { describeBackend } from "../../src/verify/verdict.js";
import { ADDR, nodeTsArgs, nsRun } from "../support/netns.js";
import { requirements } from "../support/requirements.js";
import { LAB_REQUIREMENTS, type Lab, serverStates, startLab, trafficSpec, until } from "../support/traffic-lab.js";

const needs = await requirements("traffic", ...LAB_REQUIREMENTS);

const [B1, B2] = ADDR.backendV4;
const spec = trafficSpec({
  backends: [B2],
  routes: [{ hostnames: ["a.example.test", "*.wild.example.test"], backends: [B1] }],
});
const target: VerifyTarget = {
  proxy: spec.name,
  ipv6Address: ADDR.proxyV6,
  expectedConfigSha256: "",
  ports: spec.ports,
  backends: [B1, B2],
  vms: [],
  routing: { tlsPorts: spec.tlsPorts, routes: spec.routes.map((r) => r.hostnames) },
  servesIpv4: false,
  dns: { subscriptionId: "s", resourceGroup: "rg", zone: "example.test", names: ["www.example.test"] },
};

describe("data plane: the check from outside through real HAProxy", needs, () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startLab({ tag: "outside", backendCount: 2 });
    await lab.startHaproxy(renderHaproxyConfig(spec));
  });
  afterAll(async () => {
    await lab?.stop();
  });

  /** The check as the runner makes it, from the client's namespace (IPv6 only) to the proxy's address. */
  async function checkFromClient(): Promise<OutsideCheck> {
    const [node, args] = nodeTsArgs(
      join(import.meta.dirname, "..", "support", "outside-probe-cli.ts"),
      ADDR.proxyV6,
      "6",
      JSON.stringify(outsideProbes(target)),
    );
    return JSON.parse(await nsRun(lab.topology.client, node, args)) as OutsideCheck;
  }

  it("gets an answer from the backend of every route and of the defaults, on the TLS port and on port 80", async () => {
    const check = await checkFromClient();
    expect(check.probes.map((p) => [p.port, p.name, p.backend, p.outcome, p.detail])).toEqual([
      [80, "a.example.test", "port_80_route_1", "answered", expect.stringMatching(/^HTTP \d{3}$/)],
      [80, "www.example.test", "port_80_default", "answered", expect.stringMatching(/^HTTP \d{3}$/)],
      [443, "a.example.test", "port_443_route_1", "answered", "TLS handshake"],
      [443, "www.example.test", "port_443_default", "answered", "TLS handshake"],
    ]);
    expect(judgeOutside(check, describeBackend)).toEqual({ failures: [], warnings: [], notes: [] });
  });

  it("sees HAProxy close a route whose backend it marked down, while the defaults still answer", async () => {
    await lab.backends[0]!.kill();
    try {
      await until(
        async () => (await serverStates(lab.haproxy!)).filter((s) => s.server === B1).every((s) => s.operational === 0),
        "backend1 marked down",
      );
      const check = await checkFromClient();
      expect(check.probes.map((p) => [p.backend, p.outcome])).toEqual([
        ["port_80_route_1", "closed"],
        ["port_80_default", "answered"],
        ["port_443_route_1", "closed"],
        ["port_443_default", "answered"],
      ]);
      const judged = judgeOutside(check, describeBackend);
      expect(judged.failures).toEqual([]);
      expect(judged.warnings).toEqual([
        expect.stringMatching(
          /^port 80, route 1 gives no answer from outside \(80 a\.example\.test \(HTTP\): HAProxy closed/,
        ),
        expect.stringMatching(
          /^port 443, route 1 gives no answer from outside \(443 a\.example\.test \(TLS\): HAProxy closed/,
        ),
      ]);
    } finally {
      await lab.backends[0]!.start();
    }
  });
});
