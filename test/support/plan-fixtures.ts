/**
 * Realistic Plan values, made by the engine: each proxy is a proxy file
 * (parsed as the loader parses it) plus the Azure state it meets, and
 * `buildPlan` runs the engine's own buildPlan over them. Addresses, ids, field
 * paths, reasons, warnings, counts and the fingerprint are therefore always
 * the engine's, never a copy that could drift from it.
 */
import { type DesiredProxy, desiredProxy } from "../../src/engine/desired.js";
import { buildPlan as engineBuildPlan } from "../../src/engine/diff.js";
import { emptyObserved, type ObservedResource, rgKey } from "../../src/engine/observed.js";
import { stateHash } from "../../src/engine/owned.js";
import { armIdKey } from "../../src/model/arm-id.js";
import { TAG_STATE_HASH } from "../../src/model/names.js";
import type { Change, FieldDiff, Plan } from "../../src/plan/types.js";
import { parseProxyFile } from "../../src/proxyfile/load.js";
import type { ProxySpec } from "../../src/proxyfile/types.js";

export const SUBSCRIPTION = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
export const DNS_RESOURCE_GROUP = "rg-dns";
export const OWNER = "example-org/websites";
const PLANNED_AT = new Date("2025-06-01T12:00:00.000Z");
const FIRST_BACKEND = "203.0.113.10";

/** One proxy's share of a plan: what its file asks for (none once it is removed) and what Azure holds. */
export interface ProxyParts {
  name: string;
  desired?: DesiredProxy;
  /** Resources in Azure, as the observer reads them back. */
  observed: ObservedResource[];
  /** The HAProxy config the proxy's VM runs, when the plan reads it (the config changes). */
  liveConfig?: string;
}

/** `www-example-nl` serves `www.example.nl` in zone `example.nl`. */
export function dnsNameOf(proxy: string): string {
  return proxy.replace(/-/g, ".");
}

const zoneOf = (dnsName: string): string => dnsName.split(".").slice(-2).join(".");
const recordOf = (dnsName: string): string => dnsName.split(".").slice(0, -2).join(".") || "@";

export function ipv6Of(n: number): string {
  return `2603:1020:203:3::${(n + 0x10).toString(16)}`;
}

interface Shape {
  backends: string[];
  ports?: number[];
  /** Routes by host name, each with one backend. */
  routes?: string[];
}

/** Parsed files by shape: parsing is what makes large plans slow, and only the names differ between proxies. */
const parsedShapes = new Map<string, ProxySpec>();

/** The proxy file `proxies/<proxy>.yaml`, as the loader parses it. */
function specOf(proxy: string, shape: Shape): ProxySpec {
  const key = JSON.stringify(shape);
  let template = parsedShapes.get(key);
  if (!template) {
    template = parseFile(proxy, shape);
    parsedShapes.set(key, template);
  }
  // The same file with another proxy's names: same lines, so the same locations.
  const dnsName = dnsNameOf(proxy);
  return {
    ...structuredClone(template),
    name: proxy,
    file: `proxies/${proxy}.yaml`,
    resourceGroup: resourceGroupOf(proxy),
    dns: { ...template.dns!, zone: zoneOf(dnsName), records: [recordOf(dnsName)] },
  };
}

const resourceGroupOf = (proxy: string): string => `ipv6px-${proxy}-rg`;

function parseFile(proxy: string, shape: Shape): ProxySpec {
  const dnsName = dnsNameOf(proxy);
  const lines = [
    `name: ${proxy}`,
    "location: westeurope",
    `resourceGroup: ${resourceGroupOf(proxy)}`,
    `backends: [${shape.backends.join(", ")}]`,
    ...(shape.ports ? [`ports: [${shape.ports.join(", ")}]`] : []),
    "dns:",
    `  zone: ${zoneOf(dnsName)}`,
    `  resourceGroup: ${DNS_RESOURCE_GROUP}`,
    `  records: ["${recordOf(dnsName)}"]`,
  ];
  if (shape.routes?.length) {
    lines.push("routes:");
    shape.routes.forEach((backend, i) => {
      lines.push(`  - hostnames: [app${i}.example.com]`, `    backends: [${backend}]`);
    });
  }
  const file = `proxies/${proxy}.yaml`;
  const { proxy: spec, errors } = parseProxyFile(file, `${lines.join("\n")}\n`);
  if (!spec) throw new Error(`fixture ${file} is not a valid proxy file: ${JSON.stringify(errors)}`);
  return spec;
}

const desiredOf = (proxy: string, shape: Shape): DesiredProxy =>
  desiredProxy(specOf(proxy, shape), SUBSCRIPTION, OWNER);

/**
 * Azure right after applying `d`: the bodies as Azure returns them, with its
 * read-only fields and the proxy's public IPv6 address. `edit` changes a body
 * as an earlier apply had left it; its state hash follows, so it is no drift.
 */
function applied(
  d: DesiredProxy,
  ipv6Address: string,
  edit: (kind: ObservedResource["kind"], body: Record<string, unknown>) => void = () => {},
): ObservedResource[] {
  return d.resources
    .filter((r) => r.kind !== "resourceGroup")
    .map((r) => {
      const body = structuredClone(r.body);
      if (r.kind === "dnsRecord") {
        body.aaaaRecords = [{ ipv6Address }];
      } else {
        body.provisioningState = "Succeeded";
        if (r.kind === "publicIpV6") body.ipAddress = ipv6Address;
        edit(r.kind, body);
        const tags = body.tags as Record<string, string>;
        body.tags = { ...tags, [TAG_STATE_HASH]: stateHash(r.kind, body) };
      }
      const tags = (r.kind === "dnsRecord" ? body.metadata : body.tags) as Record<string, string>;
      return {
        kind: r.kind,
        id: r.id,
        subscriptionId: r.subscriptionId,
        resourceGroup: r.resourceGroup,
        name: r.name,
        body,
        tags,
        provisioningState: "Succeeded",
        etag: r.kind === "dnsRecord" ? `etag-${r.name}` : undefined,
      };
    });
}

/** A new proxy: nothing of it exists yet. */
export function createdProxy(proxy: string): ProxyParts {
  return { name: proxy, desired: desiredOf(proxy, { backends: [FIRST_BACKEND] }), observed: [] };
}

/**
 * Backends added and a port opened: the NSG and the VM's config tag change in
 * place and the new HAProxy config is pushed. With more than 15 extra
 * backends the rest become routes, each with a backend of its own, so the
 * config diff grows with `extraBackends`.
 */
export function updatedProxy(proxy: string, n: number, extraBackends = 1): ProxyParts {
  const before = desiredOf(proxy, { backends: [FIRST_BACKEND], ports: [80, 443] });
  const extra = Array.from({ length: extraBackends }, (_, i) => `198.51.100.${(i % 250) + 1}`);
  const after = desiredOf(proxy, {
    backends: [FIRST_BACKEND, ...extra.slice(0, 15)],
    ports: [80, 443, 8443],
    routes: extra.slice(15, 15 + 32),
  });
  return { name: proxy, desired: after, observed: applied(before, ipv6Of(n)), liveConfig: before.config };
}

/**
 * A public IPv6 address created with dynamic allocation, which cannot become
 * static in place: it is replaced, with the NIC and VM that reference it, and
 * the AAAA record follows the new address.
 */
export function ipv6ReplacedProxy(proxy: string, oldAddress: string): ProxyParts {
  const d = desiredOf(proxy, { backends: [FIRST_BACKEND] });
  const observed = applied(d, oldAddress, (kind, body) => {
    if (kind === "publicIpV6") body.publicIPAllocationMethod = "Dynamic";
  });
  return { name: proxy, desired: d, observed };
}

/** The proxy file was removed: everything the proxy had in Azure is deleted. */
export function destroyedProxy(proxy: string, n: number): ProxyParts {
  const d = desiredOf(proxy, { backends: [FIRST_BACKEND] });
  return { name: proxy, observed: applied(d, ipv6Of(n)) };
}

export function unchangedProxy(proxy: string, n: number): ProxyParts {
  const d = desiredOf(proxy, { backends: [FIRST_BACKEND] });
  return { name: proxy, desired: d, observed: applied(d, ipv6Of(n)) };
}

/** A new proxy whose AAAA record already exists without this tool's metadata: the plan refuses it. */
export function notOwnedProxy(proxy: string): ProxyParts {
  const d = desiredOf(proxy, { backends: [FIRST_BACKEND] });
  const record = d.resources.find((r) => r.kind === "dnsRecord")!;
  return {
    name: proxy,
    desired: d,
    observed: [
      {
        kind: "dnsRecord",
        id: record.id,
        subscriptionId: SUBSCRIPTION,
        resourceGroup: DNS_RESOURCE_GROUP,
        name: record.name,
        body: { ttl: 3600, aaaaRecords: [{ ipv6Address: "2001:db8::1" }], metadata: { team: "web" } },
        tags: { team: "web" },
        etag: "etag-foreign",
      },
    ],
  };
}

/** The engine's plan over these proxies: their files, and Azure holding what each part observed (DNS zones exist). */
export function buildPlan(parts: ProxyParts[]): Plan {
  const observed = emptyObserved();
  for (const part of parts) {
    for (const r of part.observed) observed.resources.set(armIdKey(r.id), r);
    const d = part.desired ?? desiredOf(part.name, { backends: [FIRST_BACKEND] });
    if (d.dnsZoneId) observed.dnsZones.add(armIdKey(d.dnsZoneId));
    if (part.observed.length > 0) observed.resourceGroups.add(rgKey(SUBSCRIPTION, d.spec.resourceGroup));
    const vm = d.resources.find((r) => r.kind === "virtualMachine")!;
    if (part.liveConfig !== undefined) observed.vmConfigs.set(armIdKey(vm.id), part.liveConfig);
  }
  const desired = parts.flatMap((p) => (p.desired ? [p.desired] : []));
  return engineBuildPlan({ owner: OWNER, desired, observed, now: PLANNED_AT });
}

/**
 * One change as the engine makes it for a new proxy (address, id, names), with
 * the action, reason and field diffs a test needs, e.g. a change that appears
 * after review.
 */
export function change(
  proxy: string,
  kind: Change["kind"],
  action: Change["action"],
  reason: string,
  diffs: FieldDiff[] = [],
): Change {
  const made = buildPlan([createdProxy(proxy)]).changes.find((c) => c.kind === kind);
  if (!made) throw new Error(`a new proxy has no ${kind} change`);
  return { ...made, action, reason, diffs };
}

/**
 * A plan of `size` proxies in every state, with long config diffs, for the size
 * budget tests. With `allChanged` the unchanged ones are updated too.
 */
export function largePlan(size: number, opts: { allChanged?: boolean } = {}): Plan {
  const parts: ProxyParts[] = [];
  for (let i = 0; i < size; i++) {
    const name = `site${i}-customer-portal-example-nl`;
    if (i % 5 === 0) parts.push(createdProxy(name));
    else if (i % 5 === 1) parts.push(updatedProxy(name, i, 40));
    else if (i % 50 === 2) parts.push(ipv6ReplacedProxy(name, ipv6Of(i)));
    else if (i % 50 === 3) parts.push(destroyedProxy(name, i));
    else parts.push(opts.allChanged ? updatedProxy(name, i, 40) : unchangedProxy(name, i));
  }
  return buildPlan(parts);
}
