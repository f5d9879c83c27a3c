/**
 * Microsoft.Network: virtual networks (subnets inline), network security
 * groups, public IP addresses and network interfaces. Writes and deletes are
 * long-running operations; tag updates (PATCH) answer at once, as in Azure.
 */

import type { LoadBalancerHealthPerRule, LoadBalancerHealthPerRulePerBackendAddress } from "@azure/arm-network";
import { sameArmId } from "../../model/arm-id.js";
import type { EmuRequest, EmuResponse, Json } from "../http.js";
import { badRequest, isObject, newGuid, weakEtag } from "../http.js";
import { pagedList } from "../paging.js";
import type { Router } from "../router.js";
import { buildLoadBalancer, memberAddressName, poolInUse } from "../rules/lb-rules.js";
import { buildNicProperties, buildPublicIp } from "../rules/nic-rules.js";
import { buildSecurityRules, buildVnetProperties, defaultSecurityRules, inUseSubnet } from "../rules/vnet-rules.js";
import type { StoredResource } from "../store.js";
import {
  asWire,
  type SubResource,
  type WireLoadBalancer,
  type WireNetworkInterface,
  type WireNetworkResource,
  type WireNetworkSecurityGroup,
  type WirePublicIpAddress,
  type WireSubnet,
  type WireVirtualNetwork,
} from "../wire.js";
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
  /** A copy of the stored body with the read-only back-references ARM shows. */
  present(refs: References, stored: Json): WireNetworkResource;
  /** Throws when something still uses the resource. */
  checkDelete(refs: References, stored: StoredResource, world: World): void;
  /** Other resources a write holds until it ends (default: none). */
  holds?(world: World, id: string, input: Json, existing?: StoredResource): string[];
}

const KINDS: NetworkKind[] = [
  {
    type: TYPES.vnet,
    segment: "virtualNetworks",
    build: (world, id, input, location, existing) => ({
      properties: buildVnetProperties(world, id, input, location, existing),
    }),
    present: presentVirtualNetwork,
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
    present(refs, stored) {
      const body = asWire<WireNetworkSecurityGroup>(stored);
      const users = refs.nsgUsers(String(body.id));
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
    present(refs, stored) {
      const body = asWire<WirePublicIpAddress>(stored);
      // ARM names the holder, a NIC IP configuration or a load balancer frontend, in ipConfiguration.
      const holder = refs.publicIpHolder(String(body.id));
      if (holder) body.properties.ipConfiguration = subResource(holder);
      return body;
    },
    checkDelete(refs, stored) {
      const holder = refs.publicIpHolder(stored.id);
      if (holder) {
        throw badRequest(
          "PublicIPAddressCannotBeDeleted",
          `Public IP address ${stored.id} can not be deleted since it is still allocated to resource ${holder}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.  To learn how to do this, see aka.ms/deletepublicip.`,
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
    present(refs, stored) {
      const body = asWire<WireNetworkInterface>(stored);
      const vm = refs.vmUsingNic(String(body.id));
      if (vm) body.properties.virtualMachine = subResource(vm);
      return body;
    },
    checkDelete(refs, stored, world) {
      world.nicReservations.assertFree(stored.id);
      const vm = refs.vmUsingNic(stored.id);
      if (vm) {
        throw badRequest(
          "NicInUse",
          `Network Interface ${stored.id} is used by existing resource ${vm}. In order to delete the network interface, it must be dissociated from the resource. To learn more, see aka.ms/deletenic.`,
        );
      }
    },
    // A NIC write that joins or leaves a pool holds that load balancer until it ends: writes to NICs
    // in one pool conflict (Azure intentionally prevents updating them in parallel, as
    // Azure/azure-sdk-for-java#990 found; kubernetes-sigs/cloud-provider-azure#10328 serialises them).
    holds: (_world, _id, input, existing) => loadBalancersOfNic(input, existing),
  },
  {
    type: TYPES.lb,
    segment: "loadBalancers",
    build: (world, id, input, location, existing) => buildLoadBalancer(world, id, input, location, existing),
    present(refs, stored) {
      return presentLoadBalancer(refs, asWire<WireLoadBalancer>(stored));
    },
    checkDelete(refs, stored) {
      for (const pool of (stored.body.properties?.backendAddressPools ?? []) as Json[]) {
        const users = refs.ipConfigsInPool(pool.id);
        if (users.length) throw poolInUse(String(pool.id), users);
      }
    },
  },
];

/** A virtual network with the IP configurations in each subnet. */
function presentVirtualNetwork(refs: References, stored: Json): WireVirtualNetwork {
  const body = asWire<WireVirtualNetwork>(stored);
  for (const s of body.properties.subnets ?? []) {
    const users = refs.ipConfigsInSubnet(String(s.id));
    if (users.length) s.properties.ipConfigurations = users.map((u) => subResource(u.id));
  }
  return body;
}

/** The load balancers whose pools a NIC is in, before or after a write. */
function loadBalancersOfNic(input: Json, existing?: StoredResource): string[] {
  const pools = [input, existing?.body].flatMap((body) =>
    ((body?.properties?.ipConfigurations ?? []) as Json[]).flatMap((c) =>
      ((c?.properties?.loadBalancerBackendAddressPools ?? []) as Json[]).map((p) => String(p?.id ?? "")),
    ),
  );
  const lbs = new Map<string, string>();
  for (const pool of pools) {
    const lb = pool.split("/backendAddressPools/")[0];
    if (lb) lbs.set(lb.toLowerCase(), lb);
  }
  return [...lbs.values()];
}

/**
 * Membership is shown on the pool (backendIPConfigurations, and as addresses
 * in newer api-versions), derived from the NICs on every read; the children
 * show which rules use them.
 */
function presentLoadBalancer(refs: References, body: WireLoadBalancer): WireLoadBalancer {
  const p = body.properties;
  const rules = p.loadBalancingRules ?? [];
  const outbound = p.outboundRules ?? [];
  /** The rules whose `pick`ed reference(s) point at `id`. */
  const usedBy = <R extends { id?: string }>(
    list: R[],
    pick: (r: R) => SubResource | SubResource[] | undefined,
    id?: string,
  ) =>
    list
      .filter((r) => {
        const ref = pick(r);
        return Array.isArray(ref) ? ref.some((x) => sameArmId(x.id, id)) : sameArmId(ref?.id, id);
      })
      .map((r) => subResource(String(r.id)));
  for (const pool of p.backendAddressPools ?? []) {
    const members = refs.ipConfigsInPool(String(pool.id));
    if (members.length) {
      pool.properties.backendIPConfigurations = members.map((m) => subResource(m.id));
      pool.properties.loadBalancerBackendAddresses = members.map((m) => ({
        name: memberAddressName(m),
        properties: { networkInterfaceIPConfiguration: subResource(m.id) },
      }));
    }
    const ruleRefs = usedBy(rules, (r) => r.properties.backendAddressPool, pool.id);
    if (ruleRefs.length) pool.properties.loadBalancingRules = ruleRefs;
    const outboundRefs = usedBy(outbound, (r) => r.properties.backendAddressPool, pool.id);
    if (outboundRefs.length) pool.properties.outboundRules = outboundRefs;
  }
  for (const fe of p.frontendIPConfigurations ?? []) {
    const ruleRefs = usedBy(rules, (r) => r.properties.frontendIPConfiguration, fe.id);
    if (ruleRefs.length) fe.properties.loadBalancingRules = ruleRefs;
    const outboundRefs = usedBy(outbound, (r) => r.properties.frontendIPConfigurations, fe.id);
    if (outboundRefs.length) fe.properties.outboundRules = outboundRefs;
  }
  for (const probe of p.probes ?? []) {
    const ruleRefs = usedBy(rules, (r) => r.properties.probe, probe.id);
    if (ruleRefs.length) probe.properties.loadBalancingRules = ruleRefs;
  }
  return body;
}

const NETWORK = "Microsoft.Network";

/** A stored network resource as ARM shows it; `refs` is the request's (see References). */
function presentNetwork(world: World, stored: StoredResource, refs = new References(world.store)): WireNetworkResource {
  world.store.work.resourcesPresented++;
  const kind = KINDS.find((k) => k.type.toLowerCase() === stored.type.toLowerCase());
  if (!kind) throw new Error(`${stored.type} is no network resource the emulator keeps`);
  return kind.present(refs, stored.body);
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

  registerRuleHealth(router, world);

  // Subnets are written inline with their virtual network; reading them one by one is supported.
  const subnetsOf = (req: EmuRequest): WireSubnet[] => {
    requireGroup(world, req);
    const vnet = world.store.get(routeId(req, TYPES.vnet, "vnet"));
    if (!vnet) throw notFound(TYPES.vnet, req.params.vnet!, req.params.rg!);
    world.store.work.resourcesPresented++;
    return presentVirtualNetwork(new References(world.store), vnet.body).properties.subnets ?? [];
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
  const holds = kind.holds?.(world, id, input, existing) ?? [];
  for (const held of holds) world.ops.assertIdle(held);
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
      ...(holds.length ? { locks: holds } : {}),
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
  kind.checkDelete(new References(world.store), stored, world);
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

/**
 * Health per load-balancing rule (LoadBalancerLoadBalancingRules_Health,
 * loadBalancer.json 2024-05-01): a long-running POST whose result counts the
 * pool's members up and down by the rule's probe. A member's answer is its
 * VM's (world.probe); a NIC on no VM is down.
 */
function registerRuleHealth(router: Router, world: World): void {
  const path = `/subscriptions/{sub}/resourceGroups/{rg}/providers/${TYPES.lb}/{name}/loadBalancingRules/{rule}/health`;
  router.add("POST", path, (req) => {
    requireGroup(world, req);
    const lb = world.store.get(routeId(req, TYPES.lb));
    if (!lb) throw notFound(TYPES.lb, req.params.name!, req.params.rg!);
    const props = lb.body.properties ?? {};
    const rule = ((props.loadBalancingRules ?? []) as Json[]).find(
      (r) => String(r.name).toLowerCase() === req.params.rule!.toLowerCase(),
    );
    if (!rule)
      throw notFound(`${TYPES.lb}/loadBalancingRules`, `${req.params.name}/${req.params.rule}`, req.params.rg!);
    const probe = ((props.probes ?? []) as Json[]).find((p) => sameArmId(p.id, rule.properties?.probe?.id));
    const refs = new References(world.store);
    const members = refs
      .ipConfigsInPool(rule.properties?.backendAddressPool?.id)
      .map((m): LoadBalancerHealthPerRulePerBackendAddress => {
        const vm = refs.vmUsingNic(m.nicId);
        // Without a probe every member counts as up.
        const answer = !vm
          ? { up: false, reason: "the network interface is not attached to a virtual machine" }
          : probe
            ? world.probe(vm, probe.properties)
            : { up: true, reason: "no probe" };
        return {
          ...(m.privateIPAddress === undefined ? {} : { ipAddress: m.privateIPAddress }),
          // An id string, as the TypeSpec-generated SDK reads it (the 2024-05-01 swagger drew it as an object).
          networkInterfaceIPConfigurationId: m.id,
          state: answer.up ? "Up" : "Down",
          reason: answer.reason,
        };
      });
    const result = Promise.resolve<LoadBalancerHealthPerRule>({
      up: members.filter((m) => m.state === "Up").length,
      down: members.filter((m) => m.state === "Down").length,
      loadBalancerBackendAddresses: members,
    });
    return acceptAsync(
      world,
      req,
      { location: lb.body.location, namespace: NETWORK, resourceId: `${rule.id}/health`, result },
      { status: 202, locationOnly: true },
    );
  });
}
