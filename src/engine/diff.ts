/**
 * Desired × observed → Plan. Pure: every Azure fact comes in through
 * ObservedState, so the whole decision table is tested without Azure.
 */

import { armIdKey, parentArmId, parseArmId, sameArmId } from "../model/arm-id.js";
import {
  ownershipOf,
  replicaNumberOf,
  replicaNumberOfName,
  replicaSuffix,
  TAG_CONFIG_HASH,
  TAG_MANAGED_BY,
  TAG_OWNER,
  TAG_PROXY,
  TAG_STATE_HASH,
} from "../model/names.js";
import { compareCodeUnits } from "../model/order.js";
import { regionZones } from "../model/regions.js";
import { unifiedLineDiff } from "../plan/linediff.js";
import type {
  Action,
  Change,
  ConfigDiff,
  Plan,
  PlanError,
  PlanWarning,
  ProxyStatus,
  ProxySummary,
  ResourceKind,
} from "../plan/types.js";
import { KIND_ORDER } from "../plan/types.js";
import type { DesiredProxy, DesiredResource } from "./desired.js";
import { dnsZoneIdFromTags, TAG_SSH_KEYS } from "./desired.js";
import { fingerprintOf } from "./fingerprint.js";
import { describeZones, frontendZoneProblem, zonesOf } from "./frontend-zones.js";
import type { ObservedResource, ObservedState } from "./observed.js";
import { cnameKey, rgKey } from "./observed.js";
import { diffFields, ownedFields, stateHash } from "./owned.js";
import { planRollout } from "./rollout.js";
import { tagLimitErrors } from "./tag-limits.js";
import { checkVmCapacity, vmNeeds } from "./vm-capacity.js";

/** Shown for a value Azure assigns during apply (e.g. a new public IPv6 address). */
const KNOWN_AFTER_APPLY = "(known after apply)";

/** Which resources a resource references: replacing one forces replacing what references it. */
const DEPENDENTS: Partial<Record<ResourceKind, ResourceKind[]>> = {
  networkSecurityGroup: ["virtualNetwork"],
  virtualNetwork: ["networkInterface"],
  publicIpV4: ["networkInterface", "loadBalancer"],
  publicIpV6: ["networkInterface", "loadBalancer"],
  networkInterface: ["virtualMachine"],
};

export interface DiffInput {
  owner: string;
  desired: DesiredProxy[];
  observed: ObservedState;
  now?: Date;
}

export function buildPlan({ owner, desired, observed, now = new Date() }: DiffInput): Plan {
  const changes: Change[] = [];
  const warnings: PlanWarning[] = [];
  const errors: PlanError[] = [];
  const configDiffs: ConfigDiff[] = [];
  const desiredIds = new Set<string>();

  for (const proxy of desired) {
    const proxyChanges: Change[] = [];
    for (const res of proxy.resources) {
      // Proxies may share a resource group: the first proxy that names it carries its change.
      if (res.kind === "resourceGroup" && desiredIds.has(armIdKey(res.id))) continue;
      desiredIds.add(armIdKey(res.id));
      const change = changeFor(res, proxy, observed, owner, errors, warnings);
      if (change) proxyChanges.push(change);
    }
    cascadeReplacements(proxyChanges);
    nicGoesWithItsVm(proxyChanges, observed, proxy.spec.replicas > 1);
    settleDnsValues(proxyChanges, observed, proxy);
    // One config for every replica; each running VM gets it pushed, and the plan shows its diff once.
    let diff: string | undefined;
    for (const vmChange of proxyChanges.filter((c) => c.kind === "virtualMachine")) {
      const config = configChange(proxy, vmChange, observed);
      if (config.change) proxyChanges.push(config.change);
      diff ??= config.diff;
    }
    if (diff !== undefined) configDiffs.push({ proxy: proxy.spec.name, diff });
    changes.push(...proxyChanges);
  }

  // Anything ours that no proxy file wants any more is destroyed.
  for (const obs of observed.resources.values()) {
    if (desiredIds.has(armIdKey(obs.id))) continue;
    const own = ownershipOf(obs.tags, owner);
    if (own.kind !== "ours") continue;
    if (obs.kind === "availabilitySet" && inUseByKeptVm(obs, observed, desiredIds)) continue;
    changes.push(deleteChange(obs, own.proxy));
  }

  if (observed.compute) {
    const capacity = checkVmCapacity(vmNeeds(changes, desired, observed), observed.compute, observed);
    errors.push(...capacity.errors);
    warnings.push(...capacity.warnings);
  }
  errors.push(...tagLimitErrors(changes, desired, observed));
  noteAcceleratedNetworking(changes, desired);
  addWarnings(changes, warnings, observed);
  warnings.push(...placementWarnings(desired));
  const sorted = sortChanges(changes);
  const plan: Omit<Plan, "fingerprint"> = {
    formatVersion: 1,
    owner,
    createdAt: now.toISOString(),
    changes: sorted,
    proxies: summarise(sorted, desired, observed),
    configDiffs,
    warnings,
    errors,
    rollouts: rollouts(sorted, desired, errors, observed),
  };
  return { ...plan, fingerprint: fingerprintOf(plan) };
}

function changeFor(
  res: DesiredResource,
  proxy: DesiredProxy,
  observed: ObservedState,
  owner: string,
  errors: PlanError[],
  warnings: PlanWarning[],
): Change | undefined {
  const name = proxy.spec.name;
  const base = {
    address: res.address,
    proxy: name,
    kind: res.kind,
    id: res.id,
    subscriptionId: res.subscriptionId,
    resourceGroup: res.resourceGroup,
    name: res.name,
  };
  const tagKeys = tagKeysOf(res);
  const after = ownedFields(res.kind, res.body, tagKeys);
  const make = (action: Action, before: Record<string, unknown> | undefined, reason: string): Change =>
    withDiffs({ ...base, action, before, after, reason });

  if (res.kind === "resourceGroup") {
    const exists = observed.resourceGroups.has(rgKey(res.subscriptionId, res.resourceGroup));
    // Resource groups are created when missing and never changed or deleted: they may hold other things.
    return exists
      ? make("noop", after, "resource group exists")
      : make("create", undefined, "resource group does not exist yet");
  }
  if (res.kind === "dnsRecord") {
    const zoneId = parentArmId(res.id);
    if (!observed.dnsZones.has(armIdKey(zoneId))) {
      errors.push({
        proxy: name,
        address: res.address,
        file: proxy.spec.file,
        line: proxy.spec.locations.dns?.line,
        message: `DNS zone "${String(res.body.zone)}" was not found in resource group "${res.resourceGroup}": create the zone first; this tool never creates or deletes zones`,
      });
      return undefined;
    }
    const cname = observed.cnames.get(cnameKey(zoneId, res.name));
    if (cname !== undefined) {
      const zone = String(res.body.zone);
      const index = proxy.spec.dns?.records.indexOf(res.name) ?? -1;
      errors.push({
        proxy: name,
        address: res.address,
        file: proxy.spec.file,
        line: (proxy.spec.locations[`dns.records[${index}]`] ?? proxy.spec.locations.dns)?.line,
        message:
          `"${fqdn(res.name, zone)}" is a CNAME${cname ? ` to ${cname}` : ""}, and Azure DNS allows no AAAA record next to a CNAME: ` +
          `replace the CNAME with A and AAAA records, or drop "${res.name}" from dns.records`,
      });
      return undefined;
    }
  }

  const obs = observed.resources.get(armIdKey(res.id));
  if (!obs) return make("create", undefined, `${describe(res.kind)} does not exist yet`);

  const own = ownershipOf(obs.tags, owner);
  if (own.kind !== "ours" || own.proxy !== name) {
    const whose =
      own.kind === "foreign"
        ? "was not created by azure-ipv6-proxy"
        : own.kind === "invalid-tags"
          ? `carries this tool's mark, but ${own.reason}`
          : own.kind === "other-owner"
            ? `belongs to owner "${own.owner}"`
            : `belongs to proxy "${own.proxy}"`;
    const message = `${describe(res.kind)} ${res.kind === "dnsRecord" ? `"${res.name}" in zone ${String(res.body.zone)}` : `"${res.name}"`} already exists and ${whose}; it will not be touched`;
    errors.push({ proxy: name, address: res.address, file: proxy.spec.file, line: lineOf(proxy, res.kind), message });
    warnings.push({
      code: res.kind === "dnsRecord" ? "dns-not-owned" : "not-owned",
      proxy: name,
      address: res.address,
      message,
    });
    return undefined;
  }

  const before = ownedFields(res.kind, obs.body, tagKeys);
  const diffs = diffFields(before, after);
  const zoneProblem = movingZoneProblem(res, proxy, obs, observed);
  if (zoneProblem) return make("replace", before, zoneProblem);
  if (obs.provisioningState === "Failed")
    return make("update", before, "last provisioning failed in Azure; applying it again");
  if (diffs.length === 0) return make("noop", before, "up to date");
  const applied = obs.tags[TAG_STATE_HASH];
  const drifted = applied !== undefined && applied !== stateHash(res.kind, obs.body);
  if (drifted) {
    warnings.push({
      code: "drift",
      proxy: name,
      address: res.address,
      message: `${describe(res.kind)} "${res.name}" was changed in Azure since the last apply (${diffs.map((d) => d.path).join(", ")})`,
    });
  }
  const replaceReason = mustReplace(res.kind, before, after, obs, res);
  const action: Action = replaceReason ? "replace" : "update";
  const changed = `${diffs.map((d) => d.path).join(", ")} ${drifted ? "changed outside azure-ipv6-proxy; reverting" : "changed"}`;
  return make(action, before, replaceReason ?? changed);
}

/**
 * The one place a change's field diffs come from: its before and after. A
 * delete lists no fields (the whole resource goes; `before` shows what it was).
 */
function withDiffs(change: Omit<Change, "diffs">): Change {
  return { ...change, diffs: change.action === "delete" ? [] : diffFields(change.before, change.after) };
}

/**
 * A public IP that moves to the load balancer being created for replicas in
 * zones, and whose own zones cannot serve them (frontend-zones.ts): why it is
 * created again. A frontend that already exists is left as it is.
 */
function movingZoneProblem(
  res: DesiredResource,
  proxy: DesiredProxy,
  obs: ObservedResource,
  observed: ObservedState,
): string | undefined {
  if (res.kind !== "publicIpV4" && res.kind !== "publicIpV6") return undefined;
  const lb = proxy.resources.find((r) => r.kind === "loadBalancer");
  if (!lb || observed.resources.has(armIdKey(lb.id))) return undefined;
  const wanted = Array.isArray(res.body.zones) ? (res.body.zones as string[]) : undefined;
  return frontendZoneProblem(proxy.spec, zonesOf(obs.body), wanted);
}

/** Why an in-place update is impossible, or undefined when it is possible. */
function mustReplace(
  kind: ResourceKind,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  obs: ObservedResource,
  res: DesiredResource,
): string | undefined {
  if (before.location !== after.location)
    return `location changes from ${String(before.location)} to ${String(after.location)}, which Azure cannot move in place`;
  if (
    (kind === "publicIpV4" || kind === "publicIpV6") &&
    (before.sku !== after.sku ||
      before.publicIPAllocationMethod !== after.publicIPAllocationMethod ||
      before.publicIPAddressVersion !== after.publicIPAddressVersion)
  ) {
    return "SKU, allocation or IP version of a public IP cannot change in place";
  }
  if (kind === "virtualMachine") {
    const wanted = (res.body.tags as Record<string, string>)[TAG_SSH_KEYS];
    if (obs.tags[TAG_SSH_KEYS] !== wanted)
      return "SSH public keys can only be set when a VM is created (the addresses are kept)";
    const moved = placementChange(res.body, obs.body);
    if (moved) return moved;
  }
  return undefined;
}

/**
 * Where a VM runs (its zone, or an availability set) is fixed when it is
 * created. Replicas name their place; a single VM stays where it is.
 */
function placementChange(desired: Record<string, unknown>, observed: Record<string, unknown>): string | undefined {
  const zonesOf = (b: Record<string, unknown>) => (Array.isArray(b.zones) ? (b.zones as unknown[]).map(String) : []);
  const setOf = (b: Record<string, unknown>) =>
    ((b.availabilitySet as { id?: string } | undefined)?.id ?? "").toLowerCase();
  const wantZones = zonesOf(desired);
  const wantSet = setOf(desired);
  if (wantZones.length === 0 && !wantSet) return undefined;
  const place = (zones: string[], set: string) =>
    zones.length ? `zone ${zones.join(", ")}` : set ? "the availability set" : "no zone";
  const from = place(zonesOf(observed), setOf(observed));
  const to = place(wantZones, wantSet);
  if (from === to && (!wantSet || setOf(observed) === wantSet)) return undefined;
  return `moves from ${from} to ${to}; Azure places a VM only when it creates it (the replica is drained and created again)`;
}

/** A single VM that was a replica stays in its availability set; the set stays with it. */
function inUseByKeptVm(set: ObservedResource, observed: ObservedState, desiredIds: Set<string>): boolean {
  return [...observed.resources.values()].some(
    (r) =>
      r.kind === "virtualMachine" &&
      desiredIds.has(armIdKey(r.id)) &&
      armIdKey(String((r.body.availabilitySet as { id?: string } | undefined)?.id ?? "")) === armIdKey(set.id),
  );
}

function cascadeReplacements(changes: Change[]): void {
  const perReplica = (k: ResourceKind) => k === "networkInterface" || k === "virtualMachine";
  for (const kind of KIND_ORDER) {
    for (const c of changes.filter((x) => x.kind === kind && x.action === "replace")) {
      for (const d of changes) {
        if (!(DEPENDENTS[kind] ?? []).includes(d.kind)) continue;
        if (perReplica(kind) && perReplica(d.kind) && replicaNumberOf(c.address) !== replicaNumberOf(d.address))
          continue;
        if (d.kind === "networkInterface" && kind.startsWith("publicIp") && !references(d, c.id)) continue;
        if (d.action === "update" || d.action === "noop") {
          d.action = "replace";
          d.reason = `references ${c.address}, which is replaced`;
        }
      }
    }
  }
}

/**
 * Azure deletes a NIC whose deleteOption is Delete together with its VM, so a
 * replaced VM takes its NIC along and the NIC is created again, on the same
 * public IPs (a replica's: in the same backend pools). (A NIC with deleteOption
 * Detach stays, reserved for the deleted VM for 180 s; apply waits that out.)
 */
function nicGoesWithItsVm(changes: Change[], observed: ObservedState, replicated: boolean): void {
  for (const vm of changes.filter((c) => c.kind === "virtualMachine" && c.action === "replace")) {
    const nic = changes.find(
      (c) => c.kind === "networkInterface" && replicaNumberOf(c.address) === replicaNumberOf(vm.address),
    );
    if (!nic || (nic.action !== "noop" && nic.action !== "update")) continue;
    const refs = (observed.resources.get(armIdKey(vm.id))?.body.networkProfile as { networkInterfaces?: unknown[] })
      ?.networkInterfaces as { id?: string; deleteOption?: string }[] | undefined;
    const ref = refs?.find((r) => r.id !== undefined && sameArmId(r.id, nic.id));
    if (ref?.deleteOption !== "Delete") continue;
    nic.action = "replace";
    nic.reason = `Azure deletes it with ${vm.address}, which is replaced; it is created again ${replicated ? "in the same backend pools" : "on the same public IPs"}`;
  }
}

/** Whether a change's desired fields name a resource id (a replica's NIC names no public IP). */
function references(c: Change, id: string): boolean {
  return JSON.stringify(c.after ?? {}).includes(armIdKey(id));
}

/** A new NIC gets accelerated networking where the VM size supports it: say so. */
function noteAcceleratedNetworking(changes: Change[], desired: DesiredProxy[]): void {
  for (const c of changes) {
    if (c.kind !== "networkInterface" || (c.action !== "create" && c.action !== "replace")) continue;
    const body = desired.find((d) => d.spec.name === c.proxy)?.resources.find((r) => r.address === c.address)?.body;
    if (body?.enableAcceleratedNetworking === true) c.reason = `${c.reason}; with accelerated networking`;
  }
}

/** AAAA records point at the proxy's public IPv6 address, which Azure assigns. */
function settleDnsValues(changes: Change[], observed: ObservedState, proxy: DesiredProxy): void {
  const pip = changes.find((c) => c.kind === "publicIpV6");
  const pipObs = observed.resources.get(armIdKey(proxy.resources.find((r) => r.kind === "publicIpV6")!.id));
  const known =
    pip && (pip.action === "noop" || pip.action === "update")
      ? (pipObs?.body.ipAddress as string | undefined)
      : undefined;
  for (const c of changes) {
    if (c.kind !== "dnsRecord" || !c.after) continue;
    c.after = { ...c.after, ipv6Addresses: [known ?? KNOWN_AFTER_APPLY] };
    c.diffs = withDiffs(c).diffs;
    if (c.action === "create") continue;
    const moved = c.diffs.some((d) => d.path.startsWith("ipv6Addresses"));
    c.action = c.diffs.length ? "update" : "noop";
    c.reason = !c.diffs.length
      ? "up to date"
      : moved && !known
        ? "the proxy's IPv6 address changes"
        : moved
          ? "record does not point at the proxy's IPv6 address"
          : `${c.diffs.map((d) => d.path).join(", ")} changed`;
  }
}

/** The HAProxy config lives in the VM's userData; a running VM gets it pushed with Run Command. */
function configChange(
  proxy: DesiredProxy,
  vm: Change | undefined,
  observed: ObservedState,
): { change?: Change; diff?: string | undefined } {
  if (!vm) return {};
  const vmId = vm.id;
  const suffix = replicaSuffix(replicaNumberOf(vm.address));
  if (vm.action === "create" || vm.action === "replace") {
    return { diff: unifiedLineDiff("", proxy.config, { beforeLabel: "live (none)", afterLabel: "desired" }) };
  }
  const obs = observed.resources.get(armIdKey(vmId));
  const liveSha = obs?.tags[TAG_CONFIG_HASH];
  if (liveSha === proxy.configSha256) return {};
  const live = observed.vmConfigs.get(armIdKey(vmId));
  const change = withDiffs({
    address: `${proxy.spec.name}.vmConfig${suffix ? `.${suffix}` : ""}`,
    proxy: proxy.spec.name,
    kind: "vmConfig",
    id: vmId,
    subscriptionId: proxy.subscriptionId,
    resourceGroup: proxy.spec.resourceGroup,
    name: vm.name,
    action: "update",
    before: { configSha256: liveSha ?? null },
    after: { configSha256: proxy.configSha256 },
    reason:
      "HAProxy config changes: new userData, validated and reloaded on the running VM without dropping connections",
  });
  return {
    change,
    diff:
      live === undefined
        ? undefined
        : unifiedLineDiff(live, proxy.config, { beforeLabel: "live", afterLabel: "desired" }),
  };
}

function deleteChange(obs: ObservedResource, proxy: string): Change {
  const replica = replicaNumberOfName(proxy, obs.kind, obs.name);
  const suffix = obs.kind === "dnsRecord" ? `.${obs.name}` : replica > 1 ? `.${replica}` : "";
  return withDiffs({
    address: `${proxy}.${obs.kind}${suffix}`,
    proxy,
    kind: obs.kind,
    id: obs.id,
    subscriptionId: obs.subscriptionId,
    resourceGroup: obs.resourceGroup,
    name: obs.name,
    action: "delete",
    before: ownedFields(obs.kind, obs.body, [TAG_MANAGED_BY, TAG_OWNER, TAG_PROXY]),
    reason:
      obs.kind === "dnsRecord"
        ? "no proxy file claims this record any more"
        : `proxy "${proxy}" is no longer in the proxy files`,
  });
}

function addWarnings(changes: Change[], warnings: PlanWarning[], observed: ObservedState): void {
  const destroyed = new Set<string>();
  for (const c of changes) {
    if (c.kind === "publicIpV6" && (c.action === "replace" || c.action === "delete")) {
      const address = observed.resources.get(armIdKey(c.id))?.body.ipAddress as string | undefined;
      const zone = dnsZoneIdFromTags(observed.resources.get(armIdKey(c.id))?.tags);
      warnings.push({
        code: "ipv6-address-change",
        proxy: c.proxy,
        address: c.address,
        message:
          `the public IPv6 address${address ? ` ${address}` : ""} of proxy "${c.proxy}" will ${c.action === "delete" ? "be released" : `change: ${c.reason}`}` +
          `${zone ? `; AAAA records in ${parseArmId(zone)?.name ?? zone} follow it, but clients and caches may hold the old address until the TTL expires` : ""}`,
      });
    }
    if (c.kind === "publicIpV4" && c.action === "replace") {
      const address = observed.resources.get(armIdKey(c.id))?.body.ipAddress as string | undefined;
      warnings.push({
        code: "ipv4-address-change",
        proxy: c.proxy,
        address: c.address,
        message:
          `the public IPv4 address${address ? ` ${address}` : ""} of proxy "${c.proxy}" will change (${c.reason}): ` +
          "backends that allow-list it must allow the new one, which the apply comment and the ipv4-addresses output show",
      });
    }
    if (c.action === "delete" && c.kind !== "dnsRecord") destroyed.add(c.proxy);
  }
  for (const proxy of destroyed) {
    warnings.push({ code: "destroy", proxy, message: `proxy "${proxy}" will be destroyed (needs allow-destroy)` });
  }
  for (const c of changes.filter((x) => x.action === "delete" && x.kind === "dnsRecord" && !destroyed.has(x.proxy))) {
    warnings.push({
      code: "destroy",
      proxy: c.proxy,
      address: c.address,
      message: `DNS record ${c.name} will be deleted (needs allow-destroy)`,
    });
  }
}

/** The rollout of each proxy with replicas (see rollout.ts), and what a rollout cannot do. */
function rollouts(
  changes: Change[],
  desired: DesiredProxy[],
  errors: PlanError[],
  observed: ObservedState,
): Plan["rollouts"] {
  return [...new Set(changes.map((c) => c.proxy))].flatMap((name) => {
    const proxy = desired.find((d) => d.spec.name === name);
    const rollout = planRollout(name, changes, proxy);
    if (!rollout) return [];
    // Moving a single VM to a new load balancer, its public IPs are free once they leave its NIC:
    // the rollout creates them again there (rollout.ts). Any other replacement has no safe order.
    const moving =
      rollout.steps.some((s) => s.kind === "detach") &&
      changes.some((x) => x.proxy === name && x.kind === "loadBalancer" && x.action === "create");
    for (const c of changes.filter(
      (x) => x.proxy === name && x.kind.startsWith("publicIp") && x.action === "replace" && !moving,
    )) {
      errors.push({
        proxy: name,
        address: c.address,
        file: proxy?.spec.file,
        line: proxy?.spec.locations.replicas?.line ?? 1,
        message: `${c.address} must be replaced (${c.reason}), which this tool does only for a single VM: set replicas to 1, apply, then change it`,
      });
    }
    const back = proxy && backToOneProblem(name, changes, proxy, observed);
    if (back) errors.push(back);
    return [rollout];
  });
}

/**
 * Going back to one VM, the public IPs return to replica 1's NIC, and replica 1
 * stays in its zone. Azure refuses an address that does not serve that zone on
 * a zonal VM (emulator/rules/zone-rules.ts): say so before anything happens.
 */
function backToOneProblem(
  name: string,
  changes: Change[],
  proxy: DesiredProxy,
  observed: ObservedState,
): PlanError | undefined {
  const lb = changes.find((c) => c.proxy === name && c.kind === "loadBalancer");
  const vm1 = changes.find((c) => c.proxy === name && c.kind === "virtualMachine" && replicaNumberOf(c.address) === 1);
  if (lb?.action !== "delete" || !vm1 || vm1.action === "create" || vm1.action === "replace") return undefined;
  const zone = zonesOf(observed.resources.get(armIdKey(vm1.id))?.body ?? {})[0];
  if (zone === undefined) return undefined;
  for (const kind of ["publicIpV6", "publicIpV4"] as const) {
    const pip = changes.find((c) => c.proxy === name && c.kind === kind);
    const zones = pip && zonesOf(observed.resources.get(armIdKey(pip.id))?.body ?? {});
    if (!pip || !zones || zones.includes(zone)) continue;
    return {
      proxy: name,
      address: pip.address,
      file: proxy.spec.file,
      line: (proxy.spec.locations.replicas ?? proxy.spec.locations.name)?.line ?? 1,
      message:
        `${pip.address} cannot go back to ${vm1.name}: that VM stays in zone ${zone}, the address is ${describeZones(zones)}, ` +
        "and Azure refuses a public IP that does not serve a VM's zone (ComputeResourceZoneConstraintDoesNotMatchPublicIPAddressZoneConstraint); " +
        "keep replicas at 2 or more, or remove the proxy and add it again (new addresses)",
    };
  }
  return undefined;
}

/** Replicas in one availability set share a datacenter: say so, since the file may not. */
function placementWarnings(desired: DesiredProxy[]): PlanWarning[] {
  return desired
    .filter((d) => d.spec.replicas > 1 && d.spec.zones.length === 0)
    .map(({ spec }) => {
      const why =
        regionZones(spec.location) === undefined
          ? `region "${spec.location}" is not in this tool's list of regions with availability zones; if it has zones, list them in zones`
          : `region "${spec.location}" has no availability zones`;
      return {
        code: "no-zones",
        proxy: spec.name,
        message: `${spec.replicas} replicas share an availability set (separate hosts and racks): ${why}`,
      };
    });
}

function sortChanges(changes: Change[]): Change[] {
  const rank = (k: ResourceKind) => KIND_ORDER.indexOf(k);
  return [...changes].sort(
    (a, b) =>
      compareCodeUnits(a.proxy, b.proxy) || rank(a.kind) - rank(b.kind) || compareCodeUnits(a.address, b.address),
  );
}

function summarise(changes: Change[], desired: DesiredProxy[], observed: ObservedState): ProxySummary[] {
  // Indexed once: plans have thousands of proxies, and a scan per proxy would be quadratic.
  const byProxy = new Map<string, Change[]>();
  for (const c of changes) byProxy.set(c.proxy, [...(byProxy.get(c.proxy) ?? []), c]);
  const specs = new Map(desired.map((d) => [d.spec.name, d]));
  const names = [...new Set([...specs.keys(), ...byProxy.keys()])].sort();
  return names.map((name) => {
    const mine = byProxy.get(name) ?? [];
    const spec = specs.get(name);
    // An address stays only when its public IP is kept; a new one is known after apply.
    const keptAddress = (kind: "publicIpV4" | "publicIpV6"): string | undefined => {
      const pip = mine.find((c) => c.kind === kind);
      return pip && pip.action !== "replace" && pip.action !== "create"
        ? (observed.resources.get(armIdKey(pip.id))?.body.ipAddress as string | undefined)
        : undefined;
    };
    const ipv6Address = keptAddress("publicIpV6");
    const ipv4Address = keptAddress("publicIpV4");
    const status: ProxyStatus = !spec
      ? "destroy"
      : mine.every((c) => c.action === "create" || (c.kind === "resourceGroup" && c.action === "noop"))
        ? "create"
        : mine.some((c) => c.action !== "noop")
          ? "change"
          : "unchanged";
    const dnsNames = spec?.spec.dns ? spec.spec.dns.records.map((r) => fqdn(r, spec.spec.dns!.zone)) : [];
    return {
      name,
      file: spec?.spec.file,
      status,
      ipv6Address,
      ipv4Address,
      dnsNames,
    };
  });
}

export function fqdn(record: string, zone: string): string {
  return record === "@" ? zone : `${record}.${zone}`;
}

/** Tag keys compared; the state hash is derived from the other fields, so it is not compared itself. */
function tagKeysOf(res: DesiredResource): string[] {
  const source = res.kind === "dnsRecord" ? res.body.metadata : res.body.tags;
  return Object.keys((source as Record<string, string>) ?? {}).filter((k) => k !== TAG_STATE_HASH);
}

function lineOf(proxy: DesiredProxy, kind: ResourceKind): number | undefined {
  return (kind === "dnsRecord" ? proxy.spec.locations.dns : proxy.spec.locations.name)?.line ?? 1;
}

function describe(kind: ResourceKind): string {
  return {
    resourceGroup: "resource group",
    networkSecurityGroup: "network security group",
    virtualNetwork: "virtual network",
    publicIpV4: "public IPv4 address",
    publicIpV6: "public IPv6 address",
    loadBalancer: "load balancer",
    availabilitySet: "availability set",
    networkInterface: "network interface",
    virtualMachine: "virtual machine",
    vmConfig: "proxy config",
    dnsRecord: "AAAA record",
  }[kind];
}
