/**
 * What ARM checks when a virtual network or a network security group is
 * written, and the stored form it keeps. Codes and messages follow Azure's
 * where Azure's are known.
 */
import { type Cidr, cidrContains, cidrContainsIp, cidrsOverlap, parseCidr, prefixVersion } from "../../model/ip.js";
import type { Json } from "../http.js";
import { badRequest, isObject, newGuid, weakEtag } from "../http.js";
import { parseResourceId } from "../ids.js";
import { References, TYPES } from "../providers/network-refs.js";
import type { StoredResource } from "../store.js";
import type { World } from "../world.js";

function parsePrefix(prefix: unknown, ownerId: string): Cidr {
  const cidr = typeof prefix === "string" ? parseCidr(prefix) : undefined;
  if (!cidr) {
    throw badRequest(
      "InvalidAddressPrefixFormat",
      `Address prefix ${String(prefix)} of resource ${ownerId} is not formatted correctly. It should follow CIDR notation, for example 10.0.0.0/24.`,
    );
  }
  return cidr;
}

/** A referenced resource must exist, and in the same region. */
export function requireReference(
  world: World,
  refId: unknown,
  type: string,
  ownerId: string,
  location: string,
): StoredResource {
  const target = typeof refId === "string" ? world.store.get(refId) : undefined;
  if (!target || target.type.toLowerCase() !== type.toLowerCase() || target.body.location !== location) {
    throw badRequest(
      "InvalidResourceReference",
      `Resource ${String(refId)} referenced by resource ${ownerId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
    );
  }
  return target;
}

export function buildVnetProperties(
  world: World,
  id: string,
  input: Json,
  location: string,
  existing?: StoredResource,
): Json {
  const props: Json = isObject(input.properties) ? input.properties : {};
  const name = parseResourceId(id).name;
  const spacesIn = props.addressSpace?.addressPrefixes;
  if (!Array.isArray(spacesIn) || spacesIn.length === 0) {
    throw badRequest(
      "InvalidRequestFormat",
      `Virtual network ${id} must have at least one address prefix in addressSpace.addressPrefixes.`,
    );
  }
  const spaces = spacesIn.map((p) => parsePrefix(p, id));
  for (const [i, a] of spaces.entries()) {
    for (const b of spaces.slice(i + 1)) {
      if (cidrsOverlap(a, b))
        throw badRequest(
          "VnetAddressSpacesOverlap",
          `Address spaces ${a.text} and ${b.text} of virtual network ${name} overlap.`,
        );
    }
  }

  const subnetsIn = (Array.isArray(props.subnets) ? props.subnets : []) as Json[];
  const refs = new References(world.store);
  const seen = new Map<string, Cidr[]>();
  const subnets = subnetsIn.map((s) => {
    const subnetName = String(s.name ?? "");
    if (!subnetName) throw badRequest("InvalidRequestFormat", `A subnet of virtual network ${name} has no name.`);
    if (seen.has(subnetName.toLowerCase()))
      throw badRequest("InvalidRequestFormat", `Subnet ${subnetName} is listed twice in virtual network ${name}.`);
    const subnetId = `${id}/subnets/${subnetName}`;
    const sp: Json = isObject(s.properties) ? s.properties : {};
    const texts: unknown[] =
      Array.isArray(sp.addressPrefixes) && sp.addressPrefixes.length
        ? sp.addressPrefixes
        : sp.addressPrefix
          ? [sp.addressPrefix]
          : [];
    if (texts.length === 0)
      throw badRequest(
        "InvalidRequestFormat",
        `Subnet ${subnetName} of virtual network ${name} has no address prefix.`,
      );
    const prefixes = texts.map((p) => parsePrefix(p, subnetId));
    for (const p of prefixes) checkSubnetPrefix(p, subnetName, name, spaces);
    for (const [other, otherPrefixes] of seen) {
      if (prefixes.some((p) => otherPrefixes.some((q) => cidrsOverlap(p, q)))) {
        throw badRequest(
          "NetcfgSubnetRangesOverlap",
          `Subnet '${subnetName}' is not valid in virtual network '${name}' because its IP address range overlaps with that of an existing subnet '${other}'.`,
        );
      }
    }
    seen.set(subnetName.toLowerCase(), prefixes);
    checkInUseSubnetKeepsAddresses(refs, subnetId, prefixes);
    const out: Json = { ...sp, provisioningState: "Succeeded" };
    delete out.ipConfigurations;
    if (sp.networkSecurityGroup !== undefined && sp.networkSecurityGroup !== null) {
      requireReference(world, sp.networkSecurityGroup?.id, TYPES.nsg, subnetId, location);
      out.networkSecurityGroup = { id: sp.networkSecurityGroup.id };
    }
    out.privateEndpointNetworkPolicies ??= "Disabled";
    out.privateLinkServiceNetworkPolicies ??= "Enabled";
    return { name: subnetName, id: subnetId, etag: weakEtag(), type: `${TYPES.vnet}/subnets`, properties: out };
  });

  // A subnet that something uses cannot be dropped from the list.
  for (const old of (existing?.body.properties?.subnets ?? []) as Json[]) {
    if (seen.has(String(old.name).toLowerCase())) continue;
    const users = refs.ipConfigsInSubnet(`${id}/subnets/${old.name}`);
    if (users.length) throw inUseSubnet(String(old.name), users[0]!.id);
  }

  return {
    ...props,
    addressSpace: { addressPrefixes: spaces.map((s) => s.text) },
    subnets,
    virtualNetworkPeerings: [],
    enableDdosProtection: props.enableDdosProtection ?? false,
    resourceGuid: existing?.body.properties?.resourceGuid ?? newGuid(),
    provisioningState: "Updating",
  };
}

function checkSubnetPrefix(p: Cidr, subnetName: string, vnetName: string, spaces: Cidr[]): void {
  if (p.version === 6 && p.prefixLength !== 64) {
    throw badRequest(
      "InvalidIPv6SubnetPrefixLength",
      `Subnet '${subnetName}' has IPv6 address prefix ${p.text}. IPv6 subnets must be exactly /64.`,
    );
  }
  if (p.version === 4 && p.prefixLength > 29) {
    throw badRequest(
      "InvalidSubnetPrefixLength",
      `Subnet '${subnetName}' has address prefix ${p.text}. The smallest supported IPv4 subnet is /29.`,
    );
  }
  if (!spaces.some((s) => cidrContains(s, p))) {
    throw badRequest(
      "NetcfgSubnetRangeOutsideVnet",
      `Subnet '${subnetName}' is not valid because its IP address range is outside the IP address range of virtual network '${vnetName}'.`,
    );
  }
}

export const inUseSubnet = (subnetName: string, userId: string) =>
  badRequest(
    "InUseSubnetCannotBeDeleted",
    `Subnet ${subnetName} is in use by ${userId} and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet. See aka.ms/deletesubnet.`,
  );

/** Adding a prefix to a used subnet is fine; moving addresses that are handed out is not. */
function checkInUseSubnetKeepsAddresses(refs: References, subnetId: string, prefixes: Cidr[]): void {
  for (const c of refs.ipConfigsInSubnet(subnetId)) {
    if (c.privateIPAddress && !prefixes.some((p) => cidrContainsIp(p, c.privateIPAddress!))) {
      throw badRequest(
        "InUseSubnetCannotBeUpdated",
        `Subnet ${subnetId} is in use by ${c.id} and its address prefixes cannot be changed so that ${c.privateIPAddress} falls outside.`,
      );
    }
  }
}

const PROTOCOLS = ["Tcp", "Udp", "Icmp", "Esp", "Ah", "*"];
const SERVICE_TAG = /^[A-Za-z][A-Za-z0-9.]*$/;

function oneOf(value: unknown, allowed: string[], rule: string, field: string): string {
  const hit = allowed.find((a) => typeof value === "string" && a.toLowerCase() === value.toLowerCase());
  if (!hit)
    throw badRequest(
      "SecurityRuleInvalidParameter",
      `Security rule ${rule} has invalid ${field}. Value provided: ${String(value)}. Allowed values: ${allowed.join(", ")}.`,
    );
  return hit;
}

function listOf(props: Json, single: string, plural: string, rule: string): string[] {
  const many = Array.isArray(props[plural]) ? (props[plural] as unknown[]) : [];
  const one = props[single];
  if (many.length && one)
    throw badRequest(
      "SecurityRuleParameterContainsBothSingleAndPluralValues",
      `Security rule ${rule} has both ${single} and ${plural}.`,
    );
  const values = many.length ? many : one !== undefined && one !== null && one !== "" ? [one] : [];
  if (!values.length)
    throw badRequest("SecurityRuleParameterMissing", `Security rule ${rule} must have ${single} or ${plural}.`);
  return values.map(String);
}

function checkPorts(ports: string[], rule: string): void {
  for (const p of ports) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(p);
    const ok =
      p === "*" ||
      (m && Number(m[1]) <= 65535 && Number(m[2] ?? m[1]) <= 65535 && Number(m[1]) <= Number(m[2] ?? m[1]));
    if (!ok)
      throw badRequest(
        "SecurityRuleInvalidPortRange",
        `Security rule ${rule} has invalid Port range. Value provided: ${p}. Value should be an integer OR integer range with '-' delimiter. Valid range 0-65535.`,
      );
  }
}

function checkPrefixes(prefixes: string[], rule: string): Set<number> {
  const versions = new Set<number>();
  for (const p of prefixes) {
    const version = prefixVersion(p);
    if (version) {
      if (p.includes("/") && !parseCidr(p))
        throw badRequest(
          "SecurityRuleInvalidAddressPrefix",
          `Security rule ${rule} has invalid Address prefix. Value provided: ${p}.`,
        );
      versions.add(version);
    } else if (p !== "*" && !SERVICE_TAG.test(p)) {
      throw badRequest(
        "SecurityRuleInvalidAddressPrefix",
        `Security rule ${rule} has invalid Address prefix. Value provided: ${p}.`,
      );
    }
  }
  return versions;
}

export function buildSecurityRules(nsgId: string, rulesIn: unknown): Json[] {
  const rules = (Array.isArray(rulesIn) ? rulesIn : []) as Json[];
  const priorities = new Map<string, string>();
  const names = new Set<string>();
  return rules.map((r) => {
    const name = String(r.name ?? "");
    if (!name || names.has(name.toLowerCase()))
      throw badRequest("InvalidRequestFormat", `Security rule names must be present and unique; '${name}' is not.`);
    names.add(name.toLowerCase());
    const p: Json = isObject(r.properties) ? r.properties : {};
    const protocol = oneOf(p.protocol, PROTOCOLS, name, "Protocol");
    const access = oneOf(p.access, ["Allow", "Deny"], name, "Access");
    const direction = oneOf(p.direction, ["Inbound", "Outbound"], name, "Direction");
    if (!Number.isInteger(p.priority) || p.priority < 100 || p.priority > 4096) {
      throw badRequest(
        "SecurityRuleInvalidPriority",
        `Security rule has invalid Priority. Value provided: ${String(p.priority)}. Allowed range 100-4096.`,
      );
    }
    const clash = priorities.get(`${direction}/${p.priority}`);
    if (clash)
      throw badRequest(
        "SecurityRuleConflict",
        `Security rule ${name} conflicts with rule ${clash}. Rules cannot have the same Priority and Direction. Priority ${p.priority}, Direction ${direction}.`,
      );
    priorities.set(`${direction}/${p.priority}`, name);
    checkPorts(listOf(p, "sourcePortRange", "sourcePortRanges", name), name);
    checkPorts(listOf(p, "destinationPortRange", "destinationPortRanges", name), name);
    const versions = new Set([
      ...checkPrefixes(listOf(p, "sourceAddressPrefix", "sourceAddressPrefixes", name), name),
      ...checkPrefixes(listOf(p, "destinationAddressPrefix", "destinationAddressPrefixes", name), name),
    ]);
    if (versions.size > 1) {
      throw badRequest(
        "SecurityRuleAddressPrefixesMixIpVersions",
        `Security rule ${name} mixes IPv4 and IPv6 address prefixes. A rule's source and destination prefixes must all be of one IP version.`,
      );
    }
    return {
      name,
      id: `${nsgId}/securityRules/${name}`,
      etag: weakEtag(),
      type: `${TYPES.nsg}/securityRules`,
      properties: { ...p, protocol, access, direction, provisioningState: "Succeeded" },
    };
  });
}

export function defaultSecurityRules(nsgId: string): Json[] {
  const rule = (
    name: string,
    direction: string,
    priority: number,
    access: string,
    src: string,
    dst: string,
    description: string,
  ): Json => ({
    name,
    id: `${nsgId}/defaultSecurityRules/${name}`,
    type: `${TYPES.nsg}/defaultSecurityRules`,
    properties: {
      description,
      protocol: "*",
      sourcePortRange: "*",
      destinationPortRange: "*",
      sourceAddressPrefix: src,
      destinationAddressPrefix: dst,
      access,
      priority,
      direction,
      provisioningState: "Succeeded",
    },
  });
  return [
    rule(
      "AllowVnetInBound",
      "Inbound",
      65000,
      "Allow",
      "VirtualNetwork",
      "VirtualNetwork",
      "Allow inbound traffic from all VMs in VNET",
    ),
    rule(
      "AllowAzureLoadBalancerInBound",
      "Inbound",
      65001,
      "Allow",
      "AzureLoadBalancer",
      "*",
      "Allow inbound traffic from azure load balancer",
    ),
    rule("DenyAllInBound", "Inbound", 65500, "Deny", "*", "*", "Deny all inbound traffic"),
    rule(
      "AllowVnetOutBound",
      "Outbound",
      65000,
      "Allow",
      "VirtualNetwork",
      "VirtualNetwork",
      "Allow outbound traffic from all VMs to all VMs in VNET",
    ),
    rule(
      "AllowInternetOutBound",
      "Outbound",
      65001,
      "Allow",
      "*",
      "Internet",
      "Allow outbound traffic from all VMs to Internet",
    ),
    rule("DenyAllOutBound", "Outbound", 65500, "Deny", "*", "*", "Deny all outbound traffic"),
  ];
}
