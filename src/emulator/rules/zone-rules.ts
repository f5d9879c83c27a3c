/**
 * A VM pinned to a zone uses a public IP (on its NIC) only if the address
 * serves that zone: a non-zonal ("Regional") one, or one in another zone, is
 * refused with ComputeResourceZoneConstraintDoesNotMatchPublicIPAddressZoneConstraint
 * ("Compute resource … has a zone constraint 2 but the PublicIPAddress … used by
 * the compute resource via NetworkInterface or LoadBalancer has a different
 * zone constraint Regional": Azure/azurehpc#317, fortinet/azure-templates#43,
 * MicrosoftDocs/azure-docs#102902). A zone-redundant address lists the VM's
 * zone and is accepted. A load balancer's frontend is not checked: its backend
 * pool takes VMs of any zone whatever the frontend's zones
 * (learn.microsoft.com/azure/load-balancer/load-balancer-standard-availability-zones;
 * fortinet/azure-templates#50 ran zonal VMs behind a non-zonal frontend).
 */
import { ArmError, type Json } from "../http.js";
import type { StoredResource } from "../store.js";

export function checkPublicIpServesZone(vmId: string, vmZones: unknown, pip: StoredResource): void {
  const zone = Array.isArray(vmZones) && vmZones.length === 1 ? String(vmZones[0]) : undefined;
  if (zone === undefined) return;
  const pipZones = (Array.isArray(pip.body.zones) ? (pip.body.zones as Json[]) : []).map(String);
  if (pipZones.includes(zone)) return;
  throw new ArmError(
    400,
    "ComputeResourceZoneConstraintDoesNotMatchPublicIPAddressZoneConstraint",
    `Compute resource ${vmId} has a zone constraint ${zone} but the PublicIPAddress ${pip.id} used by the compute resource via NetworkInterface or LoadBalancer has a different zone constraint ${pipZones.length ? pipZones.join(", ") : "Regional"}.`,
  );
}
