/**
 * The Azure shapes of a proxy with replicas: one Standard public load balancer
 * (azure-rest-api-specs loadBalancer.json) with two frontends, the proxy's
 * public IPv6 (the AAAA target) and public IPv4 (egress through an outbound
 * rule, inbound too with `ipv4: true`); two backend pools, one per IP family;
 * one rule per port; an HTTP probe on the replicas' health endpoint. Each
 * replica is a NIC in both pools (no public IPs) and a VM in its zone, or in
 * the proxy's availability set where the region has no zones. Pure.
 */
import { armId } from "../model/arm-id.js";
import { LB_PARTS } from "../model/names.js";
import { regionZones } from "../model/regions.js";
import {
  HEALTH_PATH,
  HEALTH_PORT,
  outboundPortsPerReplica,
  PROBE_INTERVAL_SECONDS,
  PROBE_THRESHOLD,
} from "../model/replicas.js";
import type { ProxySpec } from "../proxyfile/types.js";

type Body = Record<string, unknown>;

/** Priority of the NSG rule that lets the load balancer's probe in. */
const PROBE_RULE_PRIORITY = 120;

/**
 * The load balancer's probe comes from the AzureLoadBalancer service tag (IPv6
 * probes from fe80::1234:5678:9abc, which the tag covers); an IPv6 probe needs
 * an NSG rule that admits it (learn.microsoft.com/azure/load-balancer/
 * load-balancer-ipv6-overview). Only the health port: no rule forwards it, so
 * the internet never reaches it.
 */
export function probeSecurityRule(): Body {
  return {
    name: "allow-lb-probe",
    priority: PROBE_RULE_PRIORITY,
    direction: "Inbound",
    access: "Allow",
    protocol: "Tcp",
    sourceAddressPrefix: "AzureLoadBalancer",
    sourcePortRange: "*",
    destinationAddressPrefix: "*",
    destinationPortRange: String(HEALTH_PORT),
  };
}

/**
 * Zones a new public IP of the proxy gets: zone-redundant (every default zone
 * of the region) wherever the region has zones, for a single VM too. A
 * public IP's zones never change, and a load balancer's frontend takes them
 * (frontend-zones.ts): an address created zone-redundant can later move to the
 * load balancer of replicas and stay. A zone-redundant Standard IP on a VM
 * without a zone is what Azure itself created by default before network
 * api-version 2020-08-01 (azure.microsoft.com/updates/zone-behavior-change);
 * a VM pinned to a zone (replica 1 stays in its zone when replicas go back
 * to 1) refuses a non-zonal one
 * (ComputeResourceZoneConstraintDoesNotMatchPublicIPAddressZoneConstraint,
 * Azure/azurehpc#317, fortinet/azure-templates#43). Same price.
 * None where the region has no zones. An existing address keeps its own.
 */
export function publicIpZones(spec: ProxySpec): string[] | undefined {
  const zones = regionZones(spec.location)?.defaultZones ?? [];
  return zones.length > 1 ? [...zones] : undefined;
}

export interface LoadBalancerIds {
  loadBalancer: string;
  pip4: string;
  pip6: string;
}

export function loadBalancerBody(spec: ProxySpec, ids: LoadBalancerIds, tags: Record<string, string>): Body {
  const part = (collection: string, name: string) => ({ id: `${ids.loadBalancer}/${collection}/${name}` });
  const rule = (port: number, family: "IPv6" | "IPv4") => ({
    name: LB_PARTS.rule(port, family),
    frontendIPConfiguration: part(
      "frontendIPConfigurations",
      family === "IPv6" ? LB_PARTS.frontendV6 : LB_PARTS.frontendV4,
    ),
    backendAddressPool: part("backendAddressPools", family === "IPv6" ? LB_PARTS.poolV6 : LB_PARTS.poolV4),
    probe: part("probes", LB_PARTS.probe),
    protocol: "Tcp",
    frontendPort: port,
    backendPort: port,
    // A reset on idle timeout tells both ends the flow is gone, instead of a silent drop.
    enableTcpReset: true,
    enableFloatingIP: false,
    // Egress goes through the outbound rule; a rule on the same frontend must not SNAT as well.
    disableOutboundSnat: true,
    idleTimeoutInMinutes: 4,
  });
  const ports = [...spec.ports].sort((a, b) => a - b);
  return {
    location: spec.location,
    tags,
    sku: { name: "Standard", tier: "Regional" },
    frontendIPConfigurations: [
      { name: LB_PARTS.frontendV6, publicIPAddress: { id: ids.pip6 } },
      { name: LB_PARTS.frontendV4, publicIPAddress: { id: ids.pip4 } },
    ],
    backendAddressPools: [{ name: LB_PARTS.poolV4 }, { name: LB_PARTS.poolV6 }],
    probes: [
      {
        name: LB_PARTS.probe,
        protocol: "Http",
        port: HEALTH_PORT,
        requestPath: HEALTH_PATH,
        intervalInSeconds: PROBE_INTERVAL_SECONDS,
        probeThreshold: PROBE_THRESHOLD,
      },
    ],
    loadBalancingRules: [...ports.map((p) => rule(p, "IPv6")), ...(spec.ipv4 ? ports.map((p) => rule(p, "IPv4")) : [])],
    outboundRules: [
      {
        name: LB_PARTS.outbound,
        frontendIPConfigurations: [part("frontendIPConfigurations", LB_PARTS.frontendV4)],
        backendAddressPool: part("backendAddressPools", LB_PARTS.poolV4),
        protocol: "All",
        allocatedOutboundPorts: outboundPortsPerReplica(spec.replicas),
        enableTcpReset: true,
        idleTimeoutInMinutes: 4,
      },
    ],
  };
}

/** "Aligned" for VMs with managed disks; 2 fault domains exist in every region. */
export function availabilitySetBody(location: string, tags: Record<string, string>): Body {
  return {
    location,
    tags,
    sku: { name: "Aligned" },
    platformFaultDomainCount: 2,
    platformUpdateDomainCount: 5,
  };
}

/** Where replica `n` (1-based) runs: its zone, round-robin over the file's zones, or the availability set. */
export function replicaPlacement(spec: ProxySpec, n: number, availabilitySetId: string): Body {
  if (spec.replicas < 2) return {};
  if (spec.zones.length > 0) return { zones: [spec.zones[(n - 1) % spec.zones.length]!] };
  return { availabilitySet: { id: availabilitySetId } };
}

export function poolIds(loadBalancerId: string): { v4: string; v6: string } {
  return {
    v4: `${loadBalancerId}/backendAddressPools/${LB_PARTS.poolV4}`,
    v6: `${loadBalancerId}/backendAddressPools/${LB_PARTS.poolV6}`,
  };
}

export const loadBalancerId = (subscriptionId: string, resourceGroup: string, name: string) =>
  armId(subscriptionId, resourceGroup, "Microsoft.Network", "loadBalancers", name);
