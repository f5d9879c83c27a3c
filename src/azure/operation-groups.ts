/**
 * The operation groups of the Azure SDK clients that the product uses. The
 * network and compute clients each carry over a hundred groups; the action
 * bundle keeps only these (scripts/build.mjs), which takes most of its size
 * away. A group missing here throws a clear error in the bundle, and
 * test/unit/operation-groups.test.ts fails when src/ uses one that is not listed.
 */
export const BUNDLED_OPERATION_GROUPS = {
  network: [
    "networkSecurityGroups",
    "virtualNetworks",
    "publicIPAddresses",
    "networkInterfaces",
    "loadBalancers",
    "loadBalancerLoadBalancingRules",
  ],
  compute: ["virtualMachines", "availabilitySets", "resourceSkus", "usage"],
} as const;
