/**
 * Microsoft.Network: virtual networks (subnets inline), network security
 * groups, public IP addresses and network interfaces. Writes and deletes are
 * long-running operations; tag updates (PATCH) answer at once, as in Azure.
 */

import { sameArmId } from "../../model/arm-id.js";
import type { EmuRequest, EmuResponse, Json } from "../http.js";
import { badRequest, deepCopy, isObject, newGuid, weakEtag } from "../http.js";
import { pagedList } from "../paging.js";
import type { Router } from "../router.js";
import { buildNicProperties, buildPublicIp } from "../rules/nic-rules.js";
import { buildSecurityRules, buildVnetProperties, defaultSecurityRules, inUseSubnet } from "../rules/vnet-rules.js";
import type { StoredResource } from "../store.js";
import type { World } from "../world.js";
import {
  acceptAsync,
  checkName,
  checkPreconditions,
  notFound,
  requireGroup,
  resolveLocation,
  routeId,
  setProvisioningState,
  tagsOf,
} from "../world.js";
import { References, subResource, TYPES } from "./network-refs.js";

interface NetworkKind {
  type: string;
  /** Noun for messages and the URL segment. */
  segment: string;
  /** The body fields a write sets besides id, name, type, location, tags and etag. */
  build(world: World, id: string, input: Json, location: string, existing?: StoredResource): Json;
  /** Adds the read-only back-references ARM shows. */
  present(refs: References, body: Json): Json;
  /** Throws when something still uses the resource. */
  checkDelete(refs: References, stored: StoredResource): void;
}

const KINDS: NetworkKind[] = [
  {
    type: TYPES.vnet,
    segment: "virtualNetworks",
    build: (world, id, input, location, existing) => ({
      properties: buildVnetProperties(world, id, input, location, existing),
    }),
    present(refs, body) {
      for (const s of (body.properties?.subnets ?? []) as Json[]) {
        const users = refs.ipConfigsInSubnet(s.id);
        if (users.length) s.properties.ipConfigurations = users.map((u) => subResource(u.id));
      }
      return body;
    },
    checkDelete(refs, stored) {
      for (const s of (stored.body.properties?.subnets ?? []) as Json[]) {
        const users = refs.ipConfigsInSubnet(s.id);
        if (users.length) throw inUseSubnet(String(s.name), users[0]!.id);
      }
    },
  },
  {
    type: TYPES.nsg,
    segment: "networkSecurityGroups",
    build: (_world, id, input, _location, existing) => {
      const props: Json = isObject(input.properties) ? input.properties : {};
      return {
        properties: {
          ...props,
          securityRules: buildSecurityRules(id, props.securityRules),
          defaultSecurityRules: defaultSecurityRules(id),
          resourceGuid: existing?.body.properties?.resourceGuid ?? newGuid(),
          provisioningState: "Updating",
        },
      };
    },
    present(refs, body) {
      const users = refs.nsgUsers(body.id);
      delete body.properties.subnets;
      delete body.properties.networkInterfaces;
      if (users.subnets.length) body.properties.subnets = users.subnets.map(subResource);
      if (users.nics.length) body.properties.networkInterfaces = users.nics.map(subResource);
      return body;
    },
    checkDelete(refs, stored) {
      const users = refs.nsgUsers(stored.id);
      const all = [...users.subnets, ...users.nics];
      if (all.length) {
        throw badRequest(
          "InUseNetworkSecurityGroupCannotBeDeleted",
          `Network security group ${stored.id} cannot be deleted because it is in use by the following resources: ${all.join(", ")}. In order to delete the Network security group, remove the association with the resource(s). To learn how to do this, see aka.ms/deletensg.`,
        );
      }
    },
  },
  {
    type: TYPES.pip,
    segment: "publicIPAddresses",
    build: (world, id, input, _location, existing) => buildPublicIp(world, id, input, existing),
    present(refs, body) {
      const user = refs.ipConfigUsingPublicIp(body.id);
      if (user) body.properties.ipConfiguration = subResource(user.id);
      return body;
    },
    checkDelete(refs, stored) {
      const user = refs.ipConfigUsingPublicIp(stored.id);
      if (user) {
        throw badRequest(
          "PublicIPAddressCannotBeDeleted",
          `Public IP address ${stored.id} can not be deleted since it is still allocated to resource ${user.id}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.  To learn how to do this, see aka.ms/deletepublicip.`,
        );
      }
    },
  },
  {
    type: TYPES.nic,
    segment: "networkInterfaces",
    build: (world, id, input, location, existing) => ({
      properties: buildNicProperties(world, id, input, location, existing),
    }),
    present(refs, body) {
      const vm = refs.vmUsingNic(body.id);
      if (vm) body.properties.virtualMachine = subResource(vm);
      return body;
    },
    checkDelete(refs, stored) {
      const vm = refs.vmUsingNic(stored.id);
      if (vm) {
        throw badRequest(
          "NicInUse",
          `Network Interface ${stored.id} is used by existing resource ${vm}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.`,
        );
      }
    },
  },
];

const NETWORK = "Microsoft.Network";

/** A stored network resource as ARM shows it; `refs` is the request's (see References). */
export function presentNetwork(world: World, stored: StoredResource, refs = new References(world.store)): Json {
  world.store.work.resourcesPresented++;
  const kind = KINDS.find((k) => k.type.toLowerCase() === stored.type.toLowerCase());
  const body = deepCopy(stored.body);
  return kind ? kind.present(refs, body) : body;
}

export function registerNetwork(router: Router, world: World): void {
  for (const kind of KINDS) {
    const one = `/subscriptions/{sub}/resourceGroups/{rg}/providers/${kind.type}/{name}`;
    const show = (s: StoredResource) => presentNetwork(world, s);
    const find = (req: EmuRequest): StoredResource => {
      requireGroup(world, req);
      const stored = world.store.get(routeId(req, kind.type));
      if (!stored) throw notFound(kind.type, req.params.name!, req.params.rg!);
      return stored;
    };
    router.add("GET", one, (req) => ({ status: 200, body: show(find(req)) }));
    router.add("PUT", one, (req) => put(world, kind, req));
    router.add("DELETE", one, (req) => remove(world, kind, req));
    router.add("PATCH", one, (req) => {
      const stored = find(req);
      const tags = tagsOf(isObject(req.body) ? req.body : {});
      world.ops.assertIdle(stored.id);
      stored.body.tags = tags ?? {};
      stored.body.etag = weakEtag();
      return { status: 200, body: show(stored) };
    });
    // One References per list request: its index serves every item on the page.
    const page = (req: EmuRequest, items: StoredResource[]): EmuResponse => {
      const refs = new References(world.store);
      return pagedList(req, items, world.pageSize(), (s) => presentNetwork(world, s, refs));
    };
    router.add("GET", `/subscriptions/{sub}/resourceGroups/{rg}/providers/${kind.type}`, (req) => {
      requireGroup(world, req);
      return page(req, world.store.list(kind.type, req.params.sub, req.params.rg));
    });
    router.add("GET", `/subscriptions/{sub}/providers/${kind.type}`, (req) =>
      page(req, world.store.list(kind.type, req.params.sub)),
    );
  }

  // Subnets are written inline with their virtual network; reading them one by one is supported.
  const subnetsOf = (req: EmuRequest): Json[] => {
    requireGroup(world, req);
    const vnet = world.store.get(routeId(req, TYPES.vnet, "vnet"));
    if (!vnet) throw notFound(TYPES.vnet, req.params.vnet!, req.params.rg!);
    return (presentNetwork(world, vnet).properties?.subnets ?? []) as Json[];
  };
  const subnets = `/subscriptions/{sub}/resourceGroups/{rg}/providers/${TYPES.vnet}/{vnet}/subnets`;
  router.add("GET", subnets, (req) => pagedList(req, subnetsOf(req), world.pageSize(), (s) => s));
  router.add("GET", `${subnets}/{name}`, (req) => {
    const subnet = subnetsOf(req).find((s) => String(s.name).toLowerCase() === req.params.name!.toLowerCase());
    if (!subnet) throw notFound(`${TYPES.vnet}/subnets`, `${req.params.vnet}/${req.params.name}`, req.params.rg!);
    return { status: 200, body: subnet };
  });
}

function put(world: World, kind: NetworkKind, req: EmuRequest): EmuResponse {
  requireGroup(world, req);
  checkName(req.params.name!);
  const id = routeId(req, kind.type);
  const existing = world.store.get(id);
  world.ops.assertIdle(id);
  checkPreconditions(req, existing, kind.segment);
  const input: Json = isObject(req.body) ? req.body : {};
  const location = resolveLocation(input, existing, req.params.name!, req.params.rg!);
  const fields = kind.build(world, existing?.id ?? id, input, location, existing);
  const tags = tagsOf(input);
  const stored = world.store.put(id, {
    id: existing?.id ?? id,
    name: existing?.name ?? req.params.name,
    type: kind.type,
    location,
    ...(tags ? { tags } : {}),
    etag: weakEtag(),
    ...fields,
  });
  return acceptAsync(
    world,
    req,
    {
      location,
      namespace: NETWORK,
      resourceId: stored.id,
      onSucceeded: () => setProvisioningState(world, stored.id, "Succeeded"),
      onFailed: () => setProvisioningState(world, stored.id, "Failed"),
    },
    { status: existing ? 200 : 201, body: presentNetwork(world, stored) },
  );
}

function remove(world: World, kind: NetworkKind, req: EmuRequest): EmuResponse {
  requireGroup(world, req);
  const stored = world.store.get(routeId(req, kind.type));
  if (!stored) return { status: 204 };
  world.ops.assertIdle(stored.id);
  kind.checkDelete(new References(world.store), stored);
  setProvisioningState(world, stored.id, "Deleting");
  return acceptAsync(
    world,
    req,
    {
      location: stored.body.location,
      namespace: NETWORK,
      resourceId: stored.id,
      onSucceeded: () => {
        if (sameArmId(world.store.get(stored.id)?.id, stored.id)) world.store.delete(stored.id);
      },
      onFailed: () => setProvisioningState(world, stored.id, "Failed"),
    },
    { status: 202, withLocation: true },
  );
}
