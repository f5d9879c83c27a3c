/**
 * Apply: carry out a plan's changes through the SDK clients, proxy by proxy
 * (independent proxies in parallel), deletes in reverse dependency order,
 * then creates and updates in dependency order. Every step is a PUT, PATCH or
 * DELETE of a deterministically named resource, so a re-run after a crash
 * converges: it observes again and only does what is still missing.
 */

import { renderCloudInit } from "../dataplane/cloudinit.js";
import { encodeUserData } from "../dataplane/vmscripts.js";
import { mapLimit, settleLimit } from "../engine/concurrency.js";
import type { DesiredProxy, DesiredResource } from "../engine/desired.js";
import { ADMIN_USER } from "../engine/desired.js";
import { fqdn } from "../engine/diff.js";
import type { ObservedState } from "../engine/observed.js";
import type { Logger } from "../log.js";
import { armIdKey, parseArmId } from "../model/arm-id.js";
import { TAG_CONFIG_HASH } from "../model/names.js";
import type { AppliedProxy, ApplyFailure, Change, Plan } from "../plan/types.js";
import { KIND_ORDER } from "../plan/types.js";
import type { AzureClients } from "./clients.js";
import { nicReservation, retryWhile, type WaitPolicy } from "./retry.js";
import { applyRollout } from "./rollout-apply.js";
import { checkServing, type RunCommandContext } from "./run-command.js";
import { throwawaySshPublicKey } from "./sshkey.js";

export interface ApplyInput {
  plan: Plan;
  desired: DesiredProxy[];
  observed: ObservedState;
  clientsFor: (subscriptionId: string) => AzureClients;
  concurrency: number;
  log: Logger;
  /** How long to wait out Azure's temporary refusals (NIC reservations, a busy Run Command). */
  waits: WaitPolicy;
}

export class ApplyFailedError extends Error {
  constructor(
    readonly failures: ApplyFailure[],
    readonly applied: AppliedProxy[],
  ) {
    super(
      `apply failed for ${failures.map((f) => `"${f.proxy}": ${f.message}`).join("; ")}. Run apply again to converge: finished steps are kept and nothing is duplicated.`,
    );
    this.name = "ApplyFailedError";
  }
}

type Body = Record<string, unknown>;
const rank = (c: Change) => KIND_ORDER.indexOf(c.kind);

export async function applyChanges(input: ApplyInput): Promise<AppliedProxy[]> {
  // Resource groups first: proxies that share one must not race to create it.
  await mapLimit(
    input.plan.changes.filter((x) => x.kind === "resourceGroup" && x.action === "create"),
    input.concurrency,
    async (c) => {
      input.log.info(`  + ${c.address}: ${c.reason}`);
      await input
        .clientsFor(c.subscriptionId)
        .resources.resourceGroups.createOrUpdate(c.resourceGroup, { location: String(c.after?.location) });
    },
  );
  const proxies = [...new Set(input.plan.changes.map((c) => c.proxy))].sort();
  const results = await settleLimit(proxies, input.concurrency, (name) => applyProxy(name, input));
  const applied: AppliedProxy[] = [];
  const failures: ApplyFailure[] = [];
  results.forEach((r, i) => {
    if (r.status === "fulfilled") applied.push(r.value);
    else
      failures.push({ proxy: proxies[i]!, message: r.reason instanceof Error ? r.reason.message : String(r.reason) });
  });
  if (failures.length) throw new ApplyFailedError(failures, applied);
  return applied;
}

async function applyProxy(name: string, input: ApplyInput): Promise<AppliedProxy> {
  const changes = input.plan.changes.filter((c) => c.proxy === name);
  const desired = input.desired.find((d) => d.spec.name === name);
  const ctx = new ProxyApply(name, desired, input);
  const rollout = input.plan.rollouts.find((r) => r.proxy === name);
  if (rollout) {
    // A load balancer is involved: the reviewed steps, one replica at a time (rollout-apply.ts).
    await applyRollout(rollout, changes, ctx, input);
  } else {
    const removals = changes
      .filter((c) => c.action === "delete" || c.action === "replace")
      .sort((a, b) => rank(b) - rank(a));
    for (const c of removals) await ctx.remove(c);
    const writes = changes
      .filter(
        (c) => c.kind !== "resourceGroup" && (c.action === "create" || c.action === "update" || c.action === "replace"),
      )
      .sort((a, b) => rank(a) - rank(b));
    for (const c of writes) await ctx.write(c);
  }

  const active = changes.filter((c) => c.action !== "noop");
  const status: AppliedProxy["status"] = !desired
    ? "destroyed"
    : active.length === 0
      ? "unchanged"
      : active.every((c) => c.action === "create")
        ? "created"
        : "updated";
  return {
    name,
    status,
    dnsNames: desired?.spec.dns ? desired.spec.dns.records.map((r) => fqdn(r, desired.spec.dns!.zone)) : [],
    ipv6Address: desired ? ctx.ipv6Address() : undefined,
    ipv4Address: desired ? ctx.ipv4Address() : undefined,
    vmMessage: ctx.vmMessage,
  };
}

export class ProxyApply {
  vmMessage?: string;
  private pip6Address: string | undefined;
  private pip4Address: string | undefined;

  constructor(
    private readonly name: string,
    private readonly desired: DesiredProxy | undefined,
    private readonly input: ApplyInput,
  ) {
    const observedAddress = (kind: "publicIpV4" | "publicIpV6"): string | undefined => {
      const pip = desired?.resources.find((r) => r.kind === kind);
      const address = pip && input.observed.resources.get(armIdKey(pip.id))?.body.ipAddress;
      return address ? String(address) : undefined;
    };
    this.pip6Address = observedAddress("publicIpV6");
    this.pip4Address = observedAddress("publicIpV4");
  }

  ipv6Address(): string | undefined {
    return this.pip6Address;
  }

  /** The public IPv4 the proxy's outbound connections come from (the load balancer's, with replicas). */
  ipv4Address(): string | undefined {
    return this.pip4Address;
  }

  /**
   * A PUT or PATCH replaces the whole tag set: keep tags that others (Azure
   * Policy, people) added, and set ours on top.
   */
  private mergedTags(c: { id: string }, body: Body): Record<string, string> {
    const observed = this.input.observed.resources.get(armIdKey(c.id))?.tags ?? {};
    return { ...observed, ...(body.tags as Record<string, string>) };
  }

  clients(c: { subscriptionId: string }): AzureClients {
    return this.input.clientsFor(c.subscriptionId);
  }

  resource(c: { address: string }): DesiredResource {
    const r = this.desired?.resources.find((x) => x.address === c.address);
    if (!r) throw new Error(`internal: no desired body for ${c.address}`);
    return r;
  }

  async remove(c: Change): Promise<void> {
    this.input.log.info(`  - ${c.address}: deleting (${c.reason})`);
    const { network, compute, dns } = this.clients(c);
    const rg = c.resourceGroup;
    switch (c.kind) {
      case "dnsRecord": {
        const zone = dnsZoneOf(c);
        const etag = this.input.observed.resources.get(armIdKey(c.id))?.etag;
        // If-Match: a record someone edited since we looked is left alone (412).
        await dns.recordSets.delete(rg, zone, c.name, "AAAA", etag ? { ifMatch: etag } : {});
        return;
      }
      case "virtualMachine":
        // forceDeletion: false, said explicitly: from api-version 2024-11-01 a VM whose disks all
        // go with it is force deleted by default, and a force delete may keep its NIC's MAC
        // address for up to 10 minutes (learn.microsoft.com/rest/api/compute/virtual-machines/delete;
        // MicrosoftDocs/azure-docs#94596). A NIC with deleteOption Delete goes with the VM.
        return void (await compute.virtualMachines.delete(rg, c.name, { forceDeletion: false }));
      case "networkInterface":
        // A NIC left behind by its VM (deleteOption Detach) is reserved for that VM for 180 s.
        return void (await this.waitingOutNicReservation(() => network.networkInterfaces.delete(rg, c.name)));
      case "loadBalancer":
        return void (await network.loadBalancers.delete(rg, c.name));
      case "availabilitySet":
        return void (await compute.availabilitySets.delete(rg, c.name));
      case "publicIpV4":
      case "publicIpV6":
        return void (await network.publicIPAddresses.delete(rg, c.name));
      case "virtualNetwork":
        return void (await network.virtualNetworks.delete(rg, c.name));
      case "networkSecurityGroup":
        return void (await network.networkSecurityGroups.delete(rg, c.name));
      case "resourceGroup":
      case "vmConfig":
        return; // never deleted: resource groups may hold other things; config goes with its VM
    }
  }

  async write(c: Change): Promise<void> {
    this.input.log.info(
      `  ${c.action === "create" ? "+" : c.action === "replace" ? "±" : "~"} ${c.address}: ${c.reason}`,
    );
    const { network, compute, dns } = this.clients(c);
    const rg = c.resourceGroup;
    const res = this.resource(c.kind === "vmConfig" ? { address: vmAddressOf(c.address) } : c);
    const body =
      c.kind === "dnsRecord" || c.kind === "resourceGroup"
        ? res.body
        : { ...res.body, tags: this.mergedTags(c, res.body) };
    switch (c.kind) {
      case "resourceGroup":
        return; // created before any proxy starts (applyChanges)
      case "networkSecurityGroup":
        return void (await network.networkSecurityGroups.createOrUpdate(rg, c.name, body));
      case "virtualNetwork":
        return void (await network.virtualNetworks.createOrUpdate(rg, c.name, body));
      case "publicIpV4":
      case "publicIpV6": {
        // Zones are fixed at creation, and a PUT without them asks for "no zone": an existing
        // address is sent back with the zones it has; a replaced one (deleted first) gets the new ones.
        const observed = c.action === "replace" ? undefined : this.input.observed.resources.get(armIdKey(c.id));
        const zones = observed ? (observed.body.zones as string[] | undefined) : (body.zones as string[] | undefined);
        const { zones: _created, ...rest } = body;
        const pip = await network.publicIPAddresses.createOrUpdate(rg, c.name, {
          ...rest,
          ...(zones?.length ? { zones } : {}),
        });
        if (pip.ipAddress && c.kind === "publicIpV6") this.pip6Address = pip.ipAddress;
        if (pip.ipAddress && c.kind === "publicIpV4") this.pip4Address = pip.ipAddress;
        return;
      }
      case "loadBalancer":
        // One full PUT; pool membership lives on the NICs and is never sent back.
        return void (await network.loadBalancers.createOrUpdate(rg, c.name, body));
      case "availabilitySet":
        return void (await compute.availabilitySets.createOrUpdate(
          rg,
          c.name,
          body as unknown as Parameters<AzureClients["compute"]["availabilitySets"]["createOrUpdate"]>[2],
        ));
      case "networkInterface": {
        // Accelerated networking is set when the NIC is created; an existing NIC keeps what it has.
        const existing = c.action === "update" ? this.input.observed.resources.get(armIdKey(c.id)) : undefined;
        const nic = existing
          ? { ...body, enableAcceleratedNetworking: existing.body.enableAcceleratedNetworking === true }
          : body;
        return void (await network.networkInterfaces.createOrUpdate(rg, c.name, nic));
      }
      case "virtualMachine":
        return this.writeVm(c, compute, body);
      case "vmConfig":
        return this.pushConfig(c, compute);
      case "dnsRecord": {
        if (!this.pip6Address) throw new Error(`no IPv6 address known for ${this.name}; cannot write ${c.address}`);
        const zone = dnsZoneOf(c);
        const observed = this.input.observed.resources.get(armIdKey(c.id));
        // If-None-Match: * creates only; If-Match updates only the version we reviewed.
        const guard = observed?.etag ? { ifMatch: observed.etag } : { ifNoneMatch: "*" };
        await dns.recordSets.createOrUpdate(
          rg,
          zone,
          c.name,
          "AAAA",
          {
            ttl: Number(body.ttl),
            // A PUT replaces the whole record set: keep metadata that people or policies added.
            metadata: { ...observed?.tags, ...(body.metadata as Record<string, string>) },
            aaaaRecords: [{ ipv6Address: this.pip6Address }],
          },
          guard,
        );
        return;
      }
    }
  }

  private async writeVm(c: Change, compute: AzureClients["compute"], body: Body): Promise<void> {
    const d = this.desired!;
    const observed = this.input.observed.resources.get(armIdKey(c.id));
    const tags = { ...(body.tags as Record<string, string>) };
    if (observed && c.action !== "replace") {
      // An existing VM, running or Failed, gets a PATCH of what may change: customData,
      // adminUsername and computerName are fixed at creation (customData cannot even be
      // read back), so they are never sent again. The config hash tag moves only once
      // the VM serves the config (pushConfig), so a refused config stays pending.
      const liveSha = observed.tags[TAG_CONFIG_HASH];
      if (liveSha === undefined) delete tags[TAG_CONFIG_HASH];
      else tags[TAG_CONFIG_HASH] = liveSha;
      const patch = () =>
        compute.virtualMachines.update(c.resourceGroup, c.name, {
          tags,
          hardwareProfile: body.hardwareProfile as { vmSize: string },
          userData: encodeUserData(d.config),
        });
      if (!c.vmResize) return void (await patch());
      await this.resize(c, compute, c.vmResize, patch);
      return;
    }
    // A new VM: its config counts as applied only once it serves it (ensureServing).
    delete tags[TAG_CONFIG_HASH];
    const keys = d.spec.ssh?.publicKeys.length ? d.spec.ssh.publicKeys : [throwawaySshPublicKey()];
    const osProfile = body.osProfile as Body;
    const linux = osProfile.linuxConfiguration as Body;
    const vm = await this.waitingOutNicReservation(() =>
      compute.virtualMachines.createOrUpdate(c.resourceGroup, c.name, {
        ...body,
        tags,
        osProfile: {
          ...osProfile,
          customData: Buffer.from(renderCloudInit()).toString("base64"),
          linuxConfiguration: {
            ...linux,
            ssh: { publicKeys: keys.map((keyData) => ({ path: `/home/${ADMIN_USER}/.ssh/authorized_keys`, keyData })) },
          },
        },
        userData: encodeUserData(d.config),
      } as Parameters<AzureClients["compute"]["virtualMachines"]["createOrUpdate"]>[2]),
    );
    await this.ensureServing(c, compute, { ...vm.tags, ...tags });
  }

  /** Retries `op` while Azure answers that the NIC is still reserved for a deleted VM, saying so in the log. */
  private waitingOutNicReservation<T>(op: () => Promise<T>): Promise<T> {
    return retryWhile(op, { policy: this.input.waits, log: this.input.log, waitingFor: nicReservation });
  }

  /**
   * A size the VM's hardware offers is set in place (Azure restarts the VM);
   * any other needs the VM deallocated first, and started again after
   * (learn.microsoft.com/azure/virtual-machines/sizes/resize-vm). Either way
   * the proxy must serve again before apply goes on.
   */
  private async resize(
    c: Change,
    compute: AzureClients["compute"],
    resize: NonNullable<Change["vmResize"]>,
    patch: () => Promise<unknown>,
  ): Promise<void> {
    const log = this.input.log;
    if (resize.inPlace) {
      log.info(`    resizing ${c.name} from ${resize.from} to ${resize.to} (Azure restarts it)`);
      await patch();
    } else {
      log.info(`    deallocating ${c.name}: ${resize.to} is not offered on its current hardware`);
      await compute.virtualMachines.deallocate(c.resourceGroup, c.name);
      log.info(`    resizing ${c.name} from ${resize.from} to ${resize.to}`);
      await patch();
      log.info(`    starting ${c.name}`);
      await compute.virtualMachines.start(c.resourceGroup, c.name);
    }
    const d = this.desired!;
    log.info(`    waiting for ${c.name} to serve again`);
    // The VM boots with its userData, the desired config (the PATCH sent it): expect that one.
    const verdict = await checkServing(this.runCommandContext(c, compute), d.configSha256);
    this.vmMessage = verdict.serving ? verdict.summary : verdict.message;
    if (!verdict.serving)
      throw new Error(`VM ${c.name} does not serve after its resize (${verdict.reason}). VM said:\n${verdict.message}`);
  }

  runCommandContext(c: Pick<Change, "resourceGroup" | "name">, compute: AzureClients["compute"]): RunCommandContext {
    return { compute, resourceGroup: c.resourceGroup, vmName: c.name, log: this.input.log, waits: this.input.waits };
  }

  /**
   * Azure reports a new VM Succeeded before cloud-init has installed HAProxy.
   * Wait until it serves its config; only then mark the config applied, so
   * that DNS (written after this) never points at a VM that serves nothing.
   */
  private async ensureServing(c: Change, compute: AzureClients["compute"], liveTags: Record<string, string>) {
    const d = this.desired!;
    this.input.log.info(
      `    waiting for ${c.name} to finish its first boot and serve its config (cloud-init, HAProxy)`,
    );
    const verdict = await checkServing(this.runCommandContext(c, compute), d.configSha256);
    if (!verdict.serving) {
      this.vmMessage = verdict.message;
      throw new Error(
        `VM ${c.name} does not serve (${verdict.reason}); its DNS records were not written, and the next plan shows its config as pending. VM said:\n${verdict.message}`,
      );
    }
    this.vmMessage = verdict.summary;
    await compute.virtualMachines.update(c.resourceGroup, c.name, {
      tags: { ...liveTags, [TAG_CONFIG_HASH]: d.configSha256 },
    });
  }

  /**
   * The serving check (Run Command) makes the VM fetch its new userData,
   * validate it and reload HAProxy without dropping connections.
   */
  async pushConfig(
    c: Pick<Change, "address" | "id" | "name" | "resourceGroup">,
    compute: AzureClients["compute"],
  ): Promise<void> {
    const d = this.desired!;
    const verdict = await checkServing(this.runCommandContext(c, compute), d.configSha256);
    if (!verdict.serving) {
      this.vmMessage = verdict.message;
      const what =
        verdict.reason === "config-not-applied"
          ? "the VM refused the new config and keeps serving the previous one"
          : verdict.reason === "first-boot-failed"
            ? "the VM's first boot failed, so it cannot take the config (replace the VM to boot it again)"
            : "the VM does not serve the new config";
      throw new Error(`${what}. VM said:\n${verdict.message}`);
    }
    this.vmMessage = verdict.summary;
    const vm = this.resource({ address: vmAddressOf(c.address) });
    await compute.virtualMachines.update(c.resourceGroup, c.name, { tags: this.mergedTags(c, vm.body) });
  }
}

/** The VM a config change is pushed to: `www.vmConfig.2` → `www.virtualMachine.2`. */
export function vmAddressOf(address: string): string {
  return address.replace(".vmConfig", ".virtualMachine");
}

/** The zone of a record change: the first name of `…/dnszones/{zone}/AAAA/{record}`. */
function dnsZoneOf(c: Change): string {
  const zone = parseArmId(c.id)?.names[0];
  if (!zone) throw new Error(`internal: ${c.address} has no DNS zone in its id ${c.id}`);
  return zone;
}
