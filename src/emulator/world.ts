/**
 * What every provider handler works with (the store, operations, options)
 * and the ARM plumbing they share: resource-group checks, 404s, preconditions,
 * and answering a write as a long-running operation.
 */
import { armId, armIdKey } from "../model/arm-id.js";
import { formatIp, parseCidr } from "../model/ip.js";
import type { EmuRequest, EmuResponse, Json } from "./http.js";
import { ArmError, header, normalizeLocation } from "./http.js";
import type { OperationSpec, Operations } from "./lro.js";
import type { ComputeCapacity } from "./rules/size-rules.js";
import type { Store, StoredResource } from "./store.js";

export interface RunCommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type RunCommandHandler = (vmId: string, script: string[]) => Promise<RunCommandResult>;

/** A VM's first boot, as the simulated VM sees it (see simulated-vm.ts). */
export interface VmBoot {
  /** When cloud-init finishes (epoch ms). */
  readyAt: number;
  /** cloud-init's error, when the first boot fails. */
  error?: string;
  /** The config in the VM's userData at creation: what the first boot installs. */
  config?: string;
}

/** How the next VM created will boot: cloud-init's run time, and its error if the boot fails. */
export type FirstBootPlan = (vmId: string) => { cloudInitMs: number; error?: string };

/** What a load balancer probe asks a backend, and what it learns. */
export interface ProbeRequest {
  protocol: string;
  port: number;
  requestPath?: string;
}
export type ProbeHandler = (vmId: string, probe: ProbeRequest) => { up: boolean; reason: string };

export interface World {
  store: Store;
  ops: Operations;
  pageSize: () => number;
  runCommandHandler: () => RunCommandHandler;
  runCommands: { vmId: string; script: string[]; at: Date }[];
  publicAddresses: PublicAddressPool;
  /** First boots of the VMs created, keyed by lower-cased VM id. */
  vmBoots: Map<string, VmBoot>;
  firstBoot: FirstBootPlan;
  /** The answer of a VM to a load balancer's health probe. */
  probe: ProbeHandler;
  nicReservations: NicReservations;
  /** Size restrictions, quotas, hardware clusters and power states (rules/size-rules.ts). */
  capacity: ComputeCapacity;
}

/**
 * After a VM is deleted, Azure keeps its network interfaces reserved for it
 * for 180 seconds: deleting such a NIC or attaching it to a VM answers
 * `400 NicReservedForAnotherVm` "Nic(s) in request is reserved for another
 * Virtual Machine for 180 seconds. Please provide another nic(s) or retry after
 * 180 seconds." (gardenlinux#4133, microsoft/AzureTRE#4511, rancher/machine#359,
 * cloudfoundry/bosh-azure-cpi-release#366). After a force delete, Azure may
 * take up to 10 minutes to free them (MicrosoftDocs/azure-docs#94596).
 * The duration is the emulator's `nicReservationMs`, so tests stay fast.
 */
export class NicReservations {
  private readonly held = new Map<string, { vmId: string; until: number }>();

  constructor(readonly durationMs: () => number) {}

  reserve(nicId: string, vmId: string, durationMs = this.durationMs()): void {
    this.held.set(armIdKey(nicId), { vmId, until: Date.now() + durationMs });
  }

  /** Throws while the NIC is reserved for a deleted VM. */
  assertFree(nicId: string): void {
    const r = this.held.get(armIdKey(nicId));
    if (!r) return;
    if (Date.now() >= r.until) {
      this.held.delete(armIdKey(nicId));
      return;
    }
    throw new ArmError(
      400,
      "NicReservedForAnotherVm",
      `Nic(s) in request is reserved for another Virtual Machine for 180 seconds. Please provide another nic(s) or retry after 180 seconds. Reserved VM: ${r.vmId}`,
    );
  }

  release(nicId: string): void {
    this.held.delete(armIdKey(nicId));
  }

  /** Ends every reservation now, as the time Azure holds them would. */
  releaseAll(): void {
    this.held.clear();
  }
}

/**
 * Public addresses from documentation/benchmark ranges, never reused within one emulator run.
 * A test that connects to the proxies' public IPv4 (the check from outside) gives a loopback
 * prefix instead, where it serves stand-ins for the proxies.
 */
export class PublicAddressPool {
  private readonly next: Record<4 | 6, bigint>;

  constructor(ipv4Prefix = "198.18.0.0/15") {
    const v4 = parseCidr(ipv4Prefix);
    if (v4?.version !== 4) throw new Error(`publicIpv4Prefix: ${ipv4Prefix} is not an IPv4 prefix`);
    this.next = { 4: v4.network + 1n, 6: parseCidr("2001:db8:6::/48")!.network + 1n };
  }

  allocate(version: 4 | 6): string {
    const value = this.next[version]++;
    return formatIp(version, value);
  }
}

export const apiVersionOf = (req: EmuRequest): string => req.url.searchParams.get("api-version") ?? "";

export function requireGroup(world: World, req: EmuRequest): Json {
  const group = world.store.getGroup(req.params.sub!, req.params.rg!);
  if (!group) throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${req.params.rg}' could not be found.`);
  return group;
}

export function notFound(type: string, name: string, resourceGroup: string): ArmError {
  return new ArmError(
    404,
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

/** If-None-Match: * (create only) and If-Match: <etag> (update only that version). */
export function checkPreconditions(req: EmuRequest, existing: StoredResource | undefined, what: string): void {
  const ifNoneMatch = header(req, "if-none-match");
  const ifMatch = header(req, "if-match");
  if (ifNoneMatch === "*" && existing) {
    throw new ArmError(
      412,
      "PreconditionFailed",
      `The ${what} '${existing.name}' exists already and hence cannot be created again.`,
    );
  }
  if (ifMatch !== undefined && ifMatch !== "*" && ifMatch !== existing?.body.etag) {
    throw new ArmError(412, "PreconditionFailed", `The ${what} has been modified (etag mismatch).`);
  }
  if (ifMatch === "*" && !existing) {
    throw new ArmError(412, "PreconditionFailed", `The ${what} does not exist.`);
  }
}

/** The location of a create (required) or update (must not move). */
export function resolveLocation(
  input: Json,
  existing: StoredResource | undefined,
  name: string,
  resourceGroup: string,
): string {
  const given = typeof input.location === "string" ? normalizeLocation(input.location) : undefined;
  const current = existing?.body.location as string | undefined;
  if (current && given && given !== current) {
    throw new ArmError(
      409,
      "InvalidResourceLocation",
      `The resource '${name}' already exists in location '${current}' in resource group '${resourceGroup}'. A resource with the same name cannot be created in location '${given}'. Please select a new resource name.`,
    );
  }
  const location = given ?? current;
  if (!location) throw new ArmError(400, "LocationRequired", "The location property is required for this definition.");
  return location;
}

/** Starts the operation for a write and answers it the way ARM does. */
export function acceptAsync(
  world: World,
  req: EmuRequest,
  spec: Omit<OperationSpec, "subscriptionId" | "failure">,
  response: { status: number; body?: Json; withLocation?: boolean; locationOnly?: boolean },
): EmuResponse {
  const { statusUrl, resultUrl } = world.ops.start(
    { ...spec, subscriptionId: req.params.sub!, ...(req.lroFailure ? { failure: req.lroFailure } : {}) },
    req.origin,
    apiVersionOf(req),
  );
  const headers: Record<string, string> = response.locationOnly
    ? { Location: resultUrl }
    : { "Azure-AsyncOperation": statusUrl };
  if (response.withLocation) headers.Location = resultUrl;
  return { status: response.status, headers, ...(response.body ? { body: response.body } : {}) };
}

/** Sets properties.provisioningState on a stored resource, if it still exists. */
export function setProvisioningState(world: World, id: string, state: string): void {
  const stored = world.store.get(id);
  if (stored) stored.body.properties = { ...stored.body.properties, provisioningState: state };
}

/** The id a route addresses: /subscriptions/{sub}/resourceGroups/{rg}/providers/{type}/{name}. */
export function routeId(req: EmuRequest, type: string, nameParam = "name"): string {
  const [namespace = "", resourceType = ""] = type.split("/");
  return armId(req.params.sub ?? "", req.params.rg ?? "", namespace, resourceType, req.params[nameParam] ?? "");
}

/** ARM's resource name rule for network and compute resources. */
export function checkName(name: string, maxLength = 80): void {
  if (name.length > maxLength || !/^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/.test(name)) {
    throw new ArmError(
      400,
      "InvalidResourceName",
      `Resource name ${name} is invalid. The name can be up to ${maxLength} characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'.`,
    );
  }
}

const MAX_TAGS = 50;
const MAX_TAG_VALUE = 256;

export function tagsOf(input: Json): Record<string, string> | undefined {
  const tags = input.tags;
  if (tags === undefined || tags === null) return undefined;
  if (typeof tags !== "object" || Array.isArray(tags))
    throw new ArmError(400, "InvalidRequestContent", "The tags property must be an object.");
  // At most 50 tags per resource, values of at most 256 characters, names of at most 512 without
  // < > % & \ ? / (learn.microsoft.com/azure/azure-resource-manager/management/tag-resources, "Limitations").
  // ARM's wording for the value: Azure-Samples/azure-search-openai-demo#1997 ("InvalidTagValueLength").
  // No public report quotes its code for the count, so the code here is a plain BadRequest.
  const entries = Object.entries(tags as Json);
  if (entries.length > MAX_TAGS)
    throw new ArmError(
      400,
      "BadRequest",
      `The resource has ${entries.length} tags; at most ${MAX_TAGS} tag name/value pairs are allowed per resource.`,
    );
  for (const [k, v] of entries) {
    if (typeof v !== "string") throw new ArmError(400, "InvalidTagValue", `The value of tag '${k}' must be a string.`);
    if (k.length > 512 || /[<>%&\\?/]/.test(k))
      throw new ArmError(400, "InvalidTagNameCharacters", `The tag name '${k}' has invalid characters or is too long.`);
    if (v.length > MAX_TAG_VALUE)
      throw new ArmError(
        400,
        "InvalidTagValueLength",
        `Tag value too large.  Following tag value '${v}' exceeded the maximum length. Maximum allowed length for tag value - '${MAX_TAG_VALUE}' characters.`,
      );
  }
  return tags as Record<string, string>;
}
