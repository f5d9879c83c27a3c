/**
 * Microsoft.Resources: resource groups, and the generic resource list with
 * ARM's `$filter` (tagName/tagValue, resourceType, name, location) that the
 * engine uses to find what it owns across a subscription.
 */

import type { ResourceGroup } from "@azure/arm-resources";
import { resourceGroupId } from "../../model/arm-id.js";
import type { EmuRequest, Json } from "../http.js";
import { ArmError, badRequest, deepCopy, isObject, normalizeLocation } from "../http.js";
import { pagedList } from "../paging.js";
import type { Router } from "../router.js";
import type { StoredResource } from "../store.js";
import type { World } from "../world.js";
import { acceptAsync, requireGroup, tagsOf } from "../world.js";
import { References, TYPES } from "./network-refs.js";

const RG_TYPE = "Microsoft.Resources/resourceGroups";

export function createGroup(
  world: World,
  sub: string,
  rg: string,
  location: string,
  tags?: Record<string, string>,
): ResourceGroup {
  const existing = world.store.getGroup(sub, rg);
  const body: ResourceGroup = {
    id: resourceGroupId(sub, existing?.name ?? rg),
    name: existing?.name ?? rg,
    type: RG_TYPE,
    location: normalizeLocation(location),
    ...(tags ? { tags } : {}),
    properties: { provisioningState: "Succeeded" },
  };
  world.store.putGroup(sub, rg, body);
  return body;
}

function checkGroupName(name: string): void {
  if (name.length > 90 || !/^[-\w._()]+$/.test(name) || name.endsWith(".")) {
    throw badRequest(
      "InvalidResourceGroupName",
      `Resource group name '${name}' is invalid. It can be up to 90 characters of letters, digits, underscores, parentheses, hyphens and periods, and cannot end with a period.`,
    );
  }
}

export function registerResources(router: Router, world: World): void {
  const one = "/subscriptions/{sub}/resourceGroups/{rg}";
  router.add("PUT", one, (req) => {
    checkGroupName(req.params.rg!);
    const input: Json = isObject(req.body) ? req.body : {};
    const existing = world.store.getGroup(req.params.sub!, req.params.rg!);
    if (typeof input.location !== "string" || !input.location)
      throw badRequest("LocationRequired", "The location property is required for this definition.");
    if (existing && existing.location !== normalizeLocation(input.location)) {
      throw new ArmError(
        409,
        "InvalidResourceGroupLocation",
        `Invalid resource group location '${normalizeLocation(input.location)}'. The Resource group already exists in location '${existing.location}'.`,
      );
    }
    const body = createGroup(world, req.params.sub!, req.params.rg!, input.location, tagsOf(input));
    return { status: existing ? 200 : 201, body };
  });
  router.add("GET", one, (req) => ({ status: 200, body: deepCopy(requireGroup(world, req)) }));
  router.add("HEAD", one, (req) => ({ status: world.store.getGroup(req.params.sub!, req.params.rg!) ? 204 : 404 }));
  router.add("PATCH", one, (req) => {
    const group = requireGroup(world, req);
    const tags = tagsOf(isObject(req.body) ? req.body : {});
    if (tags) group.tags = tags;
    return { status: 200, body: deepCopy(group) };
  });
  router.add("DELETE", one, (req) => {
    const group = world.store.getGroup(req.params.sub!, req.params.rg!);
    if (!group)
      throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${req.params.rg}' could not be found.`);
    return acceptAsync(
      world,
      req,
      {
        location: group.location,
        namespace: "Microsoft.Resources",
        resourceId: group.id,
        onSucceeded: () => world.store.deleteGroup(req.params.sub!, req.params.rg!),
      },
      { status: 202, locationOnly: true },
    );
  });
  router.add("GET", "/subscriptions/{sub}/resourceGroups", (req) => {
    const filter = parseFilter(req.url.searchParams.get("$filter"));
    const groups = world.store
      .listGroups(req.params.sub!)
      .filter((g) => matches(filter, g.tags, { name: g.name, location: g.location }));
    return pagedList(req, groups, world.pageSize(), (g) => deepCopy(g));
  });

  router.add("GET", "/subscriptions/{sub}/resources", (req) => listGeneric(world, req));
  router.add("GET", "/subscriptions/{sub}/resourceGroups/{rg}/resources", (req) => {
    requireGroup(world, req);
    return listGeneric(world, req, req.params.rg);
  });
}

interface Clause {
  field: string;
  value: string;
}

/** Parses `field eq 'value' and …`; ARM does not allow tag filters next to other filters. */
function parseFilter(filter: string | null): Clause[] {
  if (!filter) return [];
  const clauses = filter.split(/\s+and\s+/i).map((part) => {
    const m = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(part);
    if (!m)
      throw badRequest("InvalidFilterInQueryString", `Invalid $filter '${filter}' specified in the query string.`);
    return { field: m[1]!.toLowerCase(), value: m[2]!.replace(/''/g, "'") };
  });
  const known = ["tagname", "tagvalue", "resourcetype", "name", "location", "resourcegroup"];
  const unknown = clauses.find((c) => !known.includes(c.field));
  if (unknown)
    throw badRequest(
      "InvalidFilterInQueryString",
      `Invalid $filter '${filter}': unsupported field '${unknown.field}'.`,
    );
  const tagged = clauses.some((c) => c.field.startsWith("tag"));
  if (tagged && clauses.some((c) => !c.field.startsWith("tag"))) {
    throw badRequest("InvalidFilterInQueryString", "The $filter cannot combine tag filters with other filters.");
  }
  if (clauses.some((c) => c.field === "tagvalue") && !clauses.some((c) => c.field === "tagname")) {
    throw badRequest("InvalidFilterInQueryString", "A tagValue filter needs a tagName filter.");
  }
  return clauses;
}

function matches(clauses: Clause[], tags: Record<string, string> | undefined, fields: Record<string, string>): boolean {
  const tagName = clauses.find((c) => c.field === "tagname")?.value;
  const tagValue = clauses.find((c) => c.field === "tagvalue")?.value;
  if (tagName !== undefined) {
    // Tag names compare without case, tag values with it.
    const entry = Object.entries(tags ?? {}).find(([k]) => k.toLowerCase() === tagName.toLowerCase());
    if (!entry || (tagValue !== undefined && entry[1] !== tagValue)) return false;
  }
  return clauses
    .filter((c) => !c.field.startsWith("tag"))
    .every(
      (c) =>
        (
          fields[c.field === "resourcetype" ? "type" : c.field === "resourcegroup" ? "resourceGroup" : c.field] ?? ""
        ).toLowerCase() === c.value.toLowerCase(),
    );
}

/** The generic view ARM's resource list gives: identity fields only, no properties. */
function generic(world: World, refs: References, r: StoredResource): Json {
  world.store.work.resourcesPresented++;
  const b = r.body;
  const out: Json = { id: r.id, name: r.name, type: r.type, location: b.location };
  for (const k of ["tags", "sku", "kind", "zones", "identity", "plan"]) if (b[k] !== undefined) out[k] = deepCopy(b[k]);
  const managedBy = r.type.toLowerCase() === TYPES.disk.toLowerCase() ? refs.vmUsingDisk(r.id) : b.managedBy;
  if (managedBy) out.managedBy = managedBy;
  return out;
}

function listGeneric(world: World, req: EmuRequest, resourceGroup?: string) {
  const filter = parseFilter(req.url.searchParams.get("$filter"));
  const items = world.store
    .all()
    .filter((r) => r.subscriptionId.toLowerCase() === req.params.sub!.toLowerCase())
    .filter((r) => resourceGroup === undefined || r.resourceGroup.toLowerCase() === resourceGroup.toLowerCase())
    // Top-level resources only: DNS record sets, subnets and the like are not listed.
    .filter((r) => r.type.split("/").length === 2)
    .filter((r) =>
      matches(filter, r.body.tags, {
        type: r.type,
        name: r.name,
        location: String(r.body.location ?? ""),
        resourceGroup: r.resourceGroup,
      }),
    );
  const refs = new References(world.store);
  return pagedList(req, items, world.pageSize(), (r) => generic(world, refs, r));
}
