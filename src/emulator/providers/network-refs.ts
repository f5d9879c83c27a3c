/**
 * Who references whom among network and compute resources. ARM shows these
 * back-references as read-only properties (a subnet's ipConfigurations, a
 * public IP's ipConfiguration, a NIC's virtualMachine); the emulator derives
 * them from the forward references on every request, so they never go stale.
 */

import { armIdKey, sameArmId } from "../../model/arm-id.js";
import type { Json } from "../http.js";
import type { Store } from "../store.js";
import type { SubResource } from "../wire.js";

export const TYPES = {
  vnet: "Microsoft.Network/virtualNetworks",
  nsg: "Microsoft.Network/networkSecurityGroups",
  pip: "Microsoft.Network/publicIPAddresses",
  nic: "Microsoft.Network/networkInterfaces",
  lb: "Microsoft.Network/loadBalancers",
  vm: "Microsoft.Compute/virtualMachines",
  disk: "Microsoft.Compute/disks",
  availabilitySet: "Microsoft.Compute/availabilitySets",
} as const;

export interface IpConfigRef {
  nicId: string;
  id: string;
  name: string;
  subnetId?: string;
  publicIpId?: string;
  privateIPAddress?: string;
  version: "IPv4" | "IPv6";
  /** Load balancer backend pools this IP configuration is a member of. */
  poolIds: string[];
}

function ipConfigsOf(nicId: string, nic: Json): IpConfigRef[] {
  const configs = (nic.properties?.ipConfigurations ?? []) as Json[];
  return configs.map((c) => ({
    nicId,
    id: `${nicId}/ipConfigurations/${c.name}`,
    name: String(c.name),
    subnetId: c.properties?.subnet?.id,
    publicIpId: c.properties?.publicIPAddress?.id,
    privateIPAddress: c.properties?.privateIPAddress,
    version: c.properties?.privateIPAddressVersion === "IPv6" ? "IPv6" : "IPv4",
    poolIds: ((c.properties?.loadBalancerBackendAddressPools ?? []) as Json[]).map((p) => String(p.id)),
  }));
}

export function allIpConfigs(store: Store, exceptNicId?: string): IpConfigRef[] {
  return store
    .list(TYPES.nic)
    .filter((n) => !sameArmId(n.id, exceptNicId))
    .flatMap((n) => ipConfigsOf(n.id, n.body));
}

/** Who uses a network security group: subnets (as ids) and NICs. */
export interface NsgUsers {
  subnets: string[];
  nics: string[];
}

/** A load balancer frontend IP configuration that holds a public IP. */
export interface FrontendRef {
  lbId: string;
  id: string;
}

interface Index {
  /** By armIdKey of the subnet, in store and configuration order. */
  ipConfigsBySubnet: Map<string, IpConfigRef[]>;
  ipConfigsByPublicIp: Map<string, IpConfigRef[]>;
  ipConfigsByPool: Map<string, IpConfigRef[]>;
  frontendsByPublicIp: Map<string, FrontendRef[]>;
  nsgUsers: Map<string, NsgUsers>;
  /** The first VM, in store order, that uses the NIC / has the disk as OS disk. */
  vmByNic: Map<string, string>;
  vmByDisk: Map<string, string>;
}

const keyOf = (id: unknown): string | undefined => (typeof id === "string" ? armIdKey(id) : undefined);

/**
 * The back-references of one request. The first question builds an index in
 * one pass over the store, and later questions are lookups: a list page then
 * costs one pass, not one per item. Make a new one per request, after the
 * request's writes (it does not follow later changes to the store).
 */
export class References {
  private index: Index | undefined;

  constructor(private readonly store: Store) {}

  ipConfigsInSubnet(subnetId: string | undefined): IpConfigRef[] {
    const key = keyOf(subnetId);
    return key === undefined ? [] : [...(this.built().ipConfigsBySubnet.get(key) ?? [])];
  }

  /** The first IP configuration using the public IP, not counting `exceptNicId`'s own. */
  ipConfigUsingPublicIp(publicIpId: string | undefined, exceptNicId?: string): IpConfigRef | undefined {
    const key = keyOf(publicIpId);
    if (key === undefined) return undefined;
    return this.built()
      .ipConfigsByPublicIp.get(key)
      ?.find((c) => !sameArmId(c.nicId, exceptNicId));
  }

  /** The NIC IP configurations that are members of a load balancer backend pool. */
  ipConfigsInPool(poolId: string | undefined): IpConfigRef[] {
    const key = keyOf(poolId);
    return key === undefined ? [] : [...(this.built().ipConfigsByPool.get(key) ?? [])];
  }

  /** The load balancer frontend holding the public IP, not counting `exceptLbId`'s own. */
  frontendUsingPublicIp(publicIpId: string | undefined, exceptLbId?: string): FrontendRef | undefined {
    const key = keyOf(publicIpId);
    if (key === undefined) return undefined;
    return this.built()
      .frontendsByPublicIp.get(key)
      ?.find((f) => !sameArmId(f.lbId, exceptLbId));
  }

  /** Whatever holds the public IP: a NIC IP configuration or a load balancer frontend (an IP is attached to one thing at a time). */
  publicIpHolder(publicIpId: string | undefined, except: { nicId?: string; lbId?: string } = {}): string | undefined {
    return (
      this.ipConfigUsingPublicIp(publicIpId, except.nicId)?.id ??
      this.frontendUsingPublicIp(publicIpId, except.lbId)?.id
    );
  }

  /** NICs and subnets that use a network security group. */
  nsgUsers(nsgId: string | undefined): NsgUsers {
    const key = keyOf(nsgId);
    const users = key === undefined ? undefined : this.built().nsgUsers.get(key);
    return { subnets: [...(users?.subnets ?? [])], nics: [...(users?.nics ?? [])] };
  }

  /** The VM a NIC is attached to. */
  vmUsingNic(nicId: string | undefined): string | undefined {
    const key = keyOf(nicId);
    return key === undefined ? undefined : this.built().vmByNic.get(key);
  }

  /** The VM whose OS disk a managed disk is. */
  vmUsingDisk(diskId: string | undefined): string | undefined {
    const key = keyOf(diskId);
    return key === undefined ? undefined : this.built().vmByDisk.get(key);
  }

  private built(): Index {
    this.index ??= buildIndex(this.store);
    return this.index;
  }
}

function buildIndex(store: Store): Index {
  store.work.referenceIndexBuilds++;
  const index: Index = {
    ipConfigsBySubnet: new Map(),
    ipConfigsByPublicIp: new Map(),
    ipConfigsByPool: new Map(),
    frontendsByPublicIp: new Map(),
    nsgUsers: new Map(),
    vmByNic: new Map(),
    vmByDisk: new Map(),
  };
  const push = <T>(map: Map<string, T[]>, id: unknown, value: T) => {
    const key = keyOf(id);
    if (key === undefined) return;
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  const usersOf = (nsgId: unknown): NsgUsers | undefined => {
    const key = keyOf(nsgId);
    if (key === undefined) return undefined;
    const known = index.nsgUsers.get(key);
    if (known) return known;
    const users: NsgUsers = { subnets: [], nics: [] };
    index.nsgUsers.set(key, users);
    return users;
  };
  const first = (map: Map<string, string>, id: unknown, value: string) => {
    const key = keyOf(id);
    if (key !== undefined && !map.has(key)) map.set(key, value);
  };
  // Subnet users before NIC users, as ARM lists an NSG's subnets first; store order within each.
  const nicsUsingNsg: [unknown, string][] = [];
  for (const r of store.all()) {
    const type = r.type.toLowerCase();
    if (type === NIC) {
      for (const c of ipConfigsOf(r.id, r.body)) {
        push(index.ipConfigsBySubnet, c.subnetId, c);
        push(index.ipConfigsByPublicIp, c.publicIpId, c);
        for (const pool of c.poolIds) push(index.ipConfigsByPool, pool, c);
      }
      nicsUsingNsg.push([r.body.properties?.networkSecurityGroup?.id, r.id]);
    } else if (type === VNET) {
      for (const s of (r.body.properties?.subnets ?? []) as Json[]) {
        usersOf(s.properties?.networkSecurityGroup?.id)?.subnets.push(`${r.id}/subnets/${s.name}`);
      }
    } else if (type === LB) {
      for (const f of (r.body.properties?.frontendIPConfigurations ?? []) as Json[]) {
        push(index.frontendsByPublicIp, f.properties?.publicIPAddress?.id, {
          lbId: r.id,
          id: `${r.id}/frontendIPConfigurations/${f.name}`,
        });
      }
    } else if (type === VM) {
      for (const n of (r.body.properties?.networkProfile?.networkInterfaces ?? []) as Json[])
        first(index.vmByNic, n.id, r.id);
      first(index.vmByDisk, r.body.properties?.storageProfile?.osDisk?.managedDisk?.id, r.id);
    }
  }
  for (const [nsgId, nicId] of nicsUsingNsg) usersOf(nsgId)?.nics.push(nicId);
  return index;
}

const NIC = TYPES.nic.toLowerCase();
const VNET = TYPES.vnet.toLowerCase();
const VM = TYPES.vm.toLowerCase();
const LB = TYPES.lb.toLowerCase();

export const subResource = (id: string): SubResource => ({ id });
