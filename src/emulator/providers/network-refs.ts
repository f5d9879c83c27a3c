/**
 * Who references whom among network and compute resources. ARM shows these
 * back-references as read-only properties (a subnet's ipConfigurations, a
 * public IP's ipConfiguration, a NIC's virtualMachine); the emulator derives
 * them from the forward references on every read, so they never go stale.
 */
import type { Json } from "../http.js";
import { sameId } from "../ids.js";
import type { Store } from "../store.js";

export const TYPES = {
  vnet: "Microsoft.Network/virtualNetworks",
  nsg: "Microsoft.Network/networkSecurityGroups",
  pip: "Microsoft.Network/publicIPAddresses",
  nic: "Microsoft.Network/networkInterfaces",
  vm: "Microsoft.Compute/virtualMachines",
  disk: "Microsoft.Compute/disks",
} as const;

export interface IpConfigRef {
  nicId: string;
  id: string;
  name: string;
  subnetId?: string;
  publicIpId?: string;
  privateIPAddress?: string;
  version: "IPv4" | "IPv6";
}

export function ipConfigsOf(nicId: string, nic: Json): IpConfigRef[] {
  const configs = (nic.properties?.ipConfigurations ?? []) as Json[];
  return configs.map((c) => ({
    nicId,
    id: `${nicId}/ipConfigurations/${c.name}`,
    name: String(c.name),
    subnetId: c.properties?.subnet?.id,
    publicIpId: c.properties?.publicIPAddress?.id,
    privateIPAddress: c.properties?.privateIPAddress,
    version: c.properties?.privateIPAddressVersion === "IPv6" ? "IPv6" : "IPv4",
  }));
}

export function allIpConfigs(store: Store, exceptNicId?: string): IpConfigRef[] {
  return store.list(TYPES.nic)
    .filter((n) => !sameId(n.id, exceptNicId))
    .flatMap((n) => ipConfigsOf(n.id, n.body));
}

export function ipConfigsInSubnet(store: Store, subnetId: string): IpConfigRef[] {
  return allIpConfigs(store).filter((c) => sameId(c.subnetId, subnetId));
}

export function ipConfigUsingPublicIp(store: Store, publicIpId: string, exceptNicId?: string): IpConfigRef | undefined {
  return allIpConfigs(store, exceptNicId).find((c) => sameId(c.publicIpId, publicIpId));
}

/** NICs and subnets that use a network security group. */
export function nsgUsers(store: Store, nsgId: string): { subnets: string[]; nics: string[] } {
  const subnets = store.list(TYPES.vnet).flatMap((v) => ((v.body.properties?.subnets ?? []) as Json[])
    .filter((s) => sameId(s.properties?.networkSecurityGroup?.id, nsgId))
    .map((s) => `${v.id}/subnets/${s.name}`));
  const nics = store.list(TYPES.nic).filter((n) => sameId(n.body.properties?.networkSecurityGroup?.id, nsgId)).map((n) => n.id);
  return { subnets, nics };
}

/** The VM a NIC is attached to. */
export function vmUsingNic(store: Store, nicId: string): string | undefined {
  return store.list(TYPES.vm).find((vm) => ((vm.body.properties?.networkProfile?.networkInterfaces ?? []) as Json[])
    .some((n) => sameId(n.id, nicId)))?.id;
}

/** The VM whose OS disk a managed disk is. */
export function vmUsingDisk(store: Store, diskId: string): string | undefined {
  return store.list(TYPES.vm).find((vm) => sameId(vm.body.properties?.storageProfile?.osDisk?.managedDisk?.id, diskId))?.id;
}

export const subResource = (id: string): Json => ({ id });
