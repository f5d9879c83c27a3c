/**
 * The two Azure roles this tool ships, and how to read a role's permissions.
 *
 * - **Apply** (role.json): every ARM action the engine calls, reads and writes.
 * - **Plan** (role-plan.json): the reads of the apply role, plus listing the
 *   caller's own permissions, and nothing that writes, deletes or runs a
 *   command. A pull request can change the workflow its plan job runs, so the
 *   plan job's identity must be harmless in anyone's hands.
 *
 * This module is the one home of both lists; `npm run roles` writes the JSON
 * files (`az role definition create --role-definition role.json` takes them
 * as they are) and a test fails when they are stale.
 *
 * Action strings follow Azure RBAC: `{namespace}/{type}[/{type}…]/{read|write|delete|…/action}`,
 * compared without regard to case, `*` matching any run of characters
 * (learn.microsoft.com/azure/role-based-access-control/role-definitions, "Actions").
 */

/** Groups of actions; role.json shows each group as a block. */
export const APPLY_ACTION_GROUPS: readonly (readonly string[])[] = [
  [
    "Microsoft.Resources/subscriptions/resourceGroups/read",
    "Microsoft.Resources/subscriptions/resourceGroups/write",
    "Microsoft.Resources/subscriptions/resources/read",
    "Microsoft.Resources/subscriptions/resourceGroups/resources/read",
  ],
  [
    "Microsoft.Network/virtualNetworks/read",
    "Microsoft.Network/virtualNetworks/write",
    "Microsoft.Network/virtualNetworks/delete",
    "Microsoft.Network/virtualNetworks/subnets/read",
    "Microsoft.Network/virtualNetworks/subnets/write",
    "Microsoft.Network/virtualNetworks/subnets/delete",
    "Microsoft.Network/virtualNetworks/subnets/join/action",
    "Microsoft.Network/networkSecurityGroups/read",
    "Microsoft.Network/networkSecurityGroups/write",
    "Microsoft.Network/networkSecurityGroups/delete",
    "Microsoft.Network/networkSecurityGroups/join/action",
    "Microsoft.Network/publicIPAddresses/read",
    "Microsoft.Network/publicIPAddresses/write",
    "Microsoft.Network/publicIPAddresses/delete",
    "Microsoft.Network/publicIPAddresses/join/action",
    "Microsoft.Network/networkInterfaces/read",
    "Microsoft.Network/networkInterfaces/write",
    "Microsoft.Network/networkInterfaces/delete",
    "Microsoft.Network/networkInterfaces/join/action",
    "Microsoft.Network/locations/operations/read",
    "Microsoft.Network/locations/operationResults/read",
  ],
  [
    "Microsoft.Compute/virtualMachines/read",
    "Microsoft.Compute/virtualMachines/write",
    "Microsoft.Compute/virtualMachines/delete",
    "Microsoft.Compute/virtualMachines/runCommand/action",
    "Microsoft.Compute/disks/delete",
    "Microsoft.Compute/locations/operations/read",
  ],
  [
    "Microsoft.Network/dnszones/read",
    "Microsoft.Network/dnszones/AAAA/read",
    "Microsoft.Network/dnszones/AAAA/write",
    "Microsoft.Network/dnszones/AAAA/delete",
    "Microsoft.Network/dnszones/CNAME/read",
  ],
];

/**
 * Reads only the plan needs: the plan job warns when its identity can write,
 * by listing its own permissions (GET …/providers/Microsoft.Authorization/permissions,
 * which needs this action: learn.microsoft.com/rest/api/authorization/permissions/list-for-resource-group).
 */
export const PLAN_ONLY_READS: readonly string[] = ["Microsoft.Authorization/permissions/read"];

export const APPLY_ACTIONS: readonly string[] = APPLY_ACTION_GROUPS.flat();

/** `…/read` is the only verb that changes nothing; write, delete and every `…/action` (Run Command!) do. */
export function isReadAction(action: string): boolean {
  return /\/read$/i.test(action);
}

export const PLAN_ACTION_GROUPS: readonly (readonly string[])[] = [
  ...APPLY_ACTION_GROUPS.map((group) => group.filter(isReadAction)).filter((group) => group.length > 0),
  PLAN_ONLY_READS,
];

/** The apply role's actions that change something: what the plan identity must not hold. */
export const WRITE_ACTIONS: readonly string[] = APPLY_ACTIONS.filter((a) => !isReadAction(a));

/** One entry of a role definition's (or of ARM's permissions list's) `permissions`. */
export interface RolePermission {
  actions: readonly string[];
  notActions?: readonly string[];
}

function patternMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "i").test(action);
}

/**
 * Whether `permissions` allow `action`: some entry lists it in `actions` and
 * does not take it back in its own `notActions`. Entries are granted
 * independently, as roles are (role-definitions, "NotActions").
 */
export function allowsAction(permissions: readonly RolePermission[], action: string): boolean {
  return permissions.some(
    (p) =>
      p.actions.some((a) => patternMatches(a, action)) && !(p.notActions ?? []).some((n) => patternMatches(n, action)),
  );
}

export type RoleKind = "apply" | "plan";

/** The role definition file, in the format `az role definition create --role-definition` reads. */
export function roleDefinitionJson(kind: RoleKind): string {
  const name = kind === "apply" ? "Azure IPv6 proxy operator" : "Azure IPv6 proxy planner";
  const description =
    kind === "apply"
      ? "Least privilege for azure-ipv6-proxy's apply job: read resource groups and the resources list, manage the proxy's VNet, NSG, public IPs, NIC and VM (including Run Command and the OS disk), read and write AAAA record sets in existing DNS zones (and read CNAMEs there), and follow the status of its own long-running operations (locations/operations). It cannot delete resource groups, create DNS zones, or touch other record types."
      : "Read-only role for azure-ipv6-proxy's plan job on pull requests: everything the plan reads, and the caller's own permissions (to warn when the plan identity could write). Nothing that writes, deletes or runs a command.";
  const groups = kind === "apply" ? APPLY_ACTION_GROUPS : PLAN_ACTION_GROUPS;
  const actions = groups.map((group) => group.map((a) => `    ${JSON.stringify(a)}`).join(",\n")).join(",\n\n");
  return [
    "{",
    `  "Name": ${JSON.stringify(name)},`,
    `  "IsCustom": true,`,
    `  "Description": ${JSON.stringify(description)},`,
    `  "Actions": [\n${actions}\n  ],`,
    `  "NotActions": [],`,
    `  "DataActions": [],`,
    `  "NotDataActions": [],`,
    `  "AssignableScopes": ["/subscriptions/00000000-0000-0000-0000-000000000000"]`,
    "}",
    "",
  ].join("\n");
}

export const ROLE_FILES: Record<RoleKind, string> = { apply: "role.json", plan: "role-plan.json" };
