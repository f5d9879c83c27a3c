/**
 * The action on a push to the default branch, end to end: it applies exactly
 * the plan reviewed on the merged pull request, or refuses without writing.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { armId } from "../../src/model/arm-id.js";
import { resourceNames } from "../../src/model/names.js";
import { ensureDistBuilt } from "../support/action-runner.js";
import {
  type ActionWorld,
  hasStackTrace,
  MAIN_SUBJECT,
  startActionWorld,
  stickyComments,
} from "../support/action-world.js";
import { proxyYaml } from "../support/proxy-files.js";

let world: ActionWorld;

beforeAll(async () => {
  ensureDistBuilt();
  world = await startActionWorld();
  world.emulator.seedDnsZone(world.emulator.subscriptionId, "rg-dns", "example.nl");
}, 240_000);
afterAll(async () => {
  await world?.close();
});

/** Opens pull request `pr` with the workspace as it is, and runs its plan job. */
async function reviewed(pr: number): Promise<void> {
  world.openPullRequest(pr);
  const plan = await world.plan(pr);
  expect(plan.code, plan.stdout).toBe(0);
  expect(stickyComments(world, pr, "plan")).toHaveLength(1);
}

/** Runs the push job for a merge of `pr`; returns the run and the ARM writes it made. */
async function mergeAndApply(pr: number, opts: { sha?: string; inputs?: Record<string, string> } = {}) {
  const sha = opts.sha ?? world.merge(pr);
  world.emulator.resetRequests();
  const run = await world.apply(sha, { inputs: opts.inputs });
  return { run, sha, writes: world.emulator.writeCount() };
}

describe("apply on merge", () => {
  it("applies the reviewed plan, reports addresses, DNS names and time on the pull request, and sets the outputs", async () => {
    world.files.write(
      "www",
      proxyYaml({ name: "www", resourceGroup: "rg-app", zone: "example.nl", records: ["@", "www"] }),
    );
    await reviewed(1);
    const { run, writes, sha } = await mergeAndApply(1);
    expect(run.code, run.stdout).toBe(0);
    expect(writes).toBeGreaterThan(0);
    // Signed in with the push job's OIDC token.
    const tokens = [...world.emulator.tokenRequests];
    expect(tokens.length).toBeGreaterThan(0);
    expect(tokens.every((t) => t.grant === "assertion" && t.subject === MAIN_SUBJECT)).toBe(true);

    // The address in the outputs is the one the emulator allocated to the proxy's public IPv6.
    const addresses = JSON.parse(run.outputs["ipv6-addresses"]!) as Record<string, string>;
    const pip = await world.clients().network.publicIPAddresses.get("rg-app", resourceNames("www").publicIpV6);
    expect(pip.ipAddress).toMatch(/:/);
    expect(addresses).toEqual({ www: pip.ipAddress });
    // And the IPv4 one: the address backends see connections come from.
    const pip4 = await world.clients().network.publicIPAddresses.get("rg-app", resourceNames("www").publicIpV4);
    expect(pip4.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(JSON.parse(run.outputs["ipv4-addresses"]!)).toEqual({ www: pip4.ipAddress });
    expect(run.stdout).toContain(`www: created ${pip.ipAddress}, backends see ${pip4.ipAddress}`);
    expect(run.outputs).toMatchObject({ "has-changes": "true", "to-add": "9", "to-change": "0", "to-destroy": "0" });
    expect(existsSync(run.outputs["plan-json"]!)).toBe(true);

    const [result] = stickyComments(world, 1, "apply");
    expect(result!.body).toContain("status=applied");
    expect(result!.body).toContain(pip.ipAddress!);
    expect(result!.body).toContain("IPv4 address (backends see)");
    expect(result!.body).toContain(`\`${pip4.ipAddress}\``);
    expect(result!.body).toContain("`www.example.nl`");
    expect(result!.body).toMatch(/Applied 1 proxy in \d+\.\d s/);
    expect(stickyComments(world, 1, "plan")).toHaveLength(1); // the reviewed plan stays as it was

    for (const phase of [
      "Check that this commit is the newest",
      "Find the reviewed plans",
      "Load proxies",
      "Observe Azure",
      "Apply",
      "Report",
    ])
      expect(run.stdout).toContain(`::group::${phase}`);

    // The VM boots with the on-VM files byte for byte as they are in src/dataplane/vm/: the bundle embeds them unchanged.
    const vmId = armId(
      world.emulator.subscriptionId,
      "rg-app",
      "Microsoft.Compute",
      "virtualMachines",
      resourceNames("www").virtualMachine,
    );
    const customData = String(world.emulator.getResource(vmId)?.properties?.osProfile?.customData ?? "");
    const cloudConfig = parseYaml(Buffer.from(customData, "base64").toString("utf8"), { version: "1.1" }) as {
      write_files: { path: string; content: string }[];
    };
    const written = new Map(cloudConfig.write_files.map((f) => [f.path, f.content]));
    const vmFile = (name: string) => readFileSync(join(import.meta.dirname, "../../src/dataplane/vm", name), "utf8");
    expect(written.get("/usr/local/sbin/ipv6-proxy-apply")).toBe(vmFile("ipv6-proxy-apply.sh"));
    expect(written.get("/etc/systemd/system/ipv6-proxy-config.service")).toBe(vmFile("ipv6-proxy-config.service"));
    expect(written.get("/etc/sysctl.d/60-ipv6-proxy.conf")).toBe(vmFile("60-ipv6-proxy.conf"));
    expect(written.get("/etc/apt/apt.conf.d/52ipv6-proxy-upgrades")).toBe(vmFile("52ipv6-proxy-upgrades"));

    // Re-running the job finds nothing to do and changes nothing.
    const again = await mergeAndApply(1, { sha });
    expect(again.run.code, again.run.stdout).toBe(0);
    expect(again.writes).toBe(0);
    expect(JSON.parse(again.run.outputs["ipv6-addresses"]!)).toEqual({ www: pip.ipAddress });
    expect(JSON.parse(again.run.outputs["ipv4-addresses"]!)).toEqual({ www: pip4.ipAddress });
  });

  it("refuses a plan that changed after review (the files changed) and writes nothing", async () => {
    world.files.write("api", proxyYaml({ name: "api", resourceGroup: "rg-app", backends: ["203.0.113.40"] }));
    await reviewed(2);
    // Another merge changed the file before this one landed.
    world.files.write("api", proxyYaml({ name: "api", resourceGroup: "rg-app", backends: ["203.0.113.41"] }));
    const { run, writes } = await mergeAndApply(2);
    expect(run.code).toBe(1);
    expect(writes).toBe(0);
    expect(run.stdout).toMatch(
      /^::error::Nothing was applied: the plan changed after it was reviewed on pull request #2/m,
    );
    const [comment] = stickyComments(world, 2, "apply");
    expect(comment!.body).toContain("status=refused");
    expect(comment!.body).toContain("The plan as it stands now");
    expect(comment!.body).toContain("203.0.113.41");
    expect(comment!.body).not.toContain("Merge to apply");
    expect(hasStackTrace(run)).toBe(false);
    world.files.remove("api");
  });

  it("refuses a plan when Azure drifted after review (a rule edited by hand) and writes nothing", async () => {
    world.files.write(
      "www",
      proxyYaml({
        name: "www",
        resourceGroup: "rg-app",
        zone: "example.nl",
        records: ["@", "www"],
        ports: [80, 443, 8443],
      }),
    );
    await reviewed(3);
    const network = world.clients().network;
    const nsgName = resourceNames("www").networkSecurityGroup;
    const nsg = await network.networkSecurityGroups.get("rg-app", nsgName);
    await network.networkSecurityGroups.createOrUpdate("rg-app", nsgName, {
      ...nsg,
      securityRules: nsg.securityRules!.slice(1),
    });

    const { run, writes } = await mergeAndApply(3);
    expect(run.code).toBe(1);
    expect(writes).toBe(0);
    const refusal = stickyComments(world, 3, "apply")[0]!.body;
    expect(refusal).toMatch(/Azure changed since the plans? (was|were) made/);
    expect(refusal).toContain("changed outside this tool"); // the new plan names the drift
  });

  it("refuses a merge that has no reviewed plan", async () => {
    world.openPullRequest(4); // merged without its plan job ever running
    const { run, writes } = await mergeAndApply(4);
    expect(run.code).toBe(1);
    expect(writes).toBe(0);
    expect(stickyComments(world, 4, "apply")[0]!.body).toContain("has no plan comment for these proxies");
  });

  it("refuses deletions without the label, does not count a label added after the merge, and applies them from a labelled pull request", async () => {
    // Bring Azure in line with the files first (PR 3's port change, refused above).
    await reviewed(5);
    expect((await mergeAndApply(5)).run.code).toBe(0);

    world.files.remove("www");
    await reviewed(6);
    const plan = stickyComments(world, 6, "plan")[0]!.body;
    expect(plan).toContain("ipv6-proxy/allow-destroy");
    // Every deleted resource is named as Azure knows it, with its full ID.
    const vmName = resourceNames("www").virtualMachine;
    const vmId = `/subscriptions/${world.emulator.subscriptionId}/resourceGroups/rg-app/providers/Microsoft.Compute/virtualMachines/${vmName}`;
    expect(plan).toContain(`\`www.virtualMachine\` deletes \`${vmName}\`: \`${vmId}\``);
    const sha = world.merge(6);
    const refused = await mergeAndApply(6, { sha });
    expect(refused.run.code).toBe(1);
    expect(refused.writes).toBe(0);
    expect(refused.run.stdout).toMatch(
      /^::error::Nothing was applied: the plan destroys or replaces resources of `www`/m,
    );
    expect(stickyComments(world, 6, "apply")[0]!.body).toContain("ipv6-proxy/allow-destroy");

    // The label, added after the merge, is not part of the review: a re-run still deletes nothing.
    world.github.setLabels(6, ["ipv6-proxy/allow-destroy"]);
    const late = await mergeAndApply(6, { sha });
    expect(late.run.code).toBe(1);
    expect(late.writes).toBe(0);
    expect(stickyComments(world, 6, "apply")[0]!.body).toContain("A label added after the merge does not count");
    await expect(world.clients().compute.virtualMachines.get("rg-app", vmName)).resolves.toMatchObject({
      name: vmName,
    });

    // A pull request that had the label when it was merged allows the deletion.
    world.openPullRequest(9, { labels: ["ipv6-proxy/allow-destroy"] });
    expect((await world.plan(9)).code).toBe(0);
    const allowed = await mergeAndApply(9);
    expect(allowed.run.code, allowed.run.stdout).toBe(0);
    await expect(world.clients().compute.virtualMachines.get("rg-app", vmName)).rejects.toMatchObject({
      statusCode: 404,
    });
    expect(allowed.run.outputs["to-destroy"]).not.toBe("0");
    expect(JSON.parse(allowed.run.outputs["ipv6-addresses"]!)).toEqual({});
    expect(stickyComments(world, 9, "apply")).toHaveLength(1);
    expect(stickyComments(world, 9, "apply")[0]!.body).toContain("destroyed");
  });
});

describe("allow-destroy input", () => {
  it("lets an apply delete without the label", async () => {
    world.files.write("tmp", proxyYaml({ name: "tmp", resourceGroup: "rg-tmp" }));
    await reviewed(7);
    expect((await mergeAndApply(7)).run.code).toBe(0);
    world.files.remove("tmp");
    await reviewed(8);
    const { run } = await mergeAndApply(8, { inputs: { "allow-destroy": "true" } });
    expect(run.code, `${run.stdout}\n${stickyComments(world, 8, "apply")[0]?.body}`).toBe(0);
    expect(existsSync(join(world.files.dir, "tmp.yaml"))).toBe(false);
    await expect(
      world.clients().network.publicIPAddresses.get("rg-tmp", resourceNames("tmp").publicIpV6),
    ).rejects.toMatchObject({ statusCode: 404 });
  });
});
