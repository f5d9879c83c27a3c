/**
 * Observe: read what Azure holds with list calls: per subscription (resource
 * groups, and our NSGs by their index tag, to find groups of removed proxies),
 * per resource group and resource type, and per DNS zone. Requests grow with
 * the number of resource groups and zones (and list pages), never with one GET
 * per proxy. The only per-VM reads are for VMs whose config changes, to show
 * the live config next to the desired one.
 */

import { decodeUserData } from "../dataplane/vmscripts.js";
import { mapLimit } from "../engine/concurrency.js";
import type { DesiredProxy } from "../engine/desired.js";
import { dnsZoneIdFromTags } from "../engine/desired.js";
import type { ObservedResource, ObservedState } from "../engine/observed.js";
import { cnameKey, emptyObserved, rgKey } from "../engine/observed.js";
import { type ArmId, armIdKey, parseArmId } from "../model/arm-id.js";
import { ownershipOf, TAG_CONFIG_HASH, TAG_INDEX } from "../model/names.js";
import type { ResourceKind } from "../plan/types.js";
import type { AzureClients } from "./clients.js";
import { isNotFound } from "./ids.js";

export interface ObserveInput {
  desired: DesiredProxy[];
  owner: string;
  subscriptions: string[];
  clientsFor: (subscriptionId: string) => AzureClients;
  concurrency: number;
}

type Body = Record<string, unknown>;

async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iter) out.push(item);
  return out;
}

/** A resource as the SDK returned it, in the plain shape the diff reads. */
export function toObserved(kind: ResourceKind, raw: unknown): ObservedResource {
  const body = JSON.parse(JSON.stringify(raw)) as Body;
  const id = String(body.id);
  const { subscriptionId, resourceGroup } = armIdOf(id);
  return {
    kind,
    id,
    subscriptionId,
    resourceGroup,
    name: String(body.name),
    body,
    tags: (body.tags as Record<string, string>) ?? {},
    provisioningState: typeof body.provisioningState === "string" ? body.provisioningState : undefined,
  };
}

function armIdOf(id: string): ArmId {
  const parsed = parseArmId(id);
  if (!parsed) throw new Error(`Azure returned a resource whose id is not an ARM resource id: ${JSON.stringify(id)}`);
  return parsed;
}

export async function observe(input: ObserveInput): Promise<ObservedState> {
  const state = emptyObserved();
  const { desired, owner, clientsFor, concurrency } = input;
  // Each resource group and zone is listed once, whichever way it was found.
  const listedGroups = new Set<string>();
  const listedZones = new Set<string>();
  const groupsOf = (items: { subscriptionId: string; resourceGroup: string }[]) => {
    const fresh = new Map<string, { subscriptionId: string; resourceGroup: string }>();
    for (const g of items) {
      const key = rgKey(g.subscriptionId, g.resourceGroup);
      if (!listedGroups.has(key)) fresh.set(key, g);
    }
    for (const key of fresh.keys()) listedGroups.add(key);
    return [...fresh.values()];
  };
  const zonesOf = (ids: string[]) => {
    const fresh = new Map<string, string>();
    for (const id of ids) if (!listedZones.has(armIdKey(id))) fresh.set(armIdKey(id), id);
    for (const key of fresh.keys()) listedZones.add(key);
    return [...fresh.values()];
  };

  // 1. All at once: per subscription, which resource groups exist and where our resources live;
  //    per resource group and DNS zone the proxy files name, their lists. Lists take several
  //    sequential pages, so starting them together keeps the plan's wall time down.
  const ownedGroups: { subscriptionId: string; resourceGroup: string }[] = [];
  await Promise.all([
    mapLimit(input.subscriptions, concurrency, async (sub) => {
      const clients = clientsFor(sub);
      const [groups, ours] = await Promise.all([
        collect(clients.resources.resourceGroups.list()),
        collect(clients.resources.resources.list({ filter: `tagName eq '${TAG_INDEX}' and tagValue eq '${owner}'` })),
      ]);
      for (const g of groups) state.resourceGroups.add(rgKey(sub, String(g.name)));
      for (const r of ours)
        ownedGroups.push({ subscriptionId: sub, resourceGroup: armIdOf(String(r.id)).resourceGroup });
    }),
    mapLimit(
      groupsOf(desired.map((d) => ({ subscriptionId: d.subscriptionId, resourceGroup: d.spec.resourceGroup }))),
      concurrency,
      (g) => listGroup(g.subscriptionId, g.resourceGroup, state, clientsFor),
    ),
    mapLimit(zonesOf(desired.flatMap((d) => (d.dnsZoneId ? [d.dnsZoneId] : []))), concurrency, (z) =>
      listZone(z, state, clientsFor),
    ),
  ]);

  // 2. Resource groups and zones known only from what we own (proxies whose files were removed).
  await mapLimit(groupsOf(ownedGroups), concurrency, (g) =>
    listGroup(g.subscriptionId, g.resourceGroup, state, clientsFor),
  );
  const publishedZones = [...state.resources.values()].flatMap((r) => {
    const zone = r.kind === "publicIpV6" ? dnsZoneIdFromTags(r.tags) : undefined;
    return zone && ownershipOf(r.tags, owner).kind === "ours" ? [zone] : [];
  });
  await mapLimit(zonesOf(publishedZones), concurrency, (z) => listZone(z, state, clientsFor));

  // 3. The live config of VMs whose config changes, for the plan's line diff.
  const stale = desired.flatMap((d) => {
    const vm = state.resources.get(armIdKey(d.resources.find((r) => r.kind === "virtualMachine")!.id));
    return vm && ownershipOf(vm.tags, owner).kind === "ours" && vm.tags[TAG_CONFIG_HASH] !== d.configSha256 ? [vm] : [];
  });
  await mapLimit(stale, concurrency, async (vm) => {
    const full = await clientsFor(vm.subscriptionId).compute.virtualMachines.get(vm.resourceGroup, vm.name, {
      expand: "userData",
    });
    if (full.userData) state.vmConfigs.set(armIdKey(vm.id), decodeUserData(full.userData));
  });
  return state;
}

/** One paged list per resource type in a resource group; a group that does not exist yet holds nothing. */
async function listGroup(
  subscriptionId: string,
  rg: string,
  state: ObservedState,
  clientsFor: ObserveInput["clientsFor"],
): Promise<void> {
  const { network, compute } = clientsFor(subscriptionId);
  // allSettled: a plan must not return while lists of a missing group are still in flight.
  const settled = await Promise.allSettled([
    collect(network.networkSecurityGroups.list(rg)),
    collect(network.virtualNetworks.list(rg)),
    collect(network.publicIPAddresses.list(rg)),
    collect(network.networkInterfaces.list(rg)),
    collect(compute.virtualMachines.list(rg)),
    // Proxies with replicas: their load balancer, and their availability set where a region has no zones.
    collect(network.loadBalancers.list(rg)),
    collect(compute.availabilitySets.list(rg)),
  ]);
  const errors = settled.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
  if (errors.length) {
    const real = errors.find((e) => !isNotFound(e));
    if (real !== undefined) throw real;
    return; // the group does not exist yet
  }
  const value = <T>(r: PromiseSettledResult<T>): T => (r as PromiseFulfilledResult<T>).value;
  const [nsgs, vnets, pips, nics, vms, lbs, sets] = [
    value(settled[0]),
    value(settled[1]),
    value(settled[2]),
    value(settled[3]),
    value(settled[4]),
    value(settled[5]),
    value(settled[6]),
  ];
  const add = (r: ObservedResource) => state.resources.set(armIdKey(r.id), r);
  for (const x of nsgs) add(toObserved("networkSecurityGroup", x));
  for (const x of vnets) add(toObserved("virtualNetwork", x));
  for (const x of pips) add(toObserved(x.publicIPAddressVersion === "IPv6" ? "publicIpV6" : "publicIpV4", x));
  for (const x of nics) add(toObserved("networkInterface", x));
  for (const x of vms) add(toObserved("virtualMachine", x));
  for (const x of lbs) add(toObserved("loadBalancer", x));
  for (const x of sets) add(toObserved("availabilitySet", x));
}

/**
 * The AAAA and CNAME record sets of a DNS zone (two lists, whatever the number
 * of names asked for); a zone that does not exist is left out of state.dnsZones.
 */
async function listZone(zoneId: string, state: ObservedState, clientsFor: ObserveInput["clientsFor"]): Promise<void> {
  const { subscriptionId, resourceGroup, name: zone } = armIdOf(zoneId);
  const recordSets = clientsFor(subscriptionId).dns.recordSets;
  try {
    // allSettled: a missing zone fails both lists; neither may still be in flight when this returns.
    const [aaaa, cname] = await Promise.allSettled([
      collect(recordSets.listByType(resourceGroup, zone, "AAAA")),
      collect(recordSets.listByType(resourceGroup, zone, "CNAME")),
    ]);
    if (aaaa.status === "rejected") throw aaaa.reason;
    if (cname.status === "rejected") throw cname.reason;
    const records = aaaa.value;
    state.dnsZones.add(armIdKey(zoneId));
    for (const rec of cname.value) {
      state.cnames.set(cnameKey(zoneId, String(rec.name)), rec.cnameRecord?.cname ?? "");
    }
    for (const rec of records) {
      const body = JSON.parse(JSON.stringify(rec)) as Body;
      const id = `${zoneId}/AAAA/${String(body.name)}`;
      state.resources.set(armIdKey(id), {
        kind: "dnsRecord",
        id,
        subscriptionId,
        resourceGroup,
        name: String(body.name),
        body,
        tags: (body.metadata as Record<string, string>) ?? {},
        etag: typeof body.etag === "string" ? body.etag : undefined,
      });
    }
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
