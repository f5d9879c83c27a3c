/**
 * Microsoft.Compute: virtual machines (with their implicit OS disks) and
 * managed disks. customData is kept but never returned; userData is returned
 * only with $expand=userData, and never in lists.
 */
import { randomBytes } from "node:crypto";
import { armIdKey } from "../../model/arm-id.js";
import type { EmuRequest, EmuResponse, Json } from "../http.js";
import { ArmError, deepCopy, isObject, newGuid } from "../http.js";
import { resourceId } from "../ids.js";
import { pagedList } from "../paging.js";
import type { Router } from "../router.js";
import { checkNicPublicIpZones, checkVmModel, mergePatch, mergePut } from "../rules/vm-rules.js";
import type { StoredResource } from "../store.js";
import { asWire, type WireDisk, type WireVirtualMachine } from "../wire.js";
import type { World } from "../world.js";
import {
  acceptAsync,
  apiVersionOf,
  checkName,
  checkPreconditions,
  notFound,
  requireGroup,
  resolveLocation,
  routeId,
  setProvisioningState,
  tagsOf,
} from "../world.js";
import { checkVmSize, isRunning } from "./compute-capacity.js";
import { References, TYPES } from "./network-refs.js";

const COMPUTE = "Microsoft.Compute";

const expands = (req: EmuRequest, what: string): boolean =>
  (req.url.searchParams.get("$expand") ?? "").split(",").some((e) => e.trim().toLowerCase() === what.toLowerCase());

function presentVm(
  world: World,
  stored: StoredResource,
  opts: { userData?: boolean; instanceView?: boolean } = {},
): WireVirtualMachine {
  world.store.work.resourcesPresented++;
  const body = asWire<WireVirtualMachine>(stored.body);
  const p = body.properties;
  if (p.osProfile) {
    delete p.osProfile.customData;
    delete p.osProfile.adminPassword;
  }
  if (!opts.userData) delete p.userData;
  if (opts.instanceView) {
    const ok = p.provisioningState === "Succeeded";
    p.instanceView = {
      // The OS's host name: osProfile.computerName, which a PUT defaults to the VM's name.
      computerName: p.osProfile?.computerName ?? stored.name,
      osName: "ubuntu",
      osVersion: "24.04",
      statuses: [
        {
          code: `ProvisioningState/${String(p.provisioningState).toLowerCase()}`,
          level: ok ? "Info" : "Error",
          displayStatus: `Provisioning ${String(p.provisioningState).toLowerCase()}`,
        },
        isRunning(world, stored.id)
          ? { code: "PowerState/running", level: "Info", displayStatus: "VM running" }
          : { code: "PowerState/deallocated", level: "Info", displayStatus: "VM deallocated" },
      ],
    };
  }
  return body;
}

function presentDisk(world: World, stored: StoredResource, refs = new References(world.store)): WireDisk {
  world.store.work.resourcesPresented++;
  const body = asWire<WireDisk>(stored.body);
  const vm = refs.vmUsingDisk(stored.id);
  body.properties.diskState = vm ? "Attached" : "Unattached";
  if (vm) body.managedBy = vm;
  return body;
}

/** Compute etags are quoted counters. */
const nextEtag = (old: unknown): string => `"${Number(String(old ?? '"0"').replace(/"/g, "")) + 1}"`;

export function registerCompute(router: Router, world: World): void {
  const one = `/subscriptions/{sub}/resourceGroups/{rg}/providers/${TYPES.vm}/{name}`;
  const find = (req: EmuRequest, type: string = TYPES.vm): StoredResource => {
    requireGroup(world, req);
    const stored = world.store.get(routeId(req, type));
    if (!stored) throw notFound(type, req.params.name!, req.params.rg!);
    return stored;
  };
  router.add("GET", one, (req) => ({
    status: 200,
    body: presentVm(world, find(req), {
      userData: expands(req, "userData"),
      instanceView: expands(req, "instanceView"),
    }),
  }));
  router.add("PUT", one, (req) => putVm(world, req));
  router.add("PATCH", one, (req) => patchVm(world, req, find(req)));
  router.add("DELETE", one, (req) => deleteVm(world, req));
  router.add("GET", `/subscriptions/{sub}/resourceGroups/{rg}/providers/${TYPES.vm}`, (req) => {
    requireGroup(world, req);
    return pagedList(req, world.store.list(TYPES.vm, req.params.sub, req.params.rg), world.pageSize(), (s) =>
      presentVm(world, s),
    );
  });
  router.add("GET", `/subscriptions/{sub}/providers/${TYPES.vm}`, (req) =>
    pagedList(req, world.store.list(TYPES.vm, req.params.sub), world.pageSize(), (s) => presentVm(world, s)),
  );

  const disk = `/subscriptions/{sub}/resourceGroups/{rg}/providers/${TYPES.disk}/{name}`;
  router.add("GET", disk, (req) => ({ status: 200, body: presentDisk(world, find(req, TYPES.disk)) }));
  router.add("GET", `/subscriptions/{sub}/resourceGroups/{rg}/providers/${TYPES.disk}`, (req) => {
    requireGroup(world, req);
    const refs = new References(world.store);
    return pagedList(req, world.store.list(TYPES.disk, req.params.sub, req.params.rg), world.pageSize(), (s) =>
      presentDisk(world, s, refs),
    );
  });
  router.add("DELETE", disk, (req) => {
    requireGroup(world, req);
    const stored = world.store.get(routeId(req, TYPES.disk));
    if (!stored) return { status: 204 };
    const vm = new References(world.store).vmUsingDisk(stored.id);
    if (vm) throw new ArmError(409, "OperationNotAllowed", `Disk ${stored.name} is attached to VM ${vm}.`);
    world.ops.assertIdle(stored.id);
    return acceptAsync(
      world,
      req,
      {
        location: stored.body.location,
        namespace: COMPUTE,
        resourceId: stored.id,
        onSucceeded: () => world.store.delete(stored.id),
      },
      { status: 202, withLocation: true },
    );
  });
}

function putVm(world: World, req: EmuRequest): EmuResponse {
  requireGroup(world, req);
  const name = req.params.name!;
  checkName(name, 64);
  const id = routeId(req, TYPES.vm);
  const existing = world.store.get(id);
  world.ops.assertIdle(id);
  checkPreconditions(req, existing, "virtual machine");
  const input: Json = isObject(req.body) ? req.body : {};
  const location = resolveLocation(input, existing, name, req.params.rg!);
  const model = existing
    ? mergePut(existing.body, input)
    : { ...deepCopy(input), properties: isObject(input.properties) ? deepCopy(input.properties) : {} };
  if (isObject(model.properties.osProfile)) model.properties.osProfile.computerName ??= name;
  checkVmModel(world, existing?.id ?? id, location, model);
  checkVmSize(world, existing?.id ?? id, location, model, existing?.body);
  checkNicPublicIpZones(world, existing?.id ?? id, model);
  const properties = normalise(world, req, model.properties, location, existing);
  const tags = tagsOf(input);
  const created = !existing;
  const stored = world.store.put(id, {
    id: existing?.id ?? id,
    name: existing?.name ?? name,
    type: TYPES.vm,
    location,
    ...(tags ? { tags } : {}),
    ...(model.zones ? { zones: model.zones } : {}),
    ...(input.identity ? { identity: input.identity } : {}),
    etag: nextEtag(existing?.body.etag),
    properties: { ...properties, provisioningState: existing ? "Updating" : "Creating" },
  });
  // A new VM boots once its PUT has succeeded; cloud-init runs on after that (simulated-vm.ts).
  return finishWrite(
    world,
    req,
    stored,
    existing ? 200 : 201,
    created ? () => startFirstBoot(world, stored.id) : undefined,
  );
}

function startFirstBoot(world: World, vmId: string): void {
  const plan = world.firstBoot(vmId);
  const userData = world.store.get(vmId)?.body.properties?.userData;
  world.vmBoots.set(armIdKey(vmId), {
    readyAt: Date.now() + plan.cloudInitMs,
    ...(plan.error ? { error: plan.error } : {}),
    ...(typeof userData === "string" ? { config: Buffer.from(userData, "base64").toString("utf8") } : {}),
  });
}

function patchVm(world: World, req: EmuRequest, existing: StoredResource): EmuResponse {
  world.ops.assertIdle(existing.id);
  checkPreconditions(req, existing, "virtual machine");
  const patch: Json = isObject(req.body) ? req.body : {};
  if (patch.tags !== undefined) tagsOf(patch);
  const next = mergePatch(existing.body, patch);
  checkVmModel(world, existing.id, existing.body.location, next);
  checkVmSize(world, existing.id, existing.body.location, next, existing.body);
  next.properties.networkProfile = normaliseNics(next.properties.networkProfile);
  next.etag = nextEtag(existing.body.etag);
  next.properties.provisioningState = "Updating";
  const stored = world.store.put(existing.id, next);
  return finishWrite(world, req, stored, 200);
}

function finishWrite(
  world: World,
  req: EmuRequest,
  stored: StoredResource,
  status: number,
  afterSuccess?: () => void,
): EmuResponse {
  return acceptAsync(
    world,
    req,
    {
      location: stored.body.location,
      namespace: COMPUTE,
      resourceId: stored.id,
      onSucceeded: () => {
        setProvisioningState(world, stored.id, "Succeeded");
        afterSuccess?.();
      },
      onFailed: () => setProvisioningState(world, stored.id, "Failed"),
    },
    { status, body: presentVm(world, stored) },
  );
}

function normaliseNics(network: Json): Json {
  return {
    ...network,
    networkInterfaces: (network.networkInterfaces as Json[]).map((n) => ({
      id: n.id,
      properties: { ...n.properties, deleteOption: n.properties?.deleteOption ?? "Detach" },
    })),
  };
}

/** Fills what Azure fills in: vmId, the OS disk (created on first write), delete options, allowed extensions. */
function normalise(world: World, req: EmuRequest, props: Json, location: string, existing?: StoredResource): Json {
  const out = deepCopy(props);
  const old = existing?.body.properties;
  out.vmId = old?.vmId ?? newGuid();
  out.timeCreated = old?.timeCreated ?? new Date().toISOString();
  out.hardwareProfile = { vmSize: out.hardwareProfile?.vmSize ?? "Standard_D2s_v3" };
  out.networkProfile = normaliseNics(out.networkProfile);
  out.osProfile = { secrets: [], allowExtensionOperations: true, requireGuestProvisionSignal: true, ...out.osProfile };
  const linux = out.osProfile.linuxConfiguration ?? {};
  out.osProfile.linuxConfiguration = { provisionVMAgent: true, disablePasswordAuthentication: false, ...linux };
  const storage = out.storageProfile;
  if (storage.imageReference && !storage.imageReference.exactVersion) {
    storage.imageReference.exactVersion =
      storage.imageReference.version === "latest" ? "24.04.202601010" : storage.imageReference.version;
  }
  const osDisk: Json = {
    osType: "Linux",
    createOption: "FromImage",
    caching: "ReadWrite",
    deleteOption: "Detach",
    diskSizeGB: 30,
    ...storage.osDisk,
  };
  if (old) {
    osDisk.name = old.storageProfile.osDisk.name;
    osDisk.managedDisk = old.storageProfile.osDisk.managedDisk;
  } else {
    osDisk.name ??= `${req.params.name}_OsDisk_1_${randomBytes(16).toString("hex")}`;
    const diskId = resourceId(req.params.sub!, req.params.rg!, TYPES.disk, osDisk.name);
    if (world.store.get(diskId)) {
      throw new ArmError(
        409,
        "ConflictingUserInput",
        `Disk ${osDisk.name} already exists in resource group ${String(req.params.rg).toUpperCase()}. Only CreateOption.Attach is supported.`,
      );
    }
    const storageAccountType = osDisk.managedDisk?.storageAccountType ?? "Premium_LRS";
    osDisk.managedDisk = { storageAccountType, id: diskId };
    world.store.put(diskId, {
      id: diskId,
      name: osDisk.name,
      type: TYPES.disk,
      location,
      sku: { name: storageAccountType, tier: storageAccountType.startsWith("Premium") ? "Premium" : "Standard" },
      properties: {
        osType: "Linux",
        hyperVGeneration: "V2",
        diskSizeGB: osDisk.diskSizeGB,
        uniqueId: newGuid(),
        creationData: { createOption: "FromImage", imageReference: { id: imageId(location, storage.imageReference) } },
        timeCreated: new Date().toISOString(),
        provisioningState: "Succeeded",
      },
    });
  }
  out.storageProfile = { ...storage, osDisk, dataDisks: storage.dataDisks ?? [] };
  return out;
}

function imageId(location: string, image: Json | undefined): string {
  if (!image) return "";
  if (image.id) return String(image.id);
  return `/Subscriptions/00000000-0000-0000-0000-000000000000/Providers/Microsoft.Compute/Locations/${location}/Publishers/${image.publisher}/ArtifactTypes/VMImage/Offers/${image.offer}/Skus/${image.sku}/Versions/${image.exactVersion ?? image.version}`;
}

/**
 * From api-version 2024-11-01, a VM whose disks all have deleteOption Delete is
 * force deleted unless the request says forceDeletion=false
 * (learn.microsoft.com/rest/api/compute/virtual-machines/delete, "forceDeletion").
 */
function isForceDelete(req: EmuRequest, vm: Json): boolean {
  const given = req.url.searchParams.get("forceDeletion");
  if (given !== null) return given.toLowerCase() === "true";
  const storage = vm.properties?.storageProfile ?? {};
  const disks = [storage.osDisk, ...((storage.dataDisks ?? []) as Json[])].filter(Boolean) as Json[];
  return apiVersionOf(req) >= "2024-11-01" && disks.every((d) => d.deleteOption === "Delete");
}

/** A force-deleted VM's NICs may stay unusable for up to 10 minutes (MicrosoftDocs/azure-docs#94596). */
const FORCE_DELETE_NIC_HOLD_MS = 10 * 60_000;

function deleteVm(world: World, req: EmuRequest): EmuResponse {
  requireGroup(world, req);
  const stored = world.store.get(routeId(req, TYPES.vm));
  if (!stored) return { status: 204 };
  world.ops.assertIdle(stored.id);
  const force = isForceDelete(req, stored.body);
  setProvisioningState(world, stored.id, "Deleting");
  return acceptAsync(
    world,
    req,
    {
      location: stored.body.location,
      namespace: COMPUTE,
      resourceId: stored.id,
      onSucceeded: () => {
        const p = stored.body.properties;
        world.store.delete(stored.id);
        world.vmBoots.delete(armIdKey(stored.id));
        world.capacity.deallocated.delete(armIdKey(stored.id));
        // Delete options decide whether the NICs and the OS disk go with the VM;
        // NICs left behind stay reserved for the deleted VM for a while (world.ts, NicReservations).
        for (const n of (p.networkProfile?.networkInterfaces ?? []) as Json[]) {
          if (n.properties?.deleteOption === "Delete") world.store.delete(n.id);
          else if (force) world.nicReservations.reserve(n.id, stored.id, FORCE_DELETE_NIC_HOLD_MS);
          else world.nicReservations.reserve(n.id, stored.id);
        }
        if (p.storageProfile?.osDisk?.deleteOption === "Delete" && p.storageProfile.osDisk.managedDisk?.id) {
          world.store.delete(p.storageProfile.osDisk.managedDisk.id);
        }
      },
      onFailed: () => setProvisioningState(world, stored.id, "Failed"),
    },
    { status: 202, withLocation: true },
  );
}
