/**
 * What ARM checks when a load balancer is written, and the stored form it
 * keeps. Shapes follow azure-rest-api-specs `loadBalancer.json` (2024-05-01):
 * frontends, backend pools, load-balancing rules, probes and outbound rules
 * are written inline as children with ids `<lb>/<collection>/<name>`.
 * Backend pool membership is never part of the load balancer's own body: it is
 * set on NIC IP configurations and shown on the pool (see network.ts).
 */

import { sameArmId } from "../../model/arm-id.js";
import type { Json } from "../http.js";
import { type ArmError, badRequest, isObject, newGuid, weakEtag } from "../http.js";
import { type IpConfigRef, References, TYPES } from "../providers/network-refs.js";
import type { StoredResource } from "../store.js";
import type { World } from "../world.js";
import { requireReference } from "./vnet-rules.js";

/** Ephemeral ports each frontend IP gives SNAT (learn.microsoft.com/azure/load-balancer/load-balancer-outbound-connections). */
const SNAT_PORTS_PER_FRONTEND = 64000;

const COLLECTIONS = {
  frontendIPConfigurations: "frontendIPConfigurations",
  backendAddressPools: "backendAddressPools",
  loadBalancingRules: "loadBalancingRules",
  probes: "probes",
  outboundRules: "outboundRules",
  inboundNatRules: "inboundNatRules",
  inboundNatPools: "inboundNatPools",
} as const;
type Collection = keyof typeof COLLECTIONS;

const notFoundRef = (ref: unknown, owner: string) =>
  badRequest(
    "InvalidResourceReference",
    `Resource ${String(ref)} referenced by resource ${owner} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
  );

const oneOf = (value: unknown, allowed: string[]): string | undefined =>
  allowed.find((a) => typeof value === "string" && a.toLowerCase() === value.toLowerCase());

interface Child {
  name: string;
  id: string;
  props: Json;
}

function children(lbId: string, props: Json, collection: Collection): Child[] {
  const list = (Array.isArray(props[collection]) ? props[collection] : []) as Json[];
  const seen = new Set<string>();
  return list.map((c) => {
    const name = String(c?.name ?? "");
    if (!name || seen.has(name.toLowerCase()))
      throw badRequest(
        "InvalidRequestFormat",
        `Every item of ${collection} of load balancer ${lbId} needs a unique name; '${name}' is not.`,
      );
    seen.add(name.toLowerCase());
    return { name, id: `${lbId}/${collection}/${name}`, props: isObject(c.properties) ? c.properties : {} };
  });
}

/** The child a reference points at, which must belong to this load balancer. */
function resolve(list: Child[], ref: Json | undefined, owner: string, what: string): Child {
  const id = ref?.id;
  const found = typeof id === "string" ? list.find((c) => sameArmId(c.id, id)) : undefined;
  if (!found) {
    if (id === undefined)
      throw badRequest("InvalidRequestFormat", `${owner} must reference a ${what}.`, `properties.${what}`);
    throw notFoundRef(id, owner);
  }
  return found;
}

function integerIn(value: unknown, min: number, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

export function buildLoadBalancer(
  world: World,
  id: string,
  input: Json,
  location: string,
  existing?: StoredResource,
): { sku: Json; properties: Json } {
  const props: Json = isObject(input.properties) ? input.properties : {};
  const sku = oneOf(input.sku?.name ?? "Basic", ["Basic", "Standard", "Gateway"]);
  // A load balancer without a SKU is Basic (loadBalancer.json), and Basic was retired on
  // 30 Sep 2025 (learn.microsoft.com/azure/load-balancer/skus). The code for refusing a new
  // Basic load balancer is not published; this one names the reason.
  if (sku === "Basic" || sku === undefined)
    throw badRequest(
      "BasicSkuLoadBalancerRetired",
      `Load balancer ${id} asks for SKU '${String(input.sku?.name ?? "Basic")}'. Basic Load Balancer was retired on 30 September 2025; use sku.name 'Standard'.`,
    );
  if (sku === "Gateway") throw badRequest("InvalidRequestFormat", "Gateway load balancers are not modelled here.");
  if (existing && existing.body.sku?.name !== sku)
    throw badRequest("LoadBalancerSkuChangeNotAllowed", `The SKU of load balancer ${id} cannot be changed.`);
  const tier = oneOf(input.sku?.tier ?? "Regional", ["Regional", "Global"]);
  if (tier !== "Regional")
    throw badRequest("InvalidRequestFormat", "Global tier load balancers are not modelled here.");

  const refs = new References(world.store);
  const frontends = children(id, props, "frontendIPConfigurations");
  const pools = children(id, props, "backendAddressPools");
  const rules = children(id, props, "loadBalancingRules");
  const probes = children(id, props, "probes");
  const outbound = children(id, props, "outboundRules");
  for (const c of ["inboundNatRules", "inboundNatPools"] as const)
    if (children(id, props, c).length) throw badRequest("InvalidRequestFormat", `${c} are not modelled here.`);

  // common-deployment-errors.md: LoadBalancerWithoutFrontendIPCantHaveChildResources.
  if (frontends.length === 0 && (pools.length || rules.length || probes.length || outbound.length))
    throw badRequest(
      "LoadBalancerWithoutFrontendIPCantHaveChildResources",
      `Load balancer ${id} has no frontend IP configuration and cannot have child resources.`,
    );

  const frontendVersion = new Map<string, "IPv4" | "IPv6">();
  const frontendOut = frontends.map((f) => {
    const pipRef = f.props.publicIPAddress;
    // Reported by other tools (hashicorp/terraform-provider-azurerm#1622, ernestio/ernest#480).
    if (pipRef && f.props.subnet)
      throw badRequest(
        "FrontendIPConfigHasBothSubnetAndPublicIP",
        `Frontend IP Configuration ${f.id} must not reference both a Subnet and a Public IP Address.`,
      );
    if (!pipRef && !f.props.subnet)
      throw badRequest(
        "FrontendIPConfigHasNoSubnetOrPublicIP",
        `Frontend IP Configuration ${f.id} must reference either a Subnet or a Public IP Address.`,
      );
    if (!pipRef) throw badRequest("InvalidRequestFormat", "Internal (subnet) frontends are not modelled here.");
    const pip = requireReference(world, pipRef.id, TYPES.pip, f.id, location);
    // Both SKUs must match (load-balancer-common-deployment-errors.md).
    if (pip.body.sku?.name !== "Standard")
      throw badRequest(
        "DifferentSkuLoadBalancersAndPublicIPAddressNotAllowed",
        `Standard sku load balancer ${id} cannot reference ${String(pip.body.sku?.name)} sku publicIP ${pip.id}.`,
      );
    // A public IP is attached to one thing at a time: a NIC or one frontend
    // (learn.microsoft.com/azure/virtual-network/ip-services/public-ip-addresses).
    const holder = refs.publicIpHolder(pip.id, { lbId: id });
    const sibling = frontends.find((o) => o !== f && sameArmId(o.props.publicIPAddress?.id, pip.id));
    if (holder || sibling)
      throw badRequest(
        "PublicIPAddressInUse",
        `Frontend IP configuration ${f.id} is referencing public IP address ${pip.id} that is already allocated to resource ${holder ?? sibling!.id}.`,
      );
    frontendVersion.set(f.id.toLowerCase(), pip.body.properties?.publicIPAddressVersion === "IPv6" ? "IPv6" : "IPv4");
    // A public frontend takes its zones from the public IP; zones on it are for internal frontends only
    // (Azure/PSRule.Rules.Azure#2814).
    return child(f, "frontendIPConfigurations", { publicIPAddress: { id: pip.id } });
  });

  const poolOut = pools.map((p) => {
    // Membership is set on the NICs. Sending it back as addresses (a GET sent back as a PUT; SDKs drop
    // the read-only NIC reference but keep the name) duplicates it, which Azure refuses
    // (DuplicateIpConfigurationReferenceOnBackendAddressPool, hashicorp/terraform-provider-azurerm#7691).
    const addresses = (
      Array.isArray(p.props.loadBalancerBackendAddresses) ? p.props.loadBalancerBackendAddresses : []
    ) as Json[];
    const members = refs.ipConfigsInPool(p.id);
    for (const a of addresses) {
      const ipConfig = a?.properties?.networkInterfaceIPConfiguration?.id;
      const member = members.find((m) => sameArmId(m.id, ipConfig) || a?.name === memberAddressName(m));
      if (member)
        throw badRequest(
          "DuplicateIpConfigurationReferenceOnBackendAddressPool",
          `Found duplicate ipConfiguration reference ${member.id} on backend pool addresses ${p.id}.`,
        );
      throw badRequest("InvalidRequestFormat", "IP-based backend pools are not modelled here.");
    }
    return child(p, "backendAddressPools", {});
  });
  // A pool that NICs use cannot be dropped (the scale-set wording: Azure/vm-scale-sets#53).
  for (const old of (existing?.body.properties?.backendAddressPools ?? []) as Json[]) {
    const oldId = `${id}/backendAddressPools/${old.name}`;
    const users = refs.ipConfigsInPool(oldId);
    if (users.length && !pools.some((p) => sameArmId(p.id, oldId))) throw poolInUse(oldId, users);
  }

  const probeOut = probes.map((p) => {
    const protocol = oneOf(p.props.protocol, ["Http", "Tcp", "Https"]);
    if (!protocol) throw badRequest("InvalidRequestFormat", `Probe ${p.id} has an invalid protocol.`);
    if (!integerIn(p.props.port, 1, 65535))
      throw badRequest("InvalidRequestFormat", `Probe ${p.id} port must be 1 to 65535 (loadBalancer.json).`);
    // loadBalancer.json: requestPath is required for Http(s) and not allowed for Tcp.
    if (protocol === "Tcp" && p.props.requestPath)
      throw badRequest("ProbeRequestPathNotAllowedForTcp", `Probe ${p.id} is Tcp and cannot have a requestPath.`);
    if (protocol !== "Tcp" && !(typeof p.props.requestPath === "string" && p.props.requestPath.startsWith("/")))
      throw badRequest("ProbeRequestPathRequired", `Probe ${p.id} is ${protocol} and needs a requestPath.`);
    const interval = p.props.intervalInSeconds ?? 15;
    // loadBalancer.json: "The default value is 15, the minimum value is 5."
    if (!integerIn(interval, 5, 2147483647))
      throw badRequest("InvalidRequestFormat", `Probe ${p.id} intervalInSeconds must be at least 5.`);
    const threshold = p.props.probeThreshold ?? p.props.numberOfProbes ?? 1;
    if (!integerIn(threshold, 1, 100))
      throw badRequest("InvalidRequestFormat", `Probe ${p.id} probeThreshold must be at least 1.`);
    return child(p, "probes", { ...p.props, protocol, intervalInSeconds: interval, probeThreshold: threshold });
  });

  const outboundOut = outbound.map((o) => {
    const protocol = oneOf(o.props.protocol, ["Tcp", "Udp", "All"]);
    if (!protocol) throw badRequest("InvalidRequestFormat", `Outbound rule ${o.id} needs protocol Tcp, Udp or All.`);
    const fes = (
      (Array.isArray(o.props.frontendIPConfigurations) ? o.props.frontendIPConfigurations : []) as Json[]
    ).map((r) => resolve(frontends, r, o.id, "frontendIPConfiguration"));
    if (fes.length === 0)
      throw badRequest("InvalidRequestFormat", `Outbound rule ${o.id} needs at least one frontend IP configuration.`);
    const pool = resolve(pools, o.props.backendAddressPool, o.id, "backendAddressPool");
    const idle = o.props.idleTimeoutInMinutes ?? 4;
    // Outbound idle timeout: 4 to 120 minutes (learn.microsoft.com/azure/load-balancer/outbound-rules).
    if (!integerIn(idle, 4, 120))
      throw badRequest("InvalidRequestFormat", `Outbound rule ${o.id} idleTimeoutInMinutes must be 4 to 120.`);
    const ports = o.props.allocatedOutboundPorts ?? 0;
    checkAllocatedPorts(o.id, ports, fes.length, refs.ipConfigsInPool(pool.id).length);
    return child(o, "outboundRules", {
      ...o.props,
      protocol,
      idleTimeoutInMinutes: idle,
      allocatedOutboundPorts: ports,
      enableTcpReset: o.props.enableTcpReset ?? false,
      frontendIPConfigurations: fes.map((f) => ({ id: f.id })),
      backendAddressPool: { id: pool.id },
    });
  });
  // One outbound rule per frontend and protocol (MoreThanOneOutboundRuleUsingSameFrontendIPConfigurationAndProtocolIsNotSupported,
  // Azure/AzLoadBalancerMigration#10).
  const outboundByFrontend = new Map<string, string>();
  for (const o of outboundOut) {
    for (const f of o.properties.frontendIPConfigurations as Json[]) {
      const protocols = o.properties.protocol === "All" ? ["Tcp", "Udp"] : [o.properties.protocol];
      for (const p of protocols) {
        const key = `${String(f.id).toLowerCase()}|${p}`;
        const first = outboundByFrontend.get(key);
        if (first)
          throw badRequest(
            "MoreThanOneOutboundRuleUsingSameFrontendIPConfigurationAndProtocolIsNotSupported",
            `It is not supported to have more than a single outbound rule using frontendIPConfiguration ${String(f.id)} with same or overlapping protocol. This frontendIPConfiguration is used by the following outbound rules: ${first},${o.id}`,
          );
        outboundByFrontend.set(key, o.id);
      }
    }
  }

  const taken = new Set<string>();
  const ruleOut = rules.map((r) => {
    const fe = resolve(frontends, r.props.frontendIPConfiguration, r.id, "frontendIPConfiguration");
    const poolRef = r.props.backendAddressPool ?? (r.props.backendAddressPools as Json[] | undefined)?.[0];
    const pool = resolve(pools, poolRef, r.id, "backendAddressPool");
    // A rule's probe must exist in this load balancer (an unknown reference is InvalidResourceReference).
    const probe = r.props.probe ? resolve(probes, r.props.probe, r.id, "probe") : undefined;
    const protocol = oneOf(r.props.protocol, ["Tcp", "Udp", "All"]);
    if (!protocol)
      throw badRequest("InvalidRequestFormat", `Load balancing rule ${r.id} needs protocol Tcp, Udp or All.`);
    // loadBalancer.json: frontendPort 0-65534, backendPort 0-65535, 0 meaning "any port". Any port
    // with protocol All is HA ports, which only internal load balancers have
    // (learn.microsoft.com/azure/load-balancer/load-balancer-ha-ports-overview).
    if (!integerIn(r.props.frontendPort, 0, 65534) || !integerIn(r.props.backendPort ?? r.props.frontendPort, 0, 65535))
      throw badRequest("InvalidRequestFormat", `Load balancing rule ${r.id} has a port out of range.`);
    if (protocol === "All" || r.props.frontendPort === 0)
      throw badRequest(
        "HaPortsOnlySupportedOnInternalLoadBalancer",
        `Load balancing rule ${r.id} uses HA ports, which only internal Standard load balancers support.`,
      );
    // "Port numbers for each rule must be unique within the Load Balancer" (loadBalancer.json, frontendPort).
    const key = `${fe.id.toLowerCase()}|${protocol}|${r.props.frontendPort}`;
    if (taken.has(key))
      throw badRequest(
        "LoadBalancingRulesWithSameFrontendPortAndProtocol",
        `Load balancing rule ${r.id} uses frontend port ${r.props.frontendPort}/${protocol} of ${fe.id}, which another rule already uses.`,
      );
    taken.add(key);
    const idle = r.props.idleTimeoutInMinutes ?? 4;
    if (!integerIn(idle, 4, 30))
      throw badRequest("InvalidRequestFormat", `Load balancing rule ${r.id} idleTimeoutInMinutes must be 4 to 30.`);
    // ansible-collections/azure#743, Azure/ARO-RP#32.
    if (outboundByFrontend.has(`${fe.id.toLowerCase()}|Tcp`) && r.props.disableOutboundSnat !== true)
      throw badRequest(
        "LoadBalancingRuleMustDisableSNATSinceSameFrontendIPConfigurationIsReferencedByOutboundRule",
        `Load Balancing Rules ${r.id} must have disableOutboundSNAT set to true when same FrontendIPConfiguration ${fe.id} is referenced by Outbound Rules ${outboundByFrontend.get(`${fe.id.toLowerCase()}|Tcp`)}.`,
      );
    checkFamily(r.id, frontendVersion.get(fe.id.toLowerCase())!, refs.ipConfigsInPool(pool.id));
    return child(r, "loadBalancingRules", {
      ...r.props,
      protocol,
      frontendIPConfiguration: { id: fe.id },
      backendAddressPool: { id: pool.id },
      backendAddressPools: [{ id: pool.id }],
      ...(probe ? { probe: { id: probe.id } } : {}),
      backendPort: r.props.backendPort ?? r.props.frontendPort,
      idleTimeoutInMinutes: idle,
      enableFloatingIP: r.props.enableFloatingIP ?? false,
      enableTcpReset: r.props.enableTcpReset ?? false,
      disableOutboundSnat: r.props.disableOutboundSnat ?? false,
      loadDistribution: r.props.loadDistribution ?? "Default",
    });
  });

  return {
    sku: { name: "Standard", tier: "Regional" },
    properties: {
      frontendIPConfigurations: frontendOut,
      backendAddressPools: poolOut,
      loadBalancingRules: ruleOut,
      probes: probeOut,
      outboundRules: outboundOut,
      inboundNatRules: [],
      inboundNatPools: [],
      resourceGuid: existing?.body.properties?.resourceGuid ?? newGuid(),
      provisioningState: "Updating",
    },
  };
}

function child(c: Child, collection: Collection, properties: Json): Json {
  return {
    name: c.name,
    id: c.id,
    etag: weakEtag(),
    type: `${TYPES.lb}/${COLLECTIONS[collection]}`,
    properties: { ...properties, provisioningState: "Succeeded" },
  };
}

/**
 * SNAT ports given to each backend instance: multiples of 8, at most 64,000
 * per frontend IP in all (the three SpecifiedAllocatedOutboundPorts… codes in
 * load-balancer-common-deployment-errors.md, MicrosoftDocs/azure-docs#124508;
 * the wording of the last one from Azure/AzLoadBalancerMigration#114). 0 lets
 * Azure choose.
 */
export function checkAllocatedPorts(ruleId: string, ports: unknown, frontends: number, members: number): void {
  if (!Number.isInteger(ports) || (ports as number) < 0)
    throw badRequest("InvalidRequestFormat", `Outbound rule ${ruleId} allocatedOutboundPorts must be a whole number.`);
  const n = ports as number;
  if (n % 8 !== 0)
    throw badRequest(
      "SpecifiedAllocatedOutboundPortsForOutboundRuleIsNotAMultipleOfEight",
      `Specified Allocated Outbound Ports ${n} for Outbound Rule ${ruleId} is not a multiple of 8.`,
    );
  const total = SNAT_PORTS_PER_FRONTEND * frontends;
  if (n > total)
    throw badRequest(
      "SpecifiedAllocatedOutboundPortsForOutboundRuleExceedsTotalNumberOfAllowedPortsPerRule",
      `Specified Allocated Outbound Ports ${n} for Outbound Rule ${ruleId} exceeds the ${total} ports its ${frontends} frontend IP(s) have.`,
    );
  if (n > 0 && n * members > total)
    throw badRequest(
      "SpecifiedAllocatedOutboundPortsForOutboundRuleExceedsTotalNumberOfAvailablePorts",
      `Outboundrule ${ruleId} exceeds total number of available ports per backend instance of ${Math.floor(total / members / 8) * 8} based upon desired pool size. Reduce allocated ports or increase number of IP addresses for outbound rule.`,
    );
}

/**
 * IPv4 and IPv6 addresses sit in separate pools, frontends and rules
 * (learn.microsoft.com/azure/load-balancer/ipv6-overview). The code is the
 * plain-NIC form of the scale-set one in kubernetes/kubernetes#93085.
 */
export function checkFamily(ruleId: string, frontend: "IPv4" | "IPv6", members: IpConfigRef[]): void {
  const other = members.find((m) => m.version !== frontend);
  if (other)
    throw badRequest(
      "AllNicIpConfigurationsOfLbBackendPoolMustHaveSamePrivateIpAddressVersion",
      `Network interface ipConfiguration '${other.id}' has privateIpAddressVersion '${other.version}' that does not match with the ${frontend} frontend of load balancing rule ${ruleId}.`,
    );
}

/** The name ARM gives a NIC member when it shows it as a backend address. */
export function memberAddressName(m: IpConfigRef): string {
  return `${m.nicId.split("/").pop()}_${m.name}`;
}

export function poolInUse(poolId: string, users: IpConfigRef[]): ArmError {
  return badRequest(
    "InUseLoadBalancerBackendAddressPoolCannotBeDeleted",
    `Cannot remove backend address pool ${poolId} from load balancer since it is in use by network interface IP configuration ${users[0]!.id}.`,
  );
}
