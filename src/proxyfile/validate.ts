/**
 * Turns the parsed YAML of one proxy file into a ProxySpec with defaults
 * applied, or into located errors. Rules for single values live in
 * *-rules.ts and ssh-key.ts; this file knows the shape of the document.
 */

import { backendAddressProblem, cidrProblem } from "./ip-rules.js";
import {
  dnsZoneProblem,
  hostnameProblem,
  locationProblem,
  MAX_USER_TAGS,
  proxyNameProblem,
  recordNameProblem,
  resourceGroupProblem,
  subscriptionIdProblem,
  tagKeyProblem,
  tagValueProblem,
  vmSizeProblem,
} from "./name-rules.js";
import { readPlacement } from "./replica-rules.js";
import { sshPublicKeyProblem } from "./ssh-key.js";
import {
  type ClientLimits,
  DEFAULT_DNS_TTL,
  DEFAULT_LIMITS,
  DEFAULT_PORTS,
  DEFAULT_VM_SIZE,
  type DnsSpec,
  LIMIT_BOUNDS,
  PROXY_PROTOCOLS,
  type ProxySpec,
  type RouteSpec,
  type SourceLocation,
  type SshSpec,
} from "./types.js";
import { type Entry, type Located, quote, type SpecReader } from "./yaml-reader.js";

export const PROXY_FIELDS = [
  "name",
  "location",
  "resourceGroup",
  "subscriptionId",
  "backends",
  "ports",
  "tlsPorts",
  "vmSize",
  "dns",
  "tags",
  "routes",
  "proxyProtocol",
  "limits",
  "ssh",
  "replicas",
  "zones",
  "ipv4",
] as const;
const REQUIRED_FIELDS = ["location", "resourceGroup", "backends"] as const;
const SSH_PORT = 22;

type ItemReader<T> = (item: Entry, field: string) => T | undefined;

/** A list of min..max unique values, each read by `readItem`; repeats are reported. */
function readList<T extends string | number>(
  r: SpecReader,
  entry: Entry,
  field: string,
  what: string,
  min: number,
  max: number,
  readItem: ItemReader<T>,
): Located<T>[] | undefined {
  const items = r.list(entry, field, what, min, max);
  if (!items) return undefined;
  return r.unique(
    items.map(({ item, field: f }) => ({ value: readItem(item, f), field: f, at: item.at })),
    String,
  );
}

const values = <T>(items: Located<T>[] | undefined): T[] | undefined => items?.map((i) => i.value);

function readBackends(r: SpecReader, entry: Entry, field: string): string[] | undefined {
  return values(readList(r, entry, field, "IPv4 addresses", 1, 16, (e, f) => r.string(e, f, backendAddressProblem)));
}

function readPorts(r: SpecReader, entry: Entry, field: string, min: number): Located<number>[] | undefined {
  return readList(r, entry, field, "TCP ports", min, 32, (e, f) => r.integer(e, f, 1, 65535));
}

function readDns(r: SpecReader, entry: Entry, proxyResourceGroup: string | undefined): DnsSpec | undefined {
  const fields = r.map(entry, "dns", ["zone", "resourceGroup", "records", "ttl"], ["zone", "records"]);
  if (!fields) return undefined;
  const get = (key: string): Entry | undefined => fields.get(key);
  const zoneEntry = get("zone");
  const zone = zoneEntry && r.string(zoneEntry, "dns.zone", dnsZoneProblem);
  const rgEntry = get("resourceGroup");
  const resourceGroup = rgEntry ? r.string(rgEntry, "dns.resourceGroup", resourceGroupProblem) : proxyResourceGroup;
  const recordsEntry = get("records");
  const records =
    recordsEntry &&
    readList(r, recordsEntry, "dns.records", "record names", 1, 50, (e, f) => r.string(e, f, recordNameProblem));
  for (const record of records ?? []) {
    const fqdn = record.value === "@" ? zone : `${record.value}.${zone}`;
    if (zone && fqdn && fqdn.length > 253)
      r.report(
        record.at,
        record.field,
        `${quote(record.value)} makes the name ${quote(fqdn)} longer than 253 characters`,
      );
  }
  const ttlEntry = get("ttl");
  const ttl = ttlEntry ? r.integer(ttlEntry, "dns.ttl", 1, 86400) : DEFAULT_DNS_TTL;
  if (!zone || !resourceGroup || !records || ttl === undefined) return undefined;
  return { zone, resourceGroup, records: records.map((x) => x.value), ttl };
}

function readTags(r: SpecReader, entry: Entry): Record<string, string> | undefined {
  const pairs = r.pairs(entry, "tags");
  if (!pairs) return undefined;
  if (pairs.length > MAX_USER_TAGS)
    r.report(
      entry.at,
      "tags",
      `has ${pairs.length} tags; at most ${MAX_USER_TAGS} are allowed (Azure allows 50 and this tool needs some of them)`,
    );
  const tags: Record<string, string> = {};
  // Azure compares tag names case-insensitively, so "Team" and "team" are the same tag.
  const seen = new Map<string, SourceLocation>();
  for (const { key, keyAt, value } of pairs) {
    const field = /^[A-Za-z0-9_-]+$/.test(key) ? `tags.${key}` : `tags[${quote(key)}]`;
    const keyProblem = tagKeyProblem(key);
    if (keyProblem) r.report(keyAt, field, `tag name ${quote(key)} ${keyProblem}`);
    const first = seen.get(key.toLowerCase());
    if (first)
      r.report(keyAt, field, `tag ${quote(key)} is set twice (tag names ignore case; first on line ${first.line})`);
    if (!first) seen.set(key.toLowerCase(), keyAt);
    const tagValue = r.string(value, field, tagValueProblem);
    if (!keyProblem && !first && tagValue !== undefined) tags[key] = tagValue;
  }
  return tags;
}

function readRoutes(r: SpecReader, entry: Entry): RouteSpec[] | undefined {
  const items = r.list(entry, "routes", "routes", 0, 32);
  if (!items) return undefined;
  // A host name may be routed once per file; a second route for it would never match.
  const routed = new Map<string, Located<string>>();
  const routes: RouteSpec[] = [];
  for (const { item, field } of items) {
    const fields = r.map(item, field, ["hostnames", "backends"], ["hostnames", "backends"]);
    const hostnamesEntry = fields?.get("hostnames");
    const hostnames =
      hostnamesEntry &&
      readList(r, hostnamesEntry, `${field}.hostnames`, "host names", 1, 50, (e, f) => r.string(e, f, hostnameProblem));
    for (const host of hostnames ?? []) {
      const first = routed.get(host.value);
      if (first)
        r.report(
          host.at,
          host.field,
          `${quote(host.value)} is already routed by ${first.field} (line ${first.at.line})`,
        );
      else routed.set(host.value, host);
    }
    const backendsEntry = fields?.get("backends");
    const backends = backendsEntry && readBackends(r, backendsEntry, `${field}.backends`);
    if (hostnames && backends) routes.push({ hostnames: hostnames.map((h) => h.value), backends });
  }
  return routes;
}

const LIMIT_FIELDS = Object.keys(LIMIT_BOUNDS) as (keyof ClientLimits)[];

/** Each limit is optional; a missing one keeps its default. */
function readLimits(r: SpecReader, entry: Entry): ClientLimits | undefined {
  const fields = r.map(entry, "limits", LIMIT_FIELDS, []);
  if (!fields) return undefined;
  const limits: ClientLimits = { ...DEFAULT_LIMITS };
  let ok = true;
  for (const key of LIMIT_FIELDS) {
    const e = fields.get(key);
    if (!e) continue;
    const [min, max] = LIMIT_BOUNDS[key];
    const value = r.integer(e, `limits.${key}`, min, max);
    if (value === undefined) ok = false;
    else limits[key] = value;
  }
  return ok ? limits : undefined;
}

function readSsh(r: SpecReader, entry: Entry): SshSpec | undefined {
  const fields = r.map(entry, "ssh", ["allowFrom", "publicKeys"], ["allowFrom", "publicKeys"]);
  const allowEntry = fields?.get("allowFrom");
  const allowFrom =
    allowEntry && readList(r, allowEntry, "ssh.allowFrom", "CIDR ranges", 1, 16, (e, f) => r.string(e, f, cidrProblem));
  const keysEntry = fields?.get("publicKeys");
  const publicKeys =
    keysEntry &&
    readList(r, keysEntry, "ssh.publicKeys", "public keys", 1, 10, (e, f) => r.string(e, f, sshPublicKeyProblem));
  if (!allowFrom || !publicKeys) return undefined;
  return { allowFrom: allowFrom.map((a) => a.value), publicKeys: publicKeys.map((k) => k.value) };
}

/** Reads one proxy document. `fileName` is the file's base name, the default proxy name. */
export function readProxy(r: SpecReader, root: Entry, fileName: string): ProxySpec | undefined {
  const fields = r.map(root, "", PROXY_FIELDS, REQUIRED_FIELDS);
  if (!fields) return undefined;
  delete r.locations[""];
  const get = (key: (typeof PROXY_FIELDS)[number]): Entry | undefined => fields.get(key);
  const read = <T>(key: (typeof PROXY_FIELDS)[number], reader: (e: Entry) => T | undefined): T | undefined => {
    const entry = get(key);
    return entry ? reader(entry) : undefined;
  };

  const nameEntry = get("name");
  const name = nameEntry ? r.string(nameEntry, "name", proxyNameProblem) : nameFromFile(r, fileName);
  const location = read("location", (e) => r.string(e, "location", locationProblem));
  const resourceGroup = read("resourceGroup", (e) => r.string(e, "resourceGroup", resourceGroupProblem));
  const subscriptionId = read("subscriptionId", (e) => r.string(e, "subscriptionId", subscriptionIdProblem));
  const backends = read("backends", (e) => readBackends(r, e, "backends"));
  const portsEntry = get("ports");
  const ports = portsEntry ? readPorts(r, portsEntry, "ports", 1) : undefined;
  const portList = portsEntry ? values(ports) : [...DEFAULT_PORTS];
  const tlsEntry = get("tlsPorts");
  const tlsPorts = tlsEntry ? readPorts(r, tlsEntry, "tlsPorts", 0) : undefined;
  for (const port of tlsPorts ?? []) {
    if (portList && !portList.includes(port.value))
      r.report(port.at, port.field, `port ${port.value} is not in ports; SNI routing applies only to forwarded ports`);
  }
  const vmSize = read("vmSize", (e) => r.string(e, "vmSize", vmSizeProblem));
  const dns = read("dns", (e) => readDns(r, e, resourceGroup));
  const tags = read("tags", (e) => readTags(r, e));
  const routes = read("routes", (e) => readRoutes(r, e));
  const proxyProtocol = read("proxyProtocol", (e) => r.oneOf(e, "proxyProtocol", PROXY_PROTOCOLS));
  const limits = read("limits", (e) => readLimits(r, e));
  const ssh = read("ssh", (e) => readSsh(r, e));
  const sshPort = get("ssh") ? ports?.find((p) => p.value === SSH_PORT) : undefined;
  if (sshPort)
    r.report(
      sshPort.at,
      sshPort.field,
      `port ${SSH_PORT} is taken by SSH because "ssh" is set; remove it from ports or remove ssh`,
    );

  const optional = (key: "replicas" | "zones" | "ipv4") => {
    const entry = get(key);
    return entry ? { [key]: entry } : {};
  };
  const placement = readPlacement(
    r,
    { ...optional("replicas"), ...optional("zones"), ...optional("ipv4") },
    location,
    ports,
  );

  if (r.errors.length > 0 || !name || !location || !resourceGroup || !backends || !portList || !placement)
    return undefined;
  return {
    name,
    file: r.file,
    location,
    resourceGroup,
    ...(subscriptionId !== undefined && { subscriptionId }),
    backends,
    ports: portList,
    tlsPorts: tlsEntry ? (values(tlsPorts) ?? []) : portList.includes(443) ? [443] : [],
    vmSize: vmSize ?? DEFAULT_VM_SIZE,
    ...(dns && { dns }),
    tags: tags ?? {},
    routes: routes ?? [],
    proxyProtocol: proxyProtocol ?? "none",
    limits: limits ?? { ...DEFAULT_LIMITS },
    ...(ssh && { ssh }),
    replicas: placement.replicas,
    zones: placement.zones,
    ipv4: placement.ipv4,
    locations: { ...r.locations },
  };
}

function nameFromFile(r: SpecReader, fileName: string): string | undefined {
  const name = fileName.replace(/\.ya?ml$/i, "");
  const problem = proxyNameProblem(name);
  if (!problem) return name;
  r.report(
    r.at(0),
    "name",
    `the file name makes the proxy name ${quote(name)}, which ${problem}; rename the file or set "name"`,
  );
  return undefined;
}
