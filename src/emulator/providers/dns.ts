/**
 * Microsoft.Network DNS (api-version 2018-05-01): zones are seeded by tests,
 * record sets are written through the API with etags. On the wire a record
 * set carries `properties.TTL`, `properties.<TYPE>Records`, `properties.metadata`
 * and `etag`; the zone apex is `@`.
 */

import { isIPv4, isIPv6 } from "node:net";
import type { EmuRequest, EmuResponse, Json } from "../http.js";
import { ArmError, badRequest, deepCopy, header, isObject, newGuid } from "../http.js";
import { pagedList } from "../paging.js";
import type { Router } from "../router.js";
import type { StoredResource } from "../store.js";
import { asWire, type WireRecordSet, type WireRecordSetProperties, type WireZone } from "../wire.js";
import type { World } from "../world.js";
import { checkPreconditions, notFound, requireGroup } from "../world.js";

interface RecordTarget {
  zone: Json;
  type: string;
  stored: StoredResource | undefined;
}

export const ZONE_TYPE = "Microsoft.Network/dnszones";
const RECORD_TYPES = ["A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT"];
const RECORD_FIELDS: Record<string, string> = {
  A: "ARecords",
  AAAA: "AAAARecords",
  CAA: "caaRecords",
  CNAME: "CNAMERecord",
  MX: "MXRecords",
  NS: "NSRecords",
  PTR: "PTRRecords",
  SOA: "SOARecord",
  SRV: "SRVRecords",
  TXT: "TXTRecords",
};
const NAME_SERVERS = [
  "ns1-01.azure-dns.com.",
  "ns2-01.azure-dns.net.",
  "ns3-01.azure-dns.org.",
  "ns4-01.azure-dns.info.",
];

const zoneId = (sub: string, rg: string, zone: string) =>
  `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/dnszones/${zone}`;

/** Creates a public zone with its apex NS and SOA record sets, as Azure does. */
export function seedZone(world: World, sub: string, rg: string, zone: string, tags?: Record<string, string>): Json {
  const id = zoneId(sub, rg, zone.toLowerCase());
  world.store.put(id, {
    id,
    name: zone.toLowerCase(),
    type: ZONE_TYPE,
    location: "global",
    etag: newGuid(),
    ...(tags ? { tags } : {}),
    properties: {
      maxNumberOfRecordSets: 10000,
      maxNumberOfRecordsPerRecordSet: null,
      nameServers: NAME_SERVERS,
      zoneType: "Public",
    },
  });
  putRecord(world, id, zone, "NS", "@", { TTL: 172800, NSRecords: NAME_SERVERS.map((nsdname) => ({ nsdname })) });
  putRecord(world, id, zone, "SOA", "@", {
    TTL: 3600,
    SOARecord: {
      host: NAME_SERVERS[0]!,
      email: "azuredns-hostmaster.microsoft.com",
      serialNumber: 1,
      refreshTime: 3600,
      retryTime: 300,
      expireTime: 2419200,
      minimumTTL: 300,
    },
  });
  return world.store.snapshot(id)!;
}

function putRecord(
  world: World,
  zoneResourceId: string,
  zone: string,
  type: string,
  name: string,
  properties: WireRecordSetProperties,
): WireRecordSet {
  const id = `${zoneResourceId}/${type}/${name}`;
  const body: WireRecordSet = {
    id,
    name,
    type: `${ZONE_TYPE}/${type}`,
    etag: newGuid(),
    properties: {
      ...properties,
      fqdn: `${name === "@" ? "" : `${name}.`}${zone.toLowerCase()}.`,
      provisioningState: "Succeeded",
    },
  };
  world.store.put(id, body);
  return deepCopy(body);
}

function recordSetsOf(world: World, zoneResourceId: string, type?: string): StoredResource[] {
  const prefix = `${zoneResourceId.toLowerCase()}/`;
  return world.store
    .all()
    .filter(
      (r) =>
        r.id.toLowerCase().startsWith(prefix) &&
        (!type || r.type.toLowerCase() === `${ZONE_TYPE}/${type}`.toLowerCase()),
    );
}

const presentRecordSet = (r: StoredResource): WireRecordSet => asWire<WireRecordSet>(r.body);

/**
 * Counts the resources under each zone id, in one pass over the store on the
 * first question, so a page of zones does not pass over the store per zone.
 * One per request.
 */
function recordSetCounter(world: World): (zoneResourceId: string) => number {
  let counts: Map<string, number> | undefined;
  const count = (): Map<string, number> => {
    const out = new Map<string, number>();
    for (const r of world.store.all()) {
      const id = r.id.toLowerCase();
      if (!id.includes("/dnszones/")) continue;
      // Every id prefix that ends at a "/" is a parent the resource counts under.
      for (let i = id.indexOf("/", 1); i > 0; i = id.indexOf("/", i + 1))
        out.set(id.slice(0, i), (out.get(id.slice(0, i)) ?? 0) + 1);
    }
    return out;
  };
  return (zoneResourceId) => {
    counts ??= count();
    return counts.get(zoneResourceId.toLowerCase()) ?? 0;
  };
}

function presentZone(world: World, body: Json, recordSets = recordSetCounter(world)): WireZone {
  world.store.work.resourcesPresented++;
  const out = asWire<WireZone>(body);
  out.properties.numberOfRecordSets = recordSets(body.id);
  return out;
}

function recordType(raw: string): string {
  const type = RECORD_TYPES.find((t) => t === raw.toUpperCase());
  if (!type) throw badRequest("BadRequest", `The record type '${raw}' is not supported.`);
  return type;
}

function checkRecordName(name: string): void {
  const labels = name === "@" ? [] : name.split(".");
  if (
    name.length > 253 ||
    labels.some((l, i) => !(l === "*" && i === 0) && !/^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(l))
  ) {
    throw badRequest("BadRequest", `The record set name '${name}' is not valid.`);
  }
}

function checkProperties(type: string, props: Json): Json {
  const ttl = props.TTL ?? 3600;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 2147483647)
    throw badRequest("BadRequest", `The TTL value ${String(ttl)} is not valid. It must be between 0 and 2147483647.`);
  const metadata = props.metadata ?? undefined;
  if (metadata !== undefined) {
    if (!isObject(metadata)) throw badRequest("BadRequest", "The metadata must be an object of string values.");
    for (const [k, v] of Object.entries(metadata)) {
      if (!/^[A-Za-z0-9_]+$/.test(k) || typeof v !== "string")
        throw badRequest(
          "BadRequest",
          `The metadata key '${k}' is not valid: keys are letters, digits and underscores, values are strings.`,
        );
    }
  }
  const field = RECORD_FIELDS[type]!;
  const records = props[field];
  if (type === "A" || type === "AAAA") {
    const key = type === "A" ? "ipv4Address" : "ipv6Address";
    const valid = type === "A" ? isIPv4 : isIPv6;
    for (const r of (Array.isArray(records) ? records : []) as Json[]) {
      if (typeof r[key] !== "string" || !valid(r[key]))
        throw badRequest(
          "BadRequest",
          `The ${type} record value '${String(r[key])}' is not a valid ${type === "A" ? "IPv4" : "IPv6"} address.`,
        );
    }
  }
  const out: Json = { TTL: ttl, ...(metadata ? { metadata } : {}) };
  if (records !== undefined) out[field] = records;
  else if (!["CNAME", "SOA"].includes(type)) out[field] = [];
  return out;
}

export function registerDns(router: Router, world: World): void {
  const zonePath = "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/dnsZones/{zone}";
  const findZone = (req: EmuRequest): Json => {
    requireGroup(world, req);
    const zone = world.store.get(zoneId(req.params.sub!, req.params.rg!, req.params.zone!));
    if (!zone) throw notFound(ZONE_TYPE, req.params.zone!, req.params.rg!);
    return zone.body;
  };
  const zonePage = (req: EmuRequest, zones: StoredResource[]): EmuResponse => {
    const recordSets = recordSetCounter(world);
    return pagedList(req, zones, world.pageSize(), (z) => presentZone(world, z.body, recordSets));
  };
  router.add("GET", zonePath, (req) => ({ status: 200, body: presentZone(world, findZone(req)) }));
  router.add("GET", "/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/dnsZones", (req) => {
    requireGroup(world, req);
    return zonePage(req, world.store.list(ZONE_TYPE, req.params.sub, req.params.rg));
  });
  router.add("GET", "/subscriptions/{sub}/providers/Microsoft.Network/dnsZones", (req) =>
    zonePage(req, world.store.list(ZONE_TYPE, req.params.sub)),
  );

  for (const all of ["recordsets", "all"]) {
    router.add("GET", `${zonePath}/${all}`, (req) =>
      pagedList(req, recordSetsOf(world, findZone(req).id), world.pageSize(), presentRecordSet),
    );
  }
  router.add("GET", `${zonePath}/{type}`, (req) =>
    pagedList(
      req,
      recordSetsOf(world, findZone(req).id, recordType(req.params.type!)),
      world.pageSize(),
      presentRecordSet,
    ),
  );

  const recordPath = `${zonePath}/{type}/{name}`;
  const findRecord = (req: EmuRequest): RecordTarget => {
    const zone = findZone(req);
    const type = recordType(req.params.type!);
    return { zone, type, stored: world.store.get(`${zone.id}/${type}/${req.params.name}`) };
  };
  router.add("GET", recordPath, (req) => {
    const { stored, type } = findRecord(req);
    if (!stored)
      throw new ArmError(404, "NotFound", `The resource record '${req.params.name}' of type '${type}' does not exist.`);
    return { status: 200, body: presentRecordSet(stored) };
  });
  router.add("PUT", recordPath, (req) => writeRecord(world, req, findRecord(req), false));
  router.add("PATCH", recordPath, (req) => writeRecord(world, req, findRecord(req), true));
  router.add("DELETE", recordPath, (req) => {
    const { stored, type } = findRecord(req);
    checkPreconditionsIfExists(req, stored);
    if (!stored) return { status: 204 };
    if (req.params.name === "@" && (type === "NS" || type === "SOA"))
      throw badRequest("BadRequest", `The ${type} record set at the zone apex cannot be deleted.`);
    world.store.delete(stored.id);
    return { status: 200 };
  });
}

/** A DELETE with If-Match on a missing record is a no-op in Azure DNS, not a 412. */
function checkPreconditionsIfExists(req: EmuRequest, stored: { name: string; body: Json } | undefined): void {
  const ifMatch = header(req, "if-match");
  if (stored && ifMatch !== undefined && ifMatch !== "*" && ifMatch !== stored.body.etag) {
    throw new ArmError(412, "PreconditionFailed", "The Record set has been modified (etag mismatch).");
  }
}

function writeRecord(world: World, req: EmuRequest, target: RecordTarget, patch: boolean): EmuResponse {
  const { zone, type, stored } = target;
  checkRecordName(req.params.name!);
  checkPreconditions(req, stored, "Record set");
  if (patch && !stored)
    throw new ArmError(404, "NotFound", `The resource record '${req.params.name}' of type '${type}' does not exist.`);
  const input: Json = isObject(req.body?.properties) ? req.body.properties : {};
  const merged = patch
    ? { ...stored!.body.properties, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) }
    : input;
  const properties = checkProperties(type, merged);
  const siblings = recordSetsOf(world, zone.id)
    .map((r) => r.body)
    .filter((r) => String(r.name).toLowerCase() === req.params.name!.toLowerCase() && !r.type.endsWith(`/${type}`));
  // A CNAME excludes every other record set at its name, both ways (learn.microsoft.com/azure/dns/dns-zones-records,
  // "CNAME records"; RFC 1912 §2.4). Azure answers 409 Conflict, as an ACME client's log shows
  // (gist.github.com/davetapley/627965624b7639ed23a48f50d1c5ec16: CannotCreateRecordDueToCNameNamingRestriction).
  if (type !== "CNAME" && siblings.some((r) => r.type.endsWith("/CNAME"))) {
    throw new ArmError(
      409,
      "Conflict",
      "The record could not be created because a CNAME record with the same name already exists in this zone.",
    );
  }
  if (type === "CNAME" && siblings.length) {
    throw new ArmError(
      409,
      "Conflict",
      "The CNAME record could not be created because another record with the same name already exists in this zone.",
    );
  }
  const body = putRecord(world, zone.id, zone.name, type, stored?.name ?? req.params.name!, properties);
  return { status: stored ? 200 : 201, body };
}
