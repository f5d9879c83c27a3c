/**
 * VM sizes, quota and resizes, checked at plan time for the VMs a plan
 * creates, replaces or resizes, so that nothing is built that Azure would
 * refuse halfway (a size the region does not offer, quota that runs out
 * after the network is built, a resize Azure refuses on the VM's hardware).
 * Pure: the facts come from src/azure/compute-facts.ts through ObservedState.
 */
import { armIdKey } from "../model/arm-id.js";
import type { Change, PlanError, PlanWarning } from "../plan/types.js";
import type { DesiredProxy } from "./desired.js";
import type { ComputeFacts, ObservedState, VmSku } from "./observed.js";
import { normLocation } from "./owned.js";

export const regionKey = (subscriptionId: string, location: string): string =>
  `${subscriptionId}/${normLocation(location)}`.toLowerCase();

export interface VmNeed {
  proxy: DesiredProxy;
  change: Change;
  subscriptionId: string;
  location: string;
  size: string;
  /** The size of the VM that this one replaces or resizes. */
  previousSize?: string | undefined;
  resize: boolean;
  /** The zone a replica is placed in (none for a regional VM). */
  zones: string[];
}

type Body = Record<string, unknown>;
const vmSizeOf = (body: Body | undefined): string | undefined =>
  (body?.hardwareProfile as { vmSize?: string } | undefined)?.vmSize;

/** The VM changes that need size facts: creates, replaces, and updates that change the size. */
export function vmNeeds(
  changes: readonly Change[],
  desired: readonly DesiredProxy[],
  observed: ObservedState,
): VmNeed[] {
  return changes.flatMap((change) => {
    if (change.kind !== "virtualMachine" || change.action === "noop" || change.action === "delete") return [];
    const proxy = desired.find((d) => d.spec.name === change.proxy);
    const res = proxy?.resources.find((r) => r.address === change.address);
    if (!proxy || !res) return [];
    const size = vmSizeOf(res.body) ?? "";
    const previousSize = vmSizeOf(observed.resources.get(armIdKey(change.id))?.body);
    const resize = change.action === "update" && previousSize !== undefined && !sameSize(previousSize, size);
    if (change.action === "update" && !resize) return [];
    return [
      {
        proxy,
        change,
        subscriptionId: res.subscriptionId,
        location: String(res.body.location),
        size,
        previousSize,
        resize,
        zones: Array.isArray(res.body.zones) ? (res.body.zones as unknown[]).map(String) : [],
      },
    ];
  });
}

const sameSize = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function findSku(
  facts: ComputeFacts,
  subscriptionId: string,
  location: string,
  size: string,
): VmSku | undefined {
  return facts.skus.get(regionKey(subscriptionId, location))?.find((s) => sameSize(s.name, size));
}

/**
 * Plan errors for sizes Azure would refuse and quota that would run out, and
 * how each resize is done: in place when the VM's hardware offers the size
 * (Azure restarts the VM), else deallocate → resize → start. Marks resize
 * changes with `vmResize` for apply.
 */
export function checkVmCapacity(
  needs: readonly VmNeed[],
  facts: ComputeFacts,
  observed: ObservedState,
): { errors: PlanError[]; warnings: PlanWarning[] } {
  const errors: PlanError[] = [];
  const warnings: PlanWarning[] = [];
  const located = (need: VmNeed, message: string, field = "vmSize"): PlanError => ({
    proxy: need.proxy.spec.name,
    address: need.change.address,
    file: need.proxy.spec.file,
    line: (need.proxy.spec.locations[field] ?? need.proxy.spec.locations.vmSize)?.line ?? 1,
    message,
  });
  const usable: VmNeed[] = [];
  // Replicas share their proxy's size and zones: one error per proxy and problem, not one per replica.
  const reported = new Set<string>();
  const report = (need: VmNeed, message: string, field?: string) => {
    const key = `${need.proxy.spec.name}\n${message}`;
    if (!reported.has(key)) errors.push(located(need, message, field));
    reported.add(key);
  };
  for (const need of needs) {
    const problem = sizeProblem(need, facts) ?? zoneProblem(need, facts);
    if (problem) report(need, problem.message, problem.field);
    else usable.push(need);
  }
  for (const need of usable.filter((n) => n.resize)) {
    const nicAccelerated = acceleratedNic(need, observed);
    const sku = findSku(facts, need.subscriptionId, need.location, need.size)!;
    if (nicAccelerated && !sku.acceleratedNetworking) {
      errors.push(
        located(
          need,
          `vmSize "${need.size}" does not support accelerated networking, which the proxy's network interface uses; Azure refuses the resize: pick a size that supports it`,
        ),
      );
      continue;
    }
    const targets = facts.resizeTargets.get(armIdKey(need.change.id)) ?? [];
    const inPlace = targets.some((t) => sameSize(t, need.size));
    need.change.vmResize = { from: need.previousSize!, to: need.size, inPlace };
    need.change.reason = inPlace
      ? `vmSize changes from ${need.previousSize} to ${need.size}: Azure resizes the VM where it runs and restarts it`
      : `vmSize changes from ${need.previousSize} to ${need.size}, which the VM's current hardware does not offer: it is deallocated, resized and started again`;
    warnings.push({
      code: "downtime",
      proxy: need.proxy.spec.name,
      address: need.change.address,
      message: inPlace
        ? `resizing ${need.change.name} to ${need.size} restarts it: proxy "${need.proxy.spec.name}" is down for a minute or two`
        : `resizing ${need.change.name} to ${need.size} stops (deallocates) it, resizes it and starts it again: proxy "${need.proxy.spec.name}" is down for several minutes`,
    });
  }
  errors.push(...quotaErrors(usable, facts, observed, located));
  return { errors, warnings };
}

/**
 * A replica placed in a zone that does not offer its size to this subscription:
 * Azure answers the VM PUT with SkuNotAvailable naming the zone, after the
 * network and the other replicas were built.
 */
function zoneProblem(need: VmNeed, facts: ComputeFacts): { message: string; field: string } | undefined {
  const sku = findSku(facts, need.subscriptionId, need.location, need.size);
  const zone = need.zones.find((z) => !sku?.zones.includes(z));
  if (!sku || zone === undefined) return undefined;
  const index = need.proxy.spec.zones.indexOf(zone);
  const offered = sku.zones.length
    ? `it is offered in zone${sku.zones.length > 1 ? "s" : ""} ${sku.zones.join(", ")}`
    : "it is offered in none of its zones";
  return {
    message: `vmSize "${need.size}" is not available to this subscription in zone ${zone} of ${need.location} (${offered}): pick zones that offer it, or another size`,
    field: index >= 0 ? `zones[${index}]` : "zones",
  };
}

function sizeProblem(need: VmNeed, facts: ComputeFacts): { message: string; field?: string } | undefined {
  const message = sizeMessage(need, facts);
  return message === undefined ? undefined : { message };
}

function sizeMessage(need: VmNeed, facts: ComputeFacts): string | undefined {
  const skus = facts.skus.get(regionKey(need.subscriptionId, need.location));
  if (!skus)
    throw new Error(`internal: no resource SKUs read for ${need.location} in subscription ${need.subscriptionId}`);
  const sku = skus.find((s) => sameSize(s.name, need.size));
  const size = `vmSize "${need.size}"`;
  if (!sku) return `${size} is not offered in ${need.location}: pick a size the region offers`;
  if (sku.restriction) {
    return `${size} is not available to this subscription in ${need.location} (${sku.restriction}): pick another size, or ask Azure support to lift the restriction`;
  }
  if (sku.architecture !== "x64") {
    return `${size} is an ${sku.architecture} size, and the proxy's Ubuntu 24.04 image is x64: pick an x64 size`;
  }
  if (!sku.hyperVGenerations.includes("V2")) {
    return `${size} cannot run Gen2 (Hyper-V generation V2) images, which Trusted Launch needs: pick a Gen2 size`;
  }
  if (!sku.trustedLaunch)
    return `${size} does not support Trusted Launch, which every proxy VM uses: pick another size`;
  return undefined;
}

function acceleratedNic(need: VmNeed, observed: ObservedState): boolean {
  const refs = ((observed.resources.get(armIdKey(need.change.id))?.body.networkProfile as Body | undefined)
    ?.networkInterfaces ?? []) as { id?: string }[];
  return refs.some((r) => observed.resources.get(armIdKey(String(r.id)))?.body.enableAcceleratedNetworking === true);
}

/**
 * vCPUs the plan adds per region and quota (a family's, and the regional
 * total), against what the region's usages leave free. A replaced or resized
 * VM gives back its old size's vCPUs.
 */
function quotaErrors(
  needs: readonly VmNeed[],
  facts: ComputeFacts,
  observed: ObservedState,
  located: (need: VmNeed, message: string) => PlanError,
): PlanError[] {
  const byRegion = new Map<string, VmNeed[]>();
  for (const n of needs) {
    const key = regionKey(n.subscriptionId, n.location);
    byRegion.set(key, [...(byRegion.get(key) ?? []), n]);
  }
  const errors: PlanError[] = [];
  for (const [key, regional] of byRegion) {
    const first = regional[0]!;
    const delta = new Map<string, number>();
    const add = (quota: string, n: number) => delta.set(quota, (delta.get(quota) ?? 0) + n);
    for (const need of regional) {
      const sku = findSku(facts, need.subscriptionId, need.location, need.size)!;
      add("cores", sku.vCpus);
      add(sku.family, sku.vCpus);
      const old = need.previousSize && findSku(facts, need.subscriptionId, need.location, need.previousSize);
      const oldVmRuns = observed.resources.get(armIdKey(need.change.id)) !== undefined;
      if (old && oldVmRuns) {
        add("cores", -old.vCpus);
        add(old.family, -old.vCpus);
      }
    }
    for (const usage of facts.usages.get(key) ?? []) {
      const more = delta.get(usage.name) ?? 0;
      if (more <= 0 || usage.current + more <= usage.limit) continue;
      const free = Math.max(0, usage.limit - usage.current);
      const proxies = [...new Set(regional.map((n) => n.proxy.spec.name))].map((p) => `"${p}"`).join(", ");
      errors.push(
        located(
          first,
          `${first.location}: the plan needs ${more} more vCPUs of ${usage.label} (proxies ${proxies}), but only ${free} of the quota of ${usage.limit} are free (${usage.current} in use): ask for a higher quota, or pick a smaller size`,
        ),
      );
    }
  }
  return errors;
}
