/**
 * The two Azure roles this tool ships, and how to read a role's permissions.
 *
 * - **Apply** (role.json): every ARM action the engine calls, reads and writes.
 * - **Plan** (role-plan.json): the reads of the apply role, plus listing the
 *   caller's own permissions, and nothing that writes, deletes or runs a
 *   command. A pull request can change the workflow its plan job runs, so the
 *   plan job's identity must be harmless in anyone's hands.
 *
 * The actions come from the one table of the engine's requests
 * (model/arm-operations.ts); tests hold both files to it.
 *
 * Action strings follow Azure RBAC: `{namespace}/{type}[/{type}…]/{read|write|delete|…/action}`,
 * compared without regard to case, `*` matching any run of characters
 * (learn.microsoft.com/azure/role-based-access-control/role-definitions, "Actions").
 */
import { ARM_OPERATIONS } from "./arm-operations.js";

/**
 * Reads only the plan needs: the plan job warns when its identity can write,
 * by listing its own permissions (GET …/providers/Microsoft.Authorization/permissions,
 * which needs this action: learn.microsoft.com/rest/api/authorization/permissions/list-for-resource-group).
 * The engine never sends that request, so it is not in ARM_OPERATIONS.
 */
const PLAN_ONLY_READS: readonly string[] = ["Microsoft.Authorization/permissions/read"];

/** Every action the engine's requests need (ARM_OPERATIONS), once each, in the table's order: role.json. */
export const APPLY_ACTIONS: readonly string[] = [
  ...new Map(ARM_OPERATIONS.flatMap((op) => op.actions).map((a) => [a.toLowerCase(), a])).values(),
];

/** `…/read` is the only verb that changes nothing; write, delete and every `…/action` (Run Command!) do. */
export function isReadAction(action: string): boolean {
  return /\/read$/i.test(action);
}

/** role-plan.json: every read of the apply role, and listing one's own permissions. */
export const PLAN_ACTIONS: readonly string[] = [...APPLY_ACTIONS.filter(isReadAction), ...PLAN_ONLY_READS];

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

export const ROLE_FILES: Record<RoleKind, string> = { apply: "role.json", plan: "role-plan.json" };
