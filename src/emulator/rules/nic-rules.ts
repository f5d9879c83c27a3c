/**
 * What ARM checks when a public IP address or a network interface is written,
 * and the stored form it keeps (allocated addresses survive updates).
 */

import { parentArmId, sameArmId } from "../../model/arm-id.js";
import { type Cidr, cidrContainsIp, ipVersionOf, parseCidr } from "../../model/ip.js";
import type { Json } from "../http.js";
import { badRequest, isObject, newGuid, weakEtag } from "../http.js";
import { firstFreeAddress, isReservedAddress } from "../ip.js";
import { allIpConfigs, References, TYPES } from "../providers/network-refs.js";
import type { StoredResource } from "../store.js";
import type { World } from "../world.js";
import { checkAllocatedPorts, checkFamily } from "./lb-rules.js";
import { requireReference } from "./vnet-rules.js";
import { checkPublicIpServesZone } from "./zone-rules.js";

const sameText = (a: unknown, b: string) => typeof a === "string" && a.toLowerCase() === b.toLowerCase();

export function buildPublicIp(
  world: World,
  id: string,
  input: Json,
  existing?: StoredResource,
): { sku: Json; properties: Json; zones?: string[] } {
  const props: Json = isObject(input.properties) ? input.properties : {};
  const old = existing?.body;
  const skuName = sameText(input.sku?.name, "Standard") ? "Standard" : String(input.sku?.name ?? "Basic");
  const version = sameText(props.publicIPAddressVersion, "IPv6") ? "IPv6" : "IPv4";
  if (old && old.sku?.name !== skuName) {
    throw badRequest(
      "PublicIPAddressSkuChangeNotAllowed",
      `Sku property is set at creation time and cannot be changed for public IP address ${id}.`,
    );
  }
  if (old && old.properties?.publicIPAddressVersion !== version) {
    throw badRequest(
      "PublicIPAddressVersionChangeNotAllowed",
      `IP version of public IP address ${id} is set at creation time and cannot be changed.`,
    );
  }
  if (skuName !== "Standard") {
    // Basic SKU public IPs were retired on 30 Sep 2025: new subscriptions have a quota of zero.
    throw badRequest(
      `${version}BasicSkuPublicIpCountLimitReached`,
      `Cannot create more than 0 ${version} Basic SKU public IP addresses for this subscription in this region.`,
    );
  }
  if (props.publicIPAllocationMethod !== undefined && !sameText(props.publicIPAllocationMethod, "Static")) {
    throw badRequest(
      "StandardSkuPublicIPAddressMustBeStatic",
      `Standard sku publicIp ${id} must have AllocationMethod set to Static.`,
    );
  }
  const idle = props.idleTimeoutInMinutes ?? 4;
  if (!Number.isInteger(idle) || idle < 4 || idle > 30) {
    throw badRequest(
      "PublicIPIdleTimeoutIsOutOfRange",
      `IdleTimeoutInMinutes of public IP ${id} is ${String(idle)}; it must be between 4 and 30.`,
    );
  }
  const properties: Json = {
    ...props,
    publicIPAddressVersion: version,
    publicIPAllocationMethod: "Static",
    idleTimeoutInMinutes: idle,
    ipAddress: old?.properties?.ipAddress ?? world.publicAddresses.allocate(version === "IPv6" ? 6 : 4),
    ipTags: props.ipTags ?? [],
    ddosSettings: props.ddosSettings ?? { protectionMode: "VirtualNetworkInherited" },
    resourceGuid: old?.properties?.resourceGuid ?? newGuid(),
    provisioningState: "Updating",
  };
  delete properties.ipConfiguration;
  const zones = Array.isArray(input.zones) ? input.zones.map(String) : undefined;
  // Zones are fixed at creation, and a PUT that leaves them out asks for "no zone"
  // (ResourceAvailabilityZonesCannotBeModified, Azure/AzOps#701, Azure/azure-powershell#13656).
  const constraint = (z: unknown): string =>
    Array.isArray(z) && z.length ? [...z].map(String).sort().join(", ") : "NoZone";
  if (old && constraint(old.zones) !== constraint(zones)) {
    throw badRequest(
      "ResourceAvailabilityZonesCannotBeModified",
      `Resource ${id} has an existing availability zone constraint ${constraint(old.zones)} and the request has availability zone constraint ${constraint(zones)}, which do not match. Zones cannot be added/updated/removed once the resource is created. The resource cannot be updated from regional to zonal or vice-versa.`,
    );
  }
  return { sku: { name: "Standard", tier: input.sku?.tier ?? "Regional" }, properties, ...(zones ? { zones } : {}) };
}

interface SubnetInfo {
  vnetId: string;
  prefixes: Cidr[];
}

function subnetInfo(world: World, subnetId: unknown, ownerId: string, location: string): SubnetInfo {
  const vnetId = typeof subnetId === "string" ? parentArmId(subnetId) : "";
  const vnet = requireReference(world, vnetId, TYPES.vnet, ownerId, location);
  const subnet = ((vnet.body.properties?.subnets ?? []) as Json[]).find((s) => sameArmId(s.id, String(subnetId)));
  if (!subnet) {
    throw badRequest(
      "InvalidResourceReference",
      `Resource ${String(subnetId)} referenced by resource ${ownerId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
    );
  }
  const texts: string[] =
    subnet.properties?.addressPrefixes ?? (subnet.properties?.addressPrefix ? [subnet.properties.addressPrefix] : []);
  return { vnetId: vnet.id, prefixes: texts.map((t) => parseCidr(t)!).filter(Boolean) };
}

export function buildNicProperties(
  world: World,
  id: string,
  input: Json,
  location: string,
  existing?: StoredResource,
): Json {
  const props: Json = isObject(input.properties) ? input.properties : {};
  const configsIn = (Array.isArray(props.ipConfigurations) ? props.ipConfigurations : []) as Json[];
  if (configsIn.length === 0)
    throw badRequest(
      "NetworkInterfaceMustHaveAtLeastOneIpConfiguration",
      `Network interface ${id} must have at least one IP configuration.`,
    );
  const primaries = configsIn.filter((c) => c.properties?.primary === true);
  if (configsIn.length > 1 && primaries.length !== 1) {
    throw badRequest(
      "NetworkInterfaceMustHaveExactlyOnePrimaryIpConfiguration",
      `Network interface ${id} has ${configsIn.length} IP configurations; exactly one must have primary set to true.`,
    );
  }
  const oldConfigs = (existing?.body.properties?.ipConfigurations ?? []) as Json[];
  const others = allIpConfigs(world.store, id);
  const refs = new References(world.store);
  const takenHere = new Set<string>();
  let vnetOfNic: string | undefined;
  let ipv6Count = 0;
  const names = new Set<string>();

  const ipConfigurations = configsIn.map((c) => {
    const name = String(c.name ?? "");
    if (!name || names.has(name.toLowerCase()))
      throw badRequest(
        "InvalidRequestFormat",
        `IP configuration names of network interface ${id} must be present and unique; '${name}' is not.`,
      );
    names.add(name.toLowerCase());
    const configId = `${id}/ipConfigurations/${name}`;
    const cp: Json = isObject(c.properties) ? c.properties : {};
    const version = sameText(cp.privateIPAddressVersion, "IPv6") ? "IPv6" : "IPv4";
    const primary = configsIn.length === 1 ? true : cp.primary === true;
    if (version === "IPv6") {
      ipv6Count++;
      if (primary)
        throw badRequest(
          "IPv6IpConfigurationCannotBePrimary",
          `IP configuration ${configId} is IPv6 and cannot be primary. The primary IP configuration of a network interface must be IPv4.`,
        );
      if (ipv6Count > 1)
        throw badRequest(
          "NetworkInterfaceCanHaveOnlyOneIPv6IpConfiguration",
          `Network interface ${id} has more than one IPv6 IP configuration; at most one is allowed.`,
        );
    }
    if (!cp.subnet?.id)
      throw badRequest("IpConfigurationSubnetMissing", `IP configuration ${configId} must reference a subnet.`);
    const subnet = subnetInfo(world, cp.subnet.id, configId, location);
    if (vnetOfNic && !sameArmId(vnetOfNic, subnet.vnetId)) {
      throw badRequest(
        "IpConfigurationsOfNicMustBeInSameVnet",
        `All IP configurations of network interface ${id} must be in the same virtual network.`,
      );
    }
    vnetOfNic = subnet.vnetId;
    const prefix = subnet.prefixes.find((p) => p.version === (version === "IPv6" ? 6 : 4));
    if (!prefix)
      throw badRequest(
        "SubnetHasNoAddressPrefixOfIpVersion",
        `Subnet ${cp.subnet.id} has no ${version} address prefix for IP configuration ${configId}.`,
      );

    const out: Json = {
      ...cp,
      primary,
      privateIPAddressVersion: version,
      subnet: { id: cp.subnet.id },
      provisioningState: "Succeeded",
    };
    const takenElsewhere = new Set([
      ...others.filter((o) => sameArmId(o.subnetId, cp.subnet.id)).map((o) => o.privateIPAddress!),
      ...takenHere,
    ]);
    out.privateIPAddress = privateAddress(
      cp,
      prefix,
      configId,
      takenElsewhere,
      oldConfigs.find((o) => sameText(o.name, name)),
    );
    out.privateIPAllocationMethod = sameText(cp.privateIPAllocationMethod, "Static") ? "Static" : "Dynamic";
    takenHere.add(out.privateIPAddress);

    if (cp.publicIPAddress) {
      const pip = requireReference(world, cp.publicIPAddress.id, TYPES.pip, configId, location);
      const pipVersion = pip.body.properties?.publicIPAddressVersion ?? "IPv4";
      if (pipVersion !== version) {
        throw badRequest(
          "IPVersionForPublicIpAndNicIpConfigurationMustMatch",
          `IP version for publicIPAddress '${pip.id}', version '${pipVersion}' and network interface ipConfiguration '${configId}', version '${version}' must match.`,
        );
      }
      // A public IP is attached to one thing at a time: another NIC, or a load balancer frontend.
      const user = refs.publicIpHolder(pip.id, { nicId: id });
      const sibling = configsIn.find((o) => o !== c && sameArmId(o.properties?.publicIPAddress?.id, pip.id));
      if (user || sibling) {
        throw badRequest(
          "PublicIPAddressInUse",
          `IP configuration ${configId} is referencing public IP address ${pip.id} that is already allocated to resource ${user ?? `${id}/ipConfigurations/${sibling!.name}`}.`,
        );
      }
      const vmId = refs.vmUsingNic(id);
      if (vmId) checkPublicIpServesZone(vmId, world.store.get(vmId)?.body.zones, pip);
      out.publicIPAddress = { id: cp.publicIPAddress.id };
    }
    const pools = (
      Array.isArray(cp.loadBalancerBackendAddressPools) ? cp.loadBalancerBackendAddressPools : []
    ) as Json[];
    out.loadBalancerBackendAddressPools = pools.map((ref) => {
      checkPoolMembership(world, refs, { id: configId, nicId: id, version }, ref?.id, location);
      return { id: String(ref.id) };
    });
    return { name, id: configId, etag: weakEtag(), type: `${TYPES.nic}/ipConfigurations`, properties: out };
  });

  const properties: Json = {
    ...props,
    ipConfigurations,
    enableAcceleratedNetworking: props.enableAcceleratedNetworking ?? false,
    enableIPForwarding: props.enableIPForwarding ?? false,
    dnsSettings: { dnsServers: props.dnsSettings?.dnsServers ?? [], appliedDnsServers: [] },
    nicType: "Standard",
    resourceGuid: existing?.body.properties?.resourceGuid ?? newGuid(),
    provisioningState: "Updating",
  };
  delete properties.virtualMachine;
  if (props.networkSecurityGroup) {
    requireReference(world, props.networkSecurityGroup.id, TYPES.nsg, id, location);
    properties.networkSecurityGroup = { id: props.networkSecurityGroup.id };
  }
  return properties;
}

/**
 * Joining a load balancer backend pool: the pool must exist in a load balancer
 * of the same region; a pool holds one IP family, the family of the frontends
 * whose rules use it; and the outbound rules on the pool must still have SNAT
 * ports for one more member.
 */
function checkPoolMembership(
  world: World,
  refs: References,
  config: { id: string; nicId: string; version: "IPv4" | "IPv6" },
  poolId: unknown,
  location: string,
): void {
  const lbId = typeof poolId === "string" ? poolId.split("/backendAddressPools/")[0] : undefined;
  const lb = lbId ? world.store.get(lbId) : undefined;
  const pool = ((lb?.body.properties?.backendAddressPools ?? []) as Json[]).find((p) =>
    sameArmId(p.id, String(poolId)),
  );
  if (!lb || lb.type.toLowerCase() !== TYPES.lb.toLowerCase() || !pool || lb.body.location !== location) {
    throw badRequest(
      "InvalidResourceReference",
      `Resource ${String(poolId)} referenced by resource ${config.id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
    );
  }
  const members = refs.ipConfigsInPool(pool.id).filter((m) => !sameArmId(m.nicId, config.nicId));
  const other = members.find((m) => m.version !== config.version);
  if (other)
    throw badRequest(
      "AllNicIpConfigurationsOfLbBackendPoolMustHaveSamePrivateIpAddressVersion",
      `Network interface ipConfiguration '${config.id}' has privateIpAddressVersion '${config.version}' that does not match with privateIpAddressVersion '${other.version}' of ipConfiguration '${other.id}' in the same load balancer backend address pool '${pool.id}'.`,
    );
  const props = lb.body.properties ?? {};
  const frontendVersion = (feId: unknown): "IPv4" | "IPv6" => {
    const fe = ((props.frontendIPConfigurations ?? []) as Json[]).find((f) => sameArmId(f.id, String(feId)));
    const pip = world.store.get(String(fe?.properties?.publicIPAddress?.id ?? ""));
    return pip?.body.properties?.publicIPAddressVersion === "IPv6" ? "IPv6" : "IPv4";
  };
  for (const rule of (props.loadBalancingRules ?? []) as Json[]) {
    if (!sameArmId(rule.properties?.backendAddressPool?.id, pool.id)) continue;
    checkFamily(rule.id, frontendVersion(rule.properties?.frontendIPConfiguration?.id), [
      { id: config.id, nicId: config.nicId, name: "", version: config.version, poolIds: [] },
    ]);
  }
  for (const rule of (props.outboundRules ?? []) as Json[]) {
    if (!sameArmId(rule.properties?.backendAddressPool?.id, pool.id)) continue;
    const fes = (rule.properties?.frontendIPConfigurations ?? []) as Json[];
    checkAllocatedPorts(rule.id, rule.properties?.allocatedOutboundPorts ?? 0, fes.length, members.length + 1);
  }
}

/** Static: the asked-for address, checked. Dynamic: the address it had, or the first free one. */
function privateAddress(cp: Json, prefix: Cidr, configId: string, taken: Set<string>, old: Json | undefined): string {
  if (sameText(cp.privateIPAllocationMethod, "Static")) {
    const address = String(cp.privateIPAddress ?? "");
    if (!ipVersionOf(address) || !cidrContainsIp(prefix, address)) {
      throw badRequest(
        "PrivateIPAddressNotInSubnet",
        `IP configuration ${configId} private IP address ${address} does not belong to the subnet ${prefix.text}.`,
      );
    }
    if (taken.has(address))
      throw badRequest(
        "PrivateIPAddressInUse",
        `IP configuration ${configId} is using the private IP address ${address} which is already allocated to another resource.`,
      );
    if (isReservedAddress(prefix, address)) {
      throw badRequest(
        "PrivateIPAddressInReservedRange",
        `Private static IP address ${address} falls within reserved IP range of subnet prefix ${prefix.text}.`,
      );
    }
    return address;
  }
  const kept = old?.properties?.privateIPAddress;
  if (typeof kept === "string" && cidrContainsIp(prefix, kept) && !taken.has(kept)) return kept;
  const free = firstFreeAddress(prefix, taken);
  if (!free)
    throw badRequest(
      "SubnetIsFull",
      `Subnet with address prefix ${prefix.text} does not have enough capacity for 1 IP addresses.`,
    );
  return free;
}
