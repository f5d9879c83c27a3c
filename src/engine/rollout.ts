/**
 * The order in which a proxy with replicas (or one that gains or loses its
 * load balancer) is changed, derived from the plan's changes. Pure: the plan
 * shows these steps, and apply carries them out one after the other.
 *
 * The rules it follows:
 * - never act on all replicas at once: replicas are created, replaced and
 *   reconfigured one at a time, each checked before the next;
 * - a replica is drained before it is replaced or removed (its health
 *   endpoint fails, the load balancer sends it no new flows, established
 *   flows finish), and a replaced or new one serves and is probed healthy
 *   before the next step;
 * - new replicas come before replacements, so a replacement never leaves the
 *   site without a replica;
 * - the public IPs move between the VM's NIC and the load balancer's
 *   frontends as resources, so the addresses and the AAAA records stay;
 * - Azure's order: public IPs → load balancer → NICs → VMs to create, the
 *   reverse to delete, and NIC writes one at a time (a load balancer's pools
 *   refuse concurrent NIC writes).
 */
import { replicaNumberOf } from "../model/names.js";
import { PROBE_WINDOW_SECONDS } from "../model/replicas.js";
import type { Change, ResourceKind, Rollout, RolloutStep } from "../plan/types.js";
import type { DesiredProxy } from "./desired.js";

/** The steps of one proxy, or undefined when no load balancer is involved (a single VM changes as it always has). */
export function planRollout(proxy: string, changes: Change[], desired: DesiredProxy | undefined): Rollout | undefined {
  const mine = changes.filter((c) => c.proxy === proxy);
  const lb = mine.find((c) => c.kind === "loadBalancer");
  if (!lb || !desired) return undefined;
  const lbBefore = lb.action !== "create";
  const lbAfter = lb.action !== "delete";
  const steps = new StepList();

  const pending = (kind: ResourceKind) => mine.filter((c) => c.kind === kind && c.action !== "noop");
  const ofReplica = (kind: ResourceKind, n: number) =>
    mine.find((c) => c.kind === kind && replicaNumberOf(c.address) === n);
  const replicaNumbers = [
    ...new Set(mine.filter((c) => c.kind === "virtualMachine").map((c) => replicaNumberOf(c.address))),
  ].sort((a, b) => a - b);
  const wanted = Math.max(desired.spec.replicas, 1);
  const label = (n: number) => `replica ${n}`;

  // A single VM that becomes replica 1: its public IPs leave its NIC for the new load balancer.
  const vm1 = ofReplica("virtualMachine", 1);
  const nic1 = ofReplica("networkInterface", 1);
  const moving = !lbBefore && vm1 !== undefined && vm1.action !== "create" && nic1 !== undefined;
  // A public IP that cannot keep its address there (its zones, frontend-zones.ts) is created again
  // once it is free: a public IP is attached to one thing at a time.
  const recreated = (c: Change) => moving && c.kind.startsWith("publicIp") && c.action === "replace";

  // 1. The network the load balancer needs: the NSG's probe rule first when it arrives, last when it goes.
  for (const kind of ["networkSecurityGroup", "virtualNetwork", "publicIpV4", "publicIpV6"] as const) {
    if (kind === "networkSecurityGroup" && !lbAfter) continue;
    for (const c of pending(kind)) if (!recreated(c)) steps.write(c);
  }

  // 2. One VM becomes replica 1: it serves the config with the health endpoint first, then its
  //    public IPs move to the load balancer's frontends.
  if (moving) {
    steps.add({
      kind: "push-config",
      address: vm1.address,
      text: `${label(1)} (${vm1.name}) takes the config with the health endpoint; it keeps serving meanwhile`,
      pause: "until the VM reports that it serves the new config",
    });
    const renewed = mine.filter(recreated);
    const newIpv6 = renewed.some((c) => c.kind === "publicIpV6");
    steps.add({
      kind: "detach",
      address: nic1.address,
      text: `the public IPv4 and IPv6 addresses leave ${nic1.name} for the load balancer: the site is unreachable until ${label(1)} is probed healthy${newIpv6 ? ", and then only on its new IPv6 address once the AAAA records point there" : ""}`,
      interrupts: true,
    });
    for (const c of renewed) {
      steps.remove(c, { interrupts: true });
      steps.write(c, { interrupts: true, text: `create ${c.address} again, with a new address: ${c.reason}` });
    }
    steps.write(lb, { interrupts: true });
    for (const c of pending("availabilitySet")) steps.write(c);
    steps.write(nic1, { interrupts: true, text: `${nic1.name} joins the load balancer's pools` });
    steps.add({
      kind: "wait-healthy",
      address: vm1.address,
      text: `${label(1)} is probed healthy: the site answers again ${renewed.length ? "on the load balancer's addresses" : "on the same addresses"}`,
      pause: `until the load balancer's probe sees ${label(1)} healthy (about ${PROBE_WINDOW_SECONDS} s)`,
      interrupts: true,
    });
  }
  // Scaling in, each remaining replica gets more outbound ports: the load balancer changes only once
  // the others are gone (Azure checks the ports of every member). Otherwise before the new ones join.
  const existing = replicaNumbers.filter((n) => ofReplica("virtualMachine", n)!.action !== "create").length;
  const scalesIn = lbBefore && lbAfter && existing > wanted;
  if (lbBefore && lbAfter && !scalesIn) steps.write(lb);
  if (!lbBefore) steps.write(lb);
  if (lbAfter) for (const c of pending("availabilitySet")) if (c.action !== "delete") steps.write(c);

  // 3. New replicas, one at a time.
  for (const n of replicaNumbers) {
    const vm = ofReplica("virtualMachine", n)!;
    if (vm.action !== "create" || n > wanted) continue;
    const nic = ofReplica("networkInterface", n);
    if (nic && nic.action !== "noop") steps.write(nic);
    steps.write(vm, { text: `${label(n)} (${vm.name}) is created and boots` });
    steps.healthy(vm.address, label(n));
  }

  // 4. Replicas that go away: drained first while another one serves.
  for (const n of [...replicaNumbers].reverse()) {
    if (n <= wanted || !lbBefore) continue;
    const vm = ofReplica("virtualMachine", n)!;
    steps.drain(vm.address, label(n));
    steps.remove(vm);
    const nic = ofReplica("networkInterface", n);
    if (nic) steps.remove(nic);
  }

  if (scalesIn) steps.write(lb);

  // 5. Replacements, one at a time: drain, replace, wait until healthy.
  for (const n of replicaNumbers) {
    const vm = ofReplica("virtualMachine", n)!;
    if (vm.action !== "replace" || n > wanted) continue;
    if (lbBefore || n > 1 || steps.has("wait-healthy")) steps.drain(vm.address, label(n));
    steps.remove(vm);
    const nic = ofReplica("networkInterface", n);
    if (nic && nic.action === "replace") steps.remove(nic);
    // A NIC that goes with its VM is created again, even when it joined the pools earlier in this rollout.
    if (nic && nic.action !== "noop" && !steps.wrote(nic)) steps.write(nic);
    steps.write(vm, { text: `${label(n)} (${vm.name}) is created again: ${vm.reason}` });
    steps.healthy(vm.address, label(n));
  }

  // 6. Changes in place, one replica at a time: new userData, the apply script, its check and the health endpoint.
  for (const n of replicaNumbers) {
    if (n > wanted) continue;
    const vm = ofReplica("virtualMachine", n)!;
    const nic = ofReplica("networkInterface", n);
    const config = ofReplica("vmConfig", n);
    if (nic && nic.action === "update" && !steps.wrote(nic) && lbAfter) steps.write(nic);
    // A new size restarts the VM ("If the virtual machine is currently running, changing its size will
    // cause it to be restarted", learn.microsoft.com/azure/virtual-machines/sizes/resize-vm): drained first,
    // healthy after.
    const resized =
      vm.action === "update" && lbBefore && lbAfter && !steps.wrote(vm) && vm.diffs.some((d) => d.path === "vmSize");
    if (resized) steps.drain(vm.address, label(n));
    if (vm.action === "update" && !steps.wrote(vm) && !steps.has("push-config", vm.address)) {
      steps.write(vm, resized ? { text: `${label(n)} (${vm.name}) is resized; Azure restarts it` } : {});
    }
    if (config && config.action !== "noop" && !steps.has("push-config", vm.address) && lbAfter) {
      steps.write(config, {
        text: `${label(n)} applies the new config and is checked (the apply script, then its health endpoint)`,
        pause: `until ${label(n)} serves the new config, before the next replica`,
      });
    }
    if (resized) steps.healthy(vm.address, label(n));
  }

  // 7. The load balancer goes: replica 1's NIC leaves the pools, the load balancer is deleted, and
  //    the public IPs come back to the NIC, with the single VM's config.
  if (!lbAfter) {
    const nic1 = ofReplica("networkInterface", 1);
    if (nic1) {
      steps.add({
        kind: "detach",
        address: nic1.address,
        text: `${nic1.name} leaves the load balancer's pools: the site is unreachable until its public IPs are back on it`,
        interrupts: true,
      });
    }
    steps.remove(lb, { interrupts: true });
    if (nic1)
      steps.write(nic1, { interrupts: true, text: `the public IPv4 and IPv6 addresses come back to ${nic1.name}` });
    const config = ofReplica("vmConfig", 1);
    if (config && config.action !== "noop") steps.write(config);
    for (const c of pending("networkSecurityGroup")) steps.write(c);
    for (const c of pending("availabilitySet")) if (c.action === "delete") steps.remove(c);
  }
  if (lbAfter) for (const c of pending("availabilitySet")) if (c.action === "delete") steps.remove(c);

  // 8. DNS last: the records point at the load balancer's IPv6 frontend (the same address).
  for (const c of mine.filter((x) => x.kind === "dnsRecord" && x.action !== "noop")) {
    if (c.action === "delete") steps.remove(c);
    else steps.write(c);
  }
  return steps.list.length ? { proxy, steps: steps.list } : undefined;
}

/** The steps so far, with the bookkeeping that keeps each change written once. */
class StepList {
  readonly list: RolloutStep[] = [];

  add(step: RolloutStep): void {
    this.list.push(step);
  }

  has(kind: RolloutStep["kind"], address?: string): boolean {
    return this.list.some((s) => s.kind === kind && (address === undefined || s.address === address));
  }

  /** Written, and not deleted since (a NIC that goes with its replaced VM is written again). */
  wrote(c: Change): boolean {
    const last = (kind: RolloutStep["kind"]) =>
      this.list.findLastIndex((s) => s.kind === kind && s.address === c.address);
    return last("write") > last("delete");
  }

  write(c: Change, opts: { text?: string; pause?: string; interrupts?: boolean } = {}): void {
    if (c.action === "noop" || c.action === "delete" || this.wrote(c)) return;
    const verb = c.action === "create" ? "create" : c.action === "replace" ? "create again" : "update";
    this.add({
      kind: "write",
      address: c.address,
      text: opts.text ?? `${verb} ${c.address}: ${c.reason}`,
      ...(opts.pause ? { pause: opts.pause } : {}),
      ...(opts.interrupts ? { interrupts: true } : {}),
    });
  }

  remove(c: Change, opts: { interrupts?: boolean } = {}): void {
    if (this.has("delete", c.address)) return;
    this.add({
      kind: "delete",
      address: c.address,
      text: `delete ${c.address} (${c.name})`,
      ...(opts.interrupts ? { interrupts: true } : {}),
    });
  }

  drain(address: string, label: string): void {
    this.add({
      kind: "drain",
      address,
      text: `${label} drains: its health endpoint answers 503, so the load balancer sends it no new connections; established ones finish`,
      pause: `until the load balancer has ${label} out of rotation (its probe window, about ${PROBE_WINDOW_SECONDS} s)`,
    });
  }

  healthy(address: string, label: string): void {
    this.add({
      kind: "wait-healthy",
      address,
      text: `${label} serves, and the load balancer probes it healthy`,
      pause: `until ${label} serves its config and the load balancer's probe sees it healthy, before the next step`,
    });
  }
}

/** The changes a rollout does not reach, for a check that it covers the whole plan of its proxy. */
export function stepsCover(rollout: Rollout, changes: Change[]): Change[] {
  const done = new Set(rollout.steps.filter((s) => s.kind === "write" || s.kind === "delete").map((s) => s.address));
  return changes.filter(
    (c) => c.proxy === rollout.proxy && c.action !== "noop" && c.kind !== "resourceGroup" && !done.has(c.address),
  );
}
