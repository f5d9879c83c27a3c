/**
 * Azure names and ownership tags of a proxy's resources. Names are derived
 * from the proxy name only, so a re-run after a crash finds what an earlier
 * run created instead of creating duplicates.
 */

import { proxyNameProblem } from "../proxyfile/name-rules.js";
import { checkOwner } from "./owner.js";

export const TOOL_NAME = "azure-ipv6-proxy";

/** Tag keys (also DNS record-set metadata keys: alphanumeric only, which DNS metadata requires). */
export const TAG_MANAGED_BY = "managedBy";
export const TAG_OWNER = "ipv6ProxyOwner";
export const TAG_PROXY = "ipv6ProxyName";
/** sha256 of the HAProxy config in the VM's userData: lets a list call tell whether userData changed. */
export const TAG_CONFIG_HASH = "ipv6ProxyConfigSha256";
/**
 * Only on the NSG, a proxy's first resource to be created and last to be
 * deleted: the per-subscription tag-filtered list that finds the resource
 * groups of removed proxies then returns one item per proxy, not six.
 */
export const TAG_INDEX = "ipv6ProxyIndex";
/** Hash of the owned fields (tags aside) as last applied: a resource that no longer matches it was changed outside this tool. */
export const TAG_STATE_HASH = "ipv6ProxyStateSha256";

export interface ResourceNames {
  networkSecurityGroup: string;
  virtualNetwork: string;
  subnet: string;
  publicIpV4: string;
  publicIpV6: string;
  networkInterface: string;
  virtualMachine: string;
  osDisk: string;
  /** Linux host name inside the VM. */
  computerName: string;
  /** With replicas: the Standard load balancer in front of them. */
  loadBalancer: string;
  /** With replicas in a region without availability zones. */
  availabilitySet: string;
}

/** The per-replica names: replica 1 has the names a single VM has, so a single VM becomes replica 1 in place. */
export interface ReplicaNames {
  networkInterface: string;
  virtualMachine: string;
  osDisk: string;
  computerName: string;
}

export function resourceNames(proxy: string): ResourceNames {
  const base = `ipv6px-${proxy}`;
  return {
    networkSecurityGroup: `${base}-nsg`,
    virtualNetwork: `${base}-vnet`,
    subnet: "proxy",
    publicIpV4: `${base}-pip4`,
    publicIpV6: `${base}-pip6`,
    networkInterface: `${base}-nic`,
    virtualMachine: `${base}-vm`,
    osDisk: `${base}-osdisk`,
    computerName: base,
    loadBalancer: `${base}-lb`,
    availabilitySet: `${base}-avset`,
  };
}

/** Replica `n` (1-based) of a proxy. */
export function replicaNames(proxy: string, n: number): ReplicaNames {
  const base = resourceNames(proxy);
  if (n === 1)
    return {
      networkInterface: base.networkInterface,
      virtualMachine: base.virtualMachine,
      osDisk: base.osDisk,
      computerName: base.computerName,
    };
  return {
    networkInterface: `${base.networkInterface}${n}`,
    virtualMachine: `${base.virtualMachine}${n}`,
    osDisk: `${base.osDisk}${n}`,
    computerName: `${base.computerName}-${n}`,
  };
}

/**
 * The plan address suffix of replica `n`: none for replica 1 (a single VM's
 * addresses stay what they were), `.2`, `.3`… for the others.
 */
export const replicaSuffix = (n: number): string => (n === 1 ? "" : String(n));

/** The replica a change address belongs to: `www.virtualMachine` → 1, `www.virtualMachine.3` → 3. */
export function replicaNumberOf(address: string): number {
  const last = address.split(".").at(-1) ?? "";
  return /^[0-9]+$/.test(last) ? Number(last) : 1;
}

/** The replica a NIC or VM of `proxy` is, from its Azure name (1 for anything else). */
export function replicaNumberOfName(proxy: string, kind: string, name: string): number {
  const base = resourceNames(proxy);
  const prefix =
    kind === "networkInterface" ? base.networkInterface : kind === "virtualMachine" ? base.virtualMachine : undefined;
  const rest = prefix && name.startsWith(prefix) ? name.slice(prefix.length) : "";
  return /^[0-9]+$/.test(rest) ? Number(rest) : 1;
}

/** Names inside a proxy's load balancer. */
export const LB_PARTS = {
  frontendV6: "frontend-ipv6",
  frontendV4: "frontend-ipv4",
  poolV6: "pool-ipv6",
  poolV4: "pool-ipv4",
  probe: "health",
  outbound: "outbound-ipv4",
  rule: (port: number, family: "IPv6" | "IPv4") => `port-${port}${family === "IPv4" ? "-ipv4" : ""}`,
} as const;

export function ownershipTags(owner: string, proxy: string): Record<string, string> {
  return { [TAG_MANAGED_BY]: TOOL_NAME, [TAG_OWNER]: owner, [TAG_PROXY]: proxy };
}

/** Who owns a resource, judged by its tags (or DNS metadata). */
export type Ownership =
  | { kind: "ours"; proxy: string }
  | { kind: "other-owner"; owner: string; proxy: string }
  /** Carries this tool's mark, but a name or owner no proxy file could have made: someone else wrote those tags. */
  | { kind: "invalid-tags"; reason: string }
  | { kind: "foreign" };

/**
 * Tag values are written by anyone with write access to the resource, not
 * only by this tool, so they are checked like a proxy file's values before
 * they are used as a proxy name (in addresses, messages and the comment) or
 * an owner. A resource whose tags fail is never changed or deleted.
 */
export function ownershipOf(tags: Record<string, string> | undefined, owner: string): Ownership {
  if (!tags || tags[TAG_MANAGED_BY] !== TOOL_NAME || !tags[TAG_PROXY]) return { kind: "foreign" };
  const proxy = tags[TAG_PROXY];
  const tagOwner = tags[TAG_OWNER] ?? "";
  const nameProblem = proxyNameProblem(proxy);
  if (nameProblem)
    return { kind: "invalid-tags", reason: `its ${TAG_PROXY} tag is not a proxy name (it ${nameProblem})` };
  const ownerProblem = checkOwner(tagOwner);
  if (ownerProblem)
    return { kind: "invalid-tags", reason: `its ${TAG_OWNER} tag is not an owner (it ${ownerProblem})` };
  return tagOwner === owner ? { kind: "ours", proxy } : { kind: "other-owner", owner: tagOwner, proxy };
}

/** Address space of every proxy VNet: private, and never routed anywhere, so it may repeat. */
export const NETWORK = {
  vnetIpv4: "10.64.0.0/24",
  vnetIpv6: "fd00:64:64::/48",
  subnetIpv4: "10.64.0.0/26",
  subnetIpv6: "fd00:64:64::/64",
} as const;
