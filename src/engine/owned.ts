/**
 * The fields this tool owns on each kind of resource. Desired bodies and
 * observed resources go through the same projection, so Azure's defaults and
 * read-only fields never show up as changes.
 */
import { createHash } from "node:crypto";
import { armIdKey } from "../model/arm-id.js";
import { canonicalJson } from "../model/canonical-json.js";
import { compareCodeUnits } from "../model/order.js";
import type { ResourceKind } from "../plan/types.js";

type Body = Record<string, unknown>;

const obj = (v: unknown): Body => (v && typeof v === "object" ? (v as Body) : {});
const arr = (v: unknown): Body[] => (Array.isArray(v) ? (v as Body[]) : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
/** ARM ids and locations compare case-insensitively ("West Europe" is "westeurope"). */
const normId = (v: unknown): string | undefined => {
  const id = str(v);
  return id === undefined ? undefined : armIdKey(id);
};
export const normLocation = (v: unknown): string | undefined => str(v)?.toLowerCase().replace(/\s+/g, "");

function ruleFields(rule: Body): Body {
  const prefixes = arr(rule.sourceAddressPrefixes).length
    ? (rule.sourceAddressPrefixes as string[])
    : [str(rule.sourceAddressPrefix) ?? ""];
  const ports = arr(rule.destinationPortRanges).length
    ? (rule.destinationPortRanges as string[])
    : [str(rule.destinationPortRange) ?? ""];
  return {
    name: rule.name,
    priority: rule.priority,
    direction: rule.direction,
    access: rule.access,
    protocol: rule.protocol,
    sources: [...prefixes].sort(),
    ports: [...ports].sort((a, b) => Number(a) - Number(b)),
  };
}

function poolsOf(ipConfig: Body): { pools?: string[] } {
  const pools = arr(ipConfig.loadBalancerBackendAddressPools)
    .map((p) => normId(p.id) ?? "")
    .sort(compareCodeUnits);
  return pools.length ? { pools } : {};
}

const byName = (a: Body, b: Body) => compareCodeUnits(String(a.name), String(b.name));
const ref = (v: unknown) => normId(obj(v).id);

/** What this tool sets on a load balancer, child by child, in name order. */
function loadBalancerFields(body: Body): Body {
  return {
    frontends: arr(body.frontendIPConfigurations)
      .map((f) => ({ name: f.name, publicIPAddress: ref(f.publicIPAddress) }))
      .sort(byName),
    pools: arr(body.backendAddressPools)
      .map((p) => String(p.name))
      .sort(compareCodeUnits),
    probes: arr(body.probes)
      .map((p) => ({
        name: p.name,
        protocol: p.protocol,
        port: p.port,
        requestPath: p.requestPath,
        intervalInSeconds: p.intervalInSeconds,
        probeThreshold: p.probeThreshold,
      }))
      .sort(byName),
    rules: arr(body.loadBalancingRules)
      .map((r) => ({
        name: r.name,
        frontend: ref(r.frontendIPConfiguration),
        pool: ref(r.backendAddressPool),
        probe: ref(r.probe),
        protocol: r.protocol,
        frontendPort: r.frontendPort,
        backendPort: r.backendPort,
        enableTcpReset: r.enableTcpReset === true,
        enableFloatingIP: r.enableFloatingIP === true,
        disableOutboundSnat: r.disableOutboundSnat === true,
        idleTimeoutInMinutes: r.idleTimeoutInMinutes,
      }))
      .sort(byName),
    outboundRules: arr(body.outboundRules)
      .map((o) => ({
        name: o.name,
        frontends: arr(o.frontendIPConfigurations)
          .map((f) => normId(f.id) ?? "")
          .sort(compareCodeUnits),
        pool: ref(o.backendAddressPool),
        protocol: o.protocol,
        allocatedOutboundPorts: o.allocatedOutboundPorts,
        enableTcpReset: o.enableTcpReset === true,
        idleTimeoutInMinutes: o.idleTimeoutInMinutes,
      }))
      .sort(byName),
  };
}

/**
 * Owned fields of a body. `tagKeys` limits the tags compared to the keys we set,
 * so tags added by Azure Policy or by hand never show as drift.
 */
export function ownedFields(kind: ResourceKind, body: Body, tagKeys: readonly string[]): Body {
  const tags = obj(body.tags) as Record<string, string>;
  const ownedTags = Object.fromEntries(
    tagKeys
      .filter((k) => k in tags)
      .sort()
      .map((k) => [k, tags[k]]),
  );
  const base = { location: normLocation(body.location), tags: ownedTags };
  switch (kind) {
    case "resourceGroup":
      return { location: normLocation(body.location) };
    case "networkSecurityGroup":
      return {
        ...base,
        securityRules: arr(body.securityRules)
          .map(ruleFields)
          .sort((a, b) => Number(a.priority) - Number(b.priority)),
      };
    case "virtualNetwork": {
      const subnets = arr(body.subnets).map((s) => ({
        name: s.name,
        addressPrefixes: arr(s.addressPrefixes).length ? s.addressPrefixes : s.addressPrefix ? [s.addressPrefix] : [],
        networkSecurityGroup: normId(obj(s.networkSecurityGroup).id),
      }));
      return { ...base, addressPrefixes: obj(body.addressSpace).addressPrefixes ?? [], subnets };
    }
    case "publicIpV4":
    case "publicIpV6":
      return {
        ...base,
        sku: obj(body.sku).name,
        publicIPAllocationMethod: body.publicIPAllocationMethod,
        publicIPAddressVersion: body.publicIPAddressVersion,
      };
    case "networkInterface":
      return {
        ...base,
        ipConfigurations: arr(body.ipConfigurations)
          .map((c) => ({
            name: c.name,
            primary: c.primary === true,
            privateIPAddressVersion: c.privateIPAddressVersion ?? "IPv4",
            subnet: normId(obj(c.subnet).id),
            publicIPAddress: normId(obj(c.publicIPAddress).id),
            // Only when set, so a single VM's NIC reads as it always has.
            ...poolsOf(c),
          }))
          .sort((a, b) => compareCodeUnits(String(a.name), String(b.name))),
      };
    case "virtualMachine":
      return { ...base, vmSize: obj(body.hardwareProfile).vmSize };
    case "loadBalancer":
      return { ...base, sku: obj(body.sku).name, ...loadBalancerFields(body) };
    case "availabilitySet":
      return {
        ...base,
        sku: obj(body.sku).name,
        platformFaultDomainCount: body.platformFaultDomainCount,
        platformUpdateDomainCount: body.platformUpdateDomainCount,
      };
    case "dnsRecord": {
      const metadata = obj(body.metadata) as Record<string, string>;
      return {
        ttl: body.ttl,
        ipv6Addresses: arr(body.aaaaRecords)
          .map((r) => str(r.ipv6Address) ?? "")
          .sort(),
        metadata: Object.fromEntries(
          tagKeys
            .filter((k) => k in metadata)
            .sort()
            .map((k) => [k, metadata[k]]),
        ),
      };
    }
    case "vmConfig":
      return { configSha256: body.configSha256 };
  }
}

/** Field-level differences between two owned-field records, as dotted paths. */
export function diffFields(
  before: unknown,
  after: unknown,
  path = "",
): { path: string; before?: unknown; after?: unknown }[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObj = (v: unknown) => v !== null && typeof v === "object" && !Array.isArray(v);
  if (isObj(before) && isObj(after)) {
    const keys = [...new Set([...Object.keys(before as Body), ...Object.keys(after as Body)])].sort();
    return keys.flatMap((k) => diffFields((before as Body)[k], (after as Body)[k], path ? `${path}.${k}` : k));
  }
  // A resource that appears or disappears is shown field by field, as Terraform does.
  if ((before === undefined && isObj(after)) || (after === undefined && isObj(before))) {
    const side = (before ?? after) as Body;
    return Object.keys(side).flatMap((k) =>
      diffFields(
        before === undefined ? undefined : side[k],
        after === undefined ? undefined : side[k],
        path ? `${path}.${k}` : k,
      ),
    );
  }
  const objArray = (v: unknown): v is unknown[] =>
    Array.isArray(v) && v.some((x) => x !== null && typeof x === "object");
  if (
    (objArray(before) || objArray(after)) &&
    (before === undefined ||
      after === undefined ||
      (Array.isArray(before) && Array.isArray(after) && before.length === after.length))
  ) {
    const len = Math.max((before as unknown[] | undefined)?.length ?? 0, (after as unknown[] | undefined)?.length ?? 0);
    return Array.from({ length: len }, (_, i) =>
      diffFields((before as unknown[] | undefined)?.[i], (after as unknown[] | undefined)?.[i], `${path}[${i}]`),
    ).flat();
  }
  return [{ path, before, after }];
}

/**
 * Digest of a resource's owned fields without its tags (tag keys change with
 * the spec; a tag edited by hand is not worth an alarm). Stored in a tag at
 * apply time, it tells "changed outside this tool" from "the spec changed".
 */
export function stateHash(kind: ResourceKind, body: Body): string {
  const { tags: _tags, ...fields } = ownedFields(kind, body, []);
  return createHash("sha256").update(canonicalJson(fields)).digest("hex").slice(0, 16);
}
