/**
 * Azure's limits on tags (learn.microsoft.com/azure/azure-resource-manager/management/tag-resources,
 * "Limitations"): the emulator refuses a value over 256 characters and more
 * than 50 tags, as Azure does; the engine keeps every value it writes within
 * the limit, even for a 90-character resource group and a long zone name, and
 * makes a merge with others' tags that would pass 50 a plan error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AzureClients } from "../../src/azure/clients.js";
import { TAG_DNS_ZONE, TAG_DNS_ZONE_GROUP } from "../../src/engine/desired.js";
import { resourceNames } from "../../src/model/names.js";
import { applyPlan, PlanNotApplicableError, planFromDir } from "../../src/operations.js";
import { failure } from "../support/emulator-fixtures.js";
import { type Harness, planned, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../support/proxy-files.js";

let h: Harness;
let c: AzureClients;
const files = new ProxyDir();

beforeAll(async () => {
  h = await startHarness();
  c = h.clients();
});
afterAll(async () => {
  await h.close();
  files.cleanup();
});

async function all<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}

const manyTags = (n: number, prefix = "t") =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${String(i).padStart(2, "0")}`, "x"]));

describe("the emulator", () => {
  it("refuses a tag value over 256 characters and more than 50 tags, as Azure does", async () => {
    await c.resources.resourceGroups.createOrUpdate("rg-tag-limits", { location: "westeurope" });
    const nsg = (tags: Record<string, string>) =>
      c.network.networkSecurityGroups.createOrUpdate("rg-tag-limits", "nsg", { location: "westeurope", tags });
    const long = await failure(nsg({ note: "v".repeat(257) }));
    expect(long).toMatchObject({ statusCode: 400, code: "InvalidTagValueLength" });
    expect(long.message).toContain("Maximum allowed length for tag value - '256' characters");
    expect(await failure(nsg(manyTags(51)))).toMatchObject({ statusCode: 400 });
    await nsg({ ...manyTags(49), note: "v".repeat(256) });
    // A tags-only PATCH meets the same limits.
    expect(
      await failure(c.network.networkSecurityGroups.updateTags("rg-tag-limits", "nsg", { tags: manyTags(51) })),
    ).toMatchObject({ statusCode: 400 });
  });
});

describe("a 90-character resource group and a long zone name", () => {
  const rg = `rg-${"r".repeat(87)}`;
  const dnsRg = `dns-${"d".repeat(86)}`;
  const zone = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.example.com`;
  const owner = "acme/long-names";

  it("stay within the tag limits through create, re-plan and removal", async () => {
    expect(rg).toHaveLength(90);
    expect(dnsRg).toHaveLength(90);
    h.emulator.seedDnsZone(h.emulator.subscriptionId, dnsRg, zone);
    files.write(
      "long",
      proxyYaml({ name: "long", resourceGroup: rg, zone, dnsResourceGroup: dnsRg, records: ["www"] }),
    );
    const run = planned(await planFromDir(files.dir, h.ctx(owner)));
    expect(run.plan.errors).toEqual([]);
    // The emulator refuses any value over 256 characters: the apply succeeding is the proof.
    await applyPlan(run, h.ctx(owner), { allowDestroy: false });

    const pip6 = await c.network.publicIPAddresses.get(rg, resourceNames("long").publicIpV6);
    expect(pip6.tags?.[TAG_DNS_ZONE]).toBe(zone);
    expect(pip6.tags?.[TAG_DNS_ZONE_GROUP]).toBe(`${h.emulator.subscriptionId}/${dnsRg}`);
    const everyTag = [
      ...(await all(c.network.publicIPAddresses.list(rg))),
      ...(await all(c.network.networkInterfaces.list(rg))),
      ...(await all(c.network.networkSecurityGroups.list(rg))),
      ...(await all(c.network.virtualNetworks.list(rg))),
      ...(await all(c.compute.virtualMachines.list(rg))),
    ].flatMap((r) => Object.values(r.tags ?? {}));
    expect(everyTag.length).toBeGreaterThan(20);
    expect(Math.max(...everyTag.map((v) => v.length))).toBeLessThanOrEqual(256);

    const again = planned(await planFromDir(files.dir, h.ctx(owner)));
    expect(again.plan.changes.filter((x) => x.action !== "noop")).toEqual([]);

    // Removed from the files, the proxy's records are found through the short form of the zone tag.
    files.remove("long");
    const removal = planned(await planFromDir(files.dir, h.ctx(owner)));
    expect(removal.plan.changes.filter((x) => x.kind === "dnsRecord").map((x) => [x.action, x.name])).toEqual([
      ["delete", "www"],
    ]);
    await applyPlan(removal, h.ctx(owner), { allowDestroy: true });
    expect(await failure(c.dns.recordSets.get(dnsRg, zone, "www", "AAAA"))).toMatchObject({ statusCode: 404 });
  });
});

describe("tags that others added", () => {
  it("count toward the 50: a merge that would pass them is a plan error with the numbers, before any write", async () => {
    const owner = "acme/crowded";
    const yaml = proxyYaml({ name: "crowded", resourceGroup: "rg-crowded" });
    files.write("crowded", yaml);
    await applyPlan(planned(await planFromDir(files.dir, h.ctx(owner))), h.ctx(owner), { allowDestroy: false });

    // Azure Policy (or a person) fills the public IPv4 up to 48 tags.
    const name = resourceNames("crowded").publicIpV4;
    const live = await c.network.publicIPAddresses.get("rg-crowded", name);
    const ours = Object.keys(live.tags ?? {}).length;
    await c.network.publicIPAddresses.updateTags("rg-crowded", name, {
      tags: { ...live.tags, ...manyTags(48 - ours, "policy") },
    });

    // The file adds three tags: every resource of the proxy is updated, and this one would carry 51.
    const withTags = `${yaml}tags:\n  team: web\n  costCenter: "4711"\n  env: prod\n`;
    files.write("crowded", withTags);
    h.emulator.resetRequests();
    const run = planned(await planFromDir(files.dir, h.ctx(owner)));
    expect(run.plan.errors).toEqual([
      {
        proxy: "crowded",
        address: "crowded.publicIpV4",
        file: expect.stringContaining("crowded.yaml"),
        // Where the file's tags start (the first tag), as every other error about tags says.
        line: withTags.split("\n").indexOf("tags:") + 2,
        message: `${name} would carry 51 tags: ${ours + 3} from this tool (3 of them from the file's tags) and ${48 - ours} that others (Azure Policy, people) added; Azure allows at most 50 per resource: remove 1 tag from the file's tags or from the resource`,
      },
    ]);
    await expect(applyPlan(run, h.ctx(owner), { allowDestroy: false })).rejects.toBeInstanceOf(PlanNotApplicableError);
    expect(h.emulator.writeCount()).toBe(0);
  });
});
