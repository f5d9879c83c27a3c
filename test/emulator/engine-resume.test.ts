/**
 * Resumability: an apply that dies halfway (a 500 the SDK gives up on, a failed
 * long-running operation) converges on the next run, with no duplicates.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resourceNames } from "../../src/model/names.js";
import { ApplyFailedError, applyPlan, planFromDir } from "../../src/operations.js";
import { type Harness, planned, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../support/proxy-files.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.emulator.seedDnsZone(h.emulator.subscriptionId, "rg-dns", "example.org");
});
afterAll(() => h.close());

async function countIn<T>(iter: AsyncIterable<T>): Promise<number> {
  let n = 0;
  for await (const _ of iter) n++;
  return n;
}

describe("resume after a failure", () => {
  it.each([
    [
      "a failed long-running operation on the VM",
      { method: "PUT", pathPattern: /virtualMachines\/ipv6px-lro-vm/i, failLro: true, times: 1 },
      "lro",
    ],
    [
      "persistent 500s on the NIC",
      { method: "PUT", pathPattern: /networkInterfaces\/ipv6px-http-nic/i, status: 500, times: 20 },
      "http",
    ],
  ])("%s", async (_title, fault, name) => {
    const files = new ProxyDir();
    const rg = `rg-resume-${name}`;
    files.write(name, proxyYaml({ name, resourceGroup: rg, zone: "example.org", records: [name] }));
    const ctx = h.ctx(`acme/resume-${name}`);
    h.emulator.addFault(fault);
    const first = await planFromDir(files.dir, ctx);
    await expect(applyPlan(planned(first), ctx, { allowDestroy: false })).rejects.toBeInstanceOf(ApplyFailedError);
    h.emulator.clearFaults();

    const second = planned(await planFromDir(files.dir, ctx));
    // What finished before the failure is not created again.
    expect(second.plan.changes.find((c) => c.kind === "networkSecurityGroup")!.action).toBe("noop");
    expect(second.plan.changes.filter((c) => c.action === "create").length).toBeGreaterThan(0);
    const result = await applyPlan(second, ctx, { allowDestroy: false });
    expect(result.proxies[0]!.ipv6Address).toMatch(/:/);

    const third = (await planFromDir(files.dir, ctx)).plan!;
    expect(third.changes.filter((c) => c.action !== "noop")).toEqual([]);
    const c = h.clients();
    expect(await countIn(c.network.publicIPAddresses.list(rg))).toBe(2);
    expect(await countIn(c.network.networkInterfaces.list(rg))).toBe(1);
    expect(await countIn(c.compute.virtualMachines.list(rg))).toBe(1);
    const vm = await c.compute.virtualMachines.get(rg, resourceNames(name).virtualMachine);
    expect(vm.provisioningState).toBe("Succeeded");
    files.cleanup();
  });

  it("retries throttling (429 with Retry-After) without failing the apply", async () => {
    const files = new ProxyDir();
    files.write("throttled", proxyYaml({ name: "throttled", resourceGroup: "rg-throttle" }));
    h.emulator.addFault({
      method: "PUT",
      pathPattern: /publicIPAddresses/i,
      status: 429,
      retryAfterSeconds: 1,
      times: 2,
    });
    const ctx = h.ctx("acme/throttle");
    const p = planned(await planFromDir(files.dir, ctx));
    await applyPlan(p, ctx, { allowDestroy: false });
    h.emulator.clearFaults();
    const throttled = h.emulator.requests.filter((r) => r.status === 429);
    expect(throttled.length).toBe(2);
    expect((await planFromDir(files.dir, ctx)).plan!.changes.every((c) => c.action === "noop")).toBe(true);
    files.cleanup();
  });
});
