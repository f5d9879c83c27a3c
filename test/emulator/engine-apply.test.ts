/**
 * The engine against the Azure emulator through the real SDK clients:
 * create, idempotence, in-place change, deletion safety, collisions.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resourceNames } from "../../src/model/names.js";
import { applyPlan, DestroyNotAllowedError, PlanNotApplicableError, planFromDir } from "../../src/operations.js";
import { countChanges } from "../../src/plan/counts.js";
import { type Harness, planned, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../support/proxy-files.js";

let h: Harness;
let files: ProxyDir;
/** Each test is its own owner instance, so tests never see each other's proxies as deletions. */
let owner: string;
let n = 0;

beforeAll(async () => {
  h = await startHarness();
  h.emulator.seedDnsZone(h.emulator.subscriptionId, "rg-dns", "example.nl");
});
afterAll(async () => {
  await h.close();
});
beforeEach(() => {
  files = new ProxyDir();
  owner = `acme/web-${++n}`;
});

async function plan(as = owner) {
  const outcome = await planFromDir(files.dir, h.ctx(as));
  return planned(outcome);
}

describe("create, then converge", () => {
  it("creates a proxy with its network, VM and AAAA records, and a second apply writes nothing", async () => {
    files.write(
      "www",
      proxyYaml({ name: "www", resourceGroup: "rg-create", zone: "example.nl", records: ["@", "www"] }),
    );
    h.emulator.resetRequests();
    const first = await plan();
    expect(h.emulator.writeCount()).toBe(0); // plan is read-only
    expect(first.plan.errors).toEqual([]);
    const actions = Object.fromEntries(first.plan.changes.map((c) => [c.address, c.action]));
    expect(actions).toMatchObject({
      "www.resourceGroup": "create",
      "www.networkSecurityGroup": "create",
      "www.virtualNetwork": "create",
      "www.publicIpV4": "create",
      "www.publicIpV6": "create",
      "www.networkInterface": "create",
      "www.virtualMachine": "create",
      "www.dnsRecord.@": "create",
      "www.dnsRecord.www": "create",
    });
    expect(countChanges(first.plan.changes)).toEqual({ add: 9, change: 0, destroy: 0 });

    const result = await applyPlan(first, h.ctx(owner), { allowDestroy: false });
    const www = result.proxies.find((p) => p.name === "www")!;
    expect(www.status).toBe("created");
    expect(www.ipv6Address).toMatch(/:/);
    expect(www.dnsNames).toEqual(["example.nl", "www.example.nl"]);

    const c = h.clients();
    const names = resourceNames("www");
    const pip6 = await c.network.publicIPAddresses.get("rg-create", names.publicIpV6);
    expect(pip6.ipAddress).toBe(www.ipv6Address);
    const apex = await c.dns.recordSets.get("rg-dns", "example.nl", "@", "AAAA");
    expect(apex.aaaaRecords?.map((r) => r.ipv6Address)).toEqual([www.ipv6Address]);
    expect(apex.metadata).toMatchObject({ managedBy: "azure-ipv6-proxy", ipv6ProxyOwner: owner, ipv6ProxyName: "www" });
    const nic = await c.network.networkInterfaces.get("rg-create", names.networkInterface);
    const primary = nic.ipConfigurations!.find((x) => x.primary);
    expect(primary?.privateIPAddressVersion ?? "IPv4").toBe("IPv4");
    const vm = await c.compute.virtualMachines.get("rg-create", names.virtualMachine, { expand: "userData" });
    expect(Buffer.from(vm.userData!, "base64").toString()).toContain("backend");
    expect(vm.osProfile?.linuxConfiguration?.disablePasswordAuthentication).toBe(true);

    h.emulator.resetRequests();
    const second = await plan();
    expect(second.plan.changes.filter((x) => x.action !== "noop")).toEqual([]);
    expect(countChanges(second.plan.changes)).toEqual({ add: 0, change: 0, destroy: 0 });
    await applyPlan(second, h.ctx(owner), { allowDestroy: false });
    expect(h.emulator.writeCount()).toBe(0);
  });
});

describe("in-place change", () => {
  it("changes backends and ports without a new VM and keeps the IPv6 address", async () => {
    files.write("shop", proxyYaml({ name: "shop", resourceGroup: "rg-inplace", backends: ["203.0.113.20"] }));
    const created = await applyPlan(await plan(), h.ctx(owner), { allowDestroy: false });
    const before = created.proxies[0]!.ipv6Address;

    files.write(
      "shop",
      proxyYaml({
        name: "shop",
        resourceGroup: "rg-inplace",
        backends: ["203.0.113.21", "203.0.113.22"],
        ports: [80, 443, 8443],
      }),
    );
    const change = await plan();
    const active = change.plan.changes.filter((c) => c.action !== "noop");
    expect(active.map((c) => `${c.address}:${c.action}`).sort()).toEqual([
      "shop.networkSecurityGroup:update",
      "shop.virtualMachine:update",
      "shop.vmConfig:update",
    ]);
    const diff = change.plan.configDiffs.find((d) => d.proxy === "shop")!.diff;
    expect(diff).toMatch(/^-.*203\.0\.113\.20/m);
    expect(diff).toMatch(/^\+.*203\.0\.113\.22/m);
    const nsg = active.find((c) => c.kind === "networkSecurityGroup")!;
    expect(nsg.diffs.map((d) => d.path)).toContain("securityRules[0].ports");

    const applied = await applyPlan(change, h.ctx(owner), { allowDestroy: false });
    expect(applied.proxies[0]!.ipv6Address).toBe(before);
    expect(applied.proxies[0]!.status).toBe("updated");
    const vm = await h
      .clients()
      .compute.virtualMachines.get("rg-inplace", resourceNames("shop").virtualMachine, { expand: "userData" });
    expect(Buffer.from(vm.userData!, "base64").toString()).toContain("203.0.113.22");
    expect((await plan()).plan.changes.every((c) => c.action === "noop")).toBe(true);
  });
});

describe("concurrent edits", () => {
  it("never overwrites a DNS record a person changed after the plan was made, and converges on the next run", async () => {
    files.write("edit", proxyYaml({ name: "edit", resourceGroup: "rg-etag", zone: "example.nl", records: ["edit"] }));
    await applyPlan(await plan(), h.ctx(owner), { allowDestroy: false });
    files.write(
      "edit",
      proxyYaml({ name: "edit", resourceGroup: "rg-etag", zone: "example.nl", records: ["edit"], ttl: 120 }),
    );
    const reviewed = await plan();
    expect(reviewed.plan.changes.filter((c) => c.action !== "noop").map((c) => c.address)).toEqual([
      "edit.dnsRecord.edit",
    ]);

    const c = h.clients();
    const live = await c.dns.recordSets.get("rg-dns", "example.nl", "edit", "AAAA");
    await c.dns.recordSets.createOrUpdate("rg-dns", "example.nl", "edit", "AAAA", { ...live, ttl: 60 }); // a person's edit
    await expect(applyPlan(reviewed, h.ctx(owner), { allowDestroy: false })).rejects.toThrow(
      /412|precondition|etag|modified/i,
    );
    expect((await c.dns.recordSets.get("rg-dns", "example.nl", "edit", "AAAA")).ttl).toBe(60);

    const again = await plan();
    expect(again.plan.changes.find((x) => x.address === "edit.dnsRecord.edit")?.diffs).toEqual([
      { path: "ttl", before: 60, after: 120 },
    ]);
    await applyPlan(again, h.ctx(owner), { allowDestroy: false });
    expect((await c.dns.recordSets.get("rg-dns", "example.nl", "edit", "AAAA")).ttl).toBe(120);
  });
});

describe("deletion safety", () => {
  it("destroys only what this owner created, and only with allow-destroy", async () => {
    const rg = "rg-delete";
    const sub = h.emulator.subscriptionId;
    files.write("old", proxyYaml({ name: "old", resourceGroup: rg, zone: "example.nl", records: ["old"] }));
    await applyPlan(await plan(), h.ctx(owner), { allowDestroy: false });
    // Look-alikes: same naming pattern, but not ours (no tags / another owner).
    const c = h.clients();
    await c.network.networkSecurityGroups.createOrUpdate(rg, "ipv6px-lookalike-nsg", { location: "westeurope" });
    await c.network.networkSecurityGroups.createOrUpdate(rg, "ipv6px-other-nsg", {
      location: "westeurope",
      tags: { managedBy: "azure-ipv6-proxy", ipv6ProxyOwner: "someone/else", ipv6ProxyName: "other" },
    });
    await c.dns.recordSets.createOrUpdate("rg-dns", "example.nl", "manual", "AAAA", {
      ttl: 60,
      aaaaRecords: [{ ipv6Address: "2001:db8::1" }],
    });

    files.remove("old");
    const p = await plan();
    const deletes = p.plan.changes.filter((x) => x.action === "delete");
    expect(deletes.map((x) => x.address).sort()).toEqual([
      "old.dnsRecord.old",
      "old.networkInterface",
      "old.networkSecurityGroup",
      "old.publicIpV4",
      "old.publicIpV6",
      "old.virtualMachine",
      "old.virtualNetwork",
    ]);
    expect(p.plan.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(["destroy", "ipv6-address-change"]));

    h.emulator.resetRequests();
    await expect(applyPlan(p, h.ctx(owner), { allowDestroy: false })).rejects.toBeInstanceOf(DestroyNotAllowedError);
    expect(h.emulator.writeCount()).toBe(0);

    await applyPlan(p, h.ctx(owner), { allowDestroy: true });
    const left = [];
    for await (const n of c.network.networkSecurityGroups.list(rg)) left.push(n.name);
    expect(left.sort()).toEqual(["ipv6px-lookalike-nsg", "ipv6px-other-nsg"]);
    await expect(c.dns.recordSets.get("rg-dns", "example.nl", "manual", "AAAA")).resolves.toBeTruthy();
    await expect(c.dns.recordSets.get("rg-dns", "example.nl", "old", "AAAA")).rejects.toMatchObject({
      statusCode: 404,
    });
    await expect(c.resources.resourceGroups.get(rg)).resolves.toBeTruthy(); // never deleted
    expect(sub).toBeTruthy();
  });

  it("refuses to take over a resource or a DNS record it did not create, and writes nothing", async () => {
    const rg = "rg-collide";
    const c = h.clients();
    await c.resources.resourceGroups.createOrUpdate(rg, { location: "westeurope" });
    await c.network.publicIPAddresses.createOrUpdate(rg, resourceNames("api").publicIpV6, {
      location: "westeurope",
      sku: { name: "Standard" },
      publicIPAllocationMethod: "Static",
      publicIPAddressVersion: "IPv6",
    });
    await c.dns.recordSets.createOrUpdate("rg-dns", "example.nl", "api", "AAAA", {
      ttl: 60,
      aaaaRecords: [{ ipv6Address: "2001:db8::2" }],
    });
    files.write("api", proxyYaml({ name: "api", resourceGroup: rg, zone: "example.nl", records: ["api"] }));
    const p = await plan();
    expect(p.plan.errors.map((e) => e.address).sort()).toEqual(["api.dnsRecord.api", "api.publicIpV6"]);
    expect(p.plan.errors[0]!.file).toContain("api.yaml");
    expect(p.plan.warnings.map((w) => w.code).sort()).toEqual(["dns-not-owned", "not-owned"]);
    h.emulator.resetRequests();
    await expect(applyPlan(p, h.ctx(owner), { allowDestroy: true })).rejects.toBeInstanceOf(PlanNotApplicableError);
    expect(h.emulator.writeCount()).toBe(0);
  });

  it("never plans to delete another owner's proxies", async () => {
    files.write("mine", proxyYaml({ name: "mine", resourceGroup: "rg-owners" }));
    await applyPlan(await plan("team/a"), h.ctx("team/a"), { allowDestroy: false });
    files.remove("mine");
    const other = await plan("team/b");
    expect(other.plan.changes.filter((c) => c.proxy === "mine")).toEqual([]);
    const own = await plan("team/a");
    expect(own.plan.changes.filter((c) => c.proxy === "mine" && c.action === "delete").length).toBe(6);
  });
});
