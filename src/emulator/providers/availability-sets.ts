/**
 * Microsoft.Compute/availabilitySets: the placement of replicas in regions
 * without availability zones. Writes and deletes are synchronous, as in
 * azure-rest-api-specs (AvailabilitySets_CreateOrUpdate is not long-running).
 * Which VMs are in a set is derived from the VMs on every read.
 */

import { sameArmId } from "../../model/arm-id.js";
import type { EmuRequest, Json } from "../http.js";
import { ArmError, badRequest, isObject } from "../http.js";
import { pagedList } from "../paging.js";
import type { Router } from "../router.js";
import type { StoredResource } from "../store.js";
import { asWire, type WireAvailabilitySet } from "../wire.js";
import type { World } from "../world.js";
import { checkName, notFound, requireGroup, resolveLocation, routeId, tagsOf } from "../world.js";
import { subResource, TYPES } from "./network-refs.js";

function membersOf(world: World, setId: string): string[] {
  return world.store
    .list(TYPES.vm)
    .filter((vm) => sameArmId(vm.body.properties?.availabilitySet?.id, setId))
    .map((vm) => vm.id);
}

function present(world: World, stored: StoredResource): WireAvailabilitySet {
  world.store.work.resourcesPresented++;
  const body = asWire<WireAvailabilitySet>(stored.body);
  const vms = membersOf(world, stored.id);
  if (vms.length) body.properties.virtualMachines = vms.map(subResource);
  return body;
}

export function registerAvailabilitySets(router: Router, world: World): void {
  const one = `/subscriptions/{sub}/resourceGroups/{rg}/providers/${TYPES.availabilitySet}/{name}`;
  const find = (req: EmuRequest): StoredResource => {
    requireGroup(world, req);
    const stored = world.store.get(routeId(req, TYPES.availabilitySet));
    if (!stored) throw notFound(TYPES.availabilitySet, req.params.name!, req.params.rg!);
    return stored;
  };
  router.add("GET", one, (req) => ({ status: 200, body: present(world, find(req)) }));
  router.add("GET", `/subscriptions/{sub}/resourceGroups/{rg}/providers/${TYPES.availabilitySet}`, (req) => {
    requireGroup(world, req);
    const items = world.store.list(TYPES.availabilitySet, req.params.sub, req.params.rg);
    return pagedList(req, items, world.pageSize(), (s) => present(world, s));
  });
  router.add("PUT", one, (req) => {
    requireGroup(world, req);
    checkName(req.params.name!);
    const id = routeId(req, TYPES.availabilitySet);
    const existing = world.store.get(id);
    const input: Json = isObject(req.body) ? req.body : {};
    const location = resolveLocation(input, existing, req.params.name!, req.params.rg!);
    const props: Json = isObject(input.properties) ? input.properties : {};
    // "Aligned" for VMs with managed disks; the default is "Classic" (AvailabilitySet.sku in the SDK docs).
    const sku = String(input.sku?.name ?? "Classic");
    if (!["Aligned", "Classic"].includes(sku))
      throw badRequest("InvalidParameter", `The value '${sku}' of parameter 'sku.name' is not valid.`, "sku.name");
    const faults = props.platformFaultDomainCount ?? 2;
    const updates = props.platformUpdateDomainCount ?? 5;
    // Managed availability sets have at most 3 fault domains (2 in some regions) and 20 update domains
    // (learn.microsoft.com/azure/virtual-machines/availability-set-overview).
    if (!Number.isInteger(faults) || faults < 1 || faults > 3)
      throw badRequest(
        "InvalidParameter",
        `The specified fault domain count ${String(faults)} must fall in the range 1 to 3.`,
        "platformFaultDomainCount",
      );
    if (!Number.isInteger(updates) || updates < 1 || updates > 20)
      throw badRequest(
        "InvalidParameter",
        `The specified update domain count ${String(updates)} must fall in the range 1 to 20.`,
        "platformUpdateDomainCount",
      );
    if (existing && membersOf(world, id).length) {
      const old = existing.body;
      if (old.sku?.name !== sku || old.properties.platformFaultDomainCount !== faults)
        throw new ArmError(
          409,
          "OperationNotAllowed",
          `Availability set ${id} holds virtual machines; its SKU and fault domain count cannot change.`,
        );
    }
    const tags = tagsOf(input);
    const stored = world.store.put(id, {
      id: existing?.id ?? id,
      name: existing?.name ?? req.params.name,
      type: TYPES.availabilitySet,
      location,
      ...(tags ? { tags } : {}),
      sku: { name: sku },
      properties: { platformFaultDomainCount: faults, platformUpdateDomainCount: updates },
    });
    // AvailabilitySets_CreateOrUpdate answers 200 for a create as well (azure-rest-api-specs).
    return { status: 200, body: present(world, stored) };
  });
  router.add("DELETE", one, (req) => {
    requireGroup(world, req);
    const stored = world.store.get(routeId(req, TYPES.availabilitySet));
    if (!stored) return { status: 204 };
    const vms = membersOf(world, stored.id);
    if (vms.length)
      throw new ArmError(
        409,
        "OperationNotAllowed",
        `Availability set ${stored.id} cannot be deleted: it holds virtual machine ${vms[0]}. Delete the virtual machines first.`,
      );
    world.store.delete(stored.id);
    return { status: 200 };
  });
}

/**
 * A VM's placement: its availability set must exist in its region and be
 * "Aligned" (managed disks), and a VM is either zonal or in a set, never both
 * (availability-set-overview: "a VM can only be added to an availability set
 * when it is created"; sets are the alternative to zones).
 */
export function checkVmPlacement(world: World, vmId: string, location: string, model: Json): void {
  const setId = model.properties?.availabilitySet?.id;
  const zones = Array.isArray(model.zones) ? model.zones : [];
  if (zones.length > 1)
    throw badRequest("InvalidParameter", `Virtual machine ${vmId} can be placed in one zone only.`, "zones");
  if (setId === undefined) return;
  if (zones.length)
    throw badRequest(
      "InvalidParameter",
      `Virtual machine ${vmId} cannot be in an availability set and an availability zone at the same time.`,
      "availabilitySet",
    );
  const set = typeof setId === "string" ? world.store.get(setId) : undefined;
  if (!set || set.type.toLowerCase() !== TYPES.availabilitySet.toLowerCase() || set.body.location !== location)
    throw badRequest(
      "InvalidResourceReference",
      `Resource ${String(setId)} referenced by resource ${vmId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
    );
  if (set.body.sku?.name !== "Aligned")
    throw badRequest(
      "OperationNotAllowed",
      "Addition of a VM with managed disks to non-managed Availability Set or addition of a VM with blob based disks to managed Availability Set is not supported. Please create an Availability Set with 'Aligned' SKU in order to add a VM with managed disks to it.",
    );
}
