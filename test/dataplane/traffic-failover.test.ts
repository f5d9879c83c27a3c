/**
 * Health checks with real HAProxy and real traffic: a backend that dies is
 * taken out after the configured number of failed checks, a route whose backends are
 * all down is not served by the default backends, and a backend that comes
 * back is used again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { ADDR } from "../support/netns.js";
import { type HealthCheckTiming, healthCheckTiming, masterCommand } from "../support/netns-haproxy.js";
import { requirements } from "../support/requirements.js";
import {
  LAB_REQUIREMENTS,
  type Lab,
  serverStates,
  startLab,
  trafficSpec,
  until,
  viaProxy,
} from "../support/traffic-lab.js";
import type { ProbeResult } from "../support/traffic-protocol.js";

const needs = await requirements("traffic", ...LAB_REQUIREMENTS);

const [B1, B2, B3] = ADDR.backendV4;
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

const answeredBy = (r: ProbeResult) => r.whoami?.backend ?? "none";

interface ServerStat {
  backend: string;
  server: string;
  status: string;
  /** Failed checks while the server was up. */
  chkfail: number;
  /** UP to DOWN transitions. */
  chkdown: number;
}

describe("data plane: backend failure", needs, () => {
  let lab: Lab;
  let timing: HealthCheckTiming;

  const b1States = async () => {
    const states = (await serverStates(lab.haproxy!)).filter((s) => s.server === B1);
    expect(states.length).toBeGreaterThan(0);
    return states;
  };

  /** backend1's rows of `show stat`: HAProxy's own counters of its health checks. */
  const b1Stats = async (): Promise<ServerStat[]> => {
    const [header = "", ...rows] = (await masterCommand(lab.haproxy!.masterSocket, "@1 show stat")).split("\n");
    const columns = header.replace(/^# /, "").split(",");
    const at = (name: string) => columns.indexOf(name);
    const stats = rows
      .map((r) => r.split(","))
      .filter((f) => f[at("svname")] === B1)
      .map((f) => ({
        backend: f[at("pxname")] ?? "",
        server: f[at("svname")] ?? "",
        status: f[at("status")] ?? "",
        chkfail: Number(f[at("chkfail")]),
        chkdown: Number(f[at("chkdown")]),
      }));
    expect(stats.length).toBeGreaterThan(0);
    return stats;
  };

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

  it("marks a dead backend down within `fall` failed checks; a route with no live backend is not served by the defaults", async () => {
    expect(timing.fall).toBeGreaterThan(0);
    await lab.backends[0]!.kill();

    // HAProxy's own verdict is the signal: wait for it, then read how many checks it took.
    await until(async () => (await b1States()).every((s) => s.operational === 0), "backend1 marked down");
    for (const s of await b1Stats()) {
      // HAProxy counts failed checks while the server is still up: the last one, which takes it down, may or
      // may not be among them. Either way it took no more than `fall` of them, and one transition.
      expect(s.chkfail, `failed checks before ${s.backend}/${s.server} went down`).toBeGreaterThanOrEqual(1);
      expect(s.chkfail, `failed checks before ${s.backend}/${s.server} went down`).toBeLessThanOrEqual(timing.fall);
      expect(s.chkdown, `${s.backend}/${s.server} went down once`).toBe(1);
      expect(s.status).toBe("DOWN");
    }

    // Now every request of the pair goes to backend2, the solo route answers nothing, and the rest stays on backend3.
    const probe = (host: string, http = false) =>
      lab.agent.probe(http ? viaProxy.http(host, { timeoutMs: 3000 }) : viaProxy.https(host, { timeoutMs: 3000 }));
    for (let i = 0; i < 6; i++) {
      expect(answeredBy(await probe(PAIR))).toBe("backend2");
      expect(answeredBy(await probe(PAIR, true))).toBe("backend2");
    }
    for (let i = 0; i < 3; i++) {
      // No answer at all: in particular not from backend3, the default backend.
      expect(answeredBy(await probe(SOLO))).toBe("none");
      expect(answeredBy(await probe("other.example.test"))).toBe("backend3");
    }
  });

  it("takes a recovered backend back once its checks pass again", async () => {
    await lab.backends[0]!.start();
    await until(async () => (await b1States()).every((s) => s.operational !== 0), "backend1 up again");
    expect(answeredBy(await lab.agent.probe(viaProxy.https(SOLO, { timeoutMs: 3000 })))).toBe("backend1");
    for (const s of await b1Stats()) expect(s.status).toBe("UP");
  });
});
