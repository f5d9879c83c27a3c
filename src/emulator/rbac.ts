/**
 * Azure RBAC for the emulator: which ARM action each request needs, role
 * assignments per principal, ARM's 403 when one is missing, and the
 * permissions list a caller can read about itself. A principal without any
 * assignment is not checked at all (the emulator's default client behaves as
 * an Owner of everything, as before roles existed here).
 *
 * A request the engine sends needs the actions its row in ARM_OPERATIONS
 * lists, linked access checks included (a NIC PUT also needs join on the
 * subnet, public IPs and NSG it references). Any other request needs the
 * action derived from its path, as ARM names actions for every provider:
 * `{namespace}/{type}[/{child type}…]/{read|write|delete}`, or
 * `…/{name}/action` for a POST (learn.microsoft.com/azure/role-based-access-control/
 * resource-provider-operations).
 */
import { ARM_OPERATIONS } from "../model/arm-operations.js";
import { allowsAction, type RolePermission } from "../model/roles.js";
import type { EmuRequest, EmuResponse } from "./http.js";
import { ArmError } from "./http.js";
import type { Router } from "./router.js";

export interface RoleAssignment {
  /** An ARM scope: /subscriptions/{id} or /subscriptions/{id}/resourceGroups/{rg} (or deeper). */
  scope: string;
  permissions: RolePermission[];
}

const TABLE = ARM_OPERATIONS.map((op) => ({
  method: op.method,
  pattern: new RegExp(`^${op.path.replace(/[.]/g, "\\.").replace(/\{\}/g, "[^/]+")}/?$`, "i"),
  actions: op.actions,
}));

/** The actions Azure checks for a request: the first at the request's own scope, the rest linked. */
export function requiredActions(method: string, path: string): readonly string[] {
  const row = TABLE.find((r) => r.method === method.toUpperCase() && r.pattern.test(path));
  return row ? row.actions : [armActionOf(method, path)];
}

/** The action a request needs, e.g. PUT …/virtualMachines/vm → Microsoft.Compute/virtualMachines/write. */
export function armActionOf(method: string, path: string): string {
  const segments = path.split("/").filter(Boolean);
  // GET /subscriptions/{id}/providers/{namespace}: a provider's registration, a Microsoft.Resources read.
  if (segments.length === 4 && segments[2]?.toLowerCase() === "providers")
    return "Microsoft.Resources/subscriptions/providers/read";
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
   * missing resource still answers 403). The messages are ARM's own wording
   * (AuthorizationFailed: Azure/azure-cli#29802; LinkedAuthorizationFailed for
   * a referenced resource, e.g. subnets/join/action, as users report it).
   */
  authorize(principal: string, method: string, path: string): void {
    const list = this.assignments.get(principal);
    if (!list) return;
    const scope = path.replace(/\/+$/, "");
    const subscription = /^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? "";
    const granted = OPERATION_STATUS.test(scope)
      ? list.filter((a) => underScope(a.scope, subscription)).flatMap((a) => a.permissions)
      : this.permissionsAt(principal, scope);
    const [primary = "", ...linked] = requiredActions(method, path);
    if (!allowsAction(granted, primary)) {
      throw new ArmError(
        403,
        "AuthorizationFailed",
        `The client '${principal}' with object id '${principal}' does not have authorization to perform action '${primary}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      );
    }
    // Linked checks are made on the referenced resources; the emulator checks them at the request's
    // scope, which is where this tool's roles are assigned (subscription or resource group).
    const missing = linked.filter((a) => !allowsAction(granted, a));
    if (missing.length > 0) {
      throw new ArmError(
        403,
        "LinkedAuthorizationFailed",
        `The client '${principal}' with object id '${principal}' has permission to perform action '${primary}' on scope '${scope}'; however, it does not have permission to perform action(s) '${missing.join("', '")}' on the linked scope(s) '${scope}' (respectively) or the linked scope(s) are invalid.`,
      );
    }
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
  resourceExists: (id: string) => boolean,
): void {
  const permissionsBody = (principal: string | undefined, scope: string): EmuResponse => ({
    status: 200,
    body: {
      value: rbac.permissionsAt(principal ?? "", scope).map((p) => ({
        actions: [...p.actions],
        notActions: [...(p.notActions ?? [])],
        dataActions: [],
        notDataActions: [],
      })),
    },
  });
  // Permissions_ListForResource (same file of azure-rest-api-specs): "all permissions the caller has for a
  // resource", that is every assignment at the resource or above it. Served for DNS zones, where the README
  // has the roles assigned: an assignment on the zone does not show in its resource group's list.
  router.add(
    "GET",
    "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Network/dnszones/{zone}/providers/Microsoft.Authorization/permissions",
    (req: EmuRequest): EmuResponse => {
      const { sub = "", rg = "", zone = "" } = req.params;
      const scope = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/dnszones/${zone}`;
      if (!resourceExists(scope))
        throw new ArmError(
          404,
          "ResourceNotFound",
          `The Resource 'Microsoft.Network/dnszones/${zone}' under resource group '${rg}' was not found.`,
        );
      return permissionsBody(req.principal, scope);
    },
  );
  router.add(
    "GET",
    "/subscriptions/{sub}/resourcegroups/{rg}/providers/Microsoft.Authorization/permissions",
    (req: EmuRequest): EmuResponse => {
      const { sub = "", rg = "" } = req.params;
      if (!groupExists(sub, rg))
        throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${rg}' could not be found.`);
      return permissionsBody(req.principal, `/subscriptions/${sub}/resourceGroups/${rg}`);
    },
  );
}
