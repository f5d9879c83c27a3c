/**
 * The Standard public load balancer through the real @azure/arm-network
 * client: the dual-stack design (two frontends, two pools, rules, probe,
 * outbound rule), pool membership set on NICs and shown on the pools, and
 * each Azure rule the emulator enforces, performed against it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AzureClients } from "../../src/azure/clients.js";
import { type Emulator, startEmulator } from "../../src/emulator/server.js";
import { clientsFor, createDualStackNetwork, failure, LOCATION, type Network } from "../support/emulator-fixtures.js";

type LoadBalancer = Parameters<AzureClients["network"]["loadBalancers"]["createOrUpdate"]>[2];
type Nic = Parameters<AzureClients["network"]["networkInterfaces"]["createOrUpdate"]>[2];

const RG = "rg-lb";
let emu: Emulator;
let c: AzureClients;
let net: Network;
let lbId: string;

const pip = (name: string, version: "IPv4" | "IPv6", zones?: string[]) =>
  c.network.publicIPAddresses.createOrUpdate(RG, name, {
    location: LOCATION,
    sku: { name: "Standard", tier: "Regional" },
    publicIPAllocationMethod: "Static",
    publicIPAddressVersion: version,
    ...(zones ? { zones } : {}),
  });

const child = (collection: string, name: string) => ({ id: `${lbId}/${collection}/${name}` });

/** The design a proxy with replicas gets: v6 frontend for the site, v4 frontend for egress. */
function design(
  opts: { outboundPorts?: number; ruleProbe?: string; sku?: string; extra?: Partial<LoadBalancer> } = {},
) {
  const rule = (port: number) => ({
    name: `tcp-${port}`,
    frontendIPConfiguration: child("frontendIPConfigurations", "fe-v6"),
    backendAddressPool: child("backendAddressPools", "pool-v6"),
    probe: child("probes", opts.ruleProbe ?? "health"),
    protocol: "Tcp",
    frontendPort: port,
    backendPort: port,
    enableTcpReset: true,
    enableFloatingIP: false,
    disableOutboundSnat: true,
    idleTimeoutInMinutes: 4,
  });
  return {
    location: LOCATION,
    sku: { name: opts.sku ?? "Standard", tier: "Regional" },
    frontendIPConfigurations: [
      { name: "fe-v6", publicIPAddress: { id: `${pipBase}/lb-pip6` } },
      { name: "fe-v4", publicIPAddress: { id: `${pipBase}/lb-pip4` } },
    ],
    backendAddressPools: [{ name: "pool-v4" }, { name: "pool-v6" }],
    probes: [
      {
        name: "health",
        protocol: "Http",
        port: 8405,
        requestPath: "/healthz",
        intervalInSeconds: 5,
        probeThreshold: 2,
      },
    ],
    loadBalancingRules: [rule(80), rule(443)],
    outboundRules: [
      {
        name: "egress-v4",
        frontendIPConfigurations: [child("frontendIPConfigurations", "fe-v4")],
        backendAddressPool: child("backendAddressPools", "pool-v4"),
        protocol: "All",
        allocatedOutboundPorts: opts.outboundPorts ?? 10000,
        enableTcpReset: true,
        idleTimeoutInMinutes: 4,
      },
    ],
    ...opts.extra,
  } as LoadBalancer;
}

let pipBase: string;

/** A dual-stack NIC without public IPs, in the given pools. */
function nic(pools: { v4?: string; v6?: string } = {}): Nic {
  const ref = (pool?: string) =>
    pool ? { loadBalancerBackendAddressPools: [child("backendAddressPools", pool)] } : {};
  return {
    location: LOCATION,
    ipConfigurations: [
      {
        name: "ipconfig-v4",
        primary: true,
        privateIPAddressVersion: "IPv4",
        subnet: { id: net.subnetId },
        ...ref(pools.v4),
      },
      {
        name: "ipconfig-v6",
        primary: false,
        privateIPAddressVersion: "IPv6",
        subnet: { id: net.subnetId },
        ...ref(pools.v6),
      },
    ],
  };
}

beforeAll(async () => {
  emu = await startEmulator();
  c = clientsFor(emu);
  net = await createDualStackNetwork(c, RG, "px");
  pipBase = `/subscriptions/${emu.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/publicIPAddresses`;
  lbId = `/subscriptions/${emu.subscriptionId}/resourceGroups/${RG}/providers/Microsoft.Network/loadBalancers/px-lb`;
  await Promise.all([pip("lb-pip6", "IPv6", ["1", "2", "3"]), pip("lb-pip4", "IPv4", ["1", "2", "3"])]);
});
afterAll(() => emu.close());

describe("the dual-stack design", () => {
  it("is created as one full PUT, and each public IP names its frontend as its holder", async () => {
    const lb = await c.network.loadBalancers.createOrUpdate(RG, "px-lb", design());
    expect(lb.provisioningState).toBe("Succeeded");
    expect(lb.sku).toEqual({ name: "Standard", tier: "Regional" });
    expect(lb.frontendIPConfigurations?.map((f) => f.name)).toEqual(["fe-v6", "fe-v4"]);
    expect(lb.loadBalancingRules?.map((r) => [r.frontendPort, r.enableTcpReset, r.disableOutboundSnat])).toEqual([
      [80, true, true],
      [443, true, true],
    ]);
    expect((await c.network.publicIPAddresses.get(RG, "lb-pip6")).ipConfiguration?.id).toBe(
      `${lbId}/frontendIPConfigurations/fe-v6`,
    );
  });

  it("shows pool membership set on the NICs on the pools, and keeps it across a load balancer PUT without members", async () => {
    await c.network.networkInterfaces.createOrUpdate(RG, "px-nic1", nic({ v4: "pool-v4", v6: "pool-v6" }));
    await c.network.networkInterfaces.createOrUpdate(RG, "px-nic2", nic({ v4: "pool-v4", v6: "pool-v6" }));
    const nicBase = lbId.replace("loadBalancers/px-lb", "networkInterfaces");
    const members = async (pool: string) =>
      (await c.network.loadBalancers.get(RG, "px-lb")).backendAddressPools
        ?.find((p) => p.name === pool)
        ?.backendIPConfigurations?.map((x) => x.id);
    expect(await members("pool-v6")).toEqual([
      `${nicBase}/px-nic1/ipConfigurations/ipconfig-v6`,
      `${nicBase}/px-nic2/ipConfigurations/ipconfig-v6`,
    ]);
    await c.network.loadBalancers.createOrUpdate(RG, "px-lb", design());
    expect(await members("pool-v4")).toEqual([
      `${nicBase}/px-nic1/ipConfigurations/ipconfig-v4`,
      `${nicBase}/px-nic2/ipConfigurations/ipconfig-v4`,
    ]);
  });

  it("refuses a PUT that sends the members back as addresses (a read-modify-write of the GET)", async () => {
    const got = await c.network.loadBalancers.get(RG, "px-lb");
    expect(got.backendAddressPools?.[0]?.loadBalancerBackendAddresses?.map((a) => a.name)).toEqual([
      "px-nic1_ipconfig-v4",
      "px-nic2_ipconfig-v4",
    ]);
    const e = await failure(c.network.loadBalancers.createOrUpdate(RG, "px-lb", got));
    expect(e.code).toBe("DuplicateIpConfigurationReferenceOnBackendAddressPool");
  });

  it("answers rule health by the probe, from what each member's VM serves", async () => {
    const health = await c.network.loadBalancerLoadBalancingRules.health(RG, "px-lb", "tcp-443");
    // The NICs are on no VM yet: both members are down.
    expect(health.up).toBe(0);
    expect(health.down).toBe(2);
    expect(health.loadBalancerBackendAddresses?.map((a) => a.reason)).toEqual([
      "the network interface is not attached to a virtual machine",
      "the network interface is not attached to a virtual machine",
    ]);
  });
});

describe("Azure's rules for load balancers", () => {
  it("only Standard: a Basic or SKU-less load balancer is refused (Basic was retired)", async () => {
    expect(
      (
        await failure(
          c.network.loadBalancers.createOrUpdate(RG, "lb-basic", { location: LOCATION, sku: { name: "Basic" } }),
        )
      ).code,
    ).toBe("BasicSkuLoadBalancerRetired");
    expect((await failure(c.network.loadBalancers.createOrUpdate(RG, "lb-nosku", { location: LOCATION }))).code).toBe(
      "BasicSkuLoadBalancerRetired",
    );
  });

  it("a public IP is attached to one thing at a time: a NIC or one frontend", async () => {
    const onNic = await failure(
      c.network.loadBalancers.createOrUpdate(RG, "lb-steal", {
        location: LOCATION,
        sku: { name: "Standard" },
        frontendIPConfigurations: [{ name: "fe", publicIPAddress: { id: net.pip6Id } }],
      }),
    );
    expect(onNic.code).toBe("PublicIPAddressInUse");
    expect(onNic.message).toContain(`${net.nicId}/ipConfigurations/ipv6`);
    const held = nic();
    held.ipConfigurations![1]!.publicIPAddress = { id: `${pipBase}/lb-pip6` };
    const toNic = await failure(c.network.networkInterfaces.createOrUpdate(RG, "px-nic-steal", held));
    expect(toNic.code).toBe("PublicIPAddressInUse");
    expect(toNic.message).toContain(`${lbId}/frontendIPConfigurations/fe-v6`);
    expect((await failure(c.network.publicIPAddresses.delete(RG, "lb-pip6"))).code).toBe(
      "PublicIPAddressCannotBeDeleted",
    );
  });

  it("a rule's probe must exist in the load balancer", async () => {
    const e = await failure(c.network.loadBalancers.createOrUpdate(RG, "px-lb", design({ ruleProbe: "missing" })));
    expect(e.code).toBe("InvalidResourceReference");
    expect(e.message).toContain("/probes/missing");
  });

  it("a rule on a frontend an outbound rule uses must disable outbound SNAT", async () => {
    const d = design();
    d.loadBalancingRules!.push({
      name: "v4-443",
      frontendIPConfiguration: child("frontendIPConfigurations", "fe-v4"),
      backendAddressPool: child("backendAddressPools", "pool-v4"),
      probe: child("probes", "health"),
      protocol: "Tcp",
      frontendPort: 443,
      backendPort: 443,
    });
    const e = await failure(c.network.loadBalancers.createOrUpdate(RG, "px-lb", d));
    expect(e.code).toBe("LoadBalancingRuleMustDisableSNATSinceSameFrontendIPConfigurationIsReferencedByOutboundRule");
  });

  it("outbound ports come in multiples of 8, within the frontends' 64,000 ports per instance", async () => {
    const odd = await failure(c.network.loadBalancers.createOrUpdate(RG, "px-lb", design({ outboundPorts: 1001 })));
    expect(odd.code).toBe("SpecifiedAllocatedOutboundPortsForOutboundRuleIsNotAMultipleOfEight");
    const huge = await failure(c.network.loadBalancers.createOrUpdate(RG, "px-lb", design({ outboundPorts: 64008 })));
    expect(huge.code).toBe("SpecifiedAllocatedOutboundPortsForOutboundRuleExceedsTotalNumberOfAllowedPortsPerRule");
    // Two members at 40,000 ports each need 80,000 of the frontend's 64,000.
    const crowded = await failure(
      c.network.loadBalancers.createOrUpdate(RG, "px-lb", design({ outboundPorts: 40000 })),
    );
    expect(crowded.code).toBe("SpecifiedAllocatedOutboundPortsForOutboundRuleExceedsTotalNumberOfAvailablePorts");
    // One more member joining through its NIC is checked the same way.
    await c.network.loadBalancers.createOrUpdate(RG, "px-lb", design({ outboundPorts: 32000 }));
    const third = await failure(c.network.networkInterfaces.createOrUpdate(RG, "px-nic3", nic({ v4: "pool-v4" })));
    expect(third.code).toBe("SpecifiedAllocatedOutboundPortsForOutboundRuleExceedsTotalNumberOfAvailablePorts");
    await c.network.loadBalancers.createOrUpdate(RG, "px-lb", design());
  });

  it("a pool holds one IP family", async () => {
    const mixed = nic({ v4: "pool-v6" });
    const e = await failure(c.network.networkInterfaces.createOrUpdate(RG, "px-nic-mixed", mixed));
    expect(e.code).toBe("AllNicIpConfigurationsOfLbBackendPoolMustHaveSamePrivateIpAddressVersion");
  });

  it("a public IP's zones cannot change, and a PUT without them asks for no zone", async () => {
    const moved = await failure(pip("lb-pip6", "IPv6", ["1"]));
    expect(moved.code).toBe("ResourceAvailabilityZonesCannotBeModified");
    const dropped = await failure(pip("lb-pip6", "IPv6"));
    expect(dropped.code).toBe("ResourceAvailabilityZonesCannotBeModified");
    expect(dropped.message).toContain(
      "existing availability zone constraint 1, 2, 3 and the request has availability zone constraint NoZone",
    );
    expect((await pip("lb-pip6", "IPv6", ["3", "2", "1"])).zones).toEqual(["3", "2", "1"]);
  });

  it("a pool NICs use cannot be dropped, and the load balancer cannot be deleted under them", async () => {
    const d = design();
    d.backendAddressPools = [{ name: "pool-v4" }];
    d.loadBalancingRules = [];
    const dropped = await failure(c.network.loadBalancers.createOrUpdate(RG, "px-lb", d));
    expect(dropped.code).toBe("InUseLoadBalancerBackendAddressPoolCannotBeDeleted");
    expect((await failure(c.network.loadBalancers.delete(RG, "px-lb"))).code).toBe(
      "InUseLoadBalancerBackendAddressPoolCannotBeDeleted",
    );
  });

  it("deletes in order: NICs, then the load balancer, then its public IPs", async () => {
    await c.network.networkInterfaces.delete(RG, "px-nic1");
    await c.network.networkInterfaces.delete(RG, "px-nic2");
    await c.network.loadBalancers.delete(RG, "px-lb");
    await c.network.publicIPAddresses.delete(RG, "lb-pip6");
    await c.network.publicIPAddresses.delete(RG, "lb-pip4");
    expect((await failure(c.network.loadBalancers.get(RG, "px-lb"))).statusCode).toBe(404);
  });
});

describe("concurrent NIC writes in one pool", () => {
  it("conflict while the first one runs, and succeed one after the other", async () => {
    await pip("lb-pip6", "IPv6", ["1", "2", "3"]);
    await pip("lb-pip4", "IPv4", ["1", "2", "3"]);
    await c.network.loadBalancers.createOrUpdate(RG, "px-lb", design());
    // Operations now stay InProgress for a while, so the second write arrives during the first.
    emu.setLroPolls(30);
    try {
      const first = c.network.networkInterfaces.createOrUpdate(RG, "px-nic1", nic({ v6: "pool-v6" }));
      await first.submitted();
      const second = await failure(c.network.networkInterfaces.createOrUpdate(RG, "px-nic2", nic({ v6: "pool-v6" })));
      expect(second.statusCode).toBe(409);
      expect(second.code).toBe("AnotherOperationInProgress");
      await first;
    } finally {
      emu.setLroPolls(0);
    }
    await c.network.networkInterfaces.createOrUpdate(RG, "px-nic2", nic({ v6: "pool-v6" }));
    const pool = (await c.network.loadBalancers.get(RG, "px-lb")).backendAddressPools?.find(
      (p) => p.name === "pool-v6",
    );
    expect(pool?.backendIPConfigurations).toHaveLength(2);
  });
});
