/**
 * Replicas with real components: an IPv6 client, a Linux load balancer
 * (nftables DNAT steered by a health prober that behaves like Azure's probe)
 * in front of two replicas running the real HAProxy with the rendered config,
 * and IPv4 backends behind the load balancer's outbound SNAT. The scripts the
 * engine sends through Run Command (apply, drain, serve) run inside the
 * replicas as they would on the VMs.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { healthScript } from "../../src/dataplane/health.js";
import { configSha256, encodeUserData } from "../../src/dataplane/vmscripts.js";
import { HA_ADDR, HA_LAB_REQUIREMENTS, type HaLab, type Replica, startHaLab } from "../support/ha-lab.js";
import { ADDR } from "../support/netns.js";
import { requirements, SHELLCHECK } from "../support/requirements.js";
import { trafficSpec, until } from "../support/traffic-lab.js";
import type { Probe, ProbeResult } from "../support/traffic-protocol.js";

const needs = await requirements("traffic", ...HA_LAB_REQUIREMENTS);
const needsShellcheck = await requirements("shellcheck", SHELLCHECK);

const [B1, B2] = ADDR.backendV4;
const ROUTED = "r.example.test";
/** Azure's probe runs every 5 s at the least; the lab's runs faster with the same rules. */
const PROBE = { intervalMs: 400, threshold: 2 };
/** Parallel requests of the load: at most this many are in flight when the load balancer acts. */
const CONCURRENCY = 6;

const replicaSpec = (backends: string[], routeTo: string[]) =>
  trafficSpec({
    replicas: 2,
    zones: ["1", "2"],
    proxyProtocol: "v2",
    backends,
    routes: [{ hostnames: [ROUTED], backends: routeTo }],
  });
/** Before: the route goes to backend1, everything else to backend2. After: the other way round. */
const OLD = renderHaproxyConfig(replicaSpec([B2], [B1]));
const NEW = renderHaproxyConfig(replicaSpec([B1], [B2]));

const viaLb = (servername: string, extra: Partial<Probe> = {}): Probe => ({
  host: HA_ADDR.vip,
  port: 443,
  tls: true,
  servername,
  ...extra,
});
/** The replica a request went through: the PROXY header's destination is the replica's address after DNAT. */
const replicaOf = (r: ProbeResult) => r.whoami?.proxyHeader?.destinationAddress;

describe("data plane: replicas behind a Linux load balancer", needs, () => {
  let lab: HaLab;
  let r1: Replica;
  let r2: Replica;
  const curlFromLb = async (address: string, path = "/healthz") => {
    const r = spawnSync("ip", [
      "netns",
      "exec",
      lab.lb,
      "curl",
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "--max-time",
      "3",
      `http://[${address}]:8405${path}`,
    ]);
    return r.stdout.toString();
  };

  beforeAll(async () => {
    lab = await startHaLab({ tag: "ha", probe: PROBE });
    [r1, r2] = lab.replicas as [Replica, Replica];
    const since = await lab.mark();
    // First boot: each replica serves the config in its userData.
    for (const r of lab.replicas) {
      r.imds.setUserData(encodeUserData(OLD));
      await r.start(OLD);
    }
    await Promise.all([lab.waitForState("r1", "up", since), lab.waitForState("r2", "up", since)]);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("keeps the client's IPv6 address: the backend learns it over PROXY v2 and sees the load balancer's outbound IPv4", async () => {
    const results = await lab.agent.probes(Array.from({ length: 12 }, () => viaLb(ROUTED)));
    expect(results.map((r) => r.ok)).toEqual(results.map(() => true));
    for (const r of results) {
      expect(r.whoami?.backend).toBe("backend1");
      expect(r.whoami?.proxyHeader).toMatchObject({ version: 2, family: "TCP6", sourceAddress: "fd00:beef::2" });
      expect(r.whoami?.proxyHeader?.sourcePort).toBe(r.localPort);
      expect(r.whoami?.peer.address).toBe(HA_ADDR.outboundV4);
    }
    // Both replicas take flows.
    expect(new Set(results.map(replicaOf))).toEqual(new Set(HA_ADDR.replicaV6));
  });

  it("serves the health endpoint: 200, 503 while drained, 404 elsewhere; the scripts report it", async () => {
    expect(await curlFromLb(HA_ADDR.replicaV6[0])).toBe("200");
    expect(await curlFromLb(HA_ADDR.replicaV6[0], "/other")).toBe("404");
    const drainedAt = await lab.mark();
    const drained = await r1.runScript(healthScript("drain"));
    expect(drained.stdout).toContain("health endpoint: http=503");
    expect(await curlFromLb(HA_ADDR.replicaV6[0])).toBe("503");
    expect(await curlFromLb(HA_ADDR.replicaV6[1])).toBe("200");
    await lab.waitForState("r1", "down", drainedAt);
    const servedAt = await lab.mark();
    const served = await r1.runScript(healthScript("serve"));
    expect(served.stdout).toContain("health endpoint: http=200");
    expect(await curlFromLb(HA_ADDR.replicaV6[0])).toBe("200");
    // r1 left rotation while drained; it is back once probed healthy again.
    await lab.waitForState("r1", "up", servedAt);
  });

  it("has shellcheck-clean drain and serve scripts", needsShellcheck, () => {
    const dir = mkdtempSync(join(tmpdir(), "health-script-"));
    try {
      for (const action of ["drain", "serve"] as const) {
        const file = join(dir, `${action}.sh`);
        writeFileSync(file, `${healthScript(action).join("\n")}\n`);
        const r = spawnSync(SHELLCHECK.path(), ["-s", "bash", file], { encoding: "utf8" });
        expect(r.stdout).toBe("");
        expect(r.status).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("drains a replica: established flows finish, new flows go to the other, no request fails", async () => {
    const { id } = await lab.agent.startLoad({
      probes: [viaLb(ROUTED), viaLb("other.example.test")],
      concurrency: CONCURRENCY,
    });
    // Requests that hold their connection open across the drain, on both replicas, until the test lets them end.
    const release = join(mkdtempSync(join(tmpdir(), "ha-held-")), "release");
    const HELD = 16;
    const held = Promise.all(
      Array.from({ length: HELD }, () =>
        lab.agent.probe(viaLb(ROUTED, { path: `/wait?until=${release}`, timeoutMs: 60_000 })),
      ),
    );
    const waiting = () => lab.backends[0]!.process!.output().split(`WAITING ${release}\n`).length - 1;
    await until(async () => waiting() === HELD, `${HELD} held requests at backend1`);

    const drainedAt = await lab.mark();
    expect((await r1.runScript(healthScript("drain"))).stdout).toContain("health endpoint: http=503");
    const down = await lab.waitForState("r1", "down", drainedAt);
    const atFlip = await lab.agent.loadProgress(id);
    const after = await lab.agent.probes(Array.from({ length: 10 }, () => viaLb(ROUTED)));
    // Only now may the held requests end: r1 is out of rotation, and those on it finish there.
    writeFileSync(release, "");
    const heldResults = await held;
    const loadResult = await lab.agent.stopLoad(id, { total: atFlip.total + 50 });

    console.info(
      `traffic-ha: drain left rotation in probe round ${down.round} (drained before round ${drainedAt.round}); ` +
        `${loadResult.total} requests, ${loadResult.failed} failed`,
    );
    expect(loadResult.errors).toEqual({});
    expect(loadResult.failed).toBe(0);
    expect(heldResults.map((r) => r.ok)).toEqual(heldResults.map(() => true));
    // Some of the held connections were on the drained replica and finished there after it left rotation.
    expect(heldResults.map(replicaOf)).toContain(HA_ADDR.replicaV6[0]);
    expect(after.map(replicaOf)).toEqual(after.map(() => HA_ADDR.replicaV6[1]));

    const servedAt = await lab.mark();
    expect((await r1.runScript(healthScript("serve"))).stdout).toContain("health endpoint: http=200");
    await lab.waitForState("r1", "up", servedAt);
  });

  it("rolls a config change over both replicas under load, one at a time, with zero failed requests", async () => {
    const { id } = await lab.agent.startLoad({
      probes: [viaLb(ROUTED), viaLb("other.example.test")],
      concurrency: CONCURRENCY,
    });
    // Traffic flows, and the route answers from the old config's backend before anything changes.
    await lab.agent.loadProgress(id, { route: `${ROUTED} → backend1` });
    for (const r of [r1, r2]) {
      r.imds.setUserData(encodeUserData(NEW));
      const before = await r.haproxy!.masterState();
      const run = await r.apply.run(["--expect-sha256", configSha256(NEW)]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain(`applied config sha256=${configSha256(NEW)}`);
      await r.haproxy!.waitForReloads(before.reloads + 1);
      // The engine's check before it moves on: the replica serves and its health endpoint says so.
      expect((await r.runScript(healthScript("serve"))).stdout).toContain("health endpoint: http=200");
    }
    // Load goes on until the new config answers through the load balancer.
    const result = await lab.agent.stopLoad(id, { route: `${ROUTED} → backend2` });
    console.info(`traffic-ha: rolling change: ${result.total} requests, ${result.failed} failed`);
    expect(result.errors).toEqual({});
    expect(result.failed).toBe(0);
    expect(result.byRoute[`${ROUTED} → backend1`]).toBeGreaterThan(0);
    expect(result.byRoute[`${ROUTED} → backend2`]).toBeGreaterThan(0);
    const now = await lab.agent.probes(Array.from({ length: 10 }, () => viaLb(ROUTED)));
    expect(now.map((r) => r.whoami?.backend)).toEqual(now.map(() => "backend2"));
    expect(new Set(now.map(replicaOf))).toEqual(new Set(HA_ADDR.replicaV6));
  });

  it("loses a replica under load: new connections succeed within the probe window, none fail after it", async () => {
    const { id } = await lab.agent.startLoad({
      probes: [viaLb(ROUTED), viaLb("other.example.test")],
      concurrency: CONCURRENCY,
    });
    const before = await lab.agent.loadProgress(id, { total: 20 });
    const crashing = await lab.mark();
    await r2.crash();
    // Every probe from this round on finds r2 dead.
    const crashed = await lab.mark();
    const down = await lab.waitForState("r2", "down", crashing);
    const atFlip = await lab.agent.loadProgress(id);
    // The load goes on for a hundred more answers after the load balancer acted.
    const result = await lab.agent.stopLoad(id, { total: atFlip.total + 100 });
    console.info(
      `traffic-ha: replica lost: out of rotation in probe round ${down.round}, the first after the crash ` +
        `${crashed.round} (threshold ${PROBE.threshold}); ${result.failed} of ${result.total} requests failed, ` +
        `${result.failed - atFlip.failed} of them after the load balancer acted`,
    );
    // Nothing failed before the crash.
    expect(before.failed).toBe(0);
    // The probe window: the load balancer took r2 out within `threshold` probes that found it dead.
    expect(down.round).toBeGreaterThanOrEqual(crashing.round);
    expect(down.round).toBeLessThanOrEqual(crashed.round + PROBE.threshold - 1);
    // No connection opened after the load balancer acted failed: only those already in flight may have.
    expect(result.lastFailedStartAt).toBeLessThanOrEqual(down.at);
    expect(result.failed - atFlip.failed).toBeLessThanOrEqual(CONCURRENCY);
    expect(result.ok - atFlip.ok).toBeGreaterThanOrEqual(100 - CONCURRENCY);
    const after = await lab.agent.probes(Array.from({ length: 10 }, () => viaLb(ROUTED)));
    expect(after.map((r) => r.ok)).toEqual(after.map(() => true));
    expect(after.map(replicaOf)).toEqual(after.map(() => HA_ADDR.replicaV6[0]));
  });
});
