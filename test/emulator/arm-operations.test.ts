/**
 * model/arm-operations.ts against what the engine really sends: a proxy's
 * whole life (plan, create, a config change, a replacement, a resize, removal) through
 * the real SDK clients, and every ARM request the emulator saw must match a
 * row of the table, with the row's api-version. A new SDK call without a row
 * fails here; so does an SDK upgrade that moves an api-version.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RequestLogEntry } from "../../src/emulator/server.js";
import { ARM_OPERATIONS, type ArmOperation } from "../../src/model/arm-operations.js";
import { applyPlan, planFromDir, verifyApplied } from "../../src/operations.js";
import { type Harness, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../support/proxy-files.js";
import { ED25519_KEY } from "../unit/proxyfile-fixtures.js";

let h: Harness;
const files = new ProxyDir();
const seen: RequestLogEntry[] = [];

const templateRegex = (template: string): RegExp =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{\}/g, "[^/]+")}$`, "i");

function rowOf(r: RequestLogEntry): ArmOperation | undefined {
  return ARM_OPERATIONS.find((op) => op.method === r.method && templateRegex(op.path).test(r.path));
}

const apiVersion = (r: RequestLogEntry) => new URLSearchParams(r.query).get("api-version");

beforeAll(async () => {
  h = await startHarness();
  h.emulator.seedDnsZone(h.emulator.subscriptionId, "rg-dns", "example.nl");
  h.emulator.resetRequests();
  const ctx = h.ctx("acme/arm-ops");
  const cycle = async (allowDestroy = false) => {
    const outcome = await planFromDir(files.dir, ctx);
    if (!outcome.plan) throw new Error(`proxy files: ${JSON.stringify(outcome.specErrors)}`);
    expect(outcome.plan.errors).toEqual([]);
    const applied = await applyPlan(outcome, ctx, { allowDestroy });
    // The check after an apply: Run Command on each VM, and the zone read for its name servers.
    await verifyApplied(outcome, applied.proxies, ctx, { dnsSettleMs: 0 });
    seen.push(...h.emulator.requests.filter((r) => r.kind === "arm"));
    h.emulator.resetRequests();
  };
  const www = { name: "www", resourceGroup: "rg-arm-ops", zone: "example.nl", records: ["www"] };
  // Replicas in a region without zones: a load balancer and an availability set.
  const ha = { name: "ha", resourceGroup: "rg-arm-ops-ha", location: "westus", zone: "example.nl", records: ["ha"] };
  files.write("www", proxyYaml(www));
  files.write("ha", proxyYaml({ ...ha, replicas: 2 }));
  await cycle(); // create everything
  files.write("www", proxyYaml({ ...www, backends: ["203.0.113.50"] }));
  files.write("ha", proxyYaml({ ...ha, replicas: 2, backends: ["203.0.113.50"] }));
  await cycle(); // config push (PATCH userData, Run Command), one replica at a time
  const ssh = `ssh:\n  allowFrom: ["2001:db8:1234::/48"]\n  publicKeys: ["${ED25519_KEY}"]\n`;
  files.write("www", proxyYaml({ ...www, backends: ["203.0.113.50"] }) + ssh);
  await cycle(true); // a new SSH key replaces the VM
  h.emulator.setHardwareCluster(/^ipv6px-www-vm$/, ["Standard_B2ats_v2"]);
  files.write("www", `${proxyYaml({ ...www, backends: ["203.0.113.50"] })}${ssh}vmSize: Standard_D2as_v5\n`);
  await cycle(); // a resize its hardware does not offer: vmSizes, deallocate, PATCH, start
  files.remove("www");
  files.remove("ha");
  await cycle(true); // removal deletes it all
}, 240_000);
afterAll(async () => {
  await h?.close();
  files.cleanup();
});

describe("the table of ARM operations", () => {
  it("saw a whole life of a proxy: creates, a config push, a replacement and deletes, each verified", () => {
    const methods = new Set(seen.map((r) => r.method));
    expect([...methods].sort()).toEqual(["DELETE", "GET", "PATCH", "POST", "PUT"]);
  });

  it("has a row for every request the engine sent", () => {
    const unmatched = [...new Set(seen.filter((r) => !rowOf(r)).map((r) => `${r.method} ${r.path}`))];
    expect(unmatched).toEqual([]);
  });

  it("pins the api-version each request carried", () => {
    const wrong = [
      ...new Set(
        seen.flatMap((r) => {
          const row = rowOf(r);
          if (!row || row.apiVersion === "service" || row.apiVersion === apiVersion(r)) return [];
          return [`${r.method} ${r.path}: sent ${apiVersion(r)}, the table says ${row.apiVersion}`];
        }),
      ),
    ];
    expect(wrong).toEqual([]);
  });

  it("has no row the engine never uses", () => {
    const unused = ARM_OPERATIONS.filter((op) => !op.azureOnly && !seen.some((r) => rowOf(r) === op)).map(
      (op) => `${op.method} ${op.path}`,
    );
    expect(unused).toEqual([]);
  });
});
