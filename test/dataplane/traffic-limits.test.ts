/**
 * The proxy under abuse, with real HAProxy running the rendered config and real
 * connections from two client networks: one client that holds or floods
 * connections is refused past its limits, a neighbour in the same /64 counts as
 * the same client, and a client of another network is still served throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_TABLE, renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { type ClientLimits, DEFAULT_LIMITS } from "../../src/proxyfile/types.js";
import { ADDR } from "../support/netns.js";
import { type HaproxyInstance, masterCommand } from "../support/netns-haproxy.js";
import { requirements } from "../support/requirements.js";
import { LAB_REQUIREMENTS, type Lab, startLab, trafficSpec, until, viaProxy } from "../support/traffic-lab.js";
import type { Probe, ProbeResult } from "../support/traffic-protocol.js";

const needs = await requirements("traffic", ...LAB_REQUIREMENTS);

const ABUSER = ADDR.clientV6;
const NEIGHBOUR = ADDR.clientV6SameNetwork;
const OTHER = ADDR.otherClientV6;

const from = (localAddress: string, probe: Probe): Probe => ({ ...probe, localAddress });
const served = (r: ProbeResult) => r.ok && r.whoami !== undefined;

/** The production defaults, with one limit tightened so the test reaches it quickly. */
function config(limits: Partial<ClientLimits>): string {
  return renderHaproxyConfig(trafficSpec({ limits: { ...DEFAULT_LIMITS, ...limits } }));
}

/** The per-client table's entries as HAProxy holds them: key (masked address) → current connections. */
async function connectionsByClient(haproxy: HaproxyInstance): Promise<Map<string, number>> {
  const text = await masterCommand(haproxy.masterSocket, `@1 show table ${CLIENT_TABLE}`);
  const out = new Map<string, number>();
  for (const [, key = "", count] of text.matchAll(/key=(\S+) .*conn_cur=(\d+)/g)) out.set(key, Number(count));
  return out;
}

describe("data plane: per-client limits under abuse", needs, () => {
  let lab: Lab;

  beforeAll(async () => {
    lab = await startLab({ tag: "limit" });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("caps the connections one client holds open, across ports and its whole /64, while another client is served", async () => {
    const haproxy = await lab.startHaproxy(config({ connectionsPerClient: 5 }));
    // The abuser opens 8 connections to port 443 and sends nothing: the first 5 are kept, 3 are refused.
    const held = await lab.agent.hold({ probe: from(ABUSER, viaProxy.https()), count: 8 });
    // HAProxy refuses at accept time: the three close at once, the five stay.
    expect(await lab.agent.heldClosed(held.id, 3)).toMatchObject({ open: 5, closed: 3 });
    expect((await connectionsByClient(haproxy)).get("fd00:beef::")).toBe(5);

    // Port 80 shares the limit with 443, and a second address in the same /64 is the same client.
    expect(served(await lab.agent.probe(from(ABUSER, viaProxy.http("x.example.test"))))).toBe(false);
    expect(served(await lab.agent.probe(from(NEIGHBOUR, viaProxy.https("x.example.test"))))).toBe(false);
    // A client of another network is served on both ports while the abuser is at its limit.
    const other = await lab.agent.probes([
      from(OTHER, viaProxy.https("x.example.test")),
      from(OTHER, viaProxy.http("x.example.test")),
    ]);
    expect(other.map(served)).toEqual([true, true]);
    expect((await lab.agent.held(held.id)).open).toBe(5);

    // A limit, not a ban: once the abuser lets go, it is served again.
    await lab.agent.release(held.id);
    await until(
      async () => ((await connectionsByClient(haproxy)).get("fd00:beef::") ?? 0) === 0,
      "HAProxy to count none of the abuser's connections",
    );
    expect(served(await lab.agent.probe(from(ABUSER, viaProxy.https("x.example.test"))))).toBe(true);
  });

  it("refuses a client that opens connections too fast, while another client is served", async () => {
    // 1 new connection per second, averaged over 10 s: 10 in a burst, then refused.
    await lab.startHaproxy(config({ newConnectionsPerClient: 1 }));
    const burst = await lab.agent.probes(
      Array.from({ length: 15 }, () => from(ABUSER, viaProxy.http("x.example.test"))),
    );
    expect(burst.map(served)).toEqual([...Array(10).fill(true), ...Array(5).fill(false)]);
    expect(served(await lab.agent.probe(from(NEIGHBOUR, viaProxy.http("x.example.test"))))).toBe(false);
    const other = await lab.agent.probes(Array.from({ length: 5 }, () => from(OTHER, viaProxy.http("x.example.test"))));
    expect(other.map(served)).toEqual(Array(5).fill(true));
  });

  it("closes a connection that stays silent past the idle timeout", async () => {
    await lab.startHaproxy(config({ idleTimeoutSeconds: 10 }));
    const held = await lab.agent.hold({ probe: from(OTHER, viaProxy.https()), count: 1 });
    expect(held).toMatchObject({ open: 1, closed: 0 });
    // Neither the client nor the backend ever closes it: only HAProxy's inactivity timeout can.
    expect(await lab.agent.heldClosed(held.id, 1)).toMatchObject({ open: 0, closed: 1 });
    await lab.agent.release(held.id);
  });
});
