/** The plan's decision table, without Azure: desired bodies against hand-made observed state. */

import { describe, expect, it } from "vitest";
import {
  type DesiredProxy,
  desiredProxy,
  dnsZoneIdFromTag,
  dnsZoneIdFromTags,
  dnsZoneTags,
  TAG_DNS_ZONE,
  TAG_DNS_ZONE_GROUP,
} from "../../src/engine/desired.js";
import { buildPlan } from "../../src/engine/diff.js";
import { emptyObserved, type ObservedState, rgKey } from "../../src/engine/observed.js";
import { armIdKey } from "../../src/model/arm-id.js";
import { ownershipOf, TAG_CONFIG_HASH, TAG_OWNER, TAG_PROXY } from "../../src/model/names.js";
import { countChanges } from "../../src/plan/counts.js";
import { renderPlanMarkdown } from "../../src/plan/render-markdown.js";
import { parseProxyFile } from "../../src/proxyfile/load.js";

const SUB = "00000000-0000-0000-0000-000000000001";
const OWNER = "acme/web";

function proxy(yaml: string): DesiredProxy {
  const { proxy: spec, errors } = parseProxyFile("proxies/www.yaml", yaml);
  expect(errors).toEqual([]);
  return desiredProxy(spec!, SUB, OWNER);
}

const BASE =
  "name: www\nlocation: westeurope\nresourceGroup: rg\nbackends: [203.0.113.1]\ndns: {zone: example.nl, records: [www]}\n";

/** Azure as it would look right after applying `d`: bodies as Azure returns them, plus read-only fields. */
function observedFrom(d: DesiredProxy, ipv6 = "2001:db8::10"): ObservedState {
  const state = emptyObserved();
  state.resourceGroups.add(rgKey(SUB, "rg"));
  state.dnsZones.add(armIdKey(d.dnsZoneId!));
  for (const r of d.resources) {
    if (r.kind === "resourceGroup") continue;
    const body = structuredClone(r.body) as Record<string, unknown>;
    if (r.kind === "dnsRecord") {
      body.aaaaRecords = [{ ipv6Address: ipv6 }];
    } else {
      body.provisioningState = "Succeeded";
      body.etag = 'W/"1"';
      if (r.kind === "publicIpV6") body.ipAddress = ipv6;
      if (r.kind === "publicIpV4") body.ipAddress = "198.51.100.40";
    }
    const tags = (r.kind === "dnsRecord" ? body.metadata : body.tags) as Record<string, string>;
    state.resources.set(armIdKey(r.id), {
      kind: r.kind,
      id: r.id,
      subscriptionId: SUB,
      resourceGroup: r.resourceGroup,
      name: r.name,
      body,
      tags,
      provisioningState: "Succeeded",
    });
  }
  return state;
}

const active = (d: DesiredProxy, observed: ObservedState) =>
  buildPlan({ owner: OWNER, desired: [d], observed })
    .changes.filter((c) => c.action !== "noop")
    .map((c) => `${c.address}:${c.action}`);

describe("buildPlan", () => {
  it("is empty when Azure matches, even with Azure's read-only fields and tags added by others", () => {
    const d = proxy(BASE);
    const observed = observedFrom(d);
    for (const r of observed.resources.values()) {
      r.tags = { ...r.tags, costCenter: "added-by-policy" };
      if (r.kind === "dnsRecord") r.body.metadata = r.tags;
      else r.body.tags = r.tags;
    }
    const plan = buildPlan({ owner: OWNER, desired: [d], observed });
    expect(plan.changes.filter((c) => c.action !== "noop")).toEqual([]);
    expect(countChanges(plan.changes)).toEqual({ add: 0, change: 0, destroy: 0 });
  });

  it("replaces everything that hangs off a public IPv6 address Azure cannot change in place, and says so loudly", () => {
    const d = proxy(BASE);
    const observed = observedFrom(d);
    const pip = [...observed.resources.values()].find((r) => r.kind === "publicIpV6")!;
    pip.body.sku = { name: "Basic" };
    const plan = buildPlan({ owner: OWNER, desired: [d], observed });
    expect(plan.changes.filter((c) => c.action === "replace").map((c) => c.kind)).toEqual([
      "publicIpV6",
      "networkInterface",
      "virtualMachine",
    ]);
    expect(plan.changes.find((c) => c.kind === "dnsRecord")!.action).toBe("update");
    const warning = plan.warnings.find((w) => w.code === "ipv6-address-change")!;
    expect(warning.message).toContain("2001:db8::10");
    expect(warning.message).toContain("example.nl");
    expect(countChanges(plan.changes)).toEqual({ add: 3, change: 1, destroy: 3 });
  });

  it("names each existing proxy's public addresses, IPv4 included (what backends see), and no address that will change", () => {
    const d = proxy(BASE);
    const observed = observedFrom(d);
    const same = buildPlan({ owner: OWNER, desired: [d], observed });
    expect(same.proxies).toEqual([
      expect.objectContaining({ name: "www", ipv6Address: "2001:db8::10", ipv4Address: "198.51.100.40" }),
    ]);
    const pip4 = [...observed.resources.values()].find((r) => r.kind === "publicIpV4")!;
    pip4.body.sku = { name: "Basic" };
    const replaced = buildPlan({ owner: OWNER, desired: [d], observed });
    expect(replaced.changes.find((c) => c.kind === "publicIpV4")!.action).toBe("replace");
    expect(replaced.proxies[0]?.ipv4Address).toBeUndefined();
    expect(replaced.proxies[0]).toHaveProperty("ipv6Address", "2001:db8::10");
    // Backends that allow-list the old address must be told.
    expect(replaced.warnings.filter((w) => w.code === "ipv4-address-change")).toEqual([
      expect.objectContaining({
        proxy: "www",
        message: expect.stringContaining('198.51.100.40 of proxy "www" will change'),
      }),
    ]);
    const comment = renderPlanMarkdown(replaced, { marker: "<!-- m -->" });
    expect(comment).toContain("The public IPv4 address of 1 proxy, which backends see, will change.");
    expect(same.warnings.filter((w) => w.code === "ipv4-address-change")).toEqual([]);
  });

  it("moves everything for a new location", () => {
    const before = proxy(BASE);
    const after = proxy(BASE.replace("westeurope", "northeurope"));
    expect(active(after, observedFrom(before)).filter((a) => a.endsWith(":replace")).length).toBe(6);
  });

  it("re-applies a resource whose provisioning failed", () => {
    const d = proxy(BASE);
    const observed = observedFrom(d);
    [...observed.resources.values()].find((r) => r.kind === "networkInterface")!.provisioningState = "Failed";
    expect(active(d, observed)).toEqual(["www.networkInterface:update"]);
  });

  it("pushes a changed config to the running VM and shows the line diff", () => {
    const old = proxy(BASE);
    const observed = observedFrom(old);
    observed.vmConfigs.set(armIdKey(old.resources.find((r) => r.kind === "virtualMachine")!.id), old.config);
    const changed = proxy(BASE.replace("203.0.113.1", "203.0.113.2"));
    const plan = buildPlan({ owner: OWNER, desired: [changed], observed });
    expect(plan.changes.filter((c) => c.action !== "noop").map((c) => c.address)).toEqual([
      "www.virtualMachine",
      "www.vmConfig",
    ]);
    const vmConfig = plan.changes.find((c) => c.kind === "vmConfig")!;
    expect(vmConfig.diffs).toEqual([{ path: "configSha256", before: old.configSha256, after: changed.configSha256 }]);
    expect(plan.configDiffs[0]!.diff).toMatch(/^-.*203\.0\.113\.1:443/m);
    expect(plan.configDiffs[0]!.diff).toMatch(/^\+.*203\.0\.113\.2:443/m);
  });

  it("treats a VM whose config-hash tag is stale as a pending config push, not as drift elsewhere", () => {
    const d = proxy(BASE);
    const observed = observedFrom(d);
    const vm = [...observed.resources.values()].find((r) => r.kind === "virtualMachine")!;
    vm.tags = { ...vm.tags, [TAG_CONFIG_HASH]: "0".repeat(64) };
    vm.body.tags = vm.tags;
    expect(active(d, observed)).toEqual(["www.virtualMachine:update", "www.vmConfig:update"]);
  });

  it("gives the same fingerprint for the same situation and another one after drift", () => {
    const d = proxy(BASE.replace("203.0.113.1", "203.0.113.9"));
    const observed = observedFrom(proxy(BASE));
    const a = buildPlan({ owner: OWNER, desired: [d], observed, now: new Date(0) });
    const b = buildPlan({ owner: OWNER, desired: [d], observed, now: new Date(1e12) });
    expect(a.fingerprint).toBe(b.fingerprint);
    [...observed.resources.values()].find((r) => r.kind === "networkSecurityGroup")!.body.securityRules = [];
    expect(buildPlan({ owner: OWNER, desired: [d], observed }).fingerprint).not.toBe(a.fingerprint);
  });

  it("tells a change made in Azure (drift) from a change of the spec", () => {
    const d = proxy(BASE);
    const edited = observedFrom(d);
    const nsg = [...edited.resources.values()].find((r) => r.kind === "networkSecurityGroup")!;
    (nsg.body.securityRules as Record<string, unknown>[])[0]!.destinationPortRanges = ["80", "443", "8080"];
    const drift = buildPlan({ owner: OWNER, desired: [d], observed: edited });
    expect(drift.warnings.filter((w) => w.code === "drift").map((w) => w.address)).toEqual([
      "www.networkSecurityGroup",
    ]);
    expect(drift.changes.find((c) => c.kind === "networkSecurityGroup")!.reason).toMatch(
      /changed outside azure-ipv6-proxy; reverting/,
    );

    const specChange = buildPlan({
      owner: OWNER,
      desired: [proxy(BASE.replace("backends:", "ports: [80, 443, 8443]\nbackends:"))],
      observed: observedFrom(d),
    });
    expect(specChange.changes.find((c) => c.kind === "networkSecurityGroup")!.action).toBe("update");
    expect(specChange.warnings.filter((w) => w.code === "drift")).toEqual([]);
  });

  it("is an error, not a change, when the DNS zone does not exist", () => {
    const d = proxy(BASE);
    const plan = buildPlan({ owner: OWNER, desired: [d], observed: emptyObserved() });
    expect(plan.errors.map((e) => e.message).join()).toMatch(/DNS zone "example.nl" was not found/);
    expect(plan.errors[0]!.file).toBe("proxies/www.yaml");
    expect(plan.changes.some((c) => c.kind === "dnsRecord")).toBe(false);
  });
});

describe("placement warnings", () => {
  const warningsOf = (yaml: string) => {
    const d = proxy(yaml);
    return buildPlan({ owner: OWNER, desired: [d], observed: emptyObserved() }).warnings.filter(
      (w) => w.code === "no-zones",
    );
  };
  it("warns that replicas without zones survive host failures but not a zone outage", () => {
    const [warning, ...rest] = warningsOf(`${BASE.replace("westeurope", "westus")}replicas: 2\n`);
    expect(rest).toEqual([]);
    expect(warning).toMatchObject({ proxy: "www", code: "no-zones" });
    expect(warning?.message).toContain("2 replicas share an availability set");
    expect(warning?.message).toContain('region "westus" has no availability zones');
  });
  it("says when the region is unknown to the zone table, and how to name zones", () => {
    const [warning] = warningsOf(`${BASE.replace("westeurope", "newregion")}replicas: 3\n`);
    expect(warning?.message).toContain("if it has zones, list them in zones");
  });
  it("does not warn for zones, nor for a single VM", () => {
    expect(warningsOf(`${BASE}replicas: 2\n`)).toEqual([]);
    expect(warningsOf(BASE.replace("westeurope", "westus"))).toEqual([]);
  });
});

describe("replicas", () => {
  const REPLICAS = BASE.replace("westeurope", "westus");
  it("plan a load balancer, an availability set where the region has no zones, and a NIC and VM per replica", () => {
    const d = proxy(`${REPLICAS}replicas: 3\n`);
    const plan = buildPlan({ owner: OWNER, desired: [d], observed: emptyObserved() });
    expect(plan.changes.map((c) => c.address)).toEqual([
      "www.resourceGroup",
      "www.networkSecurityGroup",
      "www.virtualNetwork",
      "www.publicIpV4",
      "www.publicIpV6",
      "www.loadBalancer",
      "www.availabilitySet",
      "www.networkInterface",
      "www.networkInterface.2",
      "www.networkInterface.3",
      "www.virtualMachine",
      "www.virtualMachine.2",
      "www.virtualMachine.3",
    ]);
    expect(plan.changes.find((c) => c.address === "www.virtualMachine.3")?.name).toBe("ipv6px-www-vm3");
    expect(plan.rollouts.map((r) => r.proxy)).toEqual(["www"]);
  });

  it("delete a replica that goes under its own address, drained first", () => {
    const three = proxy(`${BASE}replicas: 3\n`);
    const two = proxy(`${BASE}replicas: 2\n`);
    const observed = observedFrom(three);
    const plan = buildPlan({ owner: OWNER, desired: [two], observed });
    expect(plan.changes.filter((c) => c.action === "delete").map((c) => `${c.address} ${c.name}`)).toEqual([
      "www.networkInterface.3 ipv6px-www-nic3",
      "www.virtualMachine.3 ipv6px-www-vm3",
    ]);
    expect(plan.rollouts[0]!.steps.map((s) => `${s.kind} ${s.address}`)).toEqual([
      "drain www.virtualMachine.3",
      "delete www.virtualMachine.3",
      "delete www.networkInterface.3",
      "write www.loadBalancer",
    ]);
  });

  /** A single VM whose public IPs were created with `zones` (undefined: non-zonal), moving to `replicas`. */
  const moveWithPipZones = (zones: string[] | undefined, replicas = `${BASE}replicas: 3\n`) => {
    const observed = observedFrom(proxy(BASE));
    for (const r of observed.resources.values()) {
      if (r.kind !== "publicIpV6" && r.kind !== "publicIpV4") continue;
      if (zones) r.body.zones = zones;
      else delete r.body.zones;
    }
    return buildPlan({ owner: OWNER, desired: [proxy(replicas)], observed });
  };

  it("create a single VM's public IPs zone-redundant where the region has zones, so they can move to a load balancer later", () => {
    const pips = proxy(BASE).resources.filter((r) => r.kind.startsWith("publicIp"));
    expect(pips.map((r) => r.body.zones)).toEqual([
      ["1", "2", "3"],
      ["1", "2", "3"],
    ]);
    const west = proxy(BASE.replace("westeurope", "westus")).resources.filter((r) => r.kind.startsWith("publicIp"));
    expect(west.map((r) => r.body.zones)).toEqual([undefined, undefined]);
  });

  it("keep a zone-redundant address when it moves to the load balancer", () => {
    const plan = moveWithPipZones(["1", "2", "3"]);
    expect(plan.changes.filter((c) => c.kind.startsWith("publicIp")).map((c) => c.action)).toEqual(["noop", "noop"]);
    expect(plan.warnings.map((w) => w.code)).not.toContain("ipv6-address-change");
    expect(plan.errors).toEqual([]);
  });

  it("say why a non-zonal address cannot move to the load balancer of zonal replicas, before anything happens", () => {
    const plan = moveWithPipZones(undefined);
    expect(plan.errors).toEqual([]);
    const warning = plan.warnings.find((w) => w.code === "ipv6-address-change")!;
    expect(warning.message).toBe(
      'the public IPv6 address 2001:db8::10 of proxy "www" will change: it is non-zonal (created without zones), ' +
        "and a load balancer's frontend takes the zones of its public IP: replicas in zones 1, 2, 3 need a " +
        "zone-redundant address (zones 1, 2, 3), which a non-zonal one is not guaranteed to be; Azure never changes " +
        "a public IP's zones after it is created, so it is created again with a new address; AAAA records in " +
        "example.nl follow it, but clients and caches may hold the old address until the TTL expires",
    );
    // The IPv4 the backends see changes for the same reason, and says so.
    expect(plan.warnings.find((w) => w.code === "ipv4-address-change")?.message).toContain(
      '198.51.100.40 of proxy "www" will change (it is non-zonal (created without zones)',
    );
    expect(plan.proxies[0]?.ipv6Address).toBeUndefined();
    // Recreated only once they are free of the NIC, before the load balancer takes them.
    const steps = plan.rollouts[0]!.steps.map((s) => `${s.kind} ${s.address}`);
    expect(steps.slice(0, 9)).toEqual([
      "write www.networkSecurityGroup",
      "push-config www.virtualMachine",
      "detach www.networkInterface",
      "delete www.publicIpV4",
      "write www.publicIpV4",
      "delete www.publicIpV6",
      "write www.publicIpV6",
      "write www.loadBalancer",
      "write www.networkInterface",
    ]);
    expect(steps.at(-1)).toBe("write www.dnsRecord.www");
    const markdown = renderPlanMarkdown(plan, { marker: "<!-- m -->" });
    expect(markdown).toContain("The public IPv6 address of 1 proxy will change.");
    expect(markdown).toContain("it is non-zonal (created without zones)");
  });

  it("name the zone of a zonal address that would take the site down with its zone", () => {
    const plan = moveWithPipZones(["1"]);
    expect(plan.warnings.find((w) => w.code === "ipv6-address-change")?.message).toContain(
      "will change: it is zonal in zone 1, and a load balancer's frontend takes the zones of its public IP: " +
        "replicas in zones 1, 2, 3 need a zone-redundant address (zones 1, 2, 3), or an outage of zone 1 takes " +
        "the address down while the replicas in zone 2, 3 still run",
    );
  });

  it("keep an address that serves every zone the file names", () => {
    const plan = moveWithPipZones(["1", "2"], `${BASE}replicas: 2\nzones: ["1", "2"]\n`);
    expect(plan.warnings.map((w) => w.code)).not.toContain("ipv6-address-change");
    const partly = moveWithPipZones(["1", "2"]);
    expect(partly.warnings.find((w) => w.code === "ipv6-address-change")?.message).toContain(
      "it is zone-redundant in zones 1, 2, and a load balancer's frontend takes the zones of its public IP: replicas in zones 1, 2, 3 need a zone-redundant address (zones 1, 2, 3), and it does not serve zone 3",
    );
  });

  it("keep the address where a new one would be no better (zones named in a region the zone table does not know)", () => {
    const observed = observedFrom(proxy(BASE.replace("westeurope", "newregion")));
    for (const r of observed.resources.values()) if (r.kind.startsWith("publicIp")) delete r.body.zones;
    const plan = buildPlan({
      owner: OWNER,
      desired: [proxy(`${BASE.replace("westeurope", "newregion")}replicas: 2\nzones: ["1", "2"]\n`)],
      observed,
    });
    expect(plan.changes.filter((c) => c.kind.startsWith("publicIp")).map((c) => c.action)).toEqual(["noop", "noop"]);
  });

  it("leave the address of a single VM, and of an existing load balancer, with the zones it has", () => {
    const single = moveWithPipZones(undefined, BASE);
    expect(single.changes.filter((c) => c.action !== "noop")).toEqual([]);
    const three = proxy(`${BASE}replicas: 3\n`);
    const observed = observedFrom(three);
    for (const r of observed.resources.values()) if (r.kind.startsWith("publicIp")) delete r.body.zones;
    expect(buildPlan({ owner: OWNER, desired: [three], observed }).changes.filter((c) => c.action !== "noop")).toEqual(
      [],
    );
  });

  it("recreate, while it moves, an address Azure cannot put on a Standard load balancer (a Basic SKU), and say why", () => {
    const single = proxy(BASE);
    const observed = observedFrom(single);
    // A Basic public IP can be no Standard load balancer's frontend, and its SKU never changes in place.
    const pip = [...observed.resources.values()].find((r) => r.kind === "publicIpV6")!;
    pip.body.sku = { name: "Basic" };
    const plan = buildPlan({ owner: OWNER, desired: [proxy(`${BASE}replicas: 2\n`)], observed });
    expect(plan.warnings.find((w) => w.code === "ipv6-address-change")?.message).toContain(
      '2001:db8::10 of proxy "www" will change: SKU, allocation or IP version of a public IP cannot change in place',
    );
    expect(plan.errors).toEqual([]);
    expect(plan.rollouts[0]!.steps.map((s) => `${s.kind} ${s.address}`)).toContain("delete www.publicIpV6");
  });

  it("refuse, before anything is applied, to put an address on replica 1's NIC that does not serve its zone", () => {
    const two = proxy(`${BASE}replicas: 2\n`);
    const observed = observedFrom(two);
    expect(buildPlan({ owner: OWNER, desired: [proxy(BASE)], observed }).errors).toEqual([]);
    for (const r of observed.resources.values()) if (r.kind === "publicIpV6") delete r.body.zones;
    const plan = buildPlan({ owner: OWNER, desired: [proxy(BASE)], observed });
    expect(plan.errors).toEqual([
      expect.objectContaining({
        address: "www.publicIpV6",
        line: 1,
        message:
          "www.publicIpV6 cannot go back to ipv6px-www-vm: that VM stays in zone 1, the address is non-zonal (created without zones), " +
          "and Azure refuses a public IP that does not serve a VM's zone (ComputeResourceZoneConstraintDoesNotMatchPublicIPAddressZoneConstraint); " +
          "keep replicas at 2 or more, or remove the proxy and add it again (new addresses)",
      }),
    ]);
  });

  it("refuse, before anything is applied, to replace a load balancer's public IP", () => {
    const two = proxy(`${BASE}replicas: 2\n`);
    const observed = observedFrom(two);
    const pip = [...observed.resources.values()].find((r) => r.kind === "publicIpV6")!;
    pip.body.sku = { name: "Basic" };
    const plan = buildPlan({ owner: OWNER, desired: [two], observed });
    expect(plan.warnings.find((w) => w.code === "ipv6-address-change")?.message).toContain("2001:db8::10");
    expect(plan.errors).toEqual([
      expect.objectContaining({
        proxy: "www",
        address: "www.publicIpV6",
        line: 6,
        message: expect.stringContaining("set replicas to 1, apply, then change it"),
      }),
    ]);
  });

  it("leave a single VM's plan as it was: no rollout, no load balancer", () => {
    const d = proxy(BASE);
    const plan = buildPlan({ owner: OWNER, desired: [d], observed: emptyObserved() });
    expect(plan.rollouts).toEqual([]);
    expect(plan.changes.some((c) => c.kind === "loadBalancer" || c.kind === "availabilitySet")).toBe(false);
  });
});

describe("tags someone else wrote", () => {
  const hostile = "www\n::add-mask::INJECTED";

  it("a resource whose proxy-name tag is no proxy name is never ours: not deleted, and a name clash is an error", () => {
    const d = proxy(BASE);
    const observed = observedFrom(d);
    for (const r of observed.resources.values()) r.tags = { ...r.tags, [TAG_PROXY]: hostile };
    // The file was removed: nothing of the tampered resources is planned for deletion.
    const removed = buildPlan({ owner: OWNER, desired: [], observed });
    expect(removed.changes.filter((c) => c.action === "delete")).toEqual([]);
    expect(removed.changes.map((c) => c.proxy)).not.toContain(hostile);
    // The file is there: every clash is refused, and the reason never repeats the hostile value.
    const kept = buildPlan({ owner: OWNER, desired: [d], observed });
    expect(kept.errors.length).toBeGreaterThan(0);
    for (const e of kept.errors) {
      expect(e.message).toContain("carries this tool's mark, but its ipv6ProxyName tag is not a proxy name");
      expect(e.message).not.toContain("INJECTED");
    }
  });

  it("an owner tag that no owner could be is refused the same way", () => {
    const d = proxy(BASE);
    const observed = observedFrom(d);
    for (const r of observed.resources.values()) r.tags = { ...r.tags, [TAG_OWNER]: "acme/web\n::error::x" };
    expect(ownershipOf([...observed.resources.values()][0]?.tags, OWNER).kind).toBe("invalid-tags");
    expect(buildPlan({ owner: OWNER, desired: [], observed }).changes.filter((c) => c.action === "delete")).toEqual([]);
  });

  it("only a DNS zone id this tool could have written is used from the zone tag", () => {
    const zone = `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/dnszones/example.nl`;
    expect(dnsZoneIdFromTag(zone)).toBe(zone);
    expect(dnsZoneIdFromTag(zone.toLowerCase())).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/dnszones/example.nl`,
    );
    for (const bad of [
      undefined,
      "",
      "example.nl",
      `${zone}\n::add-mask::INJECTED`,
      zone.replace("dnszones", "privateDnsZones"),
      zone.replace("example.nl", "Example.NL"),
      zone.replace("rg-dns", "rg dns"),
      zone.replace(SUB, "not-a-guid"),
      `${zone}/AAAA/www`,
    ])
      expect(dnsZoneIdFromTag(bad), String(bad)).toBeUndefined();
  });

  it("a zone id too long for one tag value is written as its name and group, and read back; old tags still read", () => {
    const short = `/subscriptions/${SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/dnszones/example.nl`;
    expect(dnsZoneTags(short)).toEqual({ [TAG_DNS_ZONE]: short });
    expect(dnsZoneIdFromTags({ [TAG_DNS_ZONE]: short, [TAG_DNS_ZONE_GROUP]: `${SUB}/stale` })).toBe(short);

    const zone = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.nl`;
    const long = `/subscriptions/${SUB}/resourceGroups/${"g".repeat(90)}/providers/Microsoft.Network/dnszones/${zone}`;
    const tags = dnsZoneTags(long);
    expect(tags).toEqual({ [TAG_DNS_ZONE]: zone, [TAG_DNS_ZONE_GROUP]: `${SUB}/${"g".repeat(90)}` });
    expect(Math.max(...Object.values(tags).map((v) => v.length))).toBeLessThanOrEqual(256);
    expect(dnsZoneIdFromTags(tags)).toBe(long);

    for (const bad of [
      { [TAG_DNS_ZONE]: zone },
      { [TAG_DNS_ZONE]: zone, [TAG_DNS_ZONE_GROUP]: "not-a-guid/rg" },
      { [TAG_DNS_ZONE]: zone, [TAG_DNS_ZONE_GROUP]: `${SUB}/rg/extra` },
      { [TAG_DNS_ZONE]: `${zone}/AAAA/www`, [TAG_DNS_ZONE_GROUP]: `${SUB}/rg` },
      { [TAG_DNS_ZONE]: "Example.NL", [TAG_DNS_ZONE_GROUP]: `${SUB}/rg` },
    ])
      expect(dnsZoneIdFromTags(bad), JSON.stringify(bad)).toBeUndefined();
  });

  it("every tag value of the longest proxy the files allow is within Azure's 256 characters", () => {
    const zone = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.nl`;
    const name = "n".repeat(40);
    const { proxy: spec, errors } = parseProxyFile(
      `proxies/${name}.yaml`,
      `name: ${name}\nlocation: westeurope\nresourceGroup: ${"g".repeat(90)}\nbackends: [203.0.113.1]\n` +
        `replicas: 2\ndns: {zone: ${zone}, resourceGroup: ${"h".repeat(90)}, records: ["@"]}\n`,
    );
    expect(errors).toEqual([]);
    const d = desiredProxy(spec!, SUB, "o".repeat(200));
    const values = d.resources.flatMap((r) => Object.values((r.body.tags ?? r.body.metadata ?? {}) as object));
    expect(values.length).toBeGreaterThan(30);
    for (const v of values) expect(String(v).length, String(v)).toBeLessThanOrEqual(256);
  });
});
