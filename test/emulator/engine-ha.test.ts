/**
 * Proxies with replicas through the real SDK clients against the emulator:
 * the load-balanced design, idempotence, 1 → 2 → 1 with the same IPv6
 * address and AAAA records, config changes rolled one replica at a time,
 * replacements drained first, and deletion that leaves nothing behind.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HEALTH_ACTION_PARAMETER } from "../../src/dataplane/health.js";
import { scriptParameter } from "../../src/dataplane/vmscripts.js";
import { resourceNames } from "../../src/model/names.js";
import { ApplyFailedError, applyPlan, type PlannedRun, planFromDir, verifyApplied } from "../../src/operations.js";
import { renderPlanMarkdown } from "../../src/plan/render-markdown.js";
import { type Harness, planned, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml, type SimpleProxy } from "../support/proxy-files.js";

let h: Harness;
let files: ProxyDir;
let owner: string;
let n = 0;

beforeAll(async () => {
  h = await startHarness({ cloudInitMs: 0 });
  h.emulator.seedDnsZone(h.emulator.subscriptionId, "rg-dns", "example.nl");
});
afterAll(() => h.close());
beforeEach(() => {
  files = new ProxyDir();
  owner = `acme/ha-${++n}`;
});

const plan = async (): Promise<PlannedRun> => {
  const run = planned(await planFromDir(files.dir, h.ctx(owner)));
  expect(run.plan.errors).toEqual([]);
  return run;
};
const apply = async (allowDestroy = false) => applyPlan(await plan(), h.ctx(owner), { allowDestroy });
const write = (p: SimpleProxy) => files.write(p.name, proxyYaml({ zone: "example.nl", records: [p.name], ...p }));
const pending = (run: PlannedRun) =>
  run.plan.changes.filter((c) => c.action !== "noop").map((c) => `${c.address}:${c.action}`);

/** ARM writes since the last reset, as "METHOD type/name". */
function writes(): string[] {
  return h.emulator.requests
    .filter((r) => r.kind === "arm" && r.method !== "GET" && r.method !== "HEAD")
    .map((r) => {
      const parts = r.path.split("/");
      const i = parts.findIndex((p) =>
        /^(virtualMachines|networkInterfaces|loadBalancers|publicIPAddresses|availabilitySets)$/.test(p),
      );
      return i >= 0 ? `${r.method} ${parts.slice(i).join("/")}` : `${r.method} ${parts.slice(-2).join("/")}`;
    });
}

/** Run Command scripts sent to each VM, in order, by what they did. */
function runCommands(): string[] {
  return h.emulator.runCommands.map((r) => {
    const vm = r.vmId.split("/").pop();
    const what =
      scriptParameter(r.script, HEALTH_ACTION_PARAMETER) ??
      (r.script.join("\n").includes("ipv6-proxy-apply") ? "apply" : "?");
    return `${vm} ${what}`;
  });
}

describe("replicas: 2", () => {
  it("creates the load-balanced design, and a second apply writes nothing", async () => {
    write({ name: "www", resourceGroup: "rg-ha-create", replicas: 2 });
    const first = await plan();
    expect(pending(first)).toEqual([
      "www.resourceGroup:create",
      "www.networkSecurityGroup:create",
      "www.virtualNetwork:create",
      "www.publicIpV4:create",
      "www.publicIpV6:create",
      "www.loadBalancer:create",
      "www.networkInterface:create",
      "www.networkInterface.2:create",
      "www.virtualMachine:create",
      "www.virtualMachine.2:create",
      "www.dnsRecord.www:create",
    ]);
    h.emulator.resetRequests();
    const result = await applyPlan(first, h.ctx(owner), { allowDestroy: false });
    const www = result.proxies[0]!;

    // Azure's order: public IPs, then the load balancer, then NICs, then VMs; replicas one after the other.
    const order = writes().filter((w) => w.startsWith("PUT"));
    const at = (w: string) => order.indexOf(w);
    expect(at("PUT publicIPAddresses/ipv6px-www-pip6")).toBeLessThan(at("PUT loadBalancers/ipv6px-www-lb"));
    expect(at("PUT loadBalancers/ipv6px-www-lb")).toBeLessThan(at("PUT networkInterfaces/ipv6px-www-nic"));
    expect(at("PUT networkInterfaces/ipv6px-www-nic")).toBeLessThan(at("PUT virtualMachines/ipv6px-www-vm"));
    expect(at("PUT virtualMachines/ipv6px-www-vm")).toBeLessThan(at("PUT networkInterfaces/ipv6px-www-nic2"));

    const c = h.clients();
    const rg = "rg-ha-create";
    const names = resourceNames("www");
    const lb = await c.network.loadBalancers.get(rg, names.loadBalancer);
    const pip6 = await c.network.publicIPAddresses.get(rg, names.publicIpV6);
    const pip4 = await c.network.publicIPAddresses.get(rg, names.publicIpV4);
    expect(lb.sku?.name).toBe("Standard");
    expect(lb.frontendIPConfigurations?.map((f) => [f.name, f.publicIPAddress?.id])).toEqual([
      ["frontend-ipv6", pip6.id],
      ["frontend-ipv4", pip4.id],
    ]);
    // The public IPv6 is zone-redundant, and it is the AAAA target.
    expect(pip6.zones).toEqual(["1", "2", "3"]);
    expect(pip6.ipConfiguration?.id).toBe(`${lb.id}/frontendIPConfigurations/frontend-ipv6`);
    expect(www.ipv6Address).toBe(pip6.ipAddress);
    expect((await c.dns.recordSets.get("rg-dns", "example.nl", "www", "AAAA")).aaaaRecords).toEqual([
      { ipv6Address: pip6.ipAddress },
    ]);
    // Backends see the load balancer's outbound IPv4; the apply result names it for allow-lists.
    expect(www.ipv4Address).toBe(pip4.ipAddress);
    expect(lb.outboundRules?.[0]).toMatchObject({ protocol: "All", allocatedOutboundPorts: 32000 });
    expect(
      lb.loadBalancingRules?.map((r) => [
        r.name,
        r.frontendPort,
        r.enableTcpReset,
        r.enableFloatingIP,
        r.disableOutboundSnat,
      ]),
    ).toEqual([
      ["port-80", 80, true, false, true],
      ["port-443", 443, true, false, true],
    ]);
    expect(lb.probes?.[0]).toMatchObject({ protocol: "Http", port: 8405, requestPath: "/healthz" });
    // Pool membership set on the NICs, shown on the pools; the NICs have no public IPs.
    const pool = (name: string) =>
      lb.backendAddressPools?.find((p) => p.name === name)?.backendIPConfigurations?.map((x) => x.id?.split("/")[8]);
    expect(pool("pool-ipv6")).toEqual([names.networkInterface, `${names.networkInterface}2`]);
    expect(pool("pool-ipv4")).toEqual([names.networkInterface, `${names.networkInterface}2`]);
    for (const nic of [names.networkInterface, `${names.networkInterface}2`]) {
      const got = await c.network.networkInterfaces.get(rg, nic);
      expect(got.ipConfigurations?.map((x) => x.publicIPAddress)).toEqual([undefined, undefined]);
    }
    // Each VM in its zone; the NSG lets the load balancer's probe in.
    expect((await c.compute.virtualMachines.get(rg, names.virtualMachine)).zones).toEqual(["1"]);
    expect((await c.compute.virtualMachines.get(rg, `${names.virtualMachine}2`)).zones).toEqual(["2"]);
    const nsg = await c.network.networkSecurityGroups.get(rg, names.networkSecurityGroup);
    expect(nsg.securityRules?.find((r) => r.name === "allow-lb-probe")).toMatchObject({
      sourceAddressPrefix: "AzureLoadBalancer",
      destinationPortRange: "8405",
    });
    const health = await c.network.loadBalancerLoadBalancingRules.health(rg, names.loadBalancer, "port-443");
    expect({ up: health.up, down: health.down }).toEqual({ up: 2, down: 0 });
    // Verify after apply asks every replica, and finds the site on the load balancer's address.
    const report = await verifyApplied(first, result.proxies, h.ctx(owner), { dnsSettleMs: 0 });
    expect(report.verdict).toBe("healthy");
    expect(report.proxies[0]!.ipv6Address).toBe(pip6.ipAddress);
    expect(report.proxies[0]!.vms).toHaveLength(2);

    h.emulator.resetRequests();
    const second = await plan();
    expect(pending(second)).toEqual([]);
    await applyPlan(second, h.ctx(owner), { allowDestroy: false });
    expect(h.emulator.writeCount()).toBe(0);
  });

  it("places replicas in an availability set where the region has no zones, and says what that survives", async () => {
    write({ name: "west", resourceGroup: "rg-ha-avset", replicas: 2, location: "westus" });
    const run = await plan();
    expect(run.plan.warnings.map((w) => w.code)).toContain("no-zones");
    await applyPlan(run, h.ctx(owner), { allowDestroy: false });
    const c = h.clients();
    const set = await c.compute.availabilitySets.get("rg-ha-avset", "ipv6px-west-avset");
    expect(set.virtualMachines?.map((v) => v.id?.split("/").pop())).toEqual(["ipv6px-west-vm", "ipv6px-west-vm2"]);
    expect((await c.compute.virtualMachines.get("rg-ha-avset", "ipv6px-west-vm")).zones).toBeUndefined();
    expect(pending(await plan())).toEqual([]);
  });

  it("opens the load balancer's IPv4 with ipv4: true", async () => {
    write({ name: "dual", resourceGroup: "rg-ha-ipv4", replicas: 2, ipv4: true, ports: [443] });
    await apply();
    const lb = await h.clients().network.loadBalancers.get("rg-ha-ipv4", "ipv6px-dual-lb");
    expect(lb.loadBalancingRules?.map((r) => [r.name, r.frontendIPConfiguration?.id?.split("/").pop()])).toEqual([
      ["port-443", "frontend-ipv6"],
      ["port-443-ipv4", "frontend-ipv4"],
    ]);
  });
});

describe("1 → 2 → 1", () => {
  it("keeps the IPv6 address and the AAAA records, moving the public IPs between the NIC and the load balancer", async () => {
    const rg = "rg-ha-migrate";
    write({ name: "shop", resourceGroup: rg });
    const single = (await apply()).proxies[0]!;
    const address = single.ipv6Address;
    expect(address).toMatch(/:/);
    const c = h.clients();
    const aaaa = async () => (await c.dns.recordSets.get("rg-dns", "example.nl", "shop", "AAAA")).aaaaRecords;

    write({ name: "shop", resourceGroup: rg, replicas: 2 });
    const up = await plan();
    // The existing public IPv6 stays (no change to it); replica 1 moves into zone 1.
    expect(up.plan.changes.find((x) => x.kind === "publicIpV6")?.action).toBe("noop");
    expect(up.plan.warnings.map((w) => w.code)).not.toContain("ipv6-address-change");
    const steps = up.plan.rollouts[0]!.steps;
    expect(steps.map((s) => s.kind)).toEqual([
      "write", // NSG: the probe rule
      "push-config", // replica 1 serves the health endpoint before the move
      "detach",
      "write", // load balancer
      "write", // NIC joins the pools
      "wait-healthy",
      "write", // replica 2's NIC
      "write", // replica 2
      "wait-healthy",
      "drain", // replica 1, now that replica 2 serves
      "delete", // its VM, and with it its NIC
      "delete",
      "write", // the NIC again, in the pools
      "write", // replica 1 in zone 1
      "wait-healthy",
    ]);
    expect(steps.filter((s) => s.interrupts).map((s) => s.kind)).toEqual(["detach", "write", "write", "wait-healthy"]);
    const markdown = renderPlanMarkdown(up.plan, { marker: "<!-- test -->" });
    expect(markdown).toContain("Rollout, one step at a time:");
    expect(markdown).toContain("the site is unreachable until replica 1 is probed healthy");

    h.emulator.resetRequests();
    const two = (await applyPlan(up, h.ctx(owner), { allowDestroy: true })).proxies[0]!;
    expect(two.ipv6Address).toBe(address);
    expect(await aaaa()).toEqual([{ ipv6Address: address }]);
    const pip6 = await c.network.publicIPAddresses.get(rg, "ipv6px-shop-pip6");
    expect(pip6.ipAddress).toBe(address);
    expect(pip6.ipConfiguration?.id).toMatch(/loadBalancers\/ipv6px-shop-lb\/frontendIPConfigurations\/frontend-ipv6$/);
    // The single VM's address was created zone-redundant, so the load balancer's frontend is too.
    expect(pip6.zones).toEqual(["1", "2", "3"]);
    expect((await c.compute.virtualMachines.get(rg, "ipv6px-shop-vm")).zones).toEqual(["1"]);
    // Replica 1 was drained (its health endpoint) before it was deleted, and replica 2 served meanwhile.
    expect(runCommands().indexOf("ipv6px-shop-vm drain")).toBeGreaterThan(
      runCommands().indexOf("ipv6px-shop-vm2 serve"),
    );
    expect(writes().indexOf("DELETE virtualMachines/ipv6px-shop-vm")).toBeGreaterThan(-1);
    expect(pending(await plan())).toEqual([]);

    write({ name: "shop", resourceGroup: rg });
    const down = await plan();
    expect(pending(down)).toEqual([
      "shop.networkSecurityGroup:update",
      "shop.loadBalancer:delete",
      "shop.networkInterface:update",
      "shop.networkInterface.2:delete",
      "shop.virtualMachine:update",
      "shop.virtualMachine.2:delete",
      "shop.vmConfig:update",
    ]);
    const one = (await applyPlan(down, h.ctx(owner), { allowDestroy: true })).proxies[0]!;
    expect(one.ipv6Address).toBe(address);
    expect(await aaaa()).toEqual([{ ipv6Address: address }]);
    const back = await c.network.publicIPAddresses.get(rg, "ipv6px-shop-pip6");
    expect(back.ipConfiguration?.id).toMatch(/networkInterfaces\/ipv6px-shop-nic\/ipConfigurations\/ipconfig-v6$/);
    expect((await c.network.loadBalancers.list(rg).next()).value).toBeUndefined();
    expect(pending(await plan())).toEqual([]);
  });
});

describe("a move that cannot keep the address", () => {
  it("says why before anything happens, then recreates a non-zonal address zone-redundant, and the AAAA records follow", async () => {
    const rg = "rg-ha-nonzonal";
    write({ name: "old", resourceGroup: rg });
    await apply();
    const c = h.clients();
    // A single VM whose public IPv6 was created without zones (as this tool once did): detach it,
    // create it again non-zonal with the same tags, attach it again.
    const nic = await c.network.networkInterfaces.get(rg, "ipv6px-old-nic");
    const v6 = nic.ipConfigurations!.find((x) => x.name === "ipconfig-v6")!;
    const attached = v6.publicIPAddress!;
    delete v6.publicIPAddress;
    await c.network.networkInterfaces.beginCreateOrUpdateAndWait(rg, "ipv6px-old-nic", nic);
    const zoned = await c.network.publicIPAddresses.get(rg, "ipv6px-old-pip6");
    await c.network.publicIPAddresses.beginDeleteAndWait(rg, "ipv6px-old-pip6");
    const { zones: _zones, ipAddress: _ip, ...rest } = zoned;
    const legacy = await c.network.publicIPAddresses.beginCreateOrUpdateAndWait(rg, "ipv6px-old-pip6", rest);
    expect(legacy.zones).toBeUndefined();
    v6.publicIPAddress = attached;
    await c.network.networkInterfaces.beginCreateOrUpdateAndWait(rg, "ipv6px-old-nic", nic);
    // Azure never changes a public IP's zones: the emulator refuses it as Azure does.
    const inPlace = await c.network.publicIPAddresses
      .beginCreateOrUpdateAndWait(rg, "ipv6px-old-pip6", { ...rest, zones: ["1", "2", "3"] })
      .catch((e: { code?: string }) => e);
    expect(inPlace).toMatchObject({ code: "ResourceAvailabilityZonesCannotBeModified" });
    // A single VM keeps the address it has; only its AAAA record follows it.
    expect(pending(await plan())).toEqual(["old.dnsRecord.old:update"]);
    await apply();
    const oldAddress = legacy.ipAddress!;
    const aaaa = async () => (await c.dns.recordSets.get("rg-dns", "example.nl", "old", "AAAA")).aaaaRecords;
    expect(await aaaa()).toEqual([{ ipv6Address: oldAddress }]);

    write({ name: "old", resourceGroup: rg, replicas: 2 });
    const up = await plan();
    const warning = up.plan.warnings.find((w) => w.code === "ipv6-address-change")!;
    expect(warning.message).toContain(
      `the public IPv6 address ${oldAddress} of proxy "old" will change: it is non-zonal (created without zones), and a load balancer's frontend takes the zones of its public IP`,
    );
    expect(renderPlanMarkdown(up.plan, { marker: "<!-- test -->" })).toContain(
      "Azure never changes a public IP's zones after it is created",
    );
    expect(up.plan.changes.find((x) => x.kind === "publicIpV6")?.action).toBe("replace");
    // The IPv4 address was created zone-redundant and stays.
    expect(up.plan.changes.find((x) => x.kind === "publicIpV4")?.action).toBe("noop");

    h.emulator.resetRequests();
    const moved = (await applyPlan(up, h.ctx(owner), { allowDestroy: true })).proxies[0]!;
    // Nothing was written to the address in place: it was freed from the NIC, deleted, created again.
    const order = writes().filter((w) =>
      /networkInterfaces\/ipv6px-old-nic$|publicIPAddresses\/ipv6px-old-pip6$|loadBalancers/.test(w),
    );
    expect(order.slice(0, 4)).toEqual([
      "PUT networkInterfaces/ipv6px-old-nic",
      "DELETE publicIPAddresses/ipv6px-old-pip6",
      "PUT publicIPAddresses/ipv6px-old-pip6",
      "PUT loadBalancers/ipv6px-old-lb",
    ]);
    const pip6 = await c.network.publicIPAddresses.get(rg, "ipv6px-old-pip6");
    expect(pip6.zones).toEqual(["1", "2", "3"]);
    expect(pip6.ipAddress).not.toBe(oldAddress);
    expect(moved.ipv6Address).toBe(pip6.ipAddress);
    expect(pip6.ipConfiguration?.id).toMatch(/loadBalancers\/ipv6px-old-lb\/frontendIPConfigurations\/frontend-ipv6$/);
    expect(await aaaa()).toEqual([{ ipv6Address: pip6.ipAddress }]);
    expect(pending(await plan())).toEqual([]);
  });
});

describe("changes to replicas", () => {
  it("rolls a config change one replica at a time, each checked before the next", async () => {
    write({ name: "api", resourceGroup: "rg-ha-roll", replicas: 3, backends: ["203.0.113.20"] });
    await apply();
    write({ name: "api", resourceGroup: "rg-ha-roll", replicas: 3, backends: ["203.0.113.21"] });
    const run = await plan();
    const steps = run.plan.rollouts[0]!.steps.map((s) => `${s.kind} ${s.address}`);
    expect(steps).toEqual([
      "write api.virtualMachine",
      "write api.vmConfig",
      "write api.virtualMachine.2",
      "write api.vmConfig.2",
      "write api.virtualMachine.3",
      "write api.vmConfig.3",
    ]);
    h.emulator.resetRequests();
    await applyPlan(run, h.ctx(owner), { allowDestroy: false });
    expect(runCommands()).toEqual([
      "ipv6px-api-vm apply",
      "ipv6px-api-vm serve",
      "ipv6px-api-vm2 apply",
      "ipv6px-api-vm2 serve",
      "ipv6px-api-vm3 apply",
      "ipv6px-api-vm3 serve",
    ]);
    expect(pending(await plan())).toEqual([]);
  });

  it("stops at the first replica that refuses a config: the others keep the old one", async () => {
    write({ name: "stop", resourceGroup: "rg-ha-stop", replicas: 2, backends: ["203.0.113.30"] });
    await apply();
    write({ name: "stop", resourceGroup: "rg-ha-stop", replicas: 2, backends: ["203.0.113.31"] });
    const run = await plan();
    const simulated = h.emulator.currentRunCommandHandler();
    h.emulator.onRunCommand(async (vmId, script) =>
      script.join("\n").includes("ipv6-proxy-apply")
        ? {
            exitCode: 1,
            stdout: "ipv6-proxy-check: not serving: the config was not applied\n",
            stderr: "haproxy rejected the config\n",
          }
        : simulated(vmId, script),
    );
    h.emulator.resetRequests();
    try {
      const failure = await applyPlan(run, h.ctx(owner), { allowDestroy: false }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ApplyFailedError);
    } finally {
      h.emulator.onRunCommand(simulated);
    }
    expect(runCommands()).toEqual(["ipv6px-stop-vm apply"]);
    // Both replicas still show the config as pending; replica 2 was never touched.
    expect(pending(await plan())).toEqual(expect.arrayContaining(["stop.vmConfig:update", "stop.vmConfig.2:update"]));
  });

  it("drains a replica before replacing it, and waits until it is healthy before the next", async () => {
    write({ name: "keys", resourceGroup: "rg-ha-keys", replicas: 2 });
    await apply();
    // A new SSH key can only be set on a new VM: both replicas are replaced, one after the other.
    files.write(
      "keys",
      `${proxyYaml({ name: "keys", resourceGroup: "rg-ha-keys", zone: "example.nl", records: ["keys"], replicas: 2 })}ssh:\n  allowFrom: ["2001:db8::/32"]\n  publicKeys: ["${(await import("../support/emulator-fixtures.js")).sshPublicKey()}"]\n`,
    );
    const run = await plan();
    expect(run.plan.rollouts[0]!.steps.map((s) => `${s.kind} ${s.address}`)).toEqual([
      "write keys.networkSecurityGroup",
      "drain keys.virtualMachine",
      "delete keys.virtualMachine",
      "delete keys.networkInterface", // it went with its VM; nothing left to delete
      "write keys.networkInterface", // created again, in the same backend pools
      "write keys.virtualMachine",
      "wait-healthy keys.virtualMachine",
      "drain keys.virtualMachine.2",
      "delete keys.virtualMachine.2",
      "delete keys.networkInterface.2", // it went with its VM; nothing left to delete
      "write keys.networkInterface.2", // created again, in the same backend pools
      "write keys.virtualMachine.2",
      "wait-healthy keys.virtualMachine.2",
    ]);
    h.emulator.resetRequests();
    await applyPlan(run, h.ctx(owner), { allowDestroy: true });
    expect(runCommands()).toEqual([
      "ipv6px-keys-vm drain",
      "ipv6px-keys-vm apply",
      "ipv6px-keys-vm serve",
      "ipv6px-keys-vm2 drain",
      "ipv6px-keys-vm2 apply",
      "ipv6px-keys-vm2 serve",
    ]);
    expect(pending(await plan())).toEqual([]);
  });

  it("resizes replicas one at a time; a size their hardware lacks is deallocate, resize, start, never a refused PATCH", async () => {
    write({ name: "size", resourceGroup: "rg-ha-size", replicas: 2 });
    await apply();
    h.emulator.setHardwareCluster(/^ipv6px-size-vm\d*$/, ["Standard_B2ats_v2", "Standard_B2als_v2"]);
    files.write(
      "size",
      `${proxyYaml({ name: "size", resourceGroup: "rg-ha-size", zone: "example.nl", records: ["size"], replicas: 2 })}vmSize: Standard_D2as_v5\n`,
    );
    const run = await plan();
    expect(run.plan.warnings.filter((w) => w.code === "downtime")).toHaveLength(2);
    expect(run.plan.rollouts[0]!.steps.map((s) => `${s.kind} ${s.address}`)).toEqual([
      "drain size.virtualMachine",
      "write size.virtualMachine",
      "wait-healthy size.virtualMachine",
      "drain size.virtualMachine.2",
      "write size.virtualMachine.2",
      "wait-healthy size.virtualMachine.2",
    ]);
    h.emulator.resetRequests();
    await applyPlan(run, h.ctx(owner), { allowDestroy: false });
    expect(writes().filter((w) => w.includes("virtualMachines/"))).toEqual([
      "POST virtualMachines/ipv6px-size-vm/runCommand", // drained first
      "POST virtualMachines/ipv6px-size-vm/deallocate",
      "PATCH virtualMachines/ipv6px-size-vm",
      "POST virtualMachines/ipv6px-size-vm/start",
      "POST virtualMachines/ipv6px-size-vm/runCommand",
      "POST virtualMachines/ipv6px-size-vm/runCommand",
      "POST virtualMachines/ipv6px-size-vm2/runCommand", // drained first
      "POST virtualMachines/ipv6px-size-vm2/deallocate",
      "PATCH virtualMachines/ipv6px-size-vm2",
      "POST virtualMachines/ipv6px-size-vm2/start",
      "POST virtualMachines/ipv6px-size-vm2/runCommand",
      "POST virtualMachines/ipv6px-size-vm2/runCommand",
    ]);
    expect(runCommands()).toEqual([
      "ipv6px-size-vm drain",
      "ipv6px-size-vm apply",
      "ipv6px-size-vm serve",
      "ipv6px-size-vm2 drain",
      "ipv6px-size-vm2 apply",
      "ipv6px-size-vm2 serve",
    ]);
    expect(pending(await plan())).toEqual([]);
  });

  it("scales out and in behind the same address, draining a replica before it goes", async () => {
    write({ name: "scale", resourceGroup: "rg-ha-scale", replicas: 2 });
    const address = (await apply()).proxies[0]!.ipv6Address;
    write({ name: "scale", resourceGroup: "rg-ha-scale", replicas: 3 });
    expect((await apply()).proxies[0]!.ipv6Address).toBe(address);
    const lb = await h.clients().network.loadBalancers.get("rg-ha-scale", "ipv6px-scale-lb");
    expect(lb.outboundRules?.[0]?.allocatedOutboundPorts).toBe(21328);
    write({ name: "scale", resourceGroup: "rg-ha-scale", replicas: 2 });
    h.emulator.resetRequests();
    expect((await apply(true)).proxies[0]!.ipv6Address).toBe(address);
    expect(runCommands()).toEqual(["ipv6px-scale-vm3 drain"]);
    expect(writes().filter((w) => w.startsWith("DELETE"))).toEqual([
      "DELETE virtualMachines/ipv6px-scale-vm3",
      "DELETE networkInterfaces/ipv6px-scale-nic3",
    ]);
    expect(pending(await plan())).toEqual([]);
  });
});

describe("deleting a proxy with replicas", () => {
  it("leaves nothing behind: NICs, then the load balancer, then the public IPs", async () => {
    write({ name: "gone", resourceGroup: "rg-ha-gone", replicas: 2, location: "westus" });
    await apply();
    files.remove("gone");
    h.emulator.resetRequests();
    await apply(true);
    const deletes = writes().filter((w) => w.startsWith("DELETE"));
    const at = (w: string) => deletes.indexOf(w);
    expect(at("DELETE networkInterfaces/ipv6px-gone-nic2")).toBeLessThan(at("DELETE loadBalancers/ipv6px-gone-lb"));
    expect(at("DELETE loadBalancers/ipv6px-gone-lb")).toBeLessThan(at("DELETE publicIPAddresses/ipv6px-gone-pip6"));
    // Every resource of the group, disks included (the generic list ARM offers).
    const left: string[] = [];
    for await (const r of h.clients().resources.resources.listByResourceGroup("rg-ha-gone")) left.push(String(r.id));
    expect(left).toEqual([]);
    expect(pending(await plan())).toEqual([]);
  });
});
