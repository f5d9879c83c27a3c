/**
 * The emulator's zones over real DNS, as Azure's name servers answer them:
 * asked with Node's resolver over UDP and with a raw TCP client, for records
 * written through the ARM API by the real SDK client.
 */
import { promises as dns } from "node:dns";
import { connect } from "node:net";
import * as packet from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAaaaRecords, fixedNameServers } from "../../src/azure/authoritative-dns.js";
import type { Emulator } from "../../src/emulator/server.js";
import { startEmulator } from "../../src/emulator/server.js";
import { clientsFor } from "../support/emulator-fixtures.js";

let emulator: Emulator;
let resolver: InstanceType<typeof dns.Resolver>;

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.seedDnsZone(emulator.subscriptionId, "rg-dns", "zone.example");
  const records = clientsFor(emulator).dns.recordSets;
  await records.createOrUpdate("rg-dns", "zone.example", "www", "AAAA", {
    ttl: 300,
    aaaaRecords: [{ ipv6Address: "2001:db8::10" }],
  });
  await records.createOrUpdate("rg-dns", "zone.example", "v4only", "A", {
    ttl: 300,
    aRecords: [{ ipv4Address: "192.0.2.1" }],
  });
  await records.createOrUpdate("rg-dns", "zone.example", "alias", "CNAME", {
    ttl: 300,
    cnameRecord: { cname: "elsewhere.example.org" },
  });
  await records.createOrUpdate("rg-dns", "zone.example", "deep.below", "AAAA", {
    ttl: 60,
    aaaaRecords: [{ ipv6Address: "2001:db8::20" }],
  });
  resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([emulator.dnsAddress]);
});
afterAll(async () => {
  await emulator?.close();
});

/** One query over TCP, framed with the two-byte length (RFC 1035 4.2.2). */
function askTcp(name: string, type: packet.RecordType): Promise<packet.DecodedPacket> {
  const [host, port] = emulator.dnsAddress.split(":");
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), host!);
    let buf = Buffer.alloc(0);
    sock.on("connect", () => sock.write(packet.streamEncode({ type: "query", id: 7, questions: [{ type, name }] })));
    sock.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        sock.end();
        resolve(packet.streamDecode(buf) as packet.DecodedPacket);
      }
    });
    sock.on("error", reject);
  });
}

describe("the emulator's name servers", () => {
  it("answer AAAA over UDP with the record set's addresses", async () => {
    expect(await resolver.resolve6("www.zone.example")).toEqual(["2001:db8::10"]);
    expect(await resolver.resolve6("deep.below.zone.example", { ttl: true })).toEqual([
      { address: "2001:db8::20", ttl: 60 },
    ]);
  });

  it("answer authoritatively over TCP, with the zone's SOA for a name that has no records", async () => {
    const yes = await askTcp("www.zone.example", "AAAA");
    expect(yes.flag_aa).toBe(true);
    expect(yes.answers).toEqual([expect.objectContaining({ type: "AAAA", data: "2001:db8::10" })]);
    const no = await askTcp("nothing.zone.example", "AAAA");
    expect((no as unknown as { rcode: string }).rcode).toBe("NXDOMAIN");
    expect(no.authorities).toEqual([expect.objectContaining({ type: "SOA", name: "zone.example" })]);
  });

  it("tell NXDOMAIN from NODATA, follow a CNAME, and refuse zones they do not host", async () => {
    await expect(resolver.resolve6("nothing.zone.example")).rejects.toMatchObject({ code: "ENOTFOUND" });
    await expect(resolver.resolve6("v4only.zone.example")).rejects.toMatchObject({ code: "ENODATA" });
    // An empty non-terminal (a name with records below it) exists: NODATA, not NXDOMAIN.
    await expect(resolver.resolve6("below.zone.example")).rejects.toMatchObject({ code: "ENODATA" });
    expect(await resolver.resolveCname("alias.zone.example")).toEqual(["elsewhere.example.org"]);
    await expect(resolver.resolve6("www.example.com")).rejects.toMatchObject({ code: "EREFUSED" });
  });

  it("serve the zone's NS records, which name the servers in the zone's nameServers property", async () => {
    const zone = await clientsFor(emulator).dns.zones.get("rg-dns", "zone.example");
    const ns = await resolver.resolveNs("zone.example");
    expect(ns.map((n) => `${n}.`).sort()).toEqual([...zone.nameServers!].sort());
  });

  it("are what the health check asks: a changed record is seen at once", async () => {
    const check = () =>
      checkAaaaRecords({
        names: ["www.zone.example"],
        expected: "2001:db8::10",
        nameServers: ["ns1-01.azure-dns.com."],
        locate: fixedNameServers(emulator.dnsAddress),
      });
    expect((await check())[0]).toMatchObject({ status: "ok", nameServer: "ns1-01.azure-dns.com." });
    await clientsFor(emulator).dns.recordSets.createOrUpdate("rg-dns", "zone.example", "www", "AAAA", {
      ttl: 300,
      aaaaRecords: [{ ipv6Address: "2001:db8::10" }, { ipv6Address: "2001:db8::99" }],
    });
    expect((await check())[0]).toMatchObject({ status: "wrong", addresses: ["2001:db8::10", "2001:db8::99"] });
  });
});
