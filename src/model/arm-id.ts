/**
 * Azure Resource Manager ids: building, parsing and comparing them.
 *
 *   /subscriptions/{s}/resourceGroups/{rg}
 *   /subscriptions/{s}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}[/{childType}/{childName}]...
 *
 * ARM compares ids without regard to case, so maps are keyed by `armIdKey(id)`
 * while the ids themselves keep the casing they were written with.
 */

export interface ArmId {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. `Microsoft.Network`; `Microsoft.Resources` for a resource group. */
  namespace: string;
  /** e.g. `Microsoft.Network/virtualNetworks/subnets` or `Microsoft.Network/dnszones/AAAA`. */
  type: string;
  /** The names along the type path: `[vnet, subnet]`, `[zone, record]`; `[rg]` for a resource group. */
  names: string[];
  /** The last of `names`: the resource's own name. */
  name: string;
}

export const RESOURCE_GROUP_TYPE = "Microsoft.Resources/resourceGroups";

export function resourceGroupId(subscriptionId: string, resourceGroup: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;
}

/** `armId(s, rg, "Microsoft.Network", "virtualNetworks", "v", "subnets", "s")`. */
export function armId(
  subscriptionId: string,
  resourceGroup: string,
  namespace: string,
  ...typeNamePairs: string[]
): string {
  return `${resourceGroupId(subscriptionId, resourceGroup)}/providers/${namespace}/${typeNamePairs.join("/")}`;
}

/** The parts of a resource group or resource id; undefined when `id` is neither. */
export function parseArmId(id: string): ArmId | undefined {
  const parts = id.split("/");
  // A leading "/" and at most one trailing "/"; no empty segment in between.
  if (parts[0] !== "") return undefined;
  parts.shift();
  if (parts[parts.length - 1] === "") parts.pop();
  if (parts.some((p) => p === "")) return undefined;
  const [subscriptions, subscriptionId, resourceGroups, resourceGroup] = parts;
  if (subscriptions?.toLowerCase() !== "subscriptions" || resourceGroups?.toLowerCase() !== "resourcegroups")
    return undefined;
  if (!subscriptionId || !resourceGroup) return undefined;
  if (parts.length === 4) {
    return {
      subscriptionId,
      resourceGroup,
      namespace: "Microsoft.Resources",
      type: RESOURCE_GROUP_TYPE,
      names: [resourceGroup],
      name: resourceGroup,
    };
  }
  const [providers, namespace] = [parts[4], parts[5]];
  const pairs = parts.slice(6);
  if (providers?.toLowerCase() !== "providers" || !namespace || pairs.length === 0 || pairs.length % 2 !== 0)
    return undefined;
  const types = pairs.filter((_, i) => i % 2 === 0);
  const names = pairs.filter((_, i) => i % 2 === 1);
  return {
    subscriptionId,
    resourceGroup,
    namespace,
    type: [namespace, ...types].join("/"),
    names,
    name: names[names.length - 1] ?? "",
  };
}

/** The map key of an id: ARM ids are case-insensitive, and a trailing slash names the same resource. */
export const armIdKey = (id: string): string => id.toLowerCase().replace(/\/+$/, "");

/** Same resource? ARM compares ids without regard to case. */
export const sameArmId = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && armIdKey(a) === armIdKey(b);

/** The id of the parent: `…/virtualNetworks/v/subnets/s` → `…/virtualNetworks/v`, `…/dnszones/z/AAAA/r` → `…/dnszones/z`. */
export const parentArmId = (id: string): string => id.replace(/\/+$/, "").split("/").slice(0, -2).join("/");
