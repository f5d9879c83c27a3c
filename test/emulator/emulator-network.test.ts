/**
 * Network resources through the real @azure/arm-network and arm-resources
 * clients: a dual-stack network created through the SDK's pollers, Azure's
 * IPv6 and public IP rules, in-use deletes, paging and the tag filter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AzureClients } from "../../src/azure/clients.js";
import { type Emulator, startEmulator } from "../../src/emulator/server.js";
import { clientsFor, createDualStackNetwork, failure, LOCATION, type Network } from "../support/emulator-fixtures.js";

let emu: Emulator;
let c: AzureClients;
let net: Network;

beforeAll(async () => {
  emu = await startEmulator({ pageSize: 5 });
  c = clientsFor(emu);
  net = await createDualStackNetwork(c, "rg-net", "px");
});
afterAll(() => emu.close());

async function all<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}

describe("a dual-stack network", () => {
  it("is created through the long-running operation pollers and reads back", async () => {
    const vnet = await c.network.virtualNetworks.get("rg-net", "px-vnet");
    expect(vnet.provisioningState).toBe("Succeeded");
    expect(vnet.addressSpace?.addressPrefixes).toEqual(["10.64.0.0/24", "fd00:64:64::/48"]);
    const subnet = vnet.subnets![0]!;
    expect(subnet.addressPrefixes).toEqual(["10.64.0.0/26", "fd00:64:64::/64"]);
    expect(subnet.ipConfigurations?.map((x) => x.id)).toHaveLength(2);

    const pip4 = await c.network.publicIPAddresses.get("rg-net", "px-pip4");
    const pip6 = await c.network.publicIPAddresses.get("rg-net", "px-pip6");
    expect(pip4.ipAddress).toMatch(/^198\.(18|19)\./);
    expect(pip6.ipAddress).toMatch(/^2001:db8:/);
    expect(pip6.ipConfiguration?.id).toBe(`${net.nicId}/ipConfigurations/ipv6`);

    const nic = await c.network.networkInterfaces.get("rg-net", "px-nic");
    const [v4, v6] = nic.ipConfigurations!;
    expect(v4).toMatchObject({ primary: true, privateIPAddressVersion: "IPv4", privateIPAddress: "10.64.0.4" });
    expect(v6).toMatchObject({ primary: false, privateIPAddressVersion: "IPv6", privateIPAddress: "fd00:64:64::4" });

    const nsg = await c.network.networkSecurityGroups.get("rg-net", "px-nsg");
    expect(nsg.defaultSecurityRules?.map((r) => r.name)).toContain("DenyAllInBound");
    expect(nsg.subnets?.map((s) => s.id)).toEqual([net.subnetId]);
  });

  it("keeps a public IP's address and a NIC's private addresses across updates", async () => {
    const before = await c.network.publicIPAddresses.get("rg-net", "px-pip6");
    const after = await c.network.publicIPAddresses.createOrUpdate("rg-net", "px-pip6", {
      location: LOCATION,
      sku: { name: "Standard" },
      publicIPAllocationMethod: "Static",
      publicIPAddressVersion: "IPv6",
      tags: { k: "v" },
    });
    expect(after.ipAddress).toBe(before.ipAddress);
    expect(after.tags).toEqual({ k: "v" });
    const nic = await c.network.networkInterfaces.get("rg-net", "px-nic");
    const again = await c.network.networkInterfaces.createOrUpdate("rg-net", "px-nic", { ...nic, tags: { x: "y" } });
    expect(again.ipConfigurations!.map((x) => x.privateIPAddress)).toEqual(
      nic.ipConfigurations!.map((x) => x.privateIPAddress),
    );
  });

  it("is case-insensitive about names and path segments", async () => {
    const vnet = await c.network.virtualNetworks.get("RG-NET", "PX-VNET");
    expect(vnet.name).toBe("px-vnet");
  });
});

describe("Azure's IPv6 and public IP rules", () => {
  const pip = (name: string, body: object) =>
    c.network.publicIPAddresses.createOrUpdate("rg-net", name, { location: LOCATION, ...body });

  it("rejects a Basic SKU and a Dynamic Standard public IP", async () => {
    const basic = await failure(pip("basic", { sku: { name: "Basic" }, publicIPAllocationMethod: "Static" }));
    expect(basic).toMatchObject({ statusCode: 400, code: "IPv4BasicSkuPublicIpCountLimitReached" });
    const noSku = await failure(pip("nosku", { publicIPAddressVersion: "IPv6" }));
    expect(noSku.code).toBe("IPv6BasicSkuPublicIpCountLimitReached");
    const dynamic = await failure(pip("dynamic", { sku: { name: "Standard" }, publicIPAllocationMethod: "Dynamic" }));
    expect(dynamic.statusCode).toBe(400);
    expect(dynamic.message).toMatch(/must have AllocationMethod set to Static/);
  });

  it("rejects an IPv6 subnet that is not /64, and a subnet outside the address space", async () => {
    const vnet = (prefixes: string[]) =>
      c.network.virtualNetworks.createOrUpdate("rg-net", "bad-vnet", {
        location: LOCATION,
        addressSpace: { addressPrefixes: ["10.1.0.0/24", "fd00:1::/48"] },
        subnets: [{ name: "s", addressPrefixes: prefixes }],
      });
    expect((await failure(vnet(["10.1.0.0/26", "fd00:1::/56"]))).code).toBe("InvalidIPv6SubnetPrefixLength");
    expect((await failure(vnet(["10.2.0.0/26"]))).code).toBe("NetcfgSubnetRangeOutsideVnet");
    expect((await failure(vnet(["10.1.0.0/26", "fd00:2::/64"]))).code).toBe("NetcfgSubnetRangeOutsideVnet");
    expect((await failure(vnet(["10.1.0.1/26"]))).code).toBe("InvalidAddressPrefixFormat");
  });

  it("rejects an IPv6 primary ipconfig, a second IPv6 ipconfig, and mismatched public IP versions", async () => {
    const nic = (configs: object[]) =>
      c.network.networkInterfaces.createOrUpdate("rg-net", "bad-nic", {
        location: LOCATION,
        ipConfigurations: configs,
      });
    const subnet = { id: net.subnetId };
    const v6primary = await failure(
      nic([
        { name: "a", primary: true, privateIPAddressVersion: "IPv6", subnet },
        { name: "b", primary: false, subnet },
      ]),
    );
    expect(v6primary.code).toBe("IPv6IpConfigurationCannotBePrimary");
    expect((await failure(nic([{ name: "only", privateIPAddressVersion: "IPv6", subnet }]))).code).toBe(
      "IPv6IpConfigurationCannotBePrimary",
    );
    const twoV6 = await failure(
      nic([
        { name: "a", primary: true, subnet },
        { name: "b", privateIPAddressVersion: "IPv6", subnet },
        { name: "c", privateIPAddressVersion: "IPv6", subnet },
      ]),
    );
    expect(twoV6.code).toBe("NetworkInterfaceCanHaveOnlyOneIPv6IpConfiguration");
    const fresh = await pip("spare6", {
      sku: { name: "Standard" },
      publicIPAllocationMethod: "Static",
      publicIPAddressVersion: "IPv6",
    });
    const mismatch = await failure(nic([{ name: "a", primary: true, subnet, publicIPAddress: { id: fresh.id } }]));
    expect(mismatch.code).toBe("IPVersionForPublicIpAndNicIpConfigurationMustMatch");
  });

  it("rejects references to missing resources and a public IP already on another NIC", async () => {
    const missingSubnet = await failure(
      c.network.networkInterfaces.createOrUpdate("rg-net", "bad-nic", {
        location: LOCATION,
        ipConfigurations: [{ name: "a", subnet: { id: `${net.vnetId}/subnets/nope` } }],
      }),
    );
    expect(missingSubnet.code).toBe("InvalidResourceReference");
    const stolen = await failure(
      c.network.networkInterfaces.createOrUpdate("rg-net", "thief-nic", {
        location: LOCATION,
        ipConfigurations: [{ name: "a", subnet: { id: net.subnetId }, publicIPAddress: { id: net.pip4Id } }],
      }),
    );
    expect(stolen.code).toBe("PublicIPAddressInUse");
    expect((await all(c.network.networkInterfaces.list("rg-net"))).map((n) => n.name)).toEqual(["px-nic"]);
  });

  it("enforces NSG rules: one IP version per rule, priorities 100-4096 and unique per direction", async () => {
    const nsg = (rules: object[]) =>
      c.network.networkSecurityGroups.createOrUpdate("rg-net", "bad-nsg", { location: LOCATION, securityRules: rules });
    const rule = {
      protocol: "Tcp",
      sourcePortRange: "*",
      destinationPortRange: "443",
      access: "Allow",
      direction: "Inbound",
    };
    const mixed = await failure(
      nsg([
        {
          name: "mix",
          ...rule,
          priority: 100,
          sourceAddressPrefixes: ["203.0.113.0/24", "2001:db8::/32"],
          destinationAddressPrefix: "*",
        },
      ]),
    );
    expect(mixed.code).toBe("SecurityRuleAddressPrefixesMixIpVersions");
    const crossed = await failure(
      nsg([
        { name: "cross", ...rule, priority: 100, sourceAddressPrefix: "::/0", destinationAddressPrefix: "10.64.0.4" },
      ]),
    );
    expect(crossed.code).toBe("SecurityRuleAddressPrefixesMixIpVersions");
    expect(
      (
        await failure(
          nsg([{ name: "low", ...rule, priority: 99, sourceAddressPrefix: "*", destinationAddressPrefix: "*" }]),
        )
      ).code,
    ).toBe("SecurityRuleInvalidPriority");
    const dup = await failure(
      nsg([
        { name: "a", ...rule, priority: 200, sourceAddressPrefix: "*", destinationAddressPrefix: "*" },
        { name: "b", ...rule, priority: 200, sourceAddressPrefix: "Internet", destinationAddressPrefix: "*" },
      ]),
    );
    expect(dup.code).toBe("SecurityRuleConflict");
    const ok = await nsg([
      { name: "a", ...rule, priority: 200, sourceAddressPrefix: "Internet", destinationAddressPrefix: "*" },
      {
        name: "b",
        ...rule,
        direction: "Outbound",
        priority: 200,
        sourceAddressPrefix: "*",
        destinationAddressPrefix: "*",
      },
    ]);
    expect(ok.securityRules).toHaveLength(2);
  });
});

describe("deleting what is in use", () => {
  it("fails for a public IP on a NIC, an NSG on a subnet, and a VNet whose subnet holds a NIC", async () => {
    const pipDelete = await failure(c.network.publicIPAddresses.delete("rg-net", "px-pip6"));
    expect(pipDelete).toMatchObject({ statusCode: 400, code: "PublicIPAddressCannotBeDeleted" });
    expect((await failure(c.network.networkSecurityGroups.delete("rg-net", "px-nsg"))).code).toBe(
      "InUseNetworkSecurityGroupCannotBeDeleted",
    );
    expect((await failure(c.network.virtualNetworks.delete("rg-net", "px-vnet"))).code).toBe(
      "InUseSubnetCannotBeDeleted",
    );
    const dropSubnet = await failure(
      c.network.virtualNetworks.createOrUpdate("rg-net", "px-vnet", {
        location: LOCATION,
        addressSpace: { addressPrefixes: ["10.64.0.0/24"] },
        subnets: [],
      }),
    );
    expect(dropSubnet.code).toBe("InUseSubnetCannotBeDeleted");
    expect((await c.network.publicIPAddresses.get("rg-net", "px-pip6")).provisioningState).toBe("Succeeded");
  });

  it("succeeds in dependency order, and deleting something absent is fine", async () => {
    const n = await createDualStackNetwork(c, "rg-del", "gone");
    await c.network.networkInterfaces.delete("rg-del", "gone-nic");
    await Promise.all([
      c.network.publicIPAddresses.delete("rg-del", "gone-pip4"),
      c.network.publicIPAddresses.delete("rg-del", "gone-pip6"),
    ]);
    await c.network.virtualNetworks.delete("rg-del", "gone-vnet");
    await c.network.networkSecurityGroups.delete("rg-del", "gone-nsg");
    await c.network.networkSecurityGroups.delete("rg-del", "never-there");
    expect(emu.getResource(n.nicId)).toBeUndefined();
    expect((await all(c.resources.resources.listByResourceGroup("rg-del"))).map((r) => r.name)).toEqual([]);
    expect((await failure(c.network.virtualNetworks.get("rg-del", "gone-vnet"))).statusCode).toBe(404);
    await c.resources.resourceGroups.delete("rg-del"); // a Location-only long-running operation
    expect((await c.resources.resourceGroups.checkExistence("rg-del")).body).toBe(false);
  });
});

describe("lists", () => {
  it("page with nextLink beyond the page size, consumed with for await", async () => {
    await c.resources.resourceGroups.createOrUpdate("rg-many", { location: LOCATION });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        c.network.networkSecurityGroups.createOrUpdate("rg-many", `nsg-${String(i).padStart(2, "0")}`, {
          location: LOCATION,
          tags: { batch: "many", odd: String(i % 2) },
        }),
      ),
    );
    emu.resetRequests();
    const names = (await all(c.network.networkSecurityGroups.list("rg-many"))).map((n) => n.name).sort();
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `nsg-${String(i).padStart(2, "0")}`));
    expect(emu.requests.filter((r) => r.path.endsWith("/networkSecurityGroups"))).toHaveLength(3); // 5 + 5 + 2
  });

  it("filter the generic resource list by tag, across types, without DNS record sets or subnets", async () => {
    const tagged = await all(c.resources.resources.list({ filter: "tagName eq 'batch' and tagValue eq 'many'" }));
    expect(tagged).toHaveLength(12);
    expect(tagged[0]).toMatchObject({
      type: "Microsoft.Network/networkSecurityGroups",
      location: LOCATION,
      tags: { batch: "many" },
    });
    expect(await all(c.resources.resources.list({ filter: "tagName eq 'batch' and tagValue eq 'MANY'" }))).toHaveLength(
      0,
    );
    const types = new Set((await all(c.resources.resources.listByResourceGroup("rg-net"))).map((r) => r.type));
    expect(types).toEqual(
      new Set([
        "Microsoft.Network/networkSecurityGroups",
        "Microsoft.Network/virtualNetworks",
        "Microsoft.Network/publicIPAddresses",
        "Microsoft.Network/networkInterfaces",
      ]),
    );
    const combined = await failure(
      all(
        c.resources.resources.list({
          filter: "tagName eq 'batch' and resourceType eq 'Microsoft.Network/networkSecurityGroups'",
        }),
      ),
    );
    expect(combined).toMatchObject({ statusCode: 400, code: "InvalidFilterInQueryString" });
  });

  it("show planted resources (someone else's) like created ones", async () => {
    const id = `/subscriptions/${emu.subscriptionId}/resourceGroups/rg-foreign/providers/Microsoft.Network/networkSecurityGroups/theirs`;
    emu.seedResource(id, {
      tags: { managedBy: "azure-ipv6-proxy", ipv6ProxyOwner: "someone/else" },
      properties: { securityRules: [] },
    });
    const read = await c.network.networkSecurityGroups.get("rg-foreign", "theirs");
    expect(read).toMatchObject({ id, provisioningState: "Succeeded", tags: { ipv6ProxyOwner: "someone/else" } });
    const found = await all(
      c.resources.resources.list({ filter: "tagName eq 'ipv6ProxyOwner' and tagValue eq 'someone/else'" }),
    );
    expect(found.map((r) => r.id)).toEqual([id]);
    expect(emu.getResource(id)?.tags).toEqual(read.tags);
  });

  it("lists resource groups, and a missing resource group is a 404", async () => {
    const groups = (await all(c.resources.resourceGroups.list())).map((g) => g.name);
    expect(groups).toEqual(expect.arrayContaining(["rg-net", "rg-many"]));
    expect(groups).not.toContain("rg-del");
    const missing = await failure(
      c.network.networkSecurityGroups.createOrUpdate("rg-absent", "x", { location: LOCATION }),
    );
    expect(missing).toMatchObject({ statusCode: 404, code: "ResourceGroupNotFound" });
  });
});
