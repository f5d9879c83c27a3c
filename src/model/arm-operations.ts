/**
 * Every kind of ARM request the engine sends: method, path, the api-version
 * the SDK client pins, and the RBAC actions Azure checks for it. One table
 * serves three checks:
 * - test/emulator/arm-operations.test.ts drives plan, apply, a config change
 *   and a removal through the real SDK clients and fails on any request that
 *   matches no row, or carries another api-version;
 * - test/unit/role-json.test.ts keeps role.json equal to the actions listed here;
 * - at plan time the api-versions are checked against what the cloud offers
 *   (GET /subscriptions/{id}/providers/{namespace}), so a sovereign cloud that
 *   lacks a version is a plan error instead of a failed apply.
 *
 * A new SDK call needs a row here (and its actions in role.json).
 *
 * Linked access checks (the `join/action`s, the OS disk on VM delete) follow
 * Microsoft's permission tables: learn.microsoft.com/azure/virtual-network/
 * virtual-network-network-interface ("Permissions"), …/virtual-network/
 * manage-network-security-group ("Permissions"), …/virtual-network/ip-services/
 * virtual-network-public-ip-address ("Permissions"). Resource types are the
 * names the provider reports in resourceTypes[].resourceType.
 */

/** The api-versions pinned by the SDK packages in package.json. */
export const SDK_API_VERSIONS = {
  resources: "2025-04-01", // @azure/arm-resources 8
  network: "2026-01-01", // @azure/arm-network 39
  dns: "2018-05-01", // @azure/arm-dns 5
  compute: "2026-04-01", // @azure/arm-compute 25
  computeSkus: "2021-07-01", // @azure/arm-compute 25, resourceSkus (its own spec folder, Skus/stable/2021-07-01)
} as const;

export interface ArmOperation {
  /** What the engine does with it. */
  why: string;
  method: "GET" | "PUT" | "PATCH" | "POST" | "DELETE";
  /** Path template: `{}` stands for one segment (a name or id). Case-insensitive, as ARM. */
  path: string;
  /** Provider namespace and resource type, as GET /providers/{namespace} lists it. */
  provider: "Microsoft.Resources" | "Microsoft.Network" | "Microsoft.Compute";
  resourceType: string;
  /** The api-version the client sends; "service" for status URLs that Azure hands out (polled as given). */
  apiVersion: string;
  /** RBAC actions Azure checks for this request, linked access checks included. */
  actions: readonly string[];
  /** Why the emulator never sends this one although Azure may (then the lifecycle test does not expect it). */
  azureOnly?: string;
}

const SUB = "/subscriptions/{}";
const RG = `${SUB}/resourceGroups/{}`;
const NET = `${RG}/providers/Microsoft.Network`;
const CMP = `${RG}/providers/Microsoft.Compute`;
const { resources, network, dns, compute, computeSkus } = SDK_API_VERSIONS;

function networkType(
  resourceType: string,
  what: string,
  extra: { write?: readonly string[]; read?: readonly string[]; delete?: readonly string[] } = {},
): ArmOperation[] {
  const action = (verb: string) => `Microsoft.Network/${resourceType}/${verb}`;
  const base = { provider: "Microsoft.Network", resourceType, apiVersion: network } as const;
  return [
    {
      ...base,
      why: `list the ${what}s of a resource group`,
      method: "GET",
      path: `${NET}/${resourceType}`,
      actions: [action("read"), ...(extra.read ?? [])],
    },
    {
      ...base,
      why: `create or update a ${what}`,
      method: "PUT",
      path: `${NET}/${resourceType}/{}`,
      actions: [action("write"), ...(extra.write ?? [])],
    },
    {
      ...base,
      why: `read a ${what} after its long-running write`,
      method: "GET",
      path: `${NET}/${resourceType}/{}`,
      actions: [action("read"), ...(extra.read ?? [])],
    },
    {
      ...base,
      why: `delete a ${what}`,
      method: "DELETE",
      path: `${NET}/${resourceType}/{}`,
      actions: [action("delete"), ...(extra.delete ?? [])],
    },
  ];
}

export const ARM_OPERATIONS: readonly ArmOperation[] = [
  {
    why: "list the subscription's resource groups",
    method: "GET",
    path: `${SUB}/resourcegroups`,
    provider: "Microsoft.Resources",
    resourceType: "subscriptions/resourceGroups",
    apiVersion: resources,
    actions: ["Microsoft.Resources/subscriptions/resourceGroups/read"],
  },
  {
    why: "create a proxy's resource group",
    method: "PUT",
    path: `${SUB}/resourcegroups/{}`,
    provider: "Microsoft.Resources",
    resourceType: "subscriptions/resourceGroups",
    apiVersion: resources,
    actions: ["Microsoft.Resources/subscriptions/resourceGroups/write"],
  },
  {
    why: "find this owner's NSGs by their index tag (resource groups of removed proxies)",
    method: "GET",
    path: `${SUB}/resources`,
    provider: "Microsoft.Resources",
    resourceType: "subscriptions/resources",
    apiVersion: resources,
    actions: ["Microsoft.Resources/subscriptions/resources/read"],
  },
  {
    why: "read which api-versions the cloud offers, per provider",
    method: "GET",
    path: `${SUB}/providers/{}`,
    provider: "Microsoft.Resources",
    resourceType: "subscriptions/providers",
    apiVersion: resources,
    actions: ["Microsoft.Resources/subscriptions/providers/read"],
  },
  ...networkType("networkSecurityGroups", "network security group"),
  ...networkType("virtualNetworks", "virtual network", {
    // The subnet is written inline, and refers to the NSG.
    read: ["Microsoft.Network/virtualNetworks/subnets/read"],
    write: ["Microsoft.Network/virtualNetworks/subnets/write", "Microsoft.Network/networkSecurityGroups/join/action"],
    delete: ["Microsoft.Network/virtualNetworks/subnets/delete"],
  }),
  ...networkType("publicIPAddresses", "public IP address"),
  ...networkType("networkInterfaces", "network interface", {
    write: [
      "Microsoft.Network/virtualNetworks/subnets/join/action",
      "Microsoft.Network/publicIPAddresses/join/action",
      // A replica's ipconfigs join the load balancer's backend pools.
      "Microsoft.Network/loadBalancers/backendAddressPools/join/action",
    ],
  }),
  // A proxy with replicas. Its frontends use the public IPs: learn.microsoft.com/answers/questions/49223
  // (a load balancer PUT answered 403 until the role had publicIPAddresses/join/action).
  ...networkType("loadBalancers", "load balancer", { write: ["Microsoft.Network/publicIPAddresses/join/action"] }),
  {
    why: "ask a load balancer whether a replica is in rotation (drained before a replacement, healthy after)",
    method: "POST",
    path: `${NET}/loadBalancers/{}/loadBalancingRules/{}/health`,
    provider: "Microsoft.Network",
    resourceType: "loadBalancers",
    apiVersion: network,
    // "Get Health Details of Load Balancing Rule" (learn.microsoft.com/azure/role-based-access-control/permissions/networking).
    actions: ["Microsoft.Network/loadBalancers/loadBalancingRules/health/action"],
  },
  {
    why: "follow a network long-running operation",
    method: "GET",
    path: `${SUB}/providers/Microsoft.Network/locations/{}/operations/{}`,
    provider: "Microsoft.Network",
    resourceType: "locations/operations",
    apiVersion: "service",
    actions: ["Microsoft.Network/locations/operations/read"],
  },
  {
    why: "read the result of a network long-running operation",
    method: "GET",
    path: `${SUB}/providers/Microsoft.Network/locations/{}/operationResults/{}`,
    provider: "Microsoft.Network",
    resourceType: "locations/operationResults",
    apiVersion: "service",
    actions: ["Microsoft.Network/locations/operationResults/read"],
    azureOnly:
      "a network operation that hands out only a Location header (no Azure-AsyncOperation) is polled there; the emulator always sends both",
  },
  {
    why: "list a DNS zone's AAAA record sets",
    method: "GET",
    path: `${NET}/dnsZones/{}/AAAA`,
    provider: "Microsoft.Network",
    resourceType: "dnszones/AAAA",
    apiVersion: dns,
    // Microsoft's record-type-scoped custom role includes dnsZones/read (learn.microsoft.com/azure/dns/dns-protect-zones-recordsets).
    actions: ["Microsoft.Network/dnszones/AAAA/read", "Microsoft.Network/dnszones/read"],
  },
  {
    why: "read a DNS zone's nameServers, to ask them (not a cache) for its AAAA records when checking health",
    method: "GET",
    path: `${NET}/dnsZones/{}`,
    provider: "Microsoft.Network",
    resourceType: "dnszones",
    apiVersion: dns,
    actions: ["Microsoft.Network/dnszones/read"],
  },
  {
    why: "list a DNS zone's CNAME record sets (a CNAME blocks an AAAA record of the same name)",
    method: "GET",
    path: `${NET}/dnsZones/{}/CNAME`,
    provider: "Microsoft.Network",
    resourceType: "dnszones/CNAME",
    apiVersion: dns,
    actions: ["Microsoft.Network/dnszones/CNAME/read"],
  },
  {
    why: "create or update an AAAA record set (If-None-Match / If-Match)",
    method: "PUT",
    path: `${NET}/dnsZones/{}/AAAA/{}`,
    provider: "Microsoft.Network",
    resourceType: "dnszones/AAAA",
    apiVersion: dns,
    actions: ["Microsoft.Network/dnszones/AAAA/write"],
  },
  {
    why: "delete an AAAA record set (If-Match)",
    method: "DELETE",
    path: `${NET}/dnsZones/{}/AAAA/{}`,
    provider: "Microsoft.Network",
    resourceType: "dnszones/AAAA",
    apiVersion: dns,
    actions: ["Microsoft.Network/dnszones/AAAA/delete"],
  },
  {
    why: "list the VMs of a resource group",
    method: "GET",
    path: `${CMP}/virtualMachines`,
    provider: "Microsoft.Compute",
    resourceType: "virtualMachines",
    apiVersion: compute,
    actions: ["Microsoft.Compute/virtualMachines/read"],
  },
  {
    why: "read a VM (its userData, for the config diff; or after a long-running write)",
    method: "GET",
    path: `${CMP}/virtualMachines/{}`,
    provider: "Microsoft.Compute",
    resourceType: "virtualMachines",
    apiVersion: compute,
    actions: ["Microsoft.Compute/virtualMachines/read"],
  },
  {
    why: "create a VM on its network interface",
    method: "PUT",
    path: `${CMP}/virtualMachines/{}`,
    provider: "Microsoft.Compute",
    resourceType: "virtualMachines",
    apiVersion: compute,
    actions: ["Microsoft.Compute/virtualMachines/write", "Microsoft.Network/networkInterfaces/join/action"],
  },
  {
    why: "update a VM's userData, size and tags in place",
    method: "PATCH",
    path: `${CMP}/virtualMachines/{}`,
    provider: "Microsoft.Compute",
    resourceType: "virtualMachines",
    apiVersion: compute,
    actions: ["Microsoft.Compute/virtualMachines/write"],
  },
  {
    why: "delete a VM with its OS disk",
    method: "DELETE",
    path: `${CMP}/virtualMachines/{}`,
    provider: "Microsoft.Compute",
    resourceType: "virtualMachines",
    apiVersion: compute,
    actions: ["Microsoft.Compute/virtualMachines/delete", "Microsoft.Compute/disks/delete"],
  },
  {
    why: "list the availability sets of a resource group (replicas in a region without zones)",
    method: "GET",
    path: `${CMP}/availabilitySets`,
    provider: "Microsoft.Compute",
    resourceType: "availabilitySets",
    apiVersion: compute,
    actions: ["Microsoft.Compute/availabilitySets/read"],
  },
  {
    why: "create the availability set of a proxy's replicas",
    method: "PUT",
    path: `${CMP}/availabilitySets/{}`,
    provider: "Microsoft.Compute",
    resourceType: "availabilitySets",
    apiVersion: compute,
    actions: ["Microsoft.Compute/availabilitySets/write"],
  },
  {
    why: "delete the availability set of a proxy's replicas",
    method: "DELETE",
    path: `${CMP}/availabilitySets/{}`,
    provider: "Microsoft.Compute",
    resourceType: "availabilitySets",
    apiVersion: compute,
    actions: ["Microsoft.Compute/availabilitySets/delete"],
  },
  {
    why: "run the config apply script on a VM",
    method: "POST",
    path: `${CMP}/virtualMachines/{}/runCommand`,
    provider: "Microsoft.Compute",
    resourceType: "virtualMachines",
    apiVersion: compute,
    actions: ["Microsoft.Compute/virtualMachines/runCommand/action"],
  },
  {
    why: "read the region's VM sizes, when the plan creates, replaces or resizes a VM",
    method: "GET",
    path: `${SUB}/providers/Microsoft.Compute/skus`,
    provider: "Microsoft.Compute",
    resourceType: "skus",
    apiVersion: computeSkus,
    actions: ["Microsoft.Compute/skus/read"],
  },
  {
    why: "read the region's vCPU usages and quotas, when the plan creates, replaces or resizes a VM",
    method: "GET",
    path: `${SUB}/providers/Microsoft.Compute/locations/{}/usages`,
    provider: "Microsoft.Compute",
    resourceType: "locations/usages",
    apiVersion: compute,
    actions: ["Microsoft.Compute/locations/usages/read"],
  },
  {
    why: "read the sizes a VM can be resized to where it runs",
    method: "GET",
    path: `${CMP}/virtualMachines/{}/vmSizes`,
    provider: "Microsoft.Compute",
    resourceType: "virtualMachines",
    apiVersion: compute,
    actions: ["Microsoft.Compute/virtualMachines/vmSizes/read"],
  },
  {
    why: "deallocate a VM to resize it to a size its hardware does not offer",
    method: "POST",
    path: `${CMP}/virtualMachines/{}/deallocate`,
    provider: "Microsoft.Compute",
    resourceType: "virtualMachines",
    apiVersion: compute,
    actions: ["Microsoft.Compute/virtualMachines/deallocate/action"],
  },
  {
    why: "start a VM again after such a resize",
    method: "POST",
    path: `${CMP}/virtualMachines/{}/start`,
    provider: "Microsoft.Compute",
    resourceType: "virtualMachines",
    apiVersion: compute,
    actions: ["Microsoft.Compute/virtualMachines/start/action"],
  },
  {
    // Also the Location of a compute operation: Azure's is this URL with ?monitor=true, answering with the
    // result (a Run Command's output); the emulator does the same (src/emulator/lro.ts).
    why: "follow a compute long-running operation, and read its result",
    method: "GET",
    path: `${SUB}/providers/Microsoft.Compute/locations/{}/operations/{}`,
    provider: "Microsoft.Compute",
    resourceType: "locations/operations",
    apiVersion: "service",
    actions: ["Microsoft.Compute/locations/operations/read"],
  },
];
