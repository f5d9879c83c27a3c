/**
 * What one list page costs the emulator, counted rather than timed: with 500
 * proxies' worth of resources (3,000) stored, a page of 20 presents 20 items
 * and answers their back-references from one index, so reading a whole list
 * costs in proportion to the list, not to the list times the store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AzureClients } from "../../src/azure/clients.js";
import { type Emulator, startEmulator, type WorkCounters } from "../../src/emulator/server.js";
import { clientsFor } from "../support/emulator-fixtures.js";

const PROXIES = 500;
const STORED = PROXIES * 6;
const RG = "rg-proxies";

let emu: Emulator;
let c: AzureClients;

beforeAll(async () => {
  emu = await startEmulator({ pageSize: 20 });
  c = clientsFor(emu);
  for (let i = 0; i < PROXIES; i++) seedProxy(i);
});
afterAll(() => emu.close());

const idOf = (type: string, name: string) =>
  `/subscriptions/${emu.subscriptionId}/resourceGroups/${RG}/providers/${type}/${name}`;
const ids = (i: number) => {
  const vnet = idOf("Microsoft.Network/virtualNetworks", `px${i}-vnet`);
  return {
    nsg: idOf("Microsoft.Network/networkSecurityGroups", `px${i}-nsg`),
    vnet,
    subnet: `${vnet}/subnets/proxy`,
    pip4: idOf("Microsoft.Network/publicIPAddresses", `px${i}-pip4`),
    pip6: idOf("Microsoft.Network/publicIPAddresses", `px${i}-pip6`),
    nic: idOf("Microsoft.Network/networkInterfaces", `px${i}-nic`),
    vm: idOf("Microsoft.Compute/virtualMachines", `px${i}-vm`),
  };
};

/** The six resources of one proxy, planted with the references the engine's writes would leave. */
function seedProxy(i: number): void {
  const id = ids(i);
  emu.seedResource(id.nsg, { properties: { securityRules: [] } });
  emu.seedResource(id.vnet, {
    properties: {
      addressSpace: { addressPrefixes: ["10.64.0.0/24"] },
      subnets: [
        {
          id: id.subnet,
          name: "proxy",
          properties: { addressPrefixes: ["10.64.0.0/26"], networkSecurityGroup: { id: id.nsg } },
        },
      ],
    },
  });
  emu.seedResource(id.pip4, { sku: { name: "Standard" }, properties: { publicIPAddressVersion: "IPv4" } });
  emu.seedResource(id.pip6, { sku: { name: "Standard" }, properties: { publicIPAddressVersion: "IPv6" } });
  emu.seedResource(id.nic, {
    properties: {
      networkSecurityGroup: { id: id.nsg },
      ipConfigurations: [
        { name: "ipv4", properties: { subnet: { id: id.subnet }, publicIPAddress: { id: id.pip4 } } },
        {
          name: "ipv6",
          properties: { subnet: { id: id.subnet }, publicIPAddress: { id: id.pip6 }, privateIPAddressVersion: "IPv6" },
        },
      ],
    },
  });
  emu.seedResource(id.vm, { properties: { networkProfile: { networkInterfaces: [{ id: id.nic }] } } });
}

/** The counters' growth over `action`. */
async function workOf<T>(action: () => Promise<T>): Promise<{ result: T; work: WorkCounters }> {
  const before = emu.work();
  const result = await action();
  const after = emu.work();
  return {
    result,
    work: {
      resourcesVisited: after.resourcesVisited - before.resourcesVisited,
      resourcesPresented: after.resourcesPresented - before.resourcesPresented,
      referenceIndexBuilds: after.referenceIndexBuilds - before.referenceIndexBuilds,
    },
  };
}

/** One page of an SDK list, fetched alone (the pager is lazy). */
async function firstPage<T>(
  list: { byPage: (s?: { continuationToken?: string }) => AsyncIterableIterator<T[]> },
  continuationToken?: string,
): Promise<T[]> {
  const page = await list.byPage(continuationToken ? { continuationToken } : undefined).next();
  if (page.done) throw new Error("the list had no page");
  return page.value;
}

/** What a page of 20 may cost: 20 presentations, one index, and two passes over the store (the list, the index). */
function expectPageCost(work: WorkCounters): void {
  expect(work.resourcesPresented).toBe(20);
  expect(work.referenceIndexBuilds).toBeLessThanOrEqual(1);
  expect(work.resourcesVisited).toBeLessThanOrEqual(2 * STORED);
}

describe(`one page of 20 from ${STORED} stored resources`, () => {
  it("of 1,000 public IPs presents 20, with their ipConfiguration from one index", async () => {
    const { result, work } = await workOf(() => firstPage(c.network.publicIPAddresses.listAll()));
    expectPageCost(work);
    expect(work.referenceIndexBuilds).toBe(1);
    expect(result.map((p) => p.id)).toEqual([
      ids(0).pip4,
      ids(0).pip6,
      ...Array.from({ length: 9 }, (_, i) => [ids(i + 1).pip4, ids(i + 1).pip6]).flat(),
    ]);
    expect(result.map((p) => p.ipConfiguration?.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => [
        `${ids(i).nic}/ipConfigurations/ipv4`,
        `${ids(i).nic}/ipConfigurations/ipv6`,
      ]).flat(),
    );
  });

  it("of NSGs, virtual networks and NICs in a resource group costs the same", async () => {
    const nsgs = await workOf(() => firstPage(c.network.networkSecurityGroups.list(RG)));
    expectPageCost(nsgs.work);
    expect(nsgs.result[3]).toMatchObject({ subnets: [{ id: ids(3).subnet }], networkInterfaces: [{ id: ids(3).nic }] });

    const vnets = await workOf(() => firstPage(c.network.virtualNetworks.list(RG)));
    expectPageCost(vnets.work);
    expect(vnets.result[7]!.subnets![0]!.ipConfigurations?.map((x) => x.id)).toEqual([
      `${ids(7).nic}/ipConfigurations/ipv4`,
      `${ids(7).nic}/ipConfigurations/ipv6`,
    ]);

    const nics = await workOf(() => firstPage(c.network.networkInterfaces.list(RG)));
    expectPageCost(nics.work);
    expect(nics.result[19]!.virtualMachine?.id).toBe(ids(19).vm);
  });

  it("far into the list (the last page, by $skiptoken) costs no more than the first", async () => {
    const first = await c.network.publicIPAddresses.listAll().byPage().next();
    const nextLink = (first.value as { continuationToken?: string }).continuationToken;
    const last = new URL(nextLink!);
    expect(last.searchParams.get("$skiptoken")).toBe("20");
    last.searchParams.set("$skiptoken", String(2 * PROXIES - 20));
    const { result, work } = await workOf(() => firstPage(c.network.publicIPAddresses.listAll(), last.toString()));
    expectPageCost(work);
    expect(result.at(-1)).toMatchObject({
      id: ids(PROXIES - 1).pip6,
      ipConfiguration: { id: `${ids(PROXIES - 1).nic}/ipConfigurations/ipv6` },
    });
  });

  it("of VMs and of the generic resource list presents 20", async () => {
    const vms = await workOf(() => firstPage(c.compute.virtualMachines.list(RG)));
    expectPageCost(vms.work);
    expect(vms.work.referenceIndexBuilds).toBe(0); // a VM shows no back-references
    const generic = await workOf(() => firstPage(c.resources.resources.listByResourceGroup(RG)));
    expectPageCost(generic.work);
    expect(generic.result).toHaveLength(20);
  });
});

describe("a whole list", () => {
  it("presents each item once and builds one index per page", async () => {
    const pages = (2 * PROXIES) / 20;
    const { result, work } = await workOf(async () => {
      let n = 0;
      for await (const _ of c.network.publicIPAddresses.listAll()) n++;
      return n;
    });
    expect(result).toBe(2 * PROXIES);
    expect(work.resourcesPresented).toBe(2 * PROXIES);
    expect(work.referenceIndexBuilds).toBe(pages);
    expect(work.resourcesVisited).toBeLessThanOrEqual(pages * 2 * STORED);
  });
});
