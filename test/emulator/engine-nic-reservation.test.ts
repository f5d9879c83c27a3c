/**
 * Azure reserves a deleted VM's network interfaces for it for a while (180 s;
 * here as short as the emulator is told): removing a proxy and replacing a VM
 * must still converge in one apply, and say what they wait for.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AzureClients } from "../../src/azure/clients.js";
import type { Logger } from "../../src/log.js";
import { resourceNames } from "../../src/model/names.js";
import { applyPlan, type OperationContext, planFromDir } from "../../src/operations.js";
import { sshPublicKey } from "../support/emulator-fixtures.js";
import { type Harness, planned, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../support/proxy-files.js";

let h: Harness;
let c: AzureClients;

beforeAll(async () => {
  h = await startHarness({ nicReservationMs: 1500 });
  h.emulator.seedDnsZone(h.emulator.subscriptionId, "rg-dns", "example.net");
  c = h.clients();
});
afterAll(() => h.close());

function recording(owner: string): { ctx: OperationContext; lines: string[] } {
  const lines: string[] = [];
  const log: Logger = { info: (m) => void lines.push(m), warn: (m) => void lines.push(m), group: (_n, fn) => fn() };
  return { ctx: { ...h.ctx(owner), log }, lines };
}

async function names<T extends { name?: string }>(iter: AsyncIterable<T>): Promise<string[]> {
  const out: string[] = [];
  for await (const x of iter) out.push(x.name!);
  return out.sort();
}

/** A VM made by an earlier version of this tool: its NIC stays behind when the VM is deleted. */
async function detachNicOnDelete(rg: string, proxy: string) {
  const n = resourceNames(proxy);
  const vm = await c.compute.virtualMachines.get(rg, n.virtualMachine);
  const nicId = vm.networkProfile!.networkInterfaces![0]!.id!;
  await c.compute.virtualMachines.update(rg, n.virtualMachine, {
    networkProfile: { networkInterfaces: [{ id: nicId, primary: true, deleteOption: "Detach" }] },
  });
}

const keyYaml = (key: string) => `ssh:\n  allowFrom: ["2001:db8:1234::/48"]\n  publicKeys: ["${key}"]\n`;

describe("removing a proxy", () => {
  it.each([
    ["its NIC goes with the VM", false],
    ["its NIC stays behind, reserved for the deleted VM (a VM made by an earlier version)", true],
  ])("converges in one apply and leaves nothing behind: %s", async (_title, detached) => {
    const name = detached ? "oldrm" : "newrm";
    const rg = `rg-${name}`;
    const files = new ProxyDir();
    files.write(name, proxyYaml({ name, resourceGroup: rg, zone: "example.net", records: [name] }));
    const owner = `acme/${name}`;
    await applyPlan(planned(await planFromDir(files.dir, h.ctx(owner))), h.ctx(owner), { allowDestroy: false });
    if (detached) await detachNicOnDelete(rg, name);

    files.remove(name);
    const { ctx, lines } = recording(owner);
    const run = planned(await planFromDir(files.dir, ctx));
    expect(run.plan.changes.filter((x) => x.action === "delete").length).toBe(7);
    await applyPlan(run, ctx, { allowDestroy: true });

    const waited = lines.filter((l) => l.includes("waiting for Azure to release the network interface"));
    expect(waited.length > 0).toBe(detached);
    // Never a force delete, which may hold the NIC for up to 10 minutes.
    const vmDelete = h.emulator.requests.find((r) => r.method === "DELETE" && r.path.endsWith(`/ipv6px-${name}-vm`));
    expect(vmDelete?.query).toContain("forceDeletion=false");
    expect(await names(c.network.networkInterfaces.list(rg))).toEqual([]);
    expect(await names(c.network.publicIPAddresses.list(rg))).toEqual([]);
    expect(await names(c.network.virtualNetworks.list(rg))).toEqual([]);
    expect(await names(c.network.networkSecurityGroups.list(rg))).toEqual([]);
    expect(await names(c.compute.virtualMachines.list(rg))).toEqual([]);
    expect(await names(c.compute.disks.listByResourceGroup(rg))).toEqual([]);
    await expect(c.dns.recordSets.get("rg-dns", "example.net", name, "AAAA")).rejects.toMatchObject({
      statusCode: 404,
    });
    expect((await planFromDir(files.dir, ctx)).plan!.changes).toEqual([]);
    files.cleanup();
  });
});

describe("replacing a VM after an SSH key change", () => {
  it.each([
    ["its NIC goes with the VM and is created again", false],
    ["its NIC stays, reserved for the deleted VM until Azure releases it", true],
  ])("converges in one apply and keeps the addresses: %s", async (_title, detached) => {
    const name = detached ? "oldkey" : "newkey";
    const rg = `rg-${name}`;
    const files = new ProxyDir();
    const base = proxyYaml({ name, resourceGroup: rg, zone: "example.net", records: [name] });
    files.write(name, base + keyYaml(sshPublicKey()));
    const owner = `acme/${name}`;
    const created = await applyPlan(planned(await planFromDir(files.dir, h.ctx(owner))), h.ctx(owner), {
      allowDestroy: false,
    });
    if (detached) await detachNicOnDelete(rg, name);

    const newKey = sshPublicKey();
    files.write(name, base + keyYaml(newKey));
    const { ctx, lines } = recording(owner);
    const run = planned(await planFromDir(files.dir, ctx));
    const plan = run.plan;
    const actions = Object.fromEntries(plan.changes.map((x) => [x.kind, x.action]));
    expect(actions.virtualMachine).toBe("replace");
    expect(actions.networkInterface).toBe(detached ? "noop" : "replace");
    expect(actions.publicIpV6).toBe("noop");

    const applied = await applyPlan(run, ctx, { allowDestroy: true });
    expect(applied.proxies[0]!.ipv6Address).toBe(created.proxies[0]!.ipv6Address);
    const waited = lines.some((l) => l.includes("waiting for Azure to release the network interface"));
    expect(waited).toBe(detached);
    const vm = await c.compute.virtualMachines.get(rg, resourceNames(name).virtualMachine);
    expect(vm.osProfile?.linuxConfiguration?.ssh?.publicKeys?.map((k) => k.keyData)).toEqual([newKey]);
    expect((await planFromDir(files.dir, ctx)).plan!.changes.every((x) => x.action === "noop")).toBe(true);
    files.cleanup();
  });
});
