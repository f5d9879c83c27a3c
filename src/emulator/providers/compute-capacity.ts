/**
 * Microsoft.Compute sizes and power: the region's resource SKUs, vCPU usages
 * and quotas, the sizes a VM can be resized to in place, deallocate and start,
 * and the size checks every VM create or resize meets (rules/size-rules.ts).
 */
import { armIdKey } from "../../model/arm-id.js";
import type { EmuRequest, EmuResponse, Json } from "../http.js";
import { ArmError, badRequest, normalizeLocation } from "../http.js";
import { pagedList } from "../paging.js";
import type { Router } from "../router.js";
import { checkSize, presentSku, quotaUsages, SIZE_CATALOG, sizeSpec } from "../rules/size-rules.js";
import type { StoredResource } from "../store.js";
import type { World } from "../world.js";
import { acceptAsync, notFound, requireGroup, routeId, setProvisioningState } from "../world.js";
import { TYPES } from "./network-refs.js";

const vmSize = (vm: Json): string => String(vm.properties?.hardwareProfile?.vmSize ?? "");

export const isRunning = (world: World, vmId: string) => !world.capacity.deallocated.has(armIdKey(vmId));

/**
 * VMs of a subscription and region that hold vCPUs, but this one: deallocated
 * VMs too ("Quota is calculated based on the total number of cores in use both
 * allocated and deallocated", learn.microsoft.com/azure/virtual-machines/quotas).
 */
function holdingCores(world: World, subscriptionId: string, location: string, except: string): { size: string }[] {
  return world.store
    .list(TYPES.vm, subscriptionId)
    .filter((vm) => vm.body.location === location && armIdKey(vm.id) !== armIdKey(except))
    .map((vm) => ({ size: vmSize(vm.body) }));
}

/**
 * The size checks of a VM write: every create, and every change of size
 * (a running VM: within its hardware cluster; a deallocated one: any size the
 * region offers; either way within quota, which counts deallocated VMs too).
 */
export function checkVmSize(world: World, vmId: string, location: string, model: Json, existing?: Json): void {
  const size = vmSize(model);
  const before = existing ? vmSize(existing) : undefined;
  if (existing && before?.toLowerCase() === size.toLowerCase()) return;
  const nics = ((model.properties?.networkProfile?.networkInterfaces ?? []) as Json[])
    .map((n) => world.store.get(String(n.id)))
    .filter((n): n is StoredResource => n?.body.properties?.enableAcceleratedNetworking === true)
    .map((n) => n.id);
  const running = !existing || isRunning(world, vmId);
  checkSize(
    world.capacity,
    {
      vmId,
      vmName: vmId.split("/").pop() ?? "",
      subscriptionId: vmId.split("/")[2] ?? "",
      location,
      size,
      previousSize: before,
      zones: Array.isArray(model.zones) ? (model.zones as unknown[]).map(String) : [],
      running,
      image: model.properties?.storageProfile?.imageReference,
      trustedLaunch: model.properties?.securityProfile?.securityType === "TrustedLaunch",
      acceleratedNetworkingNics: nics,
    },
    holdingCores(world, vmId.split("/")[2] ?? "", location, vmId),
  );
}

/** `$filter=location eq 'westeurope'`: the only filter resourceSkus supports (learn.microsoft.com/rest/api/compute/resource-skus/list). */
function locationFilter(req: EmuRequest): string | undefined {
  const filter = req.url.searchParams.get("$filter");
  if (!filter) return undefined;
  const m = /^\s*location\s+eq\s+'([^']+)'\s*$/i.exec(filter);
  if (!m)
    throw badRequest("InvalidFilter", `The filter '${filter}' is not valid; only a location filter is supported.`);
  return normalizeLocation(m[1]!);
}

export function registerComputeCapacity(router: Router, world: World): void {
  router.add("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/skus", (req) => {
    const location = locationFilter(req);
    const locations = location ? [location] : ["westeurope", "northeurope", "eastus"];
    const skus = locations.flatMap((l) =>
      SIZE_CATALOG.map((s) =>
        presentSku(s, l, world.capacity.restriction(l, s.name), world.capacity.restrictedZones(l, s.name)),
      ),
    );
    return pagedList(req, skus, world.pageSize(), (s) => s);
  });

  router.add("GET", "/subscriptions/{sub}/providers/Microsoft.Compute/locations/{loc}/usages", (req) => {
    const location = normalizeLocation(req.params.loc!);
    const usages = quotaUsages(world.capacity, location, holdingCores(world, req.params.sub!, location, ""));
    return pagedList(req, usages, world.pageSize(), (u) => u as unknown as Json);
  });

  const vm = `/subscriptions/{sub}/resourceGroups/{rg}/providers/${TYPES.vm}/{name}`;
  const find = (req: EmuRequest): StoredResource => {
    requireGroup(world, req);
    const stored = world.store.get(routeId(req, TYPES.vm));
    if (!stored) throw notFound(TYPES.vm, req.params.name!, req.params.rg!);
    return stored;
  };

  // The sizes a VM can be resized to where it runs now (learn.microsoft.com/rest/api/compute/virtual-machines/list-available-sizes).
  router.add("GET", `${vm}/vmSizes`, (req) => {
    const stored = find(req);
    const sizes = isRunning(world, stored.id) ? world.capacity.clusterOf(stored.name) : SIZE_CATALOG.map((s) => s.name);
    return pagedList(
      req,
      sizes.map((n) => sizeSpec(n)).filter((s) => s !== undefined),
      world.pageSize(),
      (s) => ({
        name: s.name,
        numberOfCores: s.vCpus,
        osDiskSizeInMB: 1047552,
        resourceDiskSizeInMB: 0,
        memoryInMB: s.vCpus * 4096,
        maxDataDiskCount: 4,
      }),
    );
  });

  router.add("POST", `${vm}/deallocate`, (req) => power(world, req, find(req), "deallocated"));
  router.add("POST", `${vm}/start`, (req) => power(world, req, find(req), "running"));
}

function power(world: World, req: EmuRequest, stored: StoredResource, to: "running" | "deallocated"): EmuResponse {
  world.ops.assertIdle(stored.id);
  // No quota check on start: a deallocated VM's vCPUs never stopped counting (holdingCores).
  setProvisioningState(world, stored.id, "Updating");
  return acceptAsync(
    world,
    req,
    {
      location: stored.body.location,
      namespace: "Microsoft.Compute",
      resourceId: stored.id,
      onSucceeded: () => {
        if (to === "deallocated") world.capacity.deallocated.add(armIdKey(stored.id));
        else world.capacity.deallocated.delete(armIdKey(stored.id));
        setProvisioningState(world, stored.id, "Succeeded");
      },
      onFailed: () => setProvisioningState(world, stored.id, "Failed"),
    },
    { status: 202, withLocation: true },
  );
}

/** Run Command needs a running VM: "The operation requires the VM to be running (or set to run)." (MicrosoftDocs/azure-docs#32404). */
export function assertRunning(world: World, vm: StoredResource): void {
  if (!isRunning(world, vm.id)) {
    throw new ArmError(409, "OperationNotAllowed", "The operation requires the VM to be running (or set to run).");
  }
}
