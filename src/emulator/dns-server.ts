/**
 * The emulator's DNS zones served over real DNS, UDP and TCP on one local
 * port, the way Azure DNS's name servers serve a public zone: authoritative
 * answers (AA set) for names in a hosted zone, NXDOMAIN for a name with no
 * record set (and none below it), NODATA for a name that has other types,
 * the zone's SOA in the authority section of both (RFC 2308 §2-3), the CNAME
 * of a name that has one (RFC 1034 §4.3.2), and REFUSED for names of zones it
 * does not host. TCP messages carry a two-byte length prefix (RFC 1035 §4.2.2).
 *
 * Packets are encoded with dns-packet; what is answered comes from the
 * emulator's store, so a record set changed through the ARM API (or by hand
 * in a test) is what the next query sees.
 */
import { createSocket, type Socket } from "node:dgram";
import { createServer, type Server } from "node:net";
import * as packet from "dns-packet";
import type { Json } from "./http.js";
import { ZONE_TYPE } from "./providers/dns.js";
import type { Store, StoredResource } from "./store.js";

const RCODE = { NOERROR: 0, NXDOMAIN: 3, REFUSED: 5 } as const;

export interface DnsServer {
  /** "127.0.0.1:PORT", for `setServers` and the name-server locator. */
  address: string;
  port: number;
  /** Queries answered, in arrival order, for assertions. */
  queries: { name: string; type: string; transport: "udp" | "tcp" }[];
  close(): Promise<void>;
}

export async function startDnsServer(store: Store): Promise<DnsServer> {
  const queries: DnsServer["queries"] = [];
  const answer = (msg: Buffer, transport: "udp" | "tcp"): Buffer | undefined => {
    let query: packet.DecodedPacket;
    try {
      query = packet.decode(msg);
    } catch {
      return undefined; // not DNS: no answer, as a server would drop it
    }
    const q = query.questions?.[0];
    if (q) queries.push({ name: q.name, type: q.type, transport });
    return packet.encode(respond(store, query));
  };

  // UDP and TCP on the same port: bind UDP to a free port, then TCP to it (retry if taken).
  for (let attempt = 0; ; attempt++) {
    const udp = createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(0, "127.0.0.1", () => resolve());
    });
    const port = udp.address().port;
    const tcp = createServer((sock) => {
      let buffered = Buffer.alloc(0);
      sock.on("data", (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const len = buffered.readUInt16BE(0);
          const out = answer(buffered.subarray(2, 2 + len), "tcp");
          buffered = buffered.subarray(2 + len);
          if (out) {
            const prefix = Buffer.alloc(2);
            prefix.writeUInt16BE(out.length);
            sock.write(Buffer.concat([prefix, out]));
          }
        }
      });
      sock.on("error", () => sock.destroy());
    });
    const bound = await new Promise<boolean>((resolve, reject) => {
      tcp.once("error", (e: NodeJS.ErrnoException) => (e.code === "EADDRINUSE" ? resolve(false) : reject(e)));
      tcp.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (!bound) {
      udp.close();
      if (attempt < 20) continue;
      throw new Error("no free port for the emulator's DNS server (UDP and TCP)");
    }
    udp.on("message", (msg, rinfo) => {
      const out = answer(msg, "udp");
      if (out) udp.send(out, rinfo.port, rinfo.address);
    });
    return { address: `127.0.0.1:${port}`, port, queries, close: () => closeBoth(udp, tcp) };
  }
}

function closeBoth(udp: Socket, tcp: Server): Promise<void> {
  return new Promise((resolve) => {
    udp.close(() => tcp.close(() => resolve()));
  });
}

function respond(store: Store, query: packet.DecodedPacket): packet.Packet {
  const base = {
    type: "response" as const,
    id: query.id ?? 0,
    questions: query.questions ?? [],
  };
  const q = query.questions?.[0];
  const zone = q ? hostingZone(store, q.name) : undefined;
  // Recursion is never offered: RD is echoed, RA stays clear, as an authoritative-only server answers.
  const rd = query.flag_rd ? packet.RECURSION_DESIRED : 0;
  if (!q || !zone) return { ...base, flags: rd | RCODE.REFUSED };

  const aa = packet.AUTHORITATIVE_ANSWER | rd;
  const zoneName = String(zone.body.name).toLowerCase();
  const name = q.name.toLowerCase().replace(/\.$/, "");
  const relative = name === zoneName ? "@" : name.slice(0, -(zoneName.length + 1));
  const sets = recordSetsOf(store, zone);
  const at = sets.filter((r) => String(r.body.name).toLowerCase() === relative);
  const soa = sets.find((r) => r.body.name === "@" && typeOf(r) === "SOA");
  const authority = soa ? answersOf(soa, zoneName) : [];

  const cname = at.find((r) => typeOf(r) === "CNAME");
  if (cname && q.type !== "CNAME") return { ...base, flags: aa, answers: answersOf(cname, zoneName) };
  const wanted = at.find((r) => typeOf(r) === q.type);
  if (wanted) {
    const answers = answersOf(wanted, zoneName);
    if (answers.length) return { ...base, flags: aa, answers };
  }
  // A name with record sets of other types, or with names below it (an empty non-terminal), exists: NODATA.
  const exists = at.length > 0 || relativeNamesBelow(sets, relative);
  return { ...base, flags: aa | (exists ? RCODE.NOERROR : RCODE.NXDOMAIN), authorities: authority };
}

/** The zone that holds `name`: the longest zone name it ends with. */
function hostingZone(store: Store, queried: string): StoredResource | undefined {
  const name = queried.toLowerCase().replace(/\.$/, "");
  return store
    .list(ZONE_TYPE)
    .filter((z) => {
      const zone = String(z.body.name).toLowerCase();
      return name === zone || name.endsWith(`.${zone}`);
    })
    .sort((a, b) => String(b.body.name).length - String(a.body.name).length)[0];
}

function recordSetsOf(store: Store, zone: StoredResource): StoredResource[] {
  const prefix = `${zone.id.toLowerCase()}/`;
  return store.all().filter((r) => r.id.toLowerCase().startsWith(prefix));
}

function relativeNamesBelow(sets: StoredResource[], relative: string): boolean {
  if (relative === "@") return true;
  return sets.some((r) => String(r.body.name).toLowerCase().endsWith(`.${relative}`));
}

const typeOf = (r: StoredResource): string => String(r.body.type).split("/").pop()!.toUpperCase();

/** A record set as DNS answers, in the wire shapes dns-packet encodes. */
function answersOf(r: StoredResource, zoneName: string): packet.Answer[] {
  const p = (r.body.properties ?? {}) as Json;
  const rel = String(r.body.name);
  const name = rel === "@" ? zoneName : `${rel}.${zoneName}`;
  const ttl = Number(p.TTL ?? 3600);
  const list = (field: string): Json[] => (Array.isArray(p[field]) ? (p[field] as Json[]) : []);
  const strip = (s: unknown) => String(s).replace(/\.$/, "");
  switch (typeOf(r)) {
    case "AAAA":
      return list("AAAARecords").map((x) => ({ type: "AAAA", name, ttl, data: String(x.ipv6Address) }));
    case "A":
      return list("ARecords").map((x) => ({ type: "A", name, ttl, data: String(x.ipv4Address) }));
    case "NS":
      return list("NSRecords").map((x) => ({ type: "NS", name, ttl, data: strip(x.nsdname) }));
    case "CNAME": {
      const target = (p.CNAMERecord as Json | undefined)?.cname;
      return target ? [{ type: "CNAME", name, ttl, data: strip(target) }] : [];
    }
    case "SOA": {
      const s = (p.SOARecord ?? {}) as Json;
      return [
        {
          type: "SOA",
          name,
          ttl,
          data: {
            mname: strip(s.host),
            rname: strip(s.email),
            serial: Number(s.serialNumber ?? 1),
            refresh: Number(s.refreshTime ?? 3600),
            retry: Number(s.retryTime ?? 300),
            expire: Number(s.expireTime ?? 2419200),
            minimum: Number(s.minimumTTL ?? 300),
          },
        },
      ];
    }
    case "TXT":
      return list("TXTRecords").map((x) => ({ type: "TXT", name, ttl, data: (x.value as string[]) ?? [] }));
    default:
      return [];
  }
}
