/**
 * The CLI as users run it: in-process for the flags and exit codes, and as a
 * child process (bin/azure-ipv6-proxy.js) against an emulator playing Azure,
 * killed in the middle of an apply.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";
import type { Plan } from "../../src/plan/types.js";
import type { HealthReport } from "../../src/verify/types.js";
import { type Harness, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../support/proxy-files.js";

const ROOT = resolve(import.meta.dirname, "../..");
const SAMPLES = join(ROOT, "proxies");

async function runMain(args: string[]): Promise<{ code: number; out: string }> {
  const out = new PassThrough();
  let text = "";
  out.on("data", (d: Buffer) => (text += d));
  const code = await main(args, out);
  return { code, out: text };
}

describe("flags and exit codes", () => {
  it("plan --detailed-exitcode exits 2 when there are changes, and --json prints the plan", async () => {
    const detailed = await runMain([
      "plan",
      "--emulator",
      "--path",
      SAMPLES,
      "--owner",
      "acme/cli",
      "--detailed-exitcode",
    ]);
    expect(detailed.code).toBe(2);
    expect(detailed.out).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
    const json = await runMain(["plan", "--emulator", "--path", SAMPLES, "--owner", "acme/cli", "--json"]);
    expect(json.code).toBe(0);
    const plan = JSON.parse(json.out) as Plan;
    expect(plan.owner).toBe("acme/cli");
    expect(plan.proxies.map((p) => p.name)).toEqual(["portal-gemeente", "www-example-nl"]);
  });

  it("apply prints each proxy's IPv6 address and the IPv4 address its backends see", async () => {
    const files = new ProxyDir();
    files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-cli-apply" }));
    const applied = await runMain(["apply", "--emulator", "--path", files.dir, "--owner", "acme/cli"]);
    files.cleanup();
    expect(applied.code).toBe(0);
    expect(applied.out).toMatch(/^ {2}proxy +status +IPv6 address +IPv4 \(backends\) +DNS names$/m);
    // The emulator hands out public IPv6 addresses from 2001:db8:6::/48 and IPv4 ones from 198.18.0.0/15.
    expect(applied.out).toMatch(/^ {2}www +created +2001:db8:6::[0-9a-f:]+ +198\.1[89]\.\d+\.\d+ +$/m);
  });

  it("exits 1 on invalid files and on unknown flags", async () => {
    const files = new ProxyDir();
    files.write("bad", "location: westeurope\nresourceGroup: rg\nbackends: [300.1.1.1]\n");
    expect((await runMain(["plan", "--emulator", "--path", files.dir])).code).toBe(1);
    expect((await runMain(["plan", "--no-such-flag"])).code).toBe(1);
    expect((await runMain(["frobnicate"])).code).toBe(1);
    files.cleanup();
  });
});

describe("the CLI as a child process, against an emulator playing Azure", () => {
  let h: Harness;
  const files = new ProxyDir();
  beforeAll(async () => {
    h = await startHarness();
    writeFileSync(join(files.root, "ca.pem"), h.emulator.ca);
    h.emulator.seedDnsZone(h.emulator.subscriptionId, "rg-dns", "example.com");
    for (const name of ["alpha", "bravo", "charlie"]) {
      files.write(name, proxyYaml({ name, resourceGroup: "rg-killed", zone: "example.com", records: [name] }));
    }
  });
  afterAll(async () => {
    await h.close();
    files.cleanup();
  });

  /** The production path: DefaultAzureCredential from environment variables, the CA from NODE_EXTRA_CA_CERTS. */
  function cli(...args: string[]) {
    const e = h.emulator;
    return spawn(
      process.execPath,
      [
        join(ROOT, "bin", "azure-ipv6-proxy.js"),
        ...args,
        "--path",
        files.dir,
        "--owner",
        "acme/killed",
        "--subscription-id",
        e.subscriptionId,
        "--resource-manager-endpoint",
        e.endpoint,
        "--authority-host",
        e.authorityHost,
        "--allow-custom-endpoints",
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AZURE_TENANT_ID: e.tenantId,
          AZURE_CLIENT_ID: e.clientId,
          AZURE_CLIENT_SECRET: e.clientSecret,
          NODE_EXTRA_CA_CERTS: join(files.root, "ca.pem"),
          AZURE_DNS_NAME_SERVER_ADDRESS: e.dnsAddress,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
  }

  const exit = (child: ReturnType<typeof cli>) =>
    new Promise<{ code: number | null; out: string }>((done) => {
      let out = "";
      child.stdout!.on("data", (d: Buffer) => (out += d));
      child.stderr!.on("data", (d: Buffer) => (out += d));
      child.on("close", (code) => done({ code, out }));
    });

  it("an apply killed halfway converges on the next run, with nothing duplicated", async () => {
    h.emulator.setLatencyMs(40);
    const first = cli("apply");
    const firstExit = exit(first);
    await h.emulator.untilWrites(8);
    first.kill("SIGKILL");
    const killed = await firstExit;
    expect(killed.code).toBeNull(); // it really died mid-way, before finishing
    const writesBeforeKill = h.emulator.writeCount();
    expect(writesBeforeKill).toBeGreaterThanOrEqual(8);
    await h.emulator.settle();
    h.emulator.setLatencyMs(0);
    const pending = await exit(cli("plan", "--detailed-exitcode"));
    expect(pending.code, pending.out).toBe(2);

    const second = await exit(cli("apply"));
    expect(second.code, second.out).toBe(0);
    const check = await exit(cli("plan", "--detailed-exitcode"));
    expect(check.code, check.out).toBe(0);
    expect(check.out).toContain("No changes.");

    const c = h.clients();
    const names: string[] = [];
    for await (const p of c.network.publicIPAddresses.list("rg-killed")) names.push(p.name!);
    expect(names.sort()).toEqual(
      ["alpha", "bravo", "charlie"].flatMap((n) => [`ipv6px-${n}-pip4`, `ipv6px-${n}-pip6`]).sort(),
    );
    let vms = 0;
    for await (const _ of c.compute.virtualMachines.list("rg-killed")) vms++;
    expect(vms).toBe(3);
    let records = 0;
    for await (const r of c.dns.recordSets.listByType("rg-dns", "example.com", "AAAA"))
      records += r.aaaaRecords?.length ?? 0;
    expect(records).toBe(3);
    // The apply that finished checked the proxies it created from outside.
    expect(second.out).toContain("Verification:");
    expect(second.out).toMatch(/Checked \d proxies? in \d+\.\d s: \d healthy\./);
  }, 120_000);

  it("plan fails naming each resource type whose api-version the cloud lacks, and what it offers", async () => {
    h.emulator.providers.offer("Microsoft.Compute", "virtualMachines", ["2025-04-01", "2024-11-01"]);
    try {
      const plan = await exit(cli("plan"));
      expect(plan.code).toBe(1);
      expect(plan.out).toContain(
        `error: the Azure Resource Manager at ${h.emulator.endpoint} does not offer the api-versions`,
      );
      expect(plan.out).toContain(
        "  - Microsoft.Compute/virtualMachines: this release sends api-version 2026-04-01, which the cloud does not offer; it offers 2025-04-01, 2024-11-01",
      );
    } finally {
      h.emulator.providers.offer("Microsoft.Compute", "virtualMachines", ["2026-04-01"]);
    }
  });

  it("status prints every proxy's health, as JSON too, and exits 1 when a proxy serves nobody", async () => {
    const healthy = await exit(cli("status", "--json"));
    expect(healthy.code, healthy.out).toBe(0);
    const report = JSON.parse(healthy.out.slice(healthy.out.indexOf("{\n"))) as HealthReport;
    expect(report.verdict).toBe("healthy");
    expect(report.proxies.map((p) => [p.proxy, p.dns[0]?.status, p.vms[0]?.answer?.servers.length])).toEqual([
      ["alpha", "ok", 2],
      ["bravo", "ok", 2],
      ["charlie", "ok", 2],
    ]);
    // All three VMs were asked at once: one Run Command each.
    expect(
      h.emulator.runCommands
        .slice(-3)
        .map((r) => r.vmId.split("/").pop())
        .sort(),
    ).toEqual(["ipv6px-alpha-vm", "ipv6px-bravo-vm", "ipv6px-charlie-vm"]);

    h.emulator.setBackendHealth("203.0.113.10", "down");
    const dead = await exit(cli("status"));
    h.emulator.resetVmHealth();
    expect(dead.code, dead.out).toBe(1);
    expect(dead.out).toMatch(/^alpha {2}failure {2}IPv6 \S+ {2}IPv4 \S+/m);
    expect(dead.out).toContain(
      "backends  203.0.113.10 DOWN (80: DOWN L4CON Connection refused; 443: DOWN L4CON Connection refused)",
    );
    expect(dead.out).toContain("Checked 3 proxies in");
  }, 60_000);
});
