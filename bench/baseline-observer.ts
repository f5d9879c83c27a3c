/**
 * The design the engine's list-based observer (src/azure/observe.ts) is
 * measured against: read Azure with one GET per resource, by name, for every
 * proxy file. Its request count grows with the number of proxies; the engine's
 * grows with the number of resource groups, types and DNS zones (and list pages).
 *
 * It fills the same ObservedState, through the same SDK clients and with the
 * same concurrency (proxies at once), so buildPlan can run on its result and
 * the two plans can be compared. It cannot find resources of a removed proxy
 * file (nothing names them any more); the list-based observer can, so the
 * comparison favours this design, if anything.
 */

import { type AzureClients, type AzureConnection, createAzureClients } from "../src/azure/clients.js";
import { isNotFound } from "../src/azure/ids.js";
import { toObserved } from "../src/azure/observe.js";
import { decodeUserData } from "../src/dataplane/vmscripts.js";
import { mapLimit } from "../src/engine/concurrency.js";
import { type DesiredProxy, type DesiredResource, desiredProxy } from "../src/engine/desired.js";
import { buildPlan } from "../src/engine/diff.js";
import type { ObservedState } from "../src/engine/observed.js";
import { emptyObserved, rgKey } from "../src/engine/observed.js";
import { armIdKey, parseArmId } from "../src/model/arm-id.js";
import { TAG_CONFIG_HASH } from "../src/model/names.js";
import type { Plan } from "../src/plan/types.js";
import { loadProxyDir } from "../src/proxyfile/load.js";

export interface BaselineInput {
  desired: DesiredProxy[];
  clientsFor: (subscriptionId: string) => AzureClients;
  /** Proxies read at once; each proxy's GETs run in parallel, like the engine's per-group lists. */
  concurrency: number;
}

type Body = Record<string, unknown>;

/** The resource as an SDK GET returns it, or undefined on 404. */
async function orMissing<T>(get: Promise<T>): Promise<T | undefined> {
  try {
    return await get;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

async function getResource(r: DesiredResource, clients: AzureClients): Promise<unknown> {
  const { network, compute, dns } = clients;
  const rg = r.resourceGroup;
  switch (r.kind) {
    case "networkSecurityGroup":
      return orMissing(network.networkSecurityGroups.get(rg, r.name));
    case "virtualNetwork":
      return orMissing(network.virtualNetworks.get(rg, r.name));
    case "publicIpV4":
    case "publicIpV6":
      return orMissing(network.publicIPAddresses.get(rg, r.name));
    case "networkInterface":
      return orMissing(network.networkInterfaces.get(rg, r.name));
    case "virtualMachine":
      return orMissing(compute.virtualMachines.get(rg, r.name, { expand: "userData" }));
    case "dnsRecord": {
      const zone = parseArmId(r.id)?.names[0] ?? "";
      return orMissing(dns.recordSets.get(rg, zone, r.name, "AAAA"));
    }
    case "resourceGroup":
    case "vmConfig":
      return undefined; // groups are read once each below; the config comes with the VM
  }
}

export async function observeByGet(input: BaselineInput): Promise<ObservedState> {
  const state = emptyObserved();
  const { desired, clientsFor, concurrency } = input;

  // Which resource groups and zones exist: one read each (not per proxy), so buildPlan can tell "create" from "noop".
  const groups = new Map(desired.map((d) => [rgKey(d.subscriptionId, d.spec.resourceGroup), d]));
  const zones = new Map(desired.filter((d) => d.dnsZoneId).map((d) => [armIdKey(d.dnsZoneId!), d.dnsZoneId!]));
  await mapLimit([...groups], concurrency, async ([key, d]) => {
    const exists = await orMissing(
      clientsFor(d.subscriptionId).resources.resourceGroups.checkExistence(d.spec.resourceGroup),
    );
    if (exists?.body) state.resourceGroups.add(key);
  });
  await mapLimit([...zones], concurrency, async ([key, zoneId]) => {
    const { subscriptionId, resourceGroup, name } = parseArmId(zoneId) ?? {
      subscriptionId: "",
      resourceGroup: "",
      name: "",
    };
    if (await orMissing(clientsFor(subscriptionId).dns.zones.get(resourceGroup, name))) state.dnsZones.add(key);
  });

  // Per proxy: every resource by name.
  await mapLimit(desired, concurrency, async (d) => {
    const clients = clientsFor(d.subscriptionId);
    const wanted = d.resources.filter((r) => r.kind !== "resourceGroup" && r.kind !== "vmConfig");
    const found = await Promise.all(wanted.map((r) => getResource(r, clients)));
    wanted.forEach((r, i) => {
      const raw = found[i];
      if (raw === undefined) return;
      if (r.kind === "dnsRecord") {
        const body = JSON.parse(JSON.stringify(raw)) as Body;
        state.resources.set(armIdKey(r.id), {
          kind: "dnsRecord",
          id: r.id,
          subscriptionId: r.subscriptionId,
          resourceGroup: r.resourceGroup,
          name: r.name,
          body,
          tags: (body.metadata as Record<string, string>) ?? {},
          etag: typeof body.etag === "string" ? body.etag : undefined,
        });
        return;
      }
      const observed = toObserved(r.kind, raw);
      if (r.kind === "virtualMachine") {
        // The GET carries userData already; like the engine, keep it only for VMs whose config changes.
        const userData = observed.body.userData;
        delete observed.body.userData;
        if (typeof userData === "string" && observed.tags[TAG_CONFIG_HASH] !== d.configSha256) {
          state.vmConfigs.set(armIdKey(r.id), decodeUserData(userData));
        }
      }
      state.resources.set(armIdKey(r.id), observed);
    });
  });
  return state;
}

/** The whole plan the baseline way: the same files to a Plan, so both designs do the same work around the reads. */
export async function baselinePlan(
  dir: string,
  opts: { connection: AzureConnection; subscriptionId: string; owner: string; concurrency: number },
): Promise<Plan> {
  const loaded = await loadProxyDir(dir);
  const desired = loaded.proxies.map((s) => desiredProxy(s, s.subscriptionId ?? opts.subscriptionId, opts.owner));
  const clients = new Map<string, AzureClients>();
  const clientsFor = (sub: string) =>
    clients.get(sub) ?? clients.set(sub, createAzureClients(opts.connection, sub)).get(sub)!;
  const observed = await observeByGet({ desired, clientsFor, concurrency: opts.concurrency });
  return buildPlan({ owner: opts.owner, desired, observed });
}
