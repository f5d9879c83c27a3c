/**
 * The caller's own Azure permissions at a resource group, or at a resource in it:
 * `GET /subscriptions/{s}/resourcegroups/{rg}[/providers/{ns}/{type}/{name}]/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`
 * → `{value: [{actions, notActions, dataActions, notDataActions}], nextLink}`
 * (azure-rest-api-specs authorization/…/stable/2022-04-01/authorization-RoleDefinitionsCalls.json,
 * Permissions_ListForResourceGroup and Permissions_ListForResource; both need
 * Microsoft.Authorization/permissions/read). A role assigned on a resource (a DNS zone) shows only in
 * that resource's list, not in its resource group's.
 *
 * One call does not justify another SDK package: it goes through the pipeline
 * of the resources client the engine already has (bearer token for the
 * cloud's audience, retries, the TLS agent), as a plain request.
 */
import { createDefaultHttpClient, createPipelineRequest, type HttpClient } from "@azure/core-rest-pipeline";
import { allowsAction, type RolePermission, WRITE_ACTIONS } from "../model/roles.js";
import { type AzureClients, type AzureConnection, createAzureClients } from "./clients.js";

const PERMISSIONS_API_VERSION = "2022-04-01";

/** ARM answered with an error; `code` is ARM's (AuthorizationFailed, ResourceGroupNotFound, …). */
class PermissionsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "PermissionsError";
  }
}

let httpClient: HttpClient | undefined;

export async function listPermissions(
  clients: AzureClients,
  resourceManagerEndpoint: string,
  subscriptionId: string,
  resourceGroup: string,
  /** A resource in the group, `{namespace}/{type}/{name}` (e.g. `Microsoft.Network/dnszones/example.nl`). */
  resource?: string,
): Promise<RolePermission[]> {
  const base = resourceManagerEndpoint.replace(/\/+$/, "");
  const at = resource ? `/providers/${resource.split("/").map(encodeURIComponent).join("/")}` : "";
  let url: string | undefined =
    `${base}/subscriptions/${encodeURIComponent(subscriptionId)}/resourcegroups/${encodeURIComponent(resourceGroup)}` +
    `${at}/providers/Microsoft.Authorization/permissions?api-version=${PERMISSIONS_API_VERSION}`;
  const out: RolePermission[] = [];
  // Pages are few (one per role assignment at most); the cap stops a nextLink loop.
  for (let page = 0; url && page < 20; page++) {
    httpClient ??= createDefaultHttpClient();
    const response = await clients.resources.pipeline.sendRequest(
      httpClient,
      createPipelineRequest({ url, method: "GET" }),
    );
    const body = parse(response.bodyAsText ?? undefined);
    if (response.status >= 400) {
      const error = (body?.error ?? {}) as { code?: unknown; message?: unknown };
      throw new PermissionsError(
        response.status,
        typeof error.code === "string" ? error.code : `HTTP ${response.status}`,
        typeof error.message === "string" ? error.message : `HTTP ${response.status}`,
      );
    }
    for (const p of Array.isArray(body?.value) ? body.value : []) {
      const entry = p as { actions?: unknown; notActions?: unknown };
      out.push({ actions: strings(entry.actions), notActions: strings(entry.notActions) });
    }
    url = typeof body?.nextLink === "string" && body.nextLink.startsWith(base) ? body.nextLink : undefined;
  }
  return out;
}

function parse(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text ?? "");
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** A resource group (or a resource in it) the plan reads. */
export interface ReadScope {
  subscriptionId: string;
  resourceGroup: string;
  /** `{namespace}/{type}/{name}` of a resource in the group; the group itself when absent. */
  resource?: string | undefined;
}

/** A scope the plan reads, and what the caller may change there. */
export type ScopeAccess = ReadScope & ({ writes: string[] } | { error: PermissionsError | Error });

/**
 * For each resource group, the actions of the apply role (src/model/roles.ts)
 * the caller holds there that change something. Never throws: a failed
 * lookup comes back as `error` for that scope.
 */
export async function writeAccess(connection: AzureConnection, scopes: ReadScope[]): Promise<ScopeAccess[]> {
  const clients = new Map<string, AzureClients>();
  const clientsFor = (sub: string): AzureClients => {
    const known = clients.get(sub);
    if (known) return known;
    const created = createAzureClients(connection, sub);
    clients.set(sub, created);
    return created;
  };
  return Promise.all(
    scopes.map(async (scope): Promise<ScopeAccess> => {
      try {
        const permissions = await listPermissions(
          clientsFor(scope.subscriptionId),
          connection.resourceManagerEndpoint,
          scope.subscriptionId,
          scope.resourceGroup,
          scope.resource,
        );
        return { ...scope, writes: WRITE_ACTIONS.filter((a) => allowsAction(permissions, a)) };
      } catch (e) {
        return { ...scope, error: e instanceof Error ? e : new Error(String(e)) };
      }
    }),
  );
}
