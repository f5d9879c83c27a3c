/**
 * "Created" means "serving": after creating a VM the engine waits until it
 * has finished its first boot and serves its config (Run Command), and only
 * then marks the config applied and writes DNS. A first boot that fails
 * leaves DNS untouched and the config pending.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resourceNames, TAG_CONFIG_HASH } from "../../src/model/names.js";
import { ApplyFailedError, applyPlan, planFromDir } from "../../src/operations.js";
import { type Harness, planned, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../support/proxy-files.js";

let h: Harness;

beforeAll(async () => {
  // cloud-init runs on for a while after the VM PUT succeeded, as on Azure.
  h = await startHarness({ cloudInitMs: 400 });
  h.emulator.seedDnsZone(h.emulator.subscriptionId, "rg-dns", "example.org");
});
afterAll(() => h.close());

describe("a new VM", () => {
  it("gets DNS only once it serves its config", async () => {
    const files = new ProxyDir();
    files.write(
      "fresh",
      proxyYaml({ name: "fresh", resourceGroup: "rg-fresh", zone: "example.org", records: ["fresh"] }),
    );
    const ctx = h.ctx("acme/fresh");
    h.emulator.resetRequests();
    const result = await applyPlan(planned(await planFromDir(files.dir, ctx)), ctx, { allowDestroy: false });
    expect(result.proxies[0]!.vmMessage).toMatch(/applied config sha256=/);

    const writes = h.emulator.requests
      .filter((r) => r.kind === "arm" && r.method !== "GET")
      .map((r) => `${r.method} ${r.path.split("/").slice(-2).join("/")}`);
    const vmPut = writes.indexOf("PUT virtualMachines/ipv6px-fresh-vm");
    const check = writes.indexOf("POST ipv6px-fresh-vm/runCommand");
    const marked = writes.indexOf("PATCH virtualMachines/ipv6px-fresh-vm");
    const dns = writes.indexOf("PUT AAAA/fresh");
    expect(vmPut).toBeGreaterThanOrEqual(0);
    expect([vmPut < check, check < marked, marked < dns]).toEqual([true, true, true]);

    const vm = await h.clients().compute.virtualMachines.get("rg-fresh", resourceNames("fresh").virtualMachine);
    expect(vm.tags?.[TAG_CONFIG_HASH]).toMatch(/^[0-9a-f]{64}$/);
    expect((await planFromDir(files.dir, ctx)).plan!.changes.every((c) => c.action === "noop")).toBe(true);
    files.cleanup();
  });

  it("whose first boot fails leaves DNS unwritten, fails with the VM's words, and stays pending", async () => {
    const files = new ProxyDir();
    h.emulator.failFirstBoot(/^ipv6px-broken-vm$/, "E: Unable to locate package haproxy");
    files.write(
      "broken",
      proxyYaml({ name: "broken", resourceGroup: "rg-broken", zone: "example.org", records: ["broken"] }),
    );
    const ctx = h.ctx("acme/broken");
    const error = await applyPlan(planned(await planFromDir(files.dir, ctx)), ctx, { allowDestroy: false }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApplyFailedError);
    expect((error as Error).message).toMatch(
      /does not serve \(first-boot-failed\)[\s\S]*Unable to locate package haproxy/,
    );

    const c = h.clients();
    await expect(c.dns.recordSets.get("rg-dns", "example.org", "broken", "AAAA")).rejects.toMatchObject({
      statusCode: 404,
    });
    const vm = await c.compute.virtualMachines.get("rg-broken", resourceNames("broken").virtualMachine);
    expect(vm.tags?.[TAG_CONFIG_HASH]).toBeUndefined();

    const next = planned(await planFromDir(files.dir, ctx));
    const pending = Object.fromEntries(
      next.plan.changes.filter((x) => x.action !== "noop").map((x) => [x.address, x.action]),
    );
    expect(pending).toMatchObject({ "broken.vmConfig": "update", "broken.dnsRecord.broken": "create" });
    // Applying again checks again, and still writes no DNS while the VM serves nothing.
    await expect(applyPlan(next, ctx, { allowDestroy: false })).rejects.toThrow(/first boot failed/);
    await expect(c.dns.recordSets.get("rg-dns", "example.org", "broken", "AAAA")).rejects.toMatchObject({
      statusCode: 404,
    });
    files.cleanup();
  });
});
