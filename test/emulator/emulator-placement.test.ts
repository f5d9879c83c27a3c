/**
 * Where replicas run, through the real SDK clients: zones and availability
 * sets are fixed when a VM is created, and a load balancer's rule health
 * follows what each member VM serves (its health endpoint, drained or not).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AzureClients } from "../../src/azure/clients.js";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { healthScript } from "../../src/dataplane/health.js";
import { type Emulator, startEmulator } from "../../src/emulator/server.js";
import { HEALTH_PATH, HEALTH_PORT } from "../../src/model/replicas.js";
import { proxySpec } from "../support/dataplane-fixtures.js";
import {
  b64,
  clientsFor,
  createDualStackNetwork,
  failure,
  LOCATION,
  type Network,
  sshPublicKey,
  vmModel,
} from "../support/emulator-fixtures.js";

const RG = "rg-place";
let emu: Emulator;
let c: AzureClients;
let net: Network;
const REPLICA_CONFIG = renderHaproxyConfig(proxySpec({ replicas: 2, zones: ["1", "2"] }));
const SINGLE_CONFIG = renderHaproxyConfig(proxySpec());

const nic = (name: string, pool?: string) =>
  c.network.networkInterfaces.createOrUpdate(RG, name, {
    location: LOCATION,
    ipConfigurations: [
      { name: "v4", primary: true, privateIPAddressVersion: "IPv4", subnet: { id: net.subnetId } },
      {
        name: "v6",
        primary: false,
        privateIPAddressVersion: "IPv6",
        subnet: { id: net.subnetId },
        ...(pool ? { loadBalancerBackendAddressPools: [{ id: pool }] } : {}),
      },
    ],
  });

beforeAll(async () => {
  // The simulated VMs finish their first boot at once: these tests are about what they serve after it.
  emu = await startEmulator({ cloudInitMs: 0 });
  c = clientsFor(emu);
  net = await createDualStackNetwork(c, RG, "px");
});
afterAll(() => emu.close());

describe("availability sets", () => {
  it("hold VMs created in them, which stay there", async () => {
    const set = await c.compute.availabilitySets.createOrUpdate(RG, "px-avset", {
      location: LOCATION,
      sku: { name: "Aligned" },
      platformFaultDomainCount: 2,
      platformUpdateDomainCount: 5,
    });
    const n = await nic("px-nic-a");
    const model = { ...vmModel(n.id!), availabilitySet: { id: set.id! } };
    await c.compute.virtualMachines.createOrUpdate(RG, "px-vm-a", model);
    expect((await c.compute.availabilitySets.get(RG, "px-avset")).virtualMachines?.map((v) => v.id)).toEqual([
      expect.stringMatching(/virtualMachines\/px-vm-a$/),
    ]);
    expect((await failure(c.compute.availabilitySets.delete(RG, "px-avset"))).code).toBe("OperationNotAllowed");
    const other = await c.compute.availabilitySets.createOrUpdate(RG, "px-avset2", {
      location: LOCATION,
      sku: { name: "Aligned" },
    });
    const moved = await failure(
      c.compute.virtualMachines.createOrUpdate(RG, "px-vm-a", { ...model, availabilitySet: { id: other.id! } }),
    );
    expect(moved.code).toBe("PropertyChangeNotAllowed");
  });

  it("refuse a VM that is also zonal, and a Classic set for managed disks", async () => {
    const set = await c.compute.availabilitySets.get(RG, "px-avset");
    const n = await nic("px-nic-b");
    const both = await failure(
      c.compute.virtualMachines.createOrUpdate(RG, "px-vm-b", {
        ...vmModel(n.id!),
        availabilitySet: { id: set.id! },
        zones: ["1"],
      }),
    );
    expect(both.message).toContain("availability set and an availability zone");
    const classic = await c.compute.availabilitySets.createOrUpdate(RG, "px-classic", {
      location: LOCATION,
      sku: { name: "Classic" },
    });
    const unmanaged = await failure(
      c.compute.virtualMachines.createOrUpdate(RG, "px-vm-b", {
        ...vmModel(n.id!),
        availabilitySet: { id: classic.id! },
      }),
    );
    expect(unmanaged.message).toContain("'Aligned' SKU");
  });
});

describe("zonal VMs", () => {
  it("keep their zone", async () => {
    const n = await nic("px-nic-z");
    const key = sshPublicKey();
    const vm = await c.compute.virtualMachines.createOrUpdate(RG, "px-vm-z", {
      ...vmModel(n.id!, { key }),
      zones: ["2"],
    });
    expect(vm.zones).toEqual(["2"]);
    const moved = await failure(
      c.compute.virtualMachines.createOrUpdate(RG, "px-vm-z", { ...vmModel(n.id!, { key }), zones: ["3"] }),
    );
    expect(moved.code).toBe("PropertyChangeNotAllowed");
    expect(moved.message).toContain("zones");
  });
});

describe("a zonal VM's public IPs", () => {
  const pip6 = (name: string, zones?: string[]) =>
    c.network.publicIPAddresses.createOrUpdate(RG, name, {
      location: LOCATION,
      sku: { name: "Standard" },
      publicIPAllocationMethod: "Static",
      publicIPAddressVersion: "IPv6",
      ...(zones ? { zones } : {}),
    });
  const withPip = async (nicName: string, pipId: string) => {
    const n = await c.network.networkInterfaces.get(RG, nicName);
    n.ipConfigurations!.find((x) => x.name === "v6")!.publicIPAddress = { id: pipId };
    return c.network.networkInterfaces.createOrUpdate(RG, nicName, n);
  };
  const key = sshPublicKey();

  it("must serve its zone: a non-zonal or other-zone address is refused, on the NIC or at the VM's creation", async () => {
    const n = await nic("px-nic-zpip");
    await c.compute.virtualMachines.createOrUpdate(RG, "px-vm-zpip", { ...vmModel(n.id!, { key }), zones: ["1"] });
    const regional = await pip6("px-pip6-regional");
    const refused = await failure(withPip("px-nic-zpip", regional.id!));
    expect(refused.code).toBe("ComputeResourceZoneConstraintDoesNotMatchPublicIPAddressZoneConstraint");
    expect(refused.message).toContain("has a zone constraint 1 but the PublicIPAddress");
    expect(refused.message).toContain("has a different zone constraint Regional");
    const zone2 = await pip6("px-pip6-zone2", ["2"]);
    expect((await failure(withPip("px-nic-zpip", zone2.id!))).message).toContain("different zone constraint 2");
    // A zone-redundant address serves zone 1.
    const redundant = await pip6("px-pip6-zr", ["1", "2", "3"]);
    const attached = await withPip("px-nic-zpip", redundant.id!);
    expect(attached.ipConfigurations!.find((x) => x.name === "v6")?.publicIPAddress?.id).toBe(redundant.id);

    // A new zonal VM on a NIC that already holds a non-zonal address.
    const other = await nic("px-nic-zpip2");
    await withPip("px-nic-zpip2", regional.id!);
    const created = await failure(
      c.compute.virtualMachines.createOrUpdate(RG, "px-vm-zpip2", { ...vmModel(other.id!, { key }), zones: ["3"] }),
    );
    expect(created.code).toBe("ComputeResourceZoneConstraintDoesNotMatchPublicIPAddressZoneConstraint");
    // The same NIC with a VM that has no zone is fine: a non-zonal address serves a regional VM.
    const regionalVm = await c.compute.virtualMachines.createOrUpdate(RG, "px-vm-zpip2", vmModel(other.id!, { key }));
    expect(regionalVm.zones).toBeUndefined();
  });
});

describe("rule health follows what the member VMs serve", () => {
  let pool: string;

  beforeAll(async () => {
    await c.network.publicIPAddresses.createOrUpdate(RG, "lb-pip6", {
      location: LOCATION,
      sku: { name: "Standard" },
      publicIPAllocationMethod: "Static",
      publicIPAddressVersion: "IPv6",
    });
    const lbId = `/subscriptions/${emu.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/px-lb`;
    pool = `${lbId}/backendAddressPools/pool-v6`;
    await c.network.loadBalancers.createOrUpdate(RG, "px-lb", {
      location: LOCATION,
      sku: { name: "Standard" },
      frontendIPConfigurations: [
        { name: "fe-v6", publicIPAddress: { id: lbId.replace("loadBalancers/px-lb", "publicIPAddresses/lb-pip6") } },
      ],
      backendAddressPools: [{ name: "pool-v6" }],
      probes: [
        {
          name: "health",
          protocol: "Http",
          port: HEALTH_PORT,
          requestPath: HEALTH_PATH,
          intervalInSeconds: 5,
          probeThreshold: 2,
        },
      ],
      loadBalancingRules: [
        {
          name: "tcp-443",
          protocol: "Tcp",
          frontendPort: 443,
          backendPort: 443,
          frontendIPConfiguration: { id: `${lbId}/frontendIPConfigurations/fe-v6` },
          backendAddressPool: { id: pool },
          probe: { id: `${lbId}/probes/health` },
        },
      ],
    });
  });

  const health = async () => {
    const h = await c.network.loadBalancerLoadBalancingRules.health(RG, "px-lb", "tcp-443");
    return { up: h.up, down: h.down, reasons: h.loadBalancerBackendAddresses?.map((a) => a.reason) };
  };
  const run = async (vm: string, script: string[]) =>
    (await c.compute.virtualMachines.runCommand(RG, vm, { commandId: "RunShellScript", script })).value?.[0]?.message;

  it("is up for a VM serving a replica's config, down while it drains, up again after", async () => {
    const n = await nic("px-nic-r1", pool);
    await c.compute.virtualMachines.createOrUpdate(RG, "px-vm-r1", {
      ...vmModel(n.id!, { userData: b64(REPLICA_CONFIG) }),
      zones: ["1"],
    });
    expect(await health()).toEqual({ up: 1, down: 0, reasons: ["probe succeeded"] });

    expect(await run("px-vm-r1", healthScript("drain"))).toContain("health endpoint: http=503");
    expect(await health()).toEqual({ up: 0, down: 1, reasons: [`${HEALTH_PATH} answers 503 (draining)`] });

    expect(await run("px-vm-r1", healthScript("serve"))).toContain("health endpoint: http=200");
    expect((await health()).up).toBe(1);
  });

  it("is down for a VM whose config has no health endpoint (a single VM's config)", async () => {
    const n = await nic("px-nic-r2", pool);
    await c.compute.virtualMachines.createOrUpdate(RG, "px-vm-r2", {
      ...vmModel(n.id!, { userData: b64(SINGLE_CONFIG) }),
      zones: ["2"],
    });
    const h = await health();
    expect(h.up).toBe(1);
    expect(h.down).toBe(1);
    expect(h.reasons).toContain(`nothing answers Http ${HEALTH_PATH} on port ${HEALTH_PORT}`);
    // New userData alone changes nothing on the VM; the apply script makes it serve the new config.
    await c.compute.virtualMachines.update(RG, "px-vm-r2", { userData: b64(REPLICA_CONFIG) });
    expect((await health()).down).toBe(1);
    expect(await run("px-vm-r2", ["/usr/local/sbin/ipv6-proxy-apply"])).toContain("applied config sha256=");
    expect(await health()).toMatchObject({ up: 2, down: 0 });
  });
});
