/**
 * What the compute resource provider checks when a virtual machine is created
 * or changed: an image, a Linux login (SSH key or password), base64
 * customData/userData within limits, existing free NICs, and the properties
 * that are fixed once the VM exists (customData above all).
 */

import { sameArmId } from "../../model/arm-id.js";
import type { Json } from "../http.js";
import { ArmError, deepCopy, isObject, missingParameter } from "../http.js";
import { checkVmPlacement } from "../providers/availability-sets.js";
import { References, TYPES } from "../providers/network-refs.js";
import type { World } from "../world.js";
import { checkPublicIpServesZone } from "./zone-rules.js";

const invalid = (message: string, target: string) => new ArmError(400, "InvalidParameter", message, target);

const changeNotAllowed = (property: string) =>
  new ArmError(409, "PropertyChangeNotAllowed", `Changing property '${property}' is not allowed.`, property);

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Azure's documented limits: customData up to 87380 base64 characters, userData up to 64 KB. */
const CUSTOM_DATA_MAX_CHARS = 87380;
const USER_DATA_MAX_CHARS = 64 * 1024;

const SSH_KEY = /^(ssh-rsa|ssh-ed25519) ([A-Za-z0-9+/]+={0,2})(?: .*)?$/;

/** Azure takes RSA keys of 2048 bits or more and Ed25519 keys; the blob must match its label. */
function isAcceptedSshKey(line: string): boolean {
  const m = SSH_KEY.exec(line.trim());
  if (!m || !BASE64.test(m[2]!)) return false;
  const blob = Buffer.from(m[2]!, "base64");
  const fields: Buffer[] = [];
  for (let at = 0; at + 4 <= blob.length && fields.length < 3; ) {
    const len = blob.readUInt32BE(at);
    fields.push(blob.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  if (fields[0]?.toString() !== m[1]) return false;
  if (m[1] === "ssh-ed25519") return fields[1]?.length === 32;
  const modulus = fields[2];
  if (!modulus) return false;
  const significant = modulus[0] === 0 ? modulus.subarray(1) : modulus;
  return significant.length * 8 >= 2048;
}

/** Checks a full VM model (after PUT, or after merging a PATCH) and returns it normalised for storage. */
export function checkVmModel(world: World, vmId: string, location: string, model: Json): Json {
  const props: Json = model.properties;
  const storage: Json | undefined = props.storageProfile;
  if (!isObject(storage)) throw missingParameter("storageProfile");
  const attach = String(storage.osDisk?.createOption ?? "FromImage").toLowerCase() === "attach";
  const image = storage.imageReference;
  if (!attach) {
    if (!isObject(image)) throw missingParameter("imageReference");
    const named = image.publisher && image.offer && image.sku;
    if (!named && !image.id && !image.sharedGalleryImageId && !image.communityGalleryImageId) {
      throw invalid(
        "The value of parameter imageReference is invalid: give publisher, offer and sku, or an image id.",
        "imageReference",
      );
    }
  }
  checkDeleteOption(storage.osDisk?.deleteOption, "osDisk.deleteOption");

  const os: Json | undefined = props.osProfile;
  if (!isObject(os)) throw missingParameter("osProfile");
  if (!os.adminUsername) throw missingParameter("osProfile.adminUsername");
  checkLinuxLogin(os);
  if (os.customData !== undefined)
    checkBase64(
      os.customData,
      "customData",
      CUSTOM_DATA_MAX_CHARS,
      `Custom data in OSProfile must be in Base64 encoding and with a maximum length of ${CUSTOM_DATA_MAX_CHARS} characters.`,
    );
  if (props.userData !== undefined)
    checkBase64(
      props.userData,
      "userData",
      USER_DATA_MAX_CHARS,
      `User data must be in Base64 encoding and with a maximum length of ${USER_DATA_MAX_CHARS} characters.`,
    );

  const size = props.hardwareProfile?.vmSize;
  if (size !== undefined && !/^(Standard|Basic)_[A-Za-z0-9_]+$/.test(String(size))) {
    throw invalid(`The value ${String(size)} provided for the VM size is not valid.`, "vmSize");
  }
  checkNics(world, vmId, location, props.networkProfile);
  checkVmPlacement(world, vmId, location, model);
  return model;
}

function checkDeleteOption(value: unknown, target: string): void {
  if (value !== undefined && !["Delete", "Detach"].includes(String(value))) {
    throw invalid(
      `The value '${String(value)}' of parameter '${target}' is not allowed. Allowed values are 'Delete', 'Detach'.`,
      target,
    );
  }
}

function checkBase64(value: unknown, target: string, maxChars: number, message: string): void {
  if (typeof value !== "string" || !BASE64.test(value) || value.length > maxChars) throw invalid(message, target);
}

function checkLinuxLogin(os: Json): void {
  const linux: Json = isObject(os.linuxConfiguration) ? os.linuxConfiguration : {};
  const keys = (Array.isArray(linux.ssh?.publicKeys) ? linux.ssh.publicKeys : []) as Json[];
  if (linux.disablePasswordAuthentication === true) {
    if (keys.length === 0) {
      throw invalid(
        "Authentication using either SSH or by user name and password must be enabled in Linux profile.",
        "linuxConfiguration",
      );
    }
  } else if (!os.adminPassword) {
    throw invalid(
      "Authentication using either SSH or by user name and password must be enabled in Linux profile.",
      "linuxConfiguration",
    );
  }
  const expectedPath = `/home/${os.adminUsername}/.ssh/authorized_keys`;
  for (const k of keys) {
    if (!isAcceptedSshKey(String(k.keyData ?? ""))) {
      throw invalid(
        "The value of parameter linuxConfiguration.ssh.publicKeys.keyData is invalid.",
        "linuxConfiguration.ssh.publicKeys.keyData",
      );
    }
    if (k.path !== expectedPath) {
      throw invalid(
        `Destination path for SSH public keys is currently limited to its default value ${expectedPath} due to a known issue in Linux provisioning agent.`,
        "linuxConfiguration.ssh.publicKeys.path",
      );
    }
  }
}

function checkNics(world: World, vmId: string, location: string, network: unknown): void {
  const nics = (
    isObject(network) && Array.isArray(network.networkInterfaces) ? network.networkInterfaces : []
  ) as Json[];
  if (nics.length === 0) throw missingParameter("networkProfile");
  if (nics.length > 1 && nics.filter((n) => n.properties?.primary === true).length !== 1) {
    throw new ArmError(
      400,
      "NetworkInterfaceMustHavePrimaryPropertySet",
      "Virtual machine has multiple network interfaces; exactly one must be set as primary.",
    );
  }
  for (const n of nics) {
    const nic = typeof n.id === "string" ? world.store.get(n.id) : undefined;
    if (!nic || nic.type.toLowerCase() !== TYPES.nic.toLowerCase()) {
      throw new ArmError(
        400,
        "InvalidResourceReference",
        `Resource ${String(n.id)} referenced by resource ${vmId} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`,
      );
    }
    if (nic.body.location !== location) {
      throw new ArmError(
        400,
        "NicLocationMismatch",
        `Network interface ${nic.id} is in location '${nic.body.location}' but the virtual machine is in '${location}'. They must be in the same location.`,
      );
    }
    world.nicReservations.assertFree(nic.id);
    const user = new References(world.store).vmUsingNic(nic.id);
    if (user && !sameArmId(user, vmId)) {
      throw new ArmError(
        400,
        "NicInUse",
        `Network Interface ${nic.id} is used by existing resource ${user}. In order to use it, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.`,
      );
    }
    checkDeleteOption(n.properties?.deleteOption, "networkProfile.networkInterfaces.deleteOption");
  }
}

/**
 * The public IPs on a zonal VM's NICs must serve its zone (zone-rules.ts).
 * Checked after the model and the size: which one Azure reports first is not
 * documented, and the size is the compute provider's own check.
 */
export function checkNicPublicIpZones(world: World, vmId: string, model: Json): void {
  const network = model.properties?.networkProfile;
  const nics = (
    isObject(network) && Array.isArray(network.networkInterfaces) ? network.networkInterfaces : []
  ) as Json[];
  for (const n of nics) {
    const nic = typeof n.id === "string" ? world.store.get(n.id) : undefined;
    for (const c of (nic?.body.properties?.ipConfigurations ?? []) as Json[]) {
      const pip = c.properties?.publicIPAddress?.id ? world.store.get(c.properties.publicIPAddress.id) : undefined;
      if (pip) checkPublicIpServesZone(vmId, model.zones, pip);
    }
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The model after a PUT on an existing VM: sections left out keep their value
 * (a GET never returns customData, so a read-modify-write must not erase it),
 * and properties fixed at creation must not change.
 */
export function mergePut(existing: Json, input: Json): Json {
  const next: Json = deepCopy(input);
  const old: Json = existing.properties;
  next.properties = isObject(next.properties) ? next.properties : {};
  const p: Json = next.properties;
  p.osProfile = isObject(p.osProfile) ? { ...p.osProfile } : deepCopy(old.osProfile);
  for (const hidden of ["customData", "adminPassword"])
    if (p.osProfile[hidden] === undefined && old.osProfile?.[hidden] !== undefined)
      p.osProfile[hidden] = old.osProfile[hidden];
  p.storageProfile = isObject(p.storageProfile) ? p.storageProfile : deepCopy(old.storageProfile);
  p.hardwareProfile ??= deepCopy(old.hardwareProfile);
  if (p.availabilitySet === undefined && old.availabilitySet !== undefined)
    p.availabilitySet = deepCopy(old.availabilitySet);
  if (next.zones === undefined && existing.zones !== undefined) next.zones = deepCopy(existing.zones);
  if (p.userData === undefined && old.userData !== undefined) p.userData = old.userData;
  checkImmutable(existing, next);
  return next;
}

/** PATCH: objects merge, arrays and scalars replace, as ARM's merge-patch for VMs does. */
export function mergePatch(existing: Json, patch: Json): Json {
  const next = deepMerge(deepCopy(existing), patch) as Json;
  checkImmutable(existing, next);
  return next;
}

function deepMerge(target: unknown, patch: unknown): unknown {
  if (!isObject(target) || !isObject(patch)) return deepCopy(patch);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    target[k] = isObject(v) && isObject(target[k]) && k !== "tags" ? deepMerge(target[k], v) : deepCopy(v);
  }
  return target;
}

/**
 * Properties fixed when the VM is created. customData: learn.microsoft.com/azure/virtual-machines/custom-data;
 * adminUsername: "This property cannot be updated after the VM is created" (compute.json, Azure/azure-rest-api-specs#7823);
 * computerName: "Changing property 'computerName' is not allowed." (Azure/azure-sdk-for-net#3433).
 */
function checkImmutable(existing: Json, next: Json): void {
  const o = existing.properties;
  const n = next.properties;
  if (n.osProfile?.customData !== undefined && n.osProfile.customData !== o.osProfile?.customData)
    throw changeNotAllowed("customData");
  if (n.osProfile?.computerName !== undefined && n.osProfile.computerName !== o.osProfile?.computerName)
    throw changeNotAllowed("computerName");
  if (n.osProfile?.adminUsername !== o.osProfile?.adminUsername) throw changeNotAllowed("adminUsername");
  const keys = (x: Json) =>
    (x.osProfile?.linuxConfiguration?.ssh?.publicKeys ?? []).map((k: Json) => [k.path, k.keyData]);
  if (!same(keys(o), keys(n))) throw changeNotAllowed("linuxConfiguration.ssh.publicKeys");
  const image = (x: Json) => {
    const i = { ...x.storageProfile?.imageReference };
    delete i.exactVersion;
    return i;
  };
  if (!same(image(o), image(n))) throw changeNotAllowed("imageReference");
  if (n.storageProfile?.osDisk?.name !== undefined && n.storageProfile.osDisk.name !== o.storageProfile?.osDisk?.name)
    throw changeNotAllowed("osDisk.name");
  // Placement is fixed at creation: a VM joins an availability set only when it is created
  // (availability-set-overview), and its zone cannot change.
  const zones = (x: Json) => JSON.stringify([...(Array.isArray(x.zones) ? x.zones : [])].map(String).sort());
  if (next.zones !== undefined && zones(next) !== zones(existing)) throw changeNotAllowed("zones");
  const set = (x: Json) => String(x.properties?.availabilitySet?.id ?? "").toLowerCase();
  if (n.availabilitySet !== undefined && set(next) !== set(existing)) throw changeNotAllowed("availabilitySet.id");
}
