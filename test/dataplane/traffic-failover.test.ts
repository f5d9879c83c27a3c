/**
 * Health checks with real HAProxy and real traffic: a backend that dies is
 * taken out within the configured check timing, a route whose backends are
 * all down is not served by the default backends, and a backend that comes
 * back is used again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { ADDR } from "../support/netns.js";
import { type HealthCheckTiming, healthCheckTiming } from "../support/netns-haproxy.js";
import { requirements } from "../support/requirements.js";
import {
  LAB_REQUIREMENTS,
  type Lab,
  serverStates,
  sleep,
  startLab,
  trafficSpec,
  viaProxy,
} from "../support/traffic-lab.js";
import type { Probe, ProbeResult } from "../support/traffic-protocol.js";

const needs = await requirements("traffic", ...LAB_REQUIREMENTS);

const [B1, B2, B3] = ADDR.backendV4;
/** Slack for timers on a shared, busy machine. */
const MARGIN_MS = 1000;
const PAIR = "pair.example.test";
const SOLO = "solo.example.test";
const config = renderHaproxyConfig(
  trafficSpec({
    backends: [B3],
    routes: [
      { hostnames: [PAIR], backends: [B1, B2] },
      { hostnames: [SOLO], backends: [B1] },
    ],
  }),
);

interface Timed {
  atMs: number;
  host: string;
  result: ProbeResult;
}

const answeredBy = (r: ProbeResult) => r.whoami?.backend ?? "none";

describe("data plane: backend failure", needs, () => {
  let lab: Lab;
  let timing: HealthCheckTiming;

  beforeAll(async () => {
    lab = await startLab({ tag: "fail", backendCount: 3 });
    await lab.startHaproxy(config);
    timing = healthCheckTiming(config);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("uses both backends of a route while they are healthy", async () => {
    const pair = await lab.agent.probes(Array.from({ length: 6 }, () => viaProxy.https(PAIR)));
    expect(new Set(pair.map(answeredBy))).toEqual(new Set(["backend1", "backend2"]));
    expect(answeredBy(await lab.agent.probe(viaProxy.https(SOLO)))).toBe("backend1");
  });

  it("fails over within inter x fall; a route with no live backend is not served by the defaults", async () => {
    // The check timing this test holds HAProxy to comes from the rendered config itself.
    expect(timing.interMs * timing.fall).toBeGreaterThan(0);
    const budgetMs = timing.interMs * timing.fall + MARGIN_MS;
    const backend1 = lab.backends[0]!;
    const killedAt = Date.now();
    await backend1.kill();

    // Traffic for both routes and the defaults while HAProxy notices, then for 2 s more.
    const timed: Timed[] = [];
    let detectedMs: number | undefined;
    const probes: [string, Probe][] = [
      [PAIR, viaProxy.https(PAIR, { timeoutMs: 3000 })],
      [SOLO, viaProxy.https(SOLO, { timeoutMs: 3000 })],
      [PAIR, viaProxy.http(PAIR, { timeoutMs: 3000 })],
      ["other", viaProxy.https("other.example.test", { timeoutMs: 3000 })],
    ];
    for (let i = 0; Date.now() - killedAt < budgetMs + 2000; i++) {
      const [host, probe] = probes[i % probes.length]!;
      const result = await lab.agent.probe(probe);
      timed.push({ atMs: Date.now() - killedAt, host, result });
      if (detectedMs === undefined && i % 4 === 0) {
        const states = await serverStates(lab.haproxy!);
        const b1 = states.filter((s) => s.server === B1);
        if (b1.length > 0 && b1.every((s) => s.operational === 0)) detectedMs = Date.now() - killedAt;
      }
    }
    const after = timed.filter((t) => t.atMs > budgetMs);
    const pairAfter = after.filter((t) => t.host === PAIR);
    const soloAfter = after.filter((t) => t.host === SOLO);
    const before = timed.filter((t) => t.atMs <= budgetMs);
    console.info(
      `traffic-failover: backend1 marked down after ${detectedMs} ms (budget ${budgetMs} ms); ` +
        `${before.filter((t) => t.host === PAIR && !t.result.ok).length} of ${before.filter((t) => t.host === PAIR).length} ` +
        `pair requests failed before the budget`,
    );

    expect(detectedMs, "HAProxy never marked backend1 down").toBeDefined();
    expect(detectedMs!).toBeLessThanOrEqual(budgetMs);
    expect(pairAfter.length).toBeGreaterThan(5);
    expect(pairAfter.map((t) => answeredBy(t.result))).toEqual(pairAfter.map(() => "backend2"));
    expect(soloAfter.length).toBeGreaterThan(2);
    // No answer at all: in particular not from backend3, the default backend.
    expect(soloAfter.map((t) => answeredBy(t.result))).toEqual(soloAfter.map(() => "none"));
    expect(after.filter((t) => t.host === "other").map((t) => answeredBy(t.result))).toContain("backend3");
    expect(after.filter((t) => t.host === "other").every((t) => answeredBy(t.result) === "backend3")).toBe(true);
  });

  it("takes a recovered backend back after `rise` good checks", async () => {
    const restartedAt = Date.now();
    await lab.backends[0]!.start();
    const budgetMs = timing.interMs * (timing.rise + 1) + MARGIN_MS;
    let served: ProbeResult | undefined;
    while (Date.now() - restartedAt < budgetMs + 2000) {
      served = await lab.agent.probe(viaProxy.https(SOLO, { timeoutMs: 3000 }));
      if (served.ok) break;
      await sleep(100);
    }
    const recoveredMs = Date.now() - restartedAt;
    console.info(`traffic-failover: backend1 serving again after ${recoveredMs} ms (budget ${budgetMs} ms)`);
    expect(answeredBy(served!)).toBe("backend1");
    expect(recoveredMs).toBeLessThanOrEqual(budgetMs);
  });
});
