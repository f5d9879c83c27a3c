/**
 * DNS as Azure DNS has it: a name that is a CNAME can hold no AAAA record, so
 * the plan refuses it before anything is built; record-set metadata that
 * people or policies added survives our updates.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyPlan, PlanNotApplicableError, planFromDir } from "../../src/operations.js";
import { type Harness, planned, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../support/proxy-files.js";

let h: Harness;
const files = new ProxyDir();

beforeAll(async () => {
  h = await startHarness();
  h.emulator.seedDnsZone(h.emulator.subscriptionId, "rg-dns", "example.com");
});
afterAll(async () => {
  await h.close();
  files.cleanup();
});

describe("a CNAME where an AAAA record must go", () => {
  it("is a plan error naming file, line and record, and nothing is written", async () => {
    const c = h.clients();
    await c.dns.recordSets.createOrUpdate("rg-dns", "example.com", "www", "CNAME", {
      ttl: 300,
      cnameRecord: { cname: "shop-fd.azurefd.net" },
    });
    const file = files.write(
      "shop",
      proxyYaml({ name: "shop", resourceGroup: "rg-cname", zone: "example.com", records: ["@", "www"] }),
    );
    h.emulator.resetRequests();
    const outcome = await planFromDir(files.dir, h.ctx("acme/cname"));
    const plan = outcome.plan!;
    expect(plan.errors).toHaveLength(1);
    const error = plan.errors[0]!;
    expect(error).toMatchObject({ address: "shop.dnsRecord.www", file: expect.stringContaining("shop.yaml"), line: 8 });
    expect(file).toContain("shop.yaml");
    expect(error.message).toContain('"www.example.com" is a CNAME to shop-fd.azurefd.net');
    expect(error.message).toContain("replace the CNAME with A and AAAA records, or drop");
    // One CNAME list per zone, whatever the number of names asked for.
    const cnameLists = h.emulator.requests.filter((r) => r.method === "GET" && /\/CNAME(\?|$)/i.test(r.path));
    expect(cnameLists).toHaveLength(1);

    h.emulator.resetRequests();
    await expect(applyPlan(planned(outcome), h.ctx("acme/cname"), { allowDestroy: true })).rejects.toBeInstanceOf(
      PlanNotApplicableError,
    );
    expect(h.emulator.writeCount()).toBe(0);
  });
});

describe("record-set metadata others added", () => {
  it("is kept when the record set is updated", async () => {
    const owner = "acme/metadata";
    files.remove("shop");
    files.write("meta", proxyYaml({ name: "meta", resourceGroup: "rg-meta", zone: "example.com", records: ["meta"] }));
    await applyPlan(planned(await planFromDir(files.dir, h.ctx(owner))), h.ctx(owner), { allowDestroy: false });

    // A person (or Azure Policy) adds metadata to the record set.
    const c = h.clients();
    const live = await c.dns.recordSets.get("rg-dns", "example.com", "meta", "AAAA");
    await c.dns.recordSets.createOrUpdate(
      "rg-dns",
      "example.com",
      "meta",
      "AAAA",
      { ...live, metadata: { ...live.metadata, costCenter: "4711" } },
      { ifMatch: live.etag! },
    );
    const unchanged = (await planFromDir(files.dir, h.ctx(owner))).plan!;
    expect(unchanged.changes.filter((x) => x.action !== "noop")).toEqual([]);

    files.write(
      "meta",
      proxyYaml({ name: "meta", resourceGroup: "rg-meta", zone: "example.com", records: ["meta"], ttl: 120 }),
    );
    const run = planned(await planFromDir(files.dir, h.ctx(owner)));
    expect(run.plan.changes.filter((x) => x.action !== "noop").map((x) => x.address)).toEqual(["meta.dnsRecord.meta"]);
    await applyPlan(run, h.ctx(owner), { allowDestroy: false });
    const after = await c.dns.recordSets.get("rg-dns", "example.com", "meta", "AAAA");
    expect(after.ttl).toBe(120);
    expect(after.metadata).toMatchObject({ costCenter: "4711", ipv6ProxyName: "meta", ipv6ProxyOwner: owner });
  });
});
