/**
 * Whether an existing public IP can become the load balancer's frontend for
 * replicas and keep its address. Pure.
 *
 * Azure's rules this follows:
 * - a public load balancer's frontend takes its zones from its public IP: a
 *   zone-redundant IP makes a zone-redundant frontend, a zonal IP a frontend
 *   that "shares fate with the health of the zone", and a non-zonal IP one with
 *   no guarantee of redundancy (learn.microsoft.com/azure/reliability/
 *   reliability-load-balancer; …/load-balancer/load-balancer-standard-availability-zones);
 *   zones cannot be set on a frontend that references a public IP
 *   (LoadBalancerFrontendIPConfigCannotHaveZoneWhenReferencingPublicIPAddress,
 *   hashicorp/terraform-provider-azurerm#1967);
 * - a public IP's zones never change after it is created: "if you wish to
 *   change or omit the zonality of a public IP … you need to recreate the
 *   public IP" (load-balancer-standard-availability-zones), and a PUT with
 *   other zones fails with ResourceAvailabilityZonesCannotBeModified
 *   (Azure/bicep-registry-modules#2702; the emulator enforces it).
 *
 * So replicas spread over zones keep the address only if it already serves
 * every one of their zones; otherwise it is created again, zone-redundant,
 * and the address changes.
 */
import type { ProxySpec } from "../proxyfile/types.js";

/** The zones a public IP or VM was created with, as Azure returns them (`zones`, absent when non-zonal). */
export function zonesOf(body: Record<string, unknown>): string[] {
  return Array.isArray(body.zones) ? (body.zones as unknown[]).map(String).sort() : [];
}

/** How a public IP's zones read in a plan: "non-zonal", "zonal in zone 1", "zone-redundant in zones 1, 2, 3". */
export function describeZones(zones: readonly string[]): string {
  if (zones.length === 0) return "non-zonal (created without zones)";
  if (zones.length === 1) return `zonal in zone ${zones[0]}`;
  return `zone-redundant in zones ${zones.join(", ")}`;
}

/**
 * Why the existing public IP cannot be the frontend of this proxy's replicas
 * without giving up their zone redundancy, or undefined when it can (or the
 * replicas have no zones: a region without zones, or a single VM; or a new
 * address would not serve them either). `wanted` are the zones a new public IP
 * of the proxy gets (publicIpZones).
 */
export function frontendZoneProblem(
  spec: ProxySpec,
  pipZones: readonly string[],
  wanted: readonly string[] | undefined,
): string | undefined {
  if (spec.replicas < 2 || spec.zones.length === 0) return undefined;
  const missing = spec.zones.filter((z) => !pipZones.includes(z));
  if (missing.length === 0) return undefined;
  // A new address would be no better (a region this tool has no zones for): keep the one there is.
  if (!wanted || spec.zones.some((z) => !wanted.includes(z))) return undefined;
  const need = `a zone-redundant address (zones ${wanted.join(", ")})`;
  const risk =
    pipZones.length === 0
      ? "which a non-zonal one is not guaranteed to be"
      : pipZones.length === 1
        ? `or an outage of zone ${pipZones[0]} takes the address down while the replicas in zone ${missing.join(", ")} still run`
        : `and it does not serve zone ${missing.join(", ")}`;
  return (
    `it is ${describeZones(pipZones)}, and a load balancer's frontend takes the zones of its public IP: ` +
    `replicas in zones ${spec.zones.join(", ")} need ${need}, ${risk}; ` +
    "Azure never changes a public IP's zones after it is created, so it is created again with a new address"
  );
}
