/**
 * VM sizes in the emulator through the real @azure/arm-compute client:
 * resource SKUs, usages and quota, the size checks of a VM create, resizes
 * within the hardware cluster, and deallocate/start.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AzureClients } from "../../src/azure/clients.js";
import { type Emulator, startEmulator } from "../../src/emulator/server.js";
import { clientsFor, createDualStackNetwork, failure, vmModel } from "../support/emulator-fixtures.js";

let emu: Emulator;
let c: AzureClients;

beforeAll(async () => {
  emu = await startEmulator();
  c = clientsFor(emu);
});
afterAll(() => emu.close());

async function all<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}

type VmParameters = ReturnType<typeof vmModel>;

/** A Trusted Launch Ubuntu 24.04 VM model of a size, on a fresh network of its own. */
async function sizedVm(
  rg: string,
  prefix: string,
  size: string,
  opts: { accelerated?: boolean; pipZones?: string[] } = {},
) {
  const net = await createDualStackNetwork(c, rg, prefix, opts.pipZones ? { pipZones: opts.pipZones } : {});
  if (opts.accelerated) {
    const nic = await c.network.networkInterfaces.get(rg, `${prefix}-nic`);
    await c.network.networkInterfaces.createOrUpdate(rg, `${prefix}-nic`, {
      ...nic,
      enableAcceleratedNetworking: true,
    });
  }
  const model = vmModel(net.nicId) as VmParameters & { hardwareProfile: { vmSize: string } };
  model.hardwareProfile = { vmSize: size };
  (model as { securityProfile?: unknown }).securityProfile = {
    securityType: "TrustedLaunch",
    uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
  };
  return model;
}

describe("resource SKUs", () => {
  it("list the region's sizes with the capabilities the plan reads, and a subscription's restrictions", async () => {
    emu.restrictSize("westeurope", "Standard_D4s_v5");
    const skus = await all(c.compute.resourceSkus.list({ filter: "location eq 'westeurope'" }));
    const b2ats = skus.find((s) => s.name === "Standard_B2ats_v2")!;
    const caps = Object.fromEntries((b2ats.capabilities ?? []).map((x) => [x.name, x.value]));
    expect(b2ats).toMatchObject({
      resourceType: "virtualMachines",
      family: "standardBasv2Family",
      locations: ["westeurope"],
    });
    expect(caps).toMatchObject({
      vCPUs: "2",
      CpuArchitectureType: "x64",
      HyperVGenerations: "V1,V2",
      AcceleratedNetworkingEnabled: "True",
    });
    expect(caps.TrustedLaunchDisabled).toBeUndefined();
    const m8 = skus.find((s) => s.name === "Standard_M8ms")!;
    expect(m8.capabilities?.find((x) => x.name === "TrustedLaunchDisabled")?.value).toBe("True");
    expect(skus.find((s) => s.name === "Standard_D4s_v5")!.restrictions).toEqual([
      expect.objectContaining({ type: "Location", reasonCode: "NotAvailableForSubscription" }),
    ]);
  });
});

describe("creating a VM", () => {
  it.each([
    ["a size restricted for the subscription", "Standard_D4s_v5", {}, 409, "SkuNotAvailable"],
    ["an Arm64 size with an x64 image", "Standard_D2ps_v5", {}, 400, "BadRequest"],
    ["a Gen1-only size with a Gen2 image", "Standard_A2_v2", {}, 400, "BadRequest"],
    ["a size without Trusted Launch", "Standard_M8ms", {}, 400, "BadRequest"],
    [
      "a size without accelerated networking on a NIC that has it",
      "Standard_B2s",
      { accelerated: true },
      400,
      "VMSizeIsNotPermittedToEnableAcceleratedNetworking",
    ],
  ])("is refused for %s", async (_title, size, opts, statusCode, code) => {
    emu.restrictSize("westeurope", "Standard_D4s_v5");
    const prefix = `x${size.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
    const model = await sizedVm(`rg-${prefix}`, prefix, size, opts);
    expect(
      await failure(c.compute.virtualMachines.createOrUpdate(`rg-${prefix}`, `${prefix}-vm`, model)),
    ).toMatchObject({
      statusCode,
      code,
    });
  });

  it("is refused beyond the family's vCPU quota, with Azure's numbers; deallocated VMs still count", async () => {
    emu.setQuota("westeurope", "standardDSv5Family", 4);
    const family = async () =>
      (await all(c.compute.usage.list("westeurope"))).find((u) => u.name.value === "standardDSv5Family")!;
    const models = await Promise.all(["q1", "q2", "q3"].map((p) => sizedVm(`rg-${p}`, p, "Standard_D2s_v5")));
    await c.compute.virtualMachines.createOrUpdate("rg-q1", "q1-vm", models[0]!);
    await c.compute.virtualMachines.createOrUpdate("rg-q2", "q2-vm", models[1]!);
    expect(await family()).toMatchObject({ currentValue: 4, limit: 4 });
    const refused = await failure(c.compute.virtualMachines.createOrUpdate("rg-q3", "q3-vm", models[2]!));
    expect(refused).toMatchObject({ statusCode: 409, code: "OperationNotAllowed" });
    expect(refused.message).toMatch(
      /exceeding approved standardDSv5Family Cores quota\. Additional details - Deployment Model: Resource Manager, Location: westeurope, Current Limit: 4, Current Usage: 4, Additional Required: 2/,
    );

    // "Quota is calculated based on the total number of cores in use both allocated and deallocated."
    await c.compute.virtualMachines.deallocate("rg-q1", "q1-vm");
    expect((await family()).currentValue).toBe(4);
    expect(await failure(c.compute.virtualMachines.createOrUpdate("rg-q3", "q3-vm", models[2]!))).toMatchObject({
      statusCode: 409,
      code: "OperationNotAllowed",
    });
    await c.compute.virtualMachines.start("rg-q1", "q1-vm");
    await c.compute.virtualMachines.delete("rg-q2", "q2-vm");
    expect((await family()).currentValue).toBe(2);
    await c.compute.virtualMachines.createOrUpdate("rg-q3", "q3-vm", models[2]!);
  });
});

describe("a size missing from some zones", () => {
  it("is listed with a Zone restriction naming them, and a VM placed in one of them is refused", async () => {
    emu.restrictSizeInZones("westeurope", "Standard_D2as_v5", ["2"]);
    const skus = await all(c.compute.resourceSkus.list({ filter: "location eq 'westeurope'" }));
    const d2as = skus.find((s) => s.name === "Standard_D2as_v5")!;
    expect(d2as.locationInfo).toEqual([expect.objectContaining({ location: "westeurope", zones: ["1", "2", "3"] })]);
    expect(d2as.restrictions).toEqual([
      expect.objectContaining({
        type: "Zone",
        reasonCode: "NotAvailableForSubscription",
        restrictionInfo: expect.objectContaining({ zones: ["2"] }),
      }),
    ]);

    const inZone2 = { ...(await sizedVm("rg-z2", "z2", "Standard_D2as_v5")), zones: ["2"] };
    const refused = await failure(c.compute.virtualMachines.createOrUpdate("rg-z2", "z2-vm", inZone2));
    expect(refused).toMatchObject({ statusCode: 409, code: "SkuNotAvailable" });
    expect(refused.message).toMatch(/is currently not available in location 'westeurope' zones '2'/);
    // Zone-redundant addresses: a VM in a zone refuses a non-zonal public IP on its NIC.
    const inZone3 = {
      ...(await sizedVm("rg-z3", "z3", "Standard_D2as_v5", { pipZones: ["1", "2", "3"] })),
      zones: ["3"],
    };
    expect((await c.compute.virtualMachines.createOrUpdate("rg-z3", "z3-vm", inZone3)).zones).toEqual(["3"]);
  });
});

describe("resizing a VM", () => {
  it("while it runs takes only its hardware cluster's sizes; deallocated, it takes any size of the region", async () => {
    const model = await sizedVm("rg-rs", "rs", "Standard_B2ats_v2");
    await c.compute.virtualMachines.createOrUpdate("rg-rs", "rs-vm", model);
    emu.setHardwareCluster(/^rs-vm$/, ["Standard_B2ats_v2", "Standard_B2als_v2"]);
    const offered = await all(c.compute.virtualMachines.listAvailableSizes("rg-rs", "rs-vm"));
    expect(offered.map((s) => s.name)).toEqual(["Standard_B2ats_v2", "Standard_B2als_v2"]);
    await c.compute.virtualMachines.update("rg-rs", "rs-vm", { hardwareProfile: { vmSize: "Standard_B2als_v2" } });
    const refused = await failure(
      c.compute.virtualMachines.update("rg-rs", "rs-vm", { hardwareProfile: { vmSize: "Standard_D2as_v5" } }),
    );
    expect(refused).toMatchObject({ statusCode: 409, code: "OperationNotAllowed" });
    expect(refused.message).toMatch(/is not available in the current hardware cluster/);

    await c.compute.virtualMachines.deallocate("rg-rs", "rs-vm");
    const view = await c.compute.virtualMachines.get("rg-rs", "rs-vm", { expand: "instanceView" });
    expect(view.instanceView?.statuses?.map((x) => x.code)).toContain("PowerState/deallocated");
    // A deallocated VM runs no commands.
    expect(
      await failure(
        c.compute.virtualMachines.runCommand("rg-rs", "rs-vm", { commandId: "RunShellScript", script: ["true"] }),
      ),
    ).toMatchObject({ statusCode: 409, code: "OperationNotAllowed" });
    await c.compute.virtualMachines.update("rg-rs", "rs-vm", { hardwareProfile: { vmSize: "Standard_D2as_v5" } });
    await c.compute.virtualMachines.start("rg-rs", "rs-vm");
    expect((await c.compute.virtualMachines.get("rg-rs", "rs-vm")).hardwareProfile?.vmSize).toBe("Standard_D2as_v5");
  });
});
