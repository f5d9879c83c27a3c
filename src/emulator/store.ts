/**
 * The emulator's state: resource groups and resources, keyed by lower-cased
 * id. Bodies are kept in their wire form (what a GET returns, plus fields ARM
 * stores but never returns, such as a VM's customData); handlers decide what
 * to show.
 */

import { armIdKey, resourceGroupId } from "../model/arm-id.js";
import type { Json } from "./http.js";
import { deepCopy } from "./http.js";
import { parseResourceId } from "./ids.js";

export interface StoredResource {
  id: string;
  /** Full type, e.g. Microsoft.Network/virtualNetworks or Microsoft.Network/dnszones/AAAA. */
  type: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  body: Json;
}

/**
 * How much work requests have done, counted rather than timed so tests can
 * check that a list page costs what the page holds, not what the store holds.
 */
export interface WorkCounters {
  /** Stored resources looked at by list() and all(). */
  resourcesVisited: number;
  /** Stored resources turned into a response body (a list item or a single read). */
  resourcesPresented: number;
  /** Back-reference indexes built (one per request at most, see network-refs.ts). */
  referenceIndexBuilds: number;
}

export class Store {
  private readonly groups = new Map<string, Json>();
  private readonly resources = new Map<string, StoredResource>();
  readonly work: WorkCounters = { resourcesVisited: 0, resourcesPresented: 0, referenceIndexBuilds: 0 };

  getGroup(subscriptionId: string, resourceGroup: string): Json | undefined {
    return this.groups.get(armIdKey(resourceGroupId(subscriptionId, resourceGroup)));
  }

  putGroup(subscriptionId: string, resourceGroup: string, body: Json): void {
    this.groups.set(armIdKey(resourceGroupId(subscriptionId, resourceGroup)), body);
  }

  deleteGroup(subscriptionId: string, resourceGroup: string): void {
    const prefix = `${armIdKey(resourceGroupId(subscriptionId, resourceGroup))}/`;
    for (const key of [...this.resources.keys()]) if (key.startsWith(prefix)) this.resources.delete(key);
    this.groups.delete(armIdKey(resourceGroupId(subscriptionId, resourceGroup)));
  }

  listGroups(subscriptionId: string): Json[] {
    const prefix = `/subscriptions/${subscriptionId.toLowerCase()}/`;
    return [...this.groups.entries()].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v);
  }

  get(id: string): StoredResource | undefined {
    return this.resources.get(armIdKey(id));
  }

  /** Creates or replaces; a replaced resource keeps its place in list order. */
  put(id: string, body: Json): StoredResource {
    const parsed = parseResourceId(id);
    const existing = this.get(id);
    const stored: StoredResource = {
      id: existing?.id ?? id,
      type: existing?.type ?? parsed.type,
      subscriptionId: parsed.subscriptionId,
      resourceGroup: parsed.resourceGroup,
      name: existing?.name ?? parsed.name,
      body,
    };
    this.resources.set(armIdKey(id), stored);
    return stored;
  }

  delete(id: string): boolean {
    return this.resources.delete(armIdKey(id));
  }

  /** Resources of one type (case-insensitive), optionally narrowed to a subscription and resource group. */
  list(type: string, subscriptionId?: string, resourceGroup?: string): StoredResource[] {
    const t = type.toLowerCase();
    this.work.resourcesVisited += this.resources.size;
    return [...this.resources.values()].filter(
      (r) =>
        r.type.toLowerCase() === t &&
        (subscriptionId === undefined || r.subscriptionId.toLowerCase() === subscriptionId.toLowerCase()) &&
        (resourceGroup === undefined || r.resourceGroup.toLowerCase() === resourceGroup.toLowerCase()),
    );
  }

  /** Every resource, in creation order. */
  all(): StoredResource[] {
    this.work.resourcesVisited += this.resources.size;
    return [...this.resources.values()];
  }

  /** A copy of the stored body, hidden fields included, for test assertions. */
  snapshot(id: string): Json | undefined {
    return deepCopy(this.get(id)?.body);
  }
}
