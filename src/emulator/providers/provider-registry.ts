/**
 * GET /subscriptions/{id}/providers/{namespace}: the resource types of a
 * provider and the api-versions each one accepts (azure-rest-api-specs,
 * Microsoft.Resources resources.json, Providers_Get; example GetProvider.json).
 * And the rule that goes with it: a request whose api-version its resource type
 * does not offer fails with 400 NoRegisteredProviderFound, whose message lists
 * the versions that are offered (the wording of real answers quoted in
 * Azure/azure-cli#28496 and Azure/azure-rest-api-specs#18857). Sovereign clouds
 * get new api-versions months after the public cloud (Azure/azure-cli#23985),
 * which tests play by narrowing a type's list (Emulator.offerApiVersions).
 *
 * By default every type offers the version the SDK packages pin (see
 * model/arm-operations.ts) and older stable versions from the specs' folders.
 */
import type { Provider } from "@azure/arm-resources";
import type { EmuRequest, EmuResponse } from "../http.js";
import { ArmError } from "../http.js";

type Namespace = "Microsoft.Resources" | "Microsoft.Network" | "Microsoft.Compute";

const RESOURCES = ["2025-04-01", "2024-03-01", "2021-04-01"];
const NETWORK = ["2026-01-01", "2024-07-01", "2024-05-01"];
const COMPUTE = ["2026-04-01", "2024-07-01", "2024-03-01"];
const DNS = ["2018-05-01", "2017-10-01"];

const DEFAULT_TYPES: Record<Namespace, Record<string, string[]>> = {
  "Microsoft.Resources": {
    "subscriptions/resourceGroups": RESOURCES,
    "subscriptions/resources": RESOURCES,
    "subscriptions/providers": RESOURCES,
  },
  "Microsoft.Network": {
    networkSecurityGroups: NETWORK,
    virtualNetworks: NETWORK,
    publicIPAddresses: NETWORK,
    networkInterfaces: NETWORK,
    loadBalancers: NETWORK,
    dnszones: DNS,
    "dnszones/AAAA": DNS,
    "dnszones/CNAME": DNS,
  },
  "Microsoft.Compute": {
    virtualMachines: COMPUTE,
    availabilitySets: COMPUTE,
    // Resource SKUs have their own spec folder (Microsoft.Compute/Skus/stable/2021-07-01).
    skus: ["2021-07-01", "2019-04-01"],
    "locations/usages": COMPUTE,
  },
};

export class ProviderRegistry {
  private readonly types = new Map<string, { namespace: Namespace; resourceType: string; versions: string[] }>();

  constructor() {
    for (const [namespace, types] of Object.entries(DEFAULT_TYPES) as [Namespace, Record<string, string[]>][]) {
      for (const [resourceType, versions] of Object.entries(types)) this.offer(namespace, resourceType, versions);
    }
  }

  /** Sets the api-versions a resource type offers (newest first, as Azure lists them). */
  offer(namespace: string, resourceType: string, versions: string[]): void {
    const key = `${namespace}/${resourceType}`.toLowerCase();
    const known = this.types.get(key);
    this.types.set(key, {
      namespace: (known?.namespace ?? namespace) as Namespace,
      resourceType: known?.resourceType ?? resourceType,
      versions: [...versions],
    });
  }

  provider(sub: string, namespace: string): EmuResponse {
    const types = [...this.types.values()].filter((t) => t.namespace.toLowerCase() === namespace.toLowerCase());
    if (types.length === 0) {
      throw new ArmError(404, "InvalidResourceNamespace", `The resource namespace '${namespace}' is invalid.`);
    }
    const name = types[0]!.namespace;
    const body: Provider = {
      id: `/subscriptions/${sub}/providers/${name}`,
      namespace: name,
      registrationState: "Registered",
      registrationPolicy: "RegistrationRequired",
      resourceTypes: types.map((t) => ({
        resourceType: t.resourceType,
        locations: [],
        apiVersions: t.versions,
        capabilities: "None",
      })),
    };
    return { status: 200, body };
  }

  /**
   * The provider resource type a request path addresses, when the registry
   * knows it: `…/providers/{ns}/{type}/{name}/{child}/{name}` → `{type}/{child}`;
   * a trailing segment that is no child type is an action on its parent
   * (`virtualMachines/{vm}/runCommand` → virtualMachines). Long-running-operation
   * status URLs are handed out by the service and not checked.
   */
  typeOf(path: string): { namespace: string; resourceType: string; versions: string[] } | undefined {
    const parts = path.split("/").filter(Boolean);
    if (parts[0]?.toLowerCase() !== "subscriptions") return undefined;
    const first = parts.findIndex((s) => s.toLowerCase() === "providers");
    // An extension resource (`{resource}/providers/{ns}/{type}`, e.g. a DNS zone's
    // providers/Microsoft.Authorization/permissions) belongs to the last provider in the path, and its
    // api-version is that provider's (2022-04-01 for Permissions_ListForResource in azure-rest-api-specs
    // authorization/…/authorization-RoleDefinitionsCalls.json, while dnszones offers 2018-05-01).
    const p = first > 2 ? parts.map((s) => s.toLowerCase()).lastIndexOf("providers") : first;
    let namespace: string;
    let typeParts: string[];
    if (p < 0) {
      // /subscriptions/{s}/resourcegroups[/{rg}] and /subscriptions/{s}/resources
      namespace = "Microsoft.Resources";
      typeParts = [`subscriptions/${parts[2] ?? ""}`];
    } else if (p === 2) {
      // /subscriptions/{s}/providers/{ns}: the provider itself; below it subscription-level types
      // (skus, locations/usages). Operation status URLs (locations/operations) are not in the registry.
      if (parts.length === 4) return this.lookup("Microsoft.Resources", "subscriptions/providers");
      namespace = parts[3] ?? "";
      typeParts = parts.slice(4).filter((_, i) => i % 2 === 0);
    } else {
      namespace = parts[p + 1] ?? "";
      const rest = parts.slice(p + 2);
      typeParts = rest.filter((_, i) => i % 2 === 0);
    }
    for (let n = typeParts.length; n > 0; n--) {
      const found = this.lookup(namespace, typeParts.slice(0, n).join("/"));
      if (found) return found;
    }
    return undefined;
  }

  private lookup(namespace: string, resourceType: string) {
    return this.types.get(`${namespace}/${resourceType}`.toLowerCase());
  }

  /** ARM's api-version check, for the resource types the registry knows. */
  check(req: EmuRequest): void {
    const type = this.typeOf(req.url.pathname);
    const version = req.url.searchParams.get("api-version") ?? "";
    if (!type || type.versions.includes(version)) return;
    throw new ArmError(
      400,
      "NoRegisteredProviderFound",
      `No registered resource provider found for location '${locationOf(req)}' and API version '${version}' for type '${type.resourceType}'. ` +
        `The supported api-versions are '${type.versions.join(", ")}'.`,
    );
  }
}

/** The location in ARM's message: the one the request body names, else "global" (the emulator does not look the region up). */
function locationOf(req: EmuRequest): string {
  try {
    const body = JSON.parse(req.rawBody || "{}") as { location?: unknown };
    return typeof body.location === "string" ? body.location : "global";
  } catch {
    return "global";
  }
}
