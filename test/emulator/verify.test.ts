/**
 * Verification after apply and status, against the emulator through the real
 * SDK clients: Run Command reaches the simulated VMs, whose HAProxy answers
 * with the backend states the test sets, and DNS names are asked of the
 * emulator's name servers over real DNS.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resourceNames } from "../../src/model/names.js";
import { applyPlan, planFromDir, statusFromDir, verifyApplied } from "../../src/operations.js";
import { countChanges } from "../../src/plan/counts.js";
import { type Harness, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../support/proxy-files.js";

let h: Harness;
let files: ProxyDir;
let owner: string;
let n = 0;

beforeAll(async () => {
  h = await startHarness();
  h.emulator.seedDnsZone(h.emulator.subscriptionId, "rg-dns", "verify.example");
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  files = new ProxyDir();
  owner = `acme/verify-${++n}`;
  h.emulator.resetVmHealth();
});

async function plannedRun() {
  const outcome = await planFromDir(files.dir, h.ctx(owner));
  if (!outcome.plan) throw new Error(`proxy files: ${JSON.stringify(outcome.specErrors)}`);
  return outcome;
}

async function applyAndVerify(name: string, backends: string[], records = [name]) {
  files.write(name, proxyYaml({ name, resourceGroup: `rg-${name}`, backends, zone: "verify.example", records }));
  const planned = await plannedRun();
  const applied = await applyPlan(planned, h.ctx(owner), { allowDestroy: false });
  h.emulator.resetRequests();
  const report = await verifyApplied(planned, applied.proxies, h.ctx(owner), { dnsSettleMs: 0 });
  // Verification never changes anything: its only non-GET requests are Run Commands, one per VM.
  const writes = h.emulator.requests.filter((r) => r.kind === "arm" && r.method !== "GET" && r.method !== "HEAD");
  expect(writes.map((r) => `${r.method} ${r.path.split("/").pop()}`)).toEqual(["POST runCommand"]);
  return report;
}

describe("verify after apply", () => {
  it("reports a healthy proxy: address, IPv4, every DNS name OK from the zone's name servers, every backend UP", async () => {
    const report = await applyAndVerify("ok", ["203.0.113.10", "203.0.113.11"], ["@", "ok"]);
    const pip6 = await h.clients().network.publicIPAddresses.get("rg-ok", resourceNames("ok").publicIpV6);
    const pip4 = await h.clients().network.publicIPAddresses.get("rg-ok", resourceNames("ok").publicIpV4);
    expect(report.verdict).toBe("healthy");
    const [p] = report.proxies;
    expect(p).toMatchObject({
      proxy: "ok",
      verdict: "healthy",
      ipv6Address: pip6.ipAddress,
      ipv4Address: pip4.ipAddress,
    });
    expect(p!.dns.map((d) => [d.name, d.status])).toEqual([
      ["verify.example", "ok"],
      ["ok.verify.example", "ok"],
    ]);
    expect(p!.dns[0]!.addresses).toEqual([pip6.ipAddress]);
    // Two backends on two ports: four servers, all UP, on the one VM.
    expect(p!.vms).toHaveLength(1);
    const servers = p!.vms[0]!.answer!.servers;
    expect(servers.map((s) => `${s.server}:${s.port} ${s.status}`).sort()).toEqual([
      "203.0.113.10:443 UP",
      "203.0.113.10:80 UP",
      "203.0.113.11:443 UP",
      "203.0.113.11:80 UP",
    ]);
    expect(p!.vms[0]!.answer!.listening).toEqual([80, 443]);
    expect(h.emulator.runCommands).toHaveLength(1);
    // The name servers were asked over DNS for both names.
    const asked = h.emulator.dnsQueries.map((q) => `${q.name} ${q.type}`);
    expect(asked).toEqual(expect.arrayContaining(["verify.example AAAA", "ok.verify.example AAAA"]));
  });

  it("warns and names the backend when one of two is DOWN", async () => {
    h.emulator.setBackendHealth("203.0.113.21", "down");
    const report = await applyAndVerify("half", ["203.0.113.20", "203.0.113.21"]);
    const [p] = report.proxies;
    expect(p!.verdict).toBe("warning");
    expect(p!.failures).toEqual([]);
    expect(p!.warnings.join("\n")).toContain("203.0.113.21:443 (DOWN L4CON Connection refused)");
    expect(report.verdict).toBe("warning");
  });

  it("fails when no backend is UP", async () => {
    h.emulator.setBackendHealth("203.0.113.30", "down", { failure: "timeout" });
    const report = await applyAndVerify("dead", ["203.0.113.30"]);
    const [p] = report.proxies;
    expect(p!.verdict).toBe("failure");
    expect(p!.failures.join("\n")).toMatch(/no backend is UP.*203\.0\.113\.30:80 \(DOWN L4TOUT Layer4 timeout\)/);
  });
});

describe("status", () => {
  it("sees a record changed by hand as wrong, from the zone's name servers", async () => {
    files.write(
      "hand",
      proxyYaml({ name: "hand", resourceGroup: "rg-hand", zone: "verify.example", records: ["hand"] }),
    );
    await applyPlan(await plannedRun(), h.ctx(owner), { allowDestroy: false });
    const dns = h.clients().dns;
    const rec = await dns.recordSets.get("rg-dns", "verify.example", "hand", "AAAA");
    await dns.recordSets.createOrUpdate("rg-dns", "verify.example", "hand", "AAAA", {
      ...rec,
      aaaaRecords: [{ ipv6Address: "2001:db8:dead::1" }],
    });
    const status = await statusFromDir(files.dir, h.ctx(owner));
    const [p] = status.health!.proxies;
    expect(p!.dns).toEqual([
      expect.objectContaining({ name: "hand.verify.example", status: "wrong", addresses: ["2001:db8:dead::1"] }),
    ]);
    expect(p!.verdict).toBe("failure");
    // The same run's plan sees the drift too.
    expect(status.health && countChanges(status.plan.changes).change).toBeGreaterThan(0);
  });

  it("reports a missing record and a stopped HAProxy", async () => {
    files.write(
      "gone",
      proxyYaml({ name: "gone", resourceGroup: "rg-gone", zone: "verify.example", records: ["gone"] }),
    );
    await applyPlan(await plannedRun(), h.ctx(owner), { allowDestroy: false });
    await h.clients().dns.recordSets.delete("rg-dns", "verify.example", "gone", "AAAA");
    const vm = await h.clients().compute.virtualMachines.get("rg-gone", resourceNames("gone").virtualMachine);
    h.emulator.setHaproxyRunning(vm.id!, false);
    const [p] = (await statusFromDir(files.dir, h.ctx(owner))).health!.proxies;
    expect(p!.dns[0]).toMatchObject({ status: "missing" });
    expect(p!.failures.join("\n")).toContain("HAProxy is not running");
    expect(p!.failures.join("\n")).toContain("gone.verify.example has no AAAA record");
  });
});
