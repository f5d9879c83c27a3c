/**
 * VM sizes, quota and resizes, checked at plan time against the region's
 * resource SKUs and usages (the emulator enforces the same rules on the VM
 * PUT), so that nothing is built that Azure would refuse halfway.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AzureClients } from "../../src/azure/clients.js";
import { replicaNames, resourceNames } from "../../src/model/names.js";
import { ApplyFailedError, applyPlan, PlanNotApplicableError, planFromDir } from "../../src/operations.js";
import { type Harness, planned, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../support/proxy-files.js";

let h: Harness;
let c: AzureClients;
let files: ProxyDir;
let n = 0;
let owner: string;

beforeAll(async () => {
  h = await startHarness();
  c = h.clients();
});
afterAll(() => h.close());
beforeEach(() => {
  files = new ProxyDir();
  owner = `acme/sizes-${++n}`;
});

/** A proxy file with a vmSize line; returns that line's number. */
function writeProxy(name: string, vmSize: string, location = "westeurope"): number {
  const yaml = proxyYaml({ name, resourceGroup: `rg-${name}`, location });
  files.write(name, `${yaml}vmSize: ${vmSize}\n`);
  return yaml.split("\n").length;
}

const skuRequests = () =>
  h.emulator.requests.filter((r) => /\/providers\/Microsoft\.Compute\/(skus|locations\/[^/]+\/usages)$/i.test(r.path));

async function plan() {
  return planned(await planFromDir(files.dir, h.ctx(owner)));
}

describe("an unusable size", () => {
  it.each([
    [
      "not available to this subscription",
      "Standard_D4s_v5",
      /not available to this subscription in westeurope \(NotAvailableForSubscription\)/,
    ],
    ["Arm64", "Standard_D2ps_v5", /is an Arm64 size, and the proxy's Ubuntu 24.04 image is x64/],
    ["Gen1 only", "Standard_A2_v2", /cannot run Gen2 \(Hyper-V generation V2\) images/],
    ["without Trusted Launch", "Standard_M8ms", /does not support Trusted Launch/],
    ["not offered in the region", "Standard_Z99_v9", /is not offered in westeurope/],
  ])("is a plan error with file and line, before any write: %s", async (_title, size, message) => {
    h.emulator.restrictSize("westeurope", "Standard_D4s_v5");
    const line = writeProxy("odd", size);
    h.emulator.resetRequests();
    const run = await plan();
    expect(run.plan.errors).toEqual([
      expect.objectContaining({ address: "odd.virtualMachine", file: expect.stringContaining("odd.yaml"), line }),
    ]);
    expect(run.plan.errors[0]!.message).toMatch(message);
    expect(h.emulator.writeCount()).toBe(0);
    await expect(applyPlan(run, h.ctx(owner), { allowDestroy: false })).rejects.toBeInstanceOf(PlanNotApplicableError);
    expect(h.emulator.writeCount()).toBe(0);
  });
});

describe("replicas across zones", () => {
  it("need the size in every zone they use: a zone without it is a plan error on that zone's line", async () => {
    h.emulator.restrictSizeInZones("westeurope", "Standard_D2s_v5", ["2"]);
    const yaml = proxyYaml({ name: "zonal", resourceGroup: "rg-zonal", replicas: 3, zones: ["1", "2", "3"] });
    files.write("zonal", `${yaml}vmSize: Standard_D2s_v5\n`);
    const zonesLine = yaml.split("\n").findIndex((l) => l.startsWith("zones:")) + 1;
    h.emulator.resetRequests();
    const run = await plan();
    expect(run.plan.errors).toEqual([
      expect.objectContaining({
        proxy: "zonal",
        file: expect.stringContaining("zonal.yaml"),
        line: zonesLine,
        message:
          'vmSize "Standard_D2s_v5" is not available to this subscription in zone 2 of westeurope (it is offered in zones 1, 3): pick zones that offer it, or another size',
      }),
    ]);
    await expect(applyPlan(run, h.ctx(owner), { allowDestroy: false })).rejects.toBeInstanceOf(PlanNotApplicableError);
    expect(h.emulator.writeCount()).toBe(0);

    // Zones that offer it plan cleanly, and the replicas are built there.
    files.write(
      "zonal",
      `${proxyYaml({ name: "zonal", resourceGroup: "rg-zonal", replicas: 2, zones: ["1", "3"] })}vmSize: Standard_D2s_v5\n`,
    );
    const ok = await plan();
    expect(ok.plan.errors).toEqual([]);
    await applyPlan(ok, h.ctx(owner), { allowDestroy: false });
    const zones = [];
    for await (const vm of c.compute.virtualMachines.list("rg-zonal")) zones.push(vm.zones?.[0]);
    expect(zones.sort()).toEqual(["1", "3"]);
  });
});

describe("vCPU quota", () => {
  it("that would run out is a plan error with the numbers, before any write", async () => {
    h.emulator.setQuota("northeurope", "standardBasv2Family", 4);
    writeProxy("first", "Standard_B2ats_v2", "northeurope");
    await applyPlan(await plan(), h.ctx(owner), { allowDestroy: false });
    writeProxy("second", "Standard_B2ats_v2", "northeurope");
    writeProxy("third", "Standard_B2ats_v2", "northeurope");
    h.emulator.resetRequests();
    const run = await plan();
    expect(run.plan.errors.map((e) => e.message)).toEqual([
      'northeurope: the plan needs 4 more vCPUs of Standard Basv2 Family vCPUs (proxies "second", "third"), but only 2 of the quota of 4 are free (2 in use): ask for a higher quota, or pick a smaller size',
    ]);
    await expect(applyPlan(run, h.ctx(owner), { allowDestroy: false })).rejects.toBeInstanceOf(PlanNotApplicableError);
    expect(h.emulator.writeCount()).toBe(0);
  });
});

describe("size and quota requests", () => {
  it("are made only when the plan creates, replaces or resizes a VM", async () => {
    writeProxy("calm", "Standard_B2ats_v2");
    h.emulator.resetRequests();
    await applyPlan(await plan(), h.ctx(owner), { allowDestroy: false });
    expect(skuRequests().map((r) => r.path.split("/").pop())).toEqual(["skus", "usages"]);

    // A change that builds no VM (ports) reads no sizes.
    files.write(
      "calm",
      `${proxyYaml({ name: "calm", resourceGroup: "rg-calm", ports: [80, 443, 8443] })}vmSize: Standard_B2ats_v2\n`,
    );
    h.emulator.resetRequests();
    const change = await plan();
    expect(change.plan.changes.some((x) => x.action !== "noop")).toBe(true);
    expect(skuRequests()).toEqual([]);
  });
});

describe("accelerated networking", () => {
  it.each([
    ["Standard_B2ats_v2", true],
    ["Standard_B2s", false],
  ])("is set on a new NIC where the size supports it: %s", async (size, expected) => {
    const name = `an${expected ? "yes" : "no"}`;
    writeProxy(name, size);
    const run = await plan();
    const nic = run.plan.changes.find((x) => x.kind === "networkInterface")!;
    expect(nic.reason.includes("with accelerated networking")).toBe(expected);
    await applyPlan(run, h.ctx(owner), { allowDestroy: false });
    const live = await c.network.networkInterfaces.get(`rg-${name}`, resourceNames(name).networkInterface);
    expect(live.enableAcceleratedNetworking).toBe(expected);
  });
});

describe("accelerated networking on replicas", () => {
  it("is set on every replica's NIC behind the load balancer where the size supports it", async () => {
    const yaml = proxyYaml({ name: "fleet", resourceGroup: "rg-fleet", replicas: 2, zones: ["1", "2"] });
    files.write("fleet", `${yaml}vmSize: Standard_D2as_v5\n`);
    const run = await plan();
    const nics = run.plan.changes.filter((x) => x.kind === "networkInterface");
    expect(nics).toHaveLength(2);
    expect(nics.every((x) => x.reason.includes("with accelerated networking"))).toBe(true);
    await applyPlan(run, h.ctx(owner), { allowDestroy: false });
    const live = [];
    for await (const nic of c.network.networkInterfaces.list("rg-fleet")) live.push(nic);
    expect(live.map((n) => [n.name, n.enableAcceleratedNetworking])).toEqual(
      [1, 2].map((i) => [replicaNames("fleet", i).networkInterface, true]),
    );
  });
});

describe("resizing", () => {
  it("within the VM's hardware is an in-place update with a downtime warning", async () => {
    writeProxy("grow", "Standard_B2ats_v2");
    await applyPlan(await plan(), h.ctx(owner), { allowDestroy: false });
    writeProxy("grow", "Standard_B2als_v2");
    const run = await plan();
    const vm = run.plan.changes.find((x) => x.kind === "virtualMachine")!;
    expect(vm).toMatchObject({
      action: "update",
      vmResize: { from: "Standard_B2ats_v2", to: "Standard_B2als_v2", inPlace: true },
    });
    expect(run.plan.warnings.map((w) => w.code)).toContain("downtime");
    h.emulator.resetRequests();
    await applyPlan(run, h.ctx(owner), { allowDestroy: false });
    expect(h.emulator.requests.some((r) => r.path.endsWith("/deallocate"))).toBe(false);
    const live = await c.compute.virtualMachines.get("rg-grow", resourceNames("grow").virtualMachine);
    expect(live.hardwareProfile?.vmSize).toBe("Standard_B2als_v2");
    expect((await plan()).plan.changes.every((x) => x.action === "noop")).toBe(true);
  });

  it("to a size its hardware does not offer deallocates, resizes and starts it, never a PATCH Azure refuses", async () => {
    writeProxy("move", "Standard_B2ats_v2");
    await applyPlan(await plan(), h.ctx(owner), { allowDestroy: false });
    h.emulator.setHardwareCluster(/^ipv6px-move-vm$/, ["Standard_B2ats_v2", "Standard_B2als_v2"]);
    writeProxy("move", "Standard_D2as_v5");
    const run = await plan();
    const vm = run.plan.changes.find((x) => x.kind === "virtualMachine")!;
    expect(vm.vmResize).toEqual({ from: "Standard_B2ats_v2", to: "Standard_D2as_v5", inPlace: false });
    expect(vm.reason).toMatch(/deallocated, resized and started again/);
    expect(run.plan.warnings.find((w) => w.code === "downtime")?.message).toMatch(/stops \(deallocates\) it/);

    h.emulator.resetRequests();
    await applyPlan(run, h.ctx(owner), { allowDestroy: false });
    const steps = h.emulator.requests
      .filter((r) => r.method !== "GET" && r.path.includes("ipv6px-move-vm"))
      .map((r) => `${r.method} ${r.path.split("/").pop()}`);
    expect(steps.slice(0, 3)).toEqual(["POST deallocate", "PATCH ipv6px-move-vm", "POST start"]);
    const vmId = `/subscriptions/${h.emulator.subscriptionId}/resourceGroups/rg-move/providers/Microsoft.Compute/virtualMachines/ipv6px-move-vm`;
    expect(h.emulator.powerState(vmId)).toBe("running");
    const live = await c.compute.virtualMachines.get("rg-move", "ipv6px-move-vm");
    expect(live.hardwareProfile?.vmSize).toBe("Standard_D2as_v5");
    expect((await plan()).plan.changes.every((x) => x.action === "noop")).toBe(true);
  });

  it("to a size without accelerated networking, while the NIC has it, is a plan error", async () => {
    writeProxy("fast", "Standard_B2ats_v2");
    await applyPlan(await plan(), h.ctx(owner), { allowDestroy: false });
    const line = writeProxy("fast", "Standard_B2s");
    const run = await plan();
    expect(run.plan.errors).toEqual([
      expect.objectContaining({
        line,
        message: expect.stringMatching(
          /does not support accelerated networking, which the proxy's network interface uses/,
        ),
      }),
    ]);
  });
});

describe("a VM whose creation failed", () => {
  it("is patched on the next apply, never sent customData, adminUsername or computerName again", async () => {
    writeProxy("again", "Standard_B2ats_v2");
    h.emulator.addFault({ method: "PUT", pathPattern: /virtualMachines\/ipv6px-again-vm$/i, failLro: true, times: 1 });
    await expect(applyPlan(await plan(), h.ctx(owner), { allowDestroy: false })).rejects.toBeInstanceOf(
      ApplyFailedError,
    );
    h.emulator.clearFaults();
    const vmId = `/subscriptions/${h.emulator.subscriptionId}/resourceGroups/rg-again/providers/Microsoft.Compute/virtualMachines/ipv6px-again-vm`;
    const customData = h.emulator.getResource(vmId)?.properties?.osProfile?.customData;
    const next = await plan();
    expect(next.plan.changes.find((x) => x.kind === "virtualMachine")?.reason).toMatch(/last provisioning failed/);
    h.emulator.resetRequests();
    await applyPlan(next, h.ctx(owner), { allowDestroy: false });
    const vmWrites = h.emulator.requests
      .filter((r) => r.method !== "GET" && r.path.endsWith("/ipv6px-again-vm"))
      .map((r) => r.method);
    expect(vmWrites).not.toContain("PUT");
    expect(vmWrites).toContain("PATCH");
    expect(h.emulator.getResource(vmId)?.properties?.osProfile?.customData).toBe(customData);
    expect((await c.compute.virtualMachines.get("rg-again", "ipv6px-again-vm")).provisioningState).toBe("Succeeded");
  });
});
