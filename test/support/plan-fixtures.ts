/**
 * Builders for realistic Plan values: one proxy at a time in a given state,
 * then combined into a Plan whose counts and fingerprint follow from its changes.
 */
import { createHash } from "node:crypto";
import { armId } from "../../src/model/arm-id.js";
import { resourceNames } from "../../src/model/names.js";
import { unifiedLineDiff } from "../../src/plan/linediff.js";
import {
  type Action,
  type Change,
  type FieldDiff,
  KIND_ORDER,
  type Plan,
  type PlanError,
  type PlanWarning,
  type ProxySummary,
  type ResourceKind,
} from "../../src/plan/types.js";

export const SUBSCRIPTION = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";
export const DNS_RESOURCE_GROUP = "rg-dns";
export const OWNER = "example-org/websites";

export interface ProxyParts {
  summary: ProxySummary;
  changes: Change[];
  configDiff?: string;
  warnings: PlanWarning[];
  errors: PlanError[];
}

/** `www-example-nl` serves `www.example.nl` in zone `example.nl`. */
export function dnsNameOf(proxy: string): string {
  return proxy.replace(/-/g, ".");
}

function zoneOf(dnsName: string): string {
  return dnsName.split(".").slice(-2).join(".");
}

function resourceGroupOf(proxy: string): string {
  return `ipv6px-${proxy}-rg`;
}

function azureName(proxy: string, kind: ResourceKind): string {
  const names = resourceNames(proxy);
  switch (kind) {
    case "resourceGroup":
      return resourceGroupOf(proxy);
    case "vmConfig":
      return names.virtualMachine;
    case "dnsRecord":
      return dnsNameOf(proxy).split(".").slice(0, -2).join(".") || "@";
    default:
      return names[kind];
  }
}

function idOf(proxy: string, kind: ResourceKind): string {
  const rg = resourceGroupOf(proxy);
  const name = azureName(proxy, kind);
  const network = (type: string): string => armId(SUBSCRIPTION, rg, "Microsoft.Network", type, name);
  switch (kind) {
    case "resourceGroup":
      return `/subscriptions/${SUBSCRIPTION}/resourceGroups/${rg}`;
    case "networkSecurityGroup":
      return network("networkSecurityGroups");
    case "virtualNetwork":
      return network("virtualNetworks");
    case "publicIpV4":
    case "publicIpV6":
      return network("publicIPAddresses");
    case "networkInterface":
      return network("networkInterfaces");
    case "virtualMachine":
    case "vmConfig":
      return armId(SUBSCRIPTION, rg, "Microsoft.Compute", "virtualMachines", name);
    case "dnsRecord":
      return armId(
        SUBSCRIPTION,
        DNS_RESOURCE_GROUP,
        "Microsoft.Network",
        "dnsZones",
        zoneOf(dnsNameOf(proxy)),
        "AAAA",
        name,
      );
  }
}

export function change(
  proxy: string,
  kind: ResourceKind,
  action: Action,
  reason: string,
  diffs: FieldDiff[] = [],
): Change {
  const name = azureName(proxy, kind);
  const before = action === "create" ? undefined : Object.fromEntries(diffs.map((d) => [d.path, d.before]));
  const after = action === "delete" ? undefined : Object.fromEntries(diffs.map((d) => [d.path, d.after]));
  return {
    address: kind === "dnsRecord" ? `${proxy}.dnsRecord.${name}` : `${proxy}.${kind}`,
    proxy,
    kind,
    id: idOf(proxy, kind),
    subscriptionId: SUBSCRIPTION,
    resourceGroup: kind === "dnsRecord" ? DNS_RESOURCE_GROUP : resourceGroupOf(proxy),
    name,
    action,
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
    diffs,
    reason,
  };
}

const ALL_KINDS = KIND_ORDER;

export function haproxyConfig(proxy: string, backends: string[]): string {
  const backend = proxy.replace(/-/g, "_");
  return [
    "global",
    "    log stdout format raw local0",
    "    maxconn 4096",
    "",
    "defaults",
    "    mode tcp",
    "    timeout connect 5s",
    "    timeout client 60s",
    "    timeout server 60s",
    "",
    "frontend https_in",
    "    bind [::]:443 v6only",
    `    default_backend ${backend}`,
    "",
    `backend ${backend}`,
    ...backends.map((ip, i) => `    server s${i + 1} ${ip}:443 check`),
    "",
  ].join("\n");
}

export function ipv6Of(n: number): string {
  return `2603:1020:203:3::${(n + 0x10).toString(16)}`;
}

function summary(proxy: string, status: ProxySummary["status"], ipv6Address?: string): ProxySummary {
  return {
    name: proxy,
    file: `proxies/${proxy}.yaml`,
    status,
    ...(ipv6Address ? { ipv6Address } : {}),
    dnsNames: [dnsNameOf(proxy)],
  };
}

export function createdProxy(proxy: string): ProxyParts {
  const changes = ALL_KINDS.map((kind) =>
    change(
      proxy,
      kind,
      "create",
      `${proxy} is new in proxies/${proxy}.yaml`,
      kind === "dnsRecord" ? [{ path: "ttl", after: 300 }] : [],
    ),
  );
  return { summary: summary(proxy, "create"), changes, warnings: [], errors: [] };
}

/** A backend server added: the VM config changes in place and the NSG gains a rule. */
export function updatedProxy(proxy: string, n: number, extraBackends = 1): ProxyParts {
  const before = haproxyConfig(proxy, ["203.0.113.10"]);
  const after = haproxyConfig(proxy, [
    "203.0.113.10",
    ...Array.from({ length: extraBackends }, (_, i) => `198.51.100.${(i % 250) + 1}`),
  ]);
  const changes = [
    change(proxy, "networkSecurityGroup", "update", "allowed ports changed in the spec", [
      { path: "securityRules[0].destinationPortRange", before: "443", after: "443-444" },
      { path: "securityRules[1]", after: { name: "allow-https-alt", priority: 110, access: "Allow", protocol: "Tcp" } },
    ]),
    change(proxy, "vmConfig", "update", "HAProxy backends changed", [
      { path: "userDataSha256", before: "9f2c1e7d".repeat(8), after: "41ab03c5".repeat(8) },
    ]),
    ...ALL_KINDS.filter((k) => k !== "networkSecurityGroup" && k !== "vmConfig").map((kind) =>
      change(proxy, kind, "noop", "matches the spec"),
    ),
  ];
  return {
    summary: summary(proxy, "change", ipv6Of(n)),
    changes,
    configDiff: unifiedLineDiff(before, after),
    warnings: [],
    errors: [],
  };
}

/** The public IPv6 resource must be replaced, so the proxy's address changes and its AAAA record follows. */
export function ipv6ReplacedProxy(proxy: string, oldAddress: string): ProxyParts {
  const changes = [
    change(proxy, "publicIpV6", "replace", "sku.tier cannot change in place", [
      { path: "sku.tier", before: "Regional", after: "Global" },
      { path: "ipAddress", before: oldAddress, after: undefined },
    ]),
    change(proxy, "networkInterface", "update", "re-attaches the replaced public IPv6 address", [
      {
        path: "ipConfigurations[1].publicIPAddress.id",
        before: idOf(proxy, "publicIpV6"),
        after: "(known after apply)",
      },
    ]),
    change(proxy, "dnsRecord", "update", "points at the new public IPv6 address", [
      { path: "aaaaRecords[0].ipv6Address", before: oldAddress, after: "(known after apply)" },
    ]),
  ];
  const warning: PlanWarning = {
    code: "ipv6-address-change",
    proxy,
    address: `${proxy}.publicIpV6`,
    message: `Replacing the public IPv6 address releases ${oldAddress}; Azure assigns a new one.`,
  };
  return { summary: summary(proxy, "change", oldAddress), changes, warnings: [warning], errors: [] };
}

export function destroyedProxy(proxy: string, n: number): ProxyParts {
  const changes = [...ALL_KINDS]
    .reverse()
    .map((kind) => change(proxy, kind, "delete", `proxies/${proxy}.yaml was removed`));
  const warning: PlanWarning = {
    code: "destroy",
    proxy,
    message: `proxies/${proxy}.yaml was removed: the VM, its addresses and its AAAA record are deleted.`,
  };
  return { summary: summary(proxy, "destroy", ipv6Of(n)), changes, warnings: [warning], errors: [] };
}

export function unchangedProxy(proxy: string, n: number): ProxyParts {
  const changes = ALL_KINDS.map((kind) => change(proxy, kind, "noop", "matches the spec"));
  return { summary: summary(proxy, "unchanged", ipv6Of(n)), changes, warnings: [], errors: [] };
}

/** A proxy whose AAAA record already exists and belongs to someone else: the plan refuses. */
export function notOwnedProxy(proxy: string): ProxyParts {
  const record = `${proxy}.dnsRecord.${azureName(proxy, "dnsRecord")}`;
  const warning: PlanWarning = {
    code: "dns-not-owned",
    proxy,
    address: record,
    message: `AAAA record ${dnsNameOf(proxy)} exists without this tool's ownership metadata.`,
  };
  const error: PlanError = {
    proxy,
    address: record,
    file: `proxies/${proxy}.yaml`,
    line: 3,
    message: `AAAA record ${dnsNameOf(proxy)} already exists and was not created by this tool; remove it or pick another name.`,
  };
  return { summary: summary(proxy, "create"), changes: [], warnings: [warning], errors: [error] };
}

export function buildPlan(parts: ProxyParts[], extra: { warnings?: PlanWarning[]; errors?: PlanError[] } = {}): Plan {
  const changes = parts.flatMap((p) => p.changes);
  const pending = changes.filter((c) => c.action !== "noop");
  const count = (...actions: Action[]): number => pending.filter((c) => actions.includes(c.action)).length;
  return {
    formatVersion: 1,
    owner: OWNER,
    createdAt: "2025-06-01T12:00:00.000Z",
    changes,
    proxies: parts.map((p) => p.summary),
    configDiffs: parts.flatMap((p) =>
      p.configDiff === undefined ? [] : [{ proxy: p.summary.name, diff: p.configDiff }],
    ),
    warnings: [...parts.flatMap((p) => p.warnings), ...(extra.warnings ?? [])],
    errors: [...parts.flatMap((p) => p.errors), ...(extra.errors ?? [])],
    counts: { add: count("create", "replace"), change: count("update"), destroy: count("delete", "replace") },
    fingerprint: createHash("sha256").update(JSON.stringify(pending)).digest("hex"),
  };
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
