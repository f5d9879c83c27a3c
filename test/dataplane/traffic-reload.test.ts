/**
 * Config changes the way the VM gets them: the real apply script fetches the
 * new config from (fake) IMDS userData, checks it with the real `haproxy -c`,
 * installs it and reloads the real HAProxy master with USR2, while a load
 * generator keeps opening fresh HTTPS and HTTP connections through the proxy.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { configSha256, encodeUserData } from "../../src/dataplane/vmscripts.js";
import { ADDR } from "../support/netns.js";
import { haproxyPaths } from "../support/netns-haproxy.js";
import { requirements } from "../support/requirements.js";
import { type ApplyRunner, applyRunner } from "../support/traffic-apply.js";
import { type FakeImds, startFakeImds } from "../support/traffic-fixtures.js";
import { LAB_REQUIREMENTS, type Lab, startLab, trafficSpec, viaProxy } from "../support/traffic-lab.js";
import type { LoadResult } from "../support/traffic-protocol.js";

const needs = await requirements("traffic", ...LAB_REQUIREMENTS);

const [B1, B2] = ADDR.backendV4;
const ROUTED = "r.example.test";
/** Before: the route goes to backend1, everything else to backend2. After: the other way round. */
const OLD = renderHaproxyConfig(trafficSpec({ backends: [B2], routes: [{ hostnames: [ROUTED], backends: [B1] }] }));
const NEW = renderHaproxyConfig(trafficSpec({ backends: [B1], routes: [{ hostnames: [ROUTED], backends: [B2] }] }));
/** Fails `haproxy -c` (a server port out of range) but not the renderer's own checks. */
const BROKEN = `${NEW}\nbackend broken\n    server bad ${B1}:99999 check\n`;

const LOAD_PROBES = [viaProxy.https(ROUTED), viaProxy.http(ROUTED), viaProxy.https("other.example.test")];

describe("data plane: config changes through the apply script", needs, () => {
  let lab: Lab;
  let imds: FakeImds;
  let apply: ApplyRunner;
  const cfgPath = () => haproxyPaths(lab.topology).cfgPath;
  const routedTo = async () => (await lab.agent.probe(viaProxy.https(ROUTED))).whoami?.backend;

  /**
   * Runs the apply script while the load generator is busy: from the load's
   * first answer until after the script ended, at least 200 answers, and,
   * when `servedBy` is given, until that route answered (the new config serves).
   */
  async function applyUnderLoad(args: string[], servedBy?: string) {
    const { id } = await lab.agent.startLoad({ probes: LOAD_PROBES, concurrency: 6 });
    const run = await apply.run(args);
    const result: LoadResult = await lab.agent.stopLoad(id, { total: 200, ...(servedBy ? { route: servedBy } : {}) });
    return { run, load: result };
  }

  beforeAll(async () => {
    lab = await startLab({ tag: "reload" });
    imds = await startFakeImds(lab.topology);
    apply = applyRunner(lab.topology, imds);
  });
  afterAll(async () => {
    await imds?.stop();
    await lab?.stop();
  });

  it("installs the userData config at boot (before HAProxy starts), and HAProxy serves it", async () => {
    imds.setUserData(encodeUserData(OLD));
    const run = await apply.run(["--no-reload", "--expect-sha256", configSha256(OLD)]);
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(cfgPath(), "utf8")).toBe(OLD);
    // IMDS only answers requests with `Metadata: true`; the script sent it.
    expect(imds.log()).toMatch(
      /GET \/metadata\/instance\/compute\/userData\?api-version=2021-01-01&format=text metadata=true/,
    );
    await lab.startHaproxy(readFileSync(cfgPath(), "utf8"));
    expect(await routedTo()).toBe("backend1");
  });

  it("applies a new config under load with zero failed requests, and the new routing takes over", async () => {
    imds.setUserData(encodeUserData(NEW));
    const before = await lab.haproxy!.masterState();
    const { run, load } = await applyUnderLoad(["--expect-sha256", configSha256(NEW)], `${ROUTED} → backend2`);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`applied config sha256=${configSha256(NEW)}`);
    const after = await lab.haproxy!.waitForReloads(before.reloads + 1);
    expect(after.failedReloads).toBe(before.failedReloads);
    expect(readFileSync(cfgPath(), "utf8")).toBe(NEW);

    console.info(
      `traffic-reload: ${load.total} requests under reload, ${load.failed} failed, ${Math.round(load.requestsPerSecond)}/s`,
    );
    expect(load.errors).toEqual({});
    expect(load.failed).toBe(0);
    expect(load.total).toBeGreaterThanOrEqual(200);
    // Both generations served the routed name during the run: the reload happened under load.
    expect(load.byRoute[`${ROUTED} → backend1`]).toBeGreaterThan(0);
    expect(load.byRoute[`${ROUTED} → backend2`]).toBeGreaterThan(0);

    const now = await lab.agent.probes([
      viaProxy.https(ROUTED),
      viaProxy.http(ROUTED),
      viaProxy.https("other.example.test"),
    ]);
    expect(now.map((r) => r.whoami?.backend)).toEqual(["backend2", "backend2", "backend1"]);
  });

  it("refuses a broken config with HAProxy's message and keeps serving the old one", async () => {
    imds.setUserData(encodeUserData(BROKEN));
    const before = await lab.haproxy!.masterState();
    const { run, load } = await applyUnderLoad(["--expect-sha256", configSha256(BROKEN)]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("haproxy rejected the config");
    // HAProxy's own diagnosis, naming the offending line.
    expect(run.stderr).toMatch(/\[ALERT\].*99999/);
    expect(readFileSync(cfgPath(), "utf8")).toBe(NEW);

    expect(load.errors).toEqual({});
    expect(load.failed).toBe(0);
    expect(load.byRoute[`${ROUTED} → backend1`]).toBeUndefined();
    expect(load.byRoute[`${ROUTED} → backend2`]).toBeGreaterThan(0);
    const state = await lab.haproxy!.masterState();
    expect(state.reloads).toBe(before.reloads);
    expect(state.workers).toEqual(before.workers);
    expect(await routedTo()).toBe("backend2");
  });

  it("gives up on a userData hash IMDS never serves, changing nothing", async () => {
    imds.setUserData(encodeUserData(OLD));
    const before = await lab.haproxy!.masterState();
    const run = await apply.run(["--expect-sha256", configSha256(`${NEW}# never published\n`)], {
      IPV6_PROXY_ATTEMPTS: "3",
    });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`userData sha256=${configSha256(OLD)}`);
    expect(readFileSync(cfgPath(), "utf8")).toBe(NEW);
    expect((await lab.haproxy!.masterState()).reloads).toBe(before.reloads);
    expect(await routedTo()).toBe("backend2");
  });
});
