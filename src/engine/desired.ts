/**
 * Desired state: what Azure should hold for each proxy file. Pure: the
 * request bodies use the SDK models' field names, so the same projection
 * (owned.ts) reads desired bodies and observed resources alike.
 */
import { createHash } from "node:crypto";
import { renderHaproxyConfig } from "../dataplane/haproxy.js";
import { configSha256 } from "../dataplane/vmscripts.js";
import { armId, parseArmId, resourceGroupId } from "../model/arm-id.js";
import { prefixVersion } from "../model/ip.js";
import {
  NETWORK,
  ownershipTags,
  type ResourceNames,
  replicaNames,
  replicaSuffix,
  resourceNames,
  TAG_CONFIG_HASH,
  TAG_INDEX,
  TAG_STATE_HASH,
} from "../model/names.js";
import type { ResourceKind } from "../plan/types.js";
import { dnsZoneProblem, resourceGroupProblem, subscriptionIdProblem } from "../proxyfile/name-rules.js";
import type { ProxySpec } from "../proxyfile/types.js";
import {
  availabilitySetBody,
  loadBalancerBody,
  loadBalancerId,
  poolIds,
  probeSecurityRule,
  publicIpZones,
  replicaPlacement,
} from "./desired-replicas.js";
import { stateHash } from "./owned.js";
import { MAX_TAG_VALUE_CHARS } from "./tag-limits.js";

/** Tag on the VM: a hash of the SSH keys it was created with (keys can only be set at creation). */
export const TAG_SSH_KEYS = "ipv6ProxySshKeys";
/** Tag on the IPv6 public IP: the DNS zone id holding its records, so a later run finds records of a removed proxy. */
export const TAG_DNS_ZONE = "ipv6ProxyDnsZone";
/**
 * With TAG_DNS_ZONE holding only the zone's name: "<subscription id>/<resource group>"
 * of the zone. Used when the zone's full id would pass Azure's 256 characters
 * for a tag value (a 90-character resource group and a long zone name do).
 */
export const TAG_DNS_ZONE_GROUP = "ipv6ProxyDnsZoneGroup";

const UBUNTU_IMAGE = {
  publisher: "Canonical",
  offer: "ubuntu-24_04-lts",
  sku: "server",
  version: "latest",
} as const;
export const ADMIN_USER = "ipv6proxy";

export interface DesiredResource {
  kind: ResourceKind;
  address: string;
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** Request body in the SDK model shape (for DNS: the record set; the address is filled at apply time). */
  body: Record<string, unknown>;
}

export interface DesiredProxy {
  spec: ProxySpec;
  subscriptionId: string;
  names: ResourceNames;
  config: string;
  configSha256: string;
  resources: DesiredResource[];
  /** DNS zone id, when the spec has records. */
  dnsZoneId?: string | undefined;
}

function dnsZoneId(subscriptionId: string, resourceGroup: string, zone: string): string {
  return armId(subscriptionId, resourceGroup, "Microsoft.Network", "dnszones", zone);
}

/**
 * The DNS zone a public IP's TAG_DNS_ZONE tag names, when it is an id this
 * tool could have written: a DNS zone's ARM id whose subscription, resource
 * group and zone pass the proxy file rules. Anyone who may write the IP's tags
 * can change the tag, and its value decides which zone the plan lists (and
 * whose records of ours it may delete), so anything else is ignored.
 */
export function dnsZoneIdFromTag(value: string | undefined): string | undefined {
  const id = value === undefined ? undefined : parseArmId(value);
  if (id?.type.toLowerCase() !== "microsoft.network/dnszones") return undefined;
  if (subscriptionIdProblem(id.subscriptionId) || resourceGroupProblem(id.resourceGroup) || dnsZoneProblem(id.name))
    return undefined;
  return dnsZoneId(id.subscriptionId, id.resourceGroup, id.name);
}

/**
 * The tags naming a proxy's DNS zone on its IPv6 public IP: the zone's id when
 * it fits in a tag value (as every earlier version wrote it), else the zone's
 * name and, in TAG_DNS_ZONE_GROUP, its subscription and resource group. Each
 * value stays within 256 characters: 253 for a zone name, 127 for the group.
 */
export function dnsZoneTags(zoneId: string): Record<string, string> {
  const id = parseArmId(zoneId);
  if (zoneId.length <= MAX_TAG_VALUE_CHARS || !id) return { [TAG_DNS_ZONE]: zoneId };
  return { [TAG_DNS_ZONE]: id.name, [TAG_DNS_ZONE_GROUP]: `${id.subscriptionId}/${id.resourceGroup}` };
}

/** The DNS zone a public IP's tags name, in either form of dnsZoneTags, checked as dnsZoneIdFromTag does. */
export function dnsZoneIdFromTags(tags: Readonly<Record<string, string>> | undefined): string | undefined {
  const value = tags?.[TAG_DNS_ZONE];
  if (value === undefined || value.startsWith("/")) return dnsZoneIdFromTag(value);
  const group = /^([^/]+)\/([^/]+)$/.exec(tags?.[TAG_DNS_ZONE_GROUP] ?? "");
  if (!group) return undefined;
  return dnsZoneIdFromTag(dnsZoneId(group[1]!, group[2]!, value));
}

function sshKeysHash(keys: readonly string[]): string {
  return keys.length === 0 ? "none" : createHash("sha256").update(keys.join("\n")).digest("hex").slice(0, 16);
}

/** What Azure says about the proxy's VM size, once the plan has read it (engine/vm-capacity.ts). */
export interface SizeFacts {
  /** The size supports accelerated networking: a new NIC gets it. */
  acceleratedNetworking?: boolean;
}

export function desiredProxy(
  spec: ProxySpec,
  subscriptionId: string,
  owner: string,
  sizeFacts: SizeFacts = {},
): DesiredProxy {
  const names = resourceNames(spec.name);
  const rg = spec.resourceGroup;
  const net = (type: string, name: string) => armId(subscriptionId, rg, "Microsoft.Network", type, name);
  const ids = {
    nsg: net("networkSecurityGroups", names.networkSecurityGroup),
    vnet: net("virtualNetworks", names.virtualNetwork),
    subnet: `${net("virtualNetworks", names.virtualNetwork)}/subnets/${names.subnet}`,
    pip4: net("publicIPAddresses", names.publicIpV4),
    pip6: net("publicIPAddresses", names.publicIpV6),
    loadBalancer: loadBalancerId(subscriptionId, rg, names.loadBalancer),
    availabilitySet: armId(subscriptionId, rg, "Microsoft.Compute", "availabilitySets", names.availabilitySet),
  };
  const tags = { ...spec.tags, ...ownershipTags(owner, spec.name) };
  const config = renderHaproxyConfig(spec);
  const sha = configSha256(config);
  const zoneId = spec.dns ? dnsZoneId(subscriptionId, spec.dns.resourceGroup, spec.dns.zone) : undefined;
  const common = { subscriptionId, resourceGroup: rg };
  const at = (kind: ResourceKind, suffix?: string) => `${spec.name}.${kind}${suffix ? `.${suffix}` : ""}`;
  const location = spec.location;

  const resources: DesiredResource[] = [
    {
      kind: "resourceGroup",
      address: at("resourceGroup"),
      id: resourceGroupId(subscriptionId, rg),
      ...common,
      name: rg,
      body: { location },
    },
    {
      kind: "networkSecurityGroup",
      address: at("networkSecurityGroup"),
      id: ids.nsg,
      ...common,
      name: names.networkSecurityGroup,
      body: { location, tags: { ...tags, [TAG_INDEX]: owner }, securityRules: securityRules(spec) },
    },
    {
      kind: "virtualNetwork",
      address: at("virtualNetwork"),
      id: ids.vnet,
      ...common,
      name: names.virtualNetwork,
      body: {
        location,
        tags,
        addressSpace: { addressPrefixes: [NETWORK.vnetIpv4, NETWORK.vnetIpv6] },
        subnets: [
          {
            name: names.subnet,
            addressPrefixes: [NETWORK.subnetIpv4, NETWORK.subnetIpv6],
            networkSecurityGroup: { id: ids.nsg },
            // New VNets have no default outbound access; the VM's own public IPv4 carries outbound traffic.
            defaultOutboundAccess: false,
          },
        ],
      },
    },
    {
      kind: "publicIpV4",
      address: at("publicIpV4"),
      id: ids.pip4,
      ...common,
      name: names.publicIpV4,
      body: publicIp(location, tags, "IPv4", publicIpZones(spec)),
    },
    {
      kind: "publicIpV6",
      address: at("publicIpV6"),
      id: ids.pip6,
      ...common,
      name: names.publicIpV6,
      body: publicIp(location, zoneId ? { ...tags, ...dnsZoneTags(zoneId) } : tags, "IPv6", publicIpZones(spec)),
    },
    ...replicaResources(spec, names, { ...common, location, tags, sha, ids, at, subscriptionId, sizeFacts }),
  ];
  if (spec.dns) {
    for (const record of spec.dns.records) {
      resources.push({
        kind: "dnsRecord",
        address: at("dnsRecord", record),
        ...common,
        resourceGroup: spec.dns.resourceGroup,
        id: `${zoneId}/AAAA/${record}`,
        name: record,
        body: { ttl: spec.dns.ttl, metadata: ownershipTags(owner, spec.name), zone: spec.dns.zone },
      });
    }
  }
  for (const r of resources) {
    if (r.kind !== "resourceGroup" && r.kind !== "dnsRecord") {
      r.body.tags = { ...(r.body.tags as Record<string, string>), [TAG_STATE_HASH]: stateHash(r.kind, r.body) };
    }
  }
  return { spec, subscriptionId, names, config, configSha256: sha, resources, dnsZoneId: zoneId };
}

function publicIp(
  location: string,
  tags: Record<string, string>,
  version: "IPv4" | "IPv6",
  zones: string[] | undefined,
): Record<string, unknown> {
  return {
    location,
    tags,
    // Used when the address is created; an existing one keeps its zones (they never change).
    ...(zones ? { zones } : {}),
    sku: { name: "Standard", tier: "Regional" },
    publicIPAllocationMethod: "Static",
    publicIPAddressVersion: version,
    // Azure fixes the IPv6 idle timeout at 4 minutes; HAProxy sends keepalives well inside it.
    idleTimeoutInMinutes: 4,
  };
}

const PROXY_RULE_PRIORITY = 100;
const SSH_RULE_PRIORITY = 110;

function securityRules(spec: ProxySpec): Record<string, unknown>[] {
  const rules: Record<string, unknown>[] = [
    {
      name: "allow-proxy-ports",
      priority: PROXY_RULE_PRIORITY,
      direction: "Inbound",
      access: "Allow",
      protocol: "Tcp",
      sourceAddressPrefix: "Internet",
      sourcePortRange: "*",
      destinationAddressPrefix: "*",
      destinationPortRanges: [...spec.ports].sort((a, b) => a - b).map(String),
    },
  ];
  // One NSG rule cannot mix IPv4 and IPv6 prefixes, so SSH gets one rule per family.
  const v4 = spec.ssh?.allowFrom.filter((c) => prefixVersion(c) === 4) ?? [];
  const v6 = spec.ssh?.allowFrom.filter((c) => prefixVersion(c) === 6) ?? [];
  [
    ["allow-ssh-ipv4", v4],
    ["allow-ssh-ipv6", v6],
  ].forEach(([name, prefixes], i) => {
    if ((prefixes as string[]).length === 0) return;
    rules.push({
      name,
      priority: SSH_RULE_PRIORITY + i,
      direction: "Inbound",
      access: "Allow",
      protocol: "Tcp",
      sourceAddressPrefixes: [...(prefixes as string[])].sort(),
      sourcePortRange: "*",
      destinationAddressPrefix: "*",
      destinationPortRange: "22",
    });
  });
  if (spec.replicas > 1) rules.push(probeSecurityRule());
  return rules;
}

interface Context {
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  sha: string;
  ids: Record<"nsg" | "vnet" | "subnet" | "pip4" | "pip6" | "loadBalancer" | "availabilitySet", string>;
  at: (kind: ResourceKind, suffix?: string) => string;
  sizeFacts: SizeFacts;
}

/**
 * The load balancer and availability set (with replicas), then one NIC and one
 * VM per replica. A single VM is replica 1 with the public IPs on its NIC.
 */
function replicaResources(spec: ProxySpec, names: ResourceNames, ctx: Context): DesiredResource[] {
  const { subscriptionId, resourceGroup, location, tags, ids } = ctx;
  const common = { subscriptionId, resourceGroup };
  const replicated = spec.replicas > 1;
  const out: DesiredResource[] = [];
  if (replicated) {
    out.push({
      kind: "loadBalancer",
      address: ctx.at("loadBalancer"),
      id: ids.loadBalancer,
      ...common,
      name: names.loadBalancer,
      body: loadBalancerBody(spec, { loadBalancer: ids.loadBalancer, pip4: ids.pip4, pip6: ids.pip6 }, tags),
    });
    if (spec.zones.length === 0) {
      out.push({
        kind: "availabilitySet",
        address: ctx.at("availabilitySet"),
        id: ids.availabilitySet,
        ...common,
        name: names.availabilitySet,
        body: availabilitySetBody(location, tags),
      });
    }
  }
  const pools = poolIds(ids.loadBalancer);
  const count = replicated ? spec.replicas : 1;
  const replicas = Array.from({ length: count }, (_, i) => i + 1).map((n) => ({
    n,
    names: replicaNames(spec.name, n),
    suffix: replicaSuffix(n) || undefined,
  }));
  for (const r of replicas) {
    const nicId = armId(
      subscriptionId,
      resourceGroup,
      "Microsoft.Network",
      "networkInterfaces",
      r.names.networkInterface,
    );
    // A single VM carries the public IPs; replicas sit in the pools and have none.
    const v4 = replicated
      ? { loadBalancerBackendAddressPools: [{ id: pools.v4 }] }
      : { publicIPAddress: { id: ids.pip4 } };
    const v6 = replicated
      ? { loadBalancerBackendAddressPools: [{ id: pools.v6 }] }
      : { publicIPAddress: { id: ids.pip6 } };
    out.push({
      kind: "networkInterface",
      address: ctx.at("networkInterface", r.suffix),
      id: nicId,
      ...common,
      name: r.names.networkInterface,
      body: {
        location,
        tags,
        // Not an owned field: a change on a running VM's NIC is accepted but takes effect only after the
        // VM is deallocated (accelerated-networking-overview; MicrosoftDocs/azure-docs#60667, #26251), so
        // apply sets it when it creates the NIC and keeps what an existing NIC has.
        ...(ctx.sizeFacts.acceleratedNetworking ? { enableAcceleratedNetworking: true } : {}),
        ipConfigurations: [
          {
            name: "ipconfig-v4",
            primary: true,
            privateIPAddressVersion: "IPv4",
            privateIPAllocationMethod: "Dynamic",
            subnet: { id: ids.subnet },
            ...v4,
          },
          {
            name: "ipconfig-v6",
            primary: false,
            privateIPAddressVersion: "IPv6",
            privateIPAllocationMethod: "Dynamic",
            subnet: { id: ids.subnet },
            ...v6,
          },
        ],
      },
    });
  }
  for (const r of replicas) {
    const nicId = armId(
      subscriptionId,
      resourceGroup,
      "Microsoft.Network",
      "networkInterfaces",
      r.names.networkInterface,
    );
    out.push({
      kind: "virtualMachine",
      address: ctx.at("virtualMachine", r.suffix),
      id: armId(subscriptionId, resourceGroup, "Microsoft.Compute", "virtualMachines", r.names.virtualMachine),
      ...common,
      name: r.names.virtualMachine,
      body: {
        location,
        tags: { ...tags, [TAG_CONFIG_HASH]: ctx.sha, [TAG_SSH_KEYS]: sshKeysHash(spec.ssh?.publicKeys ?? []) },
        ...replicaPlacement(spec, r.n, ids.availabilitySet),
        hardwareProfile: { vmSize: spec.vmSize },
        storageProfile: {
          imageReference: { ...UBUNTU_IMAGE },
          osDisk: {
            name: r.names.osDisk,
            createOption: "FromImage",
            deleteOption: "Delete",
            managedDisk: { storageAccountType: "StandardSSD_LRS" },
          },
        },
        // The NIC goes with the VM: a NIC left behind stays reserved for the deleted VM for
        // 180 s (NicReservedForAnotherVm), which would hold up removing a proxy or replacing its VM.
        networkProfile: { networkInterfaces: [{ id: nicId, primary: true, deleteOption: "Delete" }] },
        osProfile: {
          computerName: r.names.computerName,
          adminUsername: ADMIN_USER,
          linuxConfiguration: { disablePasswordAuthentication: true, provisionVMAgent: true },
        },
        securityProfile: {
          securityType: "TrustedLaunch",
          uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
        },
      },
    });
  }
  return out;
}
