/**
 * DNS record sets through the real @azure/arm-dns 5.1 client (api-version
 * 2018-05-01): AAAA records with metadata, the apex `@`, etag preconditions
 * (412), paging, and the CNAME exclusivity rule.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AzureClients } from "../../src/azure/clients.js";
import { type Emulator, startEmulator } from "../../src/emulator/server.js";
import { clientsFor, failure } from "../support/emulator-fixtures.js";

let emu: Emulator;
let c: AzureClients;
const META = { managedBy: "azure-ipv6-proxy", ipv6ProxyOwner: "acme/web", ipv6ProxyName: "www" };

beforeAll(async () => {
  emu = await startEmulator({ pageSize: 4 });
  emu.seedDnsZone(emu.subscriptionId, "rg-dns", "example.nl", { tags: { team: "web" } });
  c = clientsFor(emu);
});
afterAll(() => emu.close());

async function all<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}

describe("zones", () => {
  it("are readable and listable once seeded, with their apex NS and SOA", async () => {
    const zone = await c.dns.zones.get("rg-dns", "example.nl");
    expect(zone).toMatchObject({
      name: "example.nl",
      zoneType: "Public",
      numberOfRecordSets: 2,
      tags: { team: "web" },
    });
    expect((await all(c.dns.zones.listByResourceGroup("rg-dns"))).map((z) => z.name)).toEqual(["example.nl"]);
    expect((await all(c.dns.zones.list())).map((z) => z.name)).toEqual(["example.nl"]);
    expect((await failure(c.dns.zones.get("rg-dns", "example.com"))).statusCode).toBe(404);
  });
});

describe("AAAA record sets", () => {
  it("round-trip TTL, addresses and metadata, apex included, with the wire names Azure uses", async () => {
    const apex = await c.dns.recordSets.createOrUpdate(
      "rg-dns",
      "example.nl",
      "@",
      "AAAA",
      { ttl: 300, aaaaRecords: [{ ipv6Address: "2001:db8:6::1" }], metadata: META },
      { ifNoneMatch: "*" },
    );
    expect(apex).toMatchObject({
      name: "@",
      fqdn: "example.nl.",
      ttl: 300,
      metadata: META,
      type: "Microsoft.Network/dnszones/AAAA",
    });
    expect(apex.etag).toMatch(/^[0-9a-f-]{36}$/);
    const stored = emu.getResource(apex.id!)!;
    expect(stored.properties).toMatchObject({
      TTL: 300,
      AAAARecords: [{ ipv6Address: "2001:db8:6::1" }],
      metadata: META,
    });
    const read = await c.dns.recordSets.get("rg-dns", "example.nl", "@", "AAAA");
    expect(read.aaaaRecords).toEqual([{ ipv6Address: "2001:db8:6::1" }]);
    expect(read.etag).toBe(apex.etag);
  });

  it("refuse to create over an existing record (If-None-Match: *) and to update a stale etag (If-Match)", async () => {
    const first = await c.dns.recordSets.createOrUpdate(
      "rg-dns",
      "example.nl",
      "www",
      "AAAA",
      { ttl: 300, aaaaRecords: [{ ipv6Address: "2001:db8:6::2" }], metadata: META },
      { ifNoneMatch: "*" },
    );
    const again = await failure(
      c.dns.recordSets.createOrUpdate(
        "rg-dns",
        "example.nl",
        "www",
        "AAAA",
        { ttl: 300, aaaaRecords: [{ ipv6Address: "2001:db8:6::9" }] },
        { ifNoneMatch: "*" },
      ),
    );
    expect(again).toMatchObject({ statusCode: 412, code: "PreconditionFailed" });

    const second = await c.dns.recordSets.createOrUpdate(
      "rg-dns",
      "example.nl",
      "www",
      "AAAA",
      { ttl: 600, aaaaRecords: [{ ipv6Address: "2001:db8:6::3" }], metadata: META },
      { ifMatch: first.etag! },
    );
    expect(second.etag).not.toBe(first.etag);
    const stale = await failure(
      c.dns.recordSets.createOrUpdate(
        "rg-dns",
        "example.nl",
        "www",
        "AAAA",
        { ttl: 60, aaaaRecords: [{ ipv6Address: "2001:db8:6::4" }] },
        { ifMatch: first.etag! },
      ),
    );
    expect(stale.statusCode).toBe(412);
    expect((await c.dns.recordSets.get("rg-dns", "example.nl", "www", "AAAA")).ttl).toBe(600);

    expect(
      (await failure(c.dns.recordSets.delete("rg-dns", "example.nl", "www", "AAAA", { ifMatch: first.etag! })))
        .statusCode,
    ).toBe(412);
    await c.dns.recordSets.delete("rg-dns", "example.nl", "www", "AAAA", { ifMatch: second.etag! });
    expect((await failure(c.dns.recordSets.get("rg-dns", "example.nl", "www", "AAAA"))).statusCode).toBe(404);
    await c.dns.recordSets.delete("rg-dns", "example.nl", "www", "AAAA"); // already gone: fine
  });

  it("are case-insensitive in names and reject an invalid IPv6 address", async () => {
    await c.dns.recordSets.createOrUpdate("rg-dns", "Example.NL", "Shop", "AAAA", {
      ttl: 300,
      aaaaRecords: [{ ipv6Address: "2001:db8::5" }],
    });
    expect((await c.dns.recordSets.get("rg-dns", "example.nl", "shop", "AAAA")).name).toBe("Shop");
    const bad = await failure(
      c.dns.recordSets.createOrUpdate("rg-dns", "example.nl", "bad", "AAAA", {
        ttl: 300,
        aaaaRecords: [{ ipv6Address: "203.0.113.1" }],
      }),
    );
    expect(bad.statusCode).toBe(400);
  });

  it("list by type across pages, without other types", async () => {
    await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        c.dns.recordSets.createOrUpdate("rg-dns", "example.nl", `h${i}`, "AAAA", {
          ttl: 300,
          aaaaRecords: [{ ipv6Address: `2001:db8::${i + 10}` }],
        }),
      ),
    );
    await c.dns.recordSets.createOrUpdate("rg-dns", "example.nl", "txt", "TXT", {
      ttl: 300,
      txtRecords: [{ value: ["hello"] }],
    });
    emu.resetRequests();
    const names = (await all(c.dns.recordSets.listByType("rg-dns", "example.nl", "AAAA"))).map((r) => r.name).sort();
    expect(names).toEqual(["@", "Shop", ...Array.from({ length: 9 }, (_, i) => `h${i}`)].sort());
    expect(emu.requests.filter((r) => r.kind === "arm")).toHaveLength(3); // 4 + 4 + 3
    const everything = await all(c.dns.recordSets.listByDnsZone("rg-dns", "example.nl"));
    expect(everything.map((r) => r.type)).toEqual(
      expect.arrayContaining(["Microsoft.Network/dnszones/TXT", "Microsoft.Network/dnszones/NS"]),
    );
  });

  it("cannot share a name with a CNAME", async () => {
    await c.dns.recordSets.createOrUpdate("rg-dns", "example.nl", "blog", "CNAME", {
      ttl: 300,
      cnameRecord: { cname: "blog.example.net" },
    });
    const clash = await failure(
      c.dns.recordSets.createOrUpdate("rg-dns", "example.nl", "blog", "AAAA", {
        ttl: 300,
        aaaaRecords: [{ ipv6Address: "2001:db8::1" }],
      }),
    );
    expect(clash.statusCode).toBe(409);
    expect(clash.message).toMatch(/CNAME record with the same name already exists/);
    const reverse = await failure(
      c.dns.recordSets.createOrUpdate("rg-dns", "example.nl", "@", "CNAME", {
        ttl: 300,
        cnameRecord: { cname: "x.net" },
      }),
    );
    expect(reverse.statusCode).toBe(409);
  });

  it("are not generic resources, unlike zones", async () => {
    const generic = await all(c.resources.resources.listByResourceGroup("rg-dns"));
    expect(generic.map((r) => r.type)).toEqual(["Microsoft.Network/dnszones"]);
  });
});
