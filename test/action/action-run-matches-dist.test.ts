/**
 * The in-process runs (run() with the runner's side played by
 * test/support/action-inprocess.ts) stand in for `node dist/index.js` in the
 * fast tests. Here both run the same jobs on the same world, and what GitHub
 * and the user see must be the same: comments, summary, outputs, log groups
 * and annotations, exit code.
 */
import { basename } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ActionRunResult } from "../support/action-runner.js";
import { type ActionWorld, startActionWorld, stickyComments } from "../support/action-world.js";
import { proxyYaml } from "../support/proxy-files.js";

let world: ActionWorld;

beforeAll(async () => {
  world = await startActionWorld({}, "dist");
  world.emulator.seedDnsZone(world.emulator.subscriptionId, "rg-dns", "example.nl");
}, 240_000);
afterAll(async () => {
  await world?.close();
});

/** The lines the runner turns into the log's structure and annotations; plain info lines may differ (e.g. "created"/"unchanged"). */
function structure(r: ActionRunResult): string[] {
  return r.stdout.split(/\r?\n/).filter((l) => /^::(group|endgroup|error|warning)\b/.test(l));
}

/** Outputs with plan-json reduced to its file name: each job has its own RUNNER_TEMP. */
function outputs(r: ActionRunResult): Record<string, string> {
  return { ...r.outputs, "plan-json": basename(r.outputs["plan-json"] ?? "") };
}

describe("run() in-process matches node dist/index.js", () => {
  it("on a pull request: the same comment (left unchanged), summary, outputs, groups and annotations", async () => {
    world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-same", zone: "example.nl" }));
    world.files.write("api", proxyYaml({ name: "api", resourceGroup: "rg-same", backends: ["203.0.113.70"] }));
    world.openPullRequest(1);
    const dist = await world.plan(1, { runner: "dist" });
    const comment = stickyComments(world, 1, "plan")[0]!.body;
    const inProcess = await world.plan(1, { runner: "in-process" });

    expect(dist.code, dist.stdout).toBe(0);
    expect(inProcess.code).toBe(dist.code);
    expect(inProcess.stdout).toContain("Plan comment unchanged");
    expect(stickyComments(world, 1, "plan").map((c) => c.body)).toEqual([comment]);
    expect(inProcess.summary).toBe(dist.summary);
    expect(outputs(inProcess)).toEqual(outputs(dist));
    expect(structure(inProcess)).toEqual(structure(dist));
  });

  it("with a bad proxy file: the same annotations, failure and exit code", async () => {
    world.files.write("bad", "location: westeurope\nresourceGroup: rg-same\nbackends: [10.0.0.300]\nports: [80, 80]\n");
    world.openPullRequest(2);
    const dist = await world.plan(2, { runner: "dist" });
    const inProcess = await world.plan(2, { runner: "in-process" });
    world.files.remove("bad");

    expect(dist.code).toBe(1);
    expect(inProcess.code).toBe(1);
    expect(structure(dist).filter((l) => l.startsWith("::error")).length).toBeGreaterThan(1);
    expect(structure(inProcess)).toEqual(structure(dist));
    expect(inProcess.summary).toBe(dist.summary);
  });

  it("on a merge: what run() applied, the bundle finds applied (same outputs, nothing to do)", async () => {
    world.openPullRequest(3);
    expect((await world.plan(3, { runner: "in-process" })).code).toBe(0);
    const sha = world.merge(3);
    const applied = await world.apply(sha, { runner: "in-process" });
    expect(applied.code, applied.stdout).toBe(0);

    world.emulator.resetRequests();
    const rerun = await world.apply(sha, { runner: "dist" });
    expect(rerun.code, rerun.stdout).toBe(0);
    expect(rerun.stdout).toContain("Azure already matches the proxy files: nothing to apply.");
    expect(world.emulator.writeCount()).toBe(0);
    expect(JSON.parse(rerun.outputs["ipv6-addresses"]!)).toEqual(JSON.parse(applied.outputs["ipv6-addresses"]!));
    expect(Object.keys(JSON.parse(rerun.outputs["ipv6-addresses"]!) as object).sort()).toEqual(["api", "www"]);
  });
});
