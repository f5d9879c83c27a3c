/**
 * Azure RBAC for the emulator: which ARM action each request needs, role
 * assignments per principal, ARM's 403 when one is missing, and the
 * permissions list a caller can read about itself. A principal without any
 * assignment is not checked at all (the emulator's default client behaves as
 * an Owner of everything, as before roles existed here).
 *
 * The action is derived from the request, as ARM does for every provider:
 * `{namespace}/{type}[/{child type}…]/{read|write|delete}`, or
 * `…/{name}/action` for a POST (learn.microsoft.com/azure/role-based-access-control/
 * resource-provider-operations). New routes are covered without a table.
 */
import { allowsAction, type RolePermission } from "../model/roles.js";
import type { EmuRequest, EmuResponse } from "./http.js";
import { ArmError } from "./http.js";
import type { Router } from "./router.js";

export interface RoleAssignment {
  /** An ARM scope: /subscriptions/{id} or /subscriptions/{id}/resourceGroups/{rg} (or deeper). */
  scope: string;
  permissions: RolePermission[];
}

/** The action a request needs, e.g. PUT …/virtualMachines/vm → Microsoft.Compute/virtualMachines/write. */
export function armActionOf(method: string, path: string): string {
  const segments = path.split("/").filter(Boolean);
  const last = segments.map((s) => s.toLowerCase()).lastIndexOf("providers");
  // Without a provider segment the path is Microsoft.Resources' own: subscriptions, resourceGroups, resources.
  const provider = last >= 0 ? segments[last + 1] : undefined;
  const [namespace, rest] = provider ? [provider, segments.slice(last + 2)] : ["Microsoft.Resources", segments];
  const types = rest
    .filter((_, i) => i % 2 === 0)
    .map((t) => (t.toLowerCase() === "resourcegroups" ? "resourceGroups" : t));
  const upper = method.toUpperCase();
  if (upper === "POST") return [namespace, ...types, "action"].join("/");
  const verb = upper === "GET" || upper === "HEAD" ? "read" : upper === "DELETE" ? "delete" : "write";
  return [namespace, ...types, verb].join("/");
}

const underScope = (path: string, scope: string): boolean => {
  const p = path.toLowerCase();
  const s = scope.toLowerCase().replace(/\/+$/, "");
  return p === s || p.startsWith(`${s}/`);
};

/**
 * Status reads of long-running operations (…/locations/{loc}/operations/{id},
 * …/operationResults/{id}) sit outside any resource group, yet Azure lets a
 * caller with rights on the resource group follow its own operations
 * (learn.microsoft.com/azure/azure-resource-manager/management/async-operations,
 * "Permission for tracking async status"; MicrosoftDocs/azure-docs#111535).
 * The emulator grants them to a principal that holds the action at any scope
 * of the subscription. (Azure also ties them to the original caller; not modelled.)
 */
const OPERATION_STATUS =
  /^\/subscriptions\/[^/]+\/providers\/[^/]+\/locations\/[^/]+\/(operations|operationResults)\//i;

export class Rbac {
  private readonly assignments = new Map<string, RoleAssignment[]>();

  /** Grants `permissions` to `principal` (a client id) at `scope`. */
  assign(principal: string, scope: string, permissions: RolePermission[]): void {
    const list = this.assignments.get(principal) ?? [];
    list.push({ scope, permissions });
    this.assignments.set(principal, list);
  }

  /** The permissions that apply to `principal` at `scope`: every assignment at or above it. */
  permissionsAt(principal: string, scope: string): RolePermission[] {
    const list = this.assignments.get(principal);
    if (!list) return [{ actions: ["*"], notActions: [] }];
    return list.filter((a) => underScope(scope, a.scope)).flatMap((a) => a.permissions);
  }

  /**
   * ARM's authorization check, made before the provider sees the request (so a
   * missing resource still answers 403). The message is ARM's own wording
   * (e.g. Azure/azure-cli#29802).
   */
  authorize(principal: string, method: string, path: string): void {
    const list = this.assignments.get(principal);
    if (!list) return;
    const action = armActionOf(method, path);
    const scope = path.replace(/\/+$/, "");
    const subscription = /^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? "";
    const candidates = OPERATION_STATUS.test(scope)
      ? list.filter((a) => underScope(a.scope, subscription)).flatMap((a) => a.permissions)
      : this.permissionsAt(principal, scope);
    if (allowsAction(candidates, action)) return;
    throw new ArmError(
      403,
      "AuthorizationFailed",
      `The client '${principal}' with object id '${principal}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }
}

/**
 * GET …/resourcegroups/{rg}/providers/Microsoft.Authorization/permissions:
 * the caller's own permissions there, `{value: [{actions, notActions,
 * dataActions, notDataActions}], nextLink?}` (azure-rest-api-specs,
 * authorization/…/stable/2022-04-01/authorization-RoleDefinitionsCalls.json,
 * Permissions_ListForResourceGroup). Reading it takes
 * Microsoft.Authorization/permissions/read, checked like any other action.
 */
export function registerPermissions(
  router: Router,
  rbac: Rbac,
  groupExists: (sub: string, rg: string) => boolean,
): void {
  router.add(
    "GET",
    "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Authorization/permissions",
    (req: EmuRequest): EmuResponse => {
      const { sub = "", rg = "" } = req.params;
      if (!groupExists(sub, rg))
        throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${rg}' could not be found.`);
      const scope = `/subscriptions/${sub}/resourceGroups/${rg}`;
      return {
        status: 200,
        body: {
          value: rbac.permissionsAt(req.principal ?? "", scope).map((p) => ({
            actions: [...p.actions],
            notActions: [...(p.notActions ?? [])],
            dataActions: [],
            notDataActions: [],
          })),
        },
      };
    },
  );
}
