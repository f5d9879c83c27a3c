/**
 * Apply: carry out a plan's changes through the SDK clients, proxy by proxy
 * (independent proxies in parallel), deletes in reverse dependency order,
 * then creates and updates in dependency order. Every step is a PUT, PATCH or
 * DELETE of a deterministically named resource, so a re-run after a crash
 * converges: it observes again and only does what is still missing.
 */

import { renderCloudInit } from "../dataplane/cloudinit.js";
import { encodeUserData, runCommandScript } from "../dataplane/vmscripts.js";
import { mapLimit, settleLimit } from "../engine/concurrency.js";
import type { DesiredProxy, DesiredResource } from "../engine/desired.js";
import { ADMIN_USER } from "../engine/desired.js";
import { fqdn } from "../engine/diff.js";
import type { ObservedState } from "../engine/observed.js";
import type { Logger } from "../log.js";
import { TAG_CONFIG_HASH } from "../model/names.js";
import type { Change, Plan } from "../plan/types.js";
import { KIND_ORDER } from "../plan/types.js";
import type { AzureClients } from "./clients.js";
import { parseArmId } from "./ids.js";
import { throwawaySshPublicKey } from "./sshkey.js";

export interface ApplyInput {
  plan: Plan;
  desired: DesiredProxy[];
  observed: ObservedState;
  clientsFor: (subscriptionId: string) => AzureClients;
  concurrency: number;
  log: Logger;
}

export interface AppliedProxy {
  name: string;
  status: "created" | "updated" | "unchanged" | "destroyed";
  ipv6Address?: string;
  dnsNames: string[];
  /** What the VM answered when it applied a new config. */
  vmMessage?: string;
}

export class ApplyFailedError extends Error {
  constructor(
    readonly failures: { proxy: string; message: string }[],
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
  const failures: { proxy: string; message: string }[] = [];
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
    ...(desired && ctx.ipv6Address() ? { ipv6Address: ctx.ipv6Address() } : {}),
    ...(ctx.vmMessage ? { vmMessage: ctx.vmMessage } : {}),
  };
}

class ProxyApply {
  vmMessage?: string;
  private pip6Address?: string;

  constructor(
    private readonly name: string,
    private readonly desired: DesiredProxy | undefined,
    private readonly input: ApplyInput,
  ) {
    const pip = desired?.resources.find((r) => r.kind === "publicIpV6");
    const obs = pip && input.observed.resources.get(pip.id.toLowerCase());
    if (obs?.body.ipAddress) this.pip6Address = String(obs.body.ipAddress);
  }

  ipv6Address(): string | undefined {
    return this.pip6Address;
  }

  /**
   * A PUT or PATCH replaces the whole tag set: keep tags that others (Azure
   * Policy, people) added, and set ours on top.
   */
  private mergedTags(c: Change, body: Body): Record<string, string> {
    const observed = this.input.observed.resources.get(c.id.toLowerCase())?.tags ?? {};
    return { ...observed, ...(body.tags as Record<string, string>) };
  }

  private clients(c: { subscriptionId: string }): AzureClients {
    return this.input.clientsFor(c.subscriptionId);
  }

  private resource(c: Change): DesiredResource {
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
        const { name: zone } = parseArmId(c.id.slice(0, c.id.lastIndexOf("/AAAA/")));
        const etag = this.input.observed.resources.get(c.id.toLowerCase())?.etag;
        // If-Match: a record someone edited since we looked is left alone (412).
        await dns.recordSets.delete(rg, zone, c.name, "AAAA", etag ? { ifMatch: etag } : {});
        return;
      }
      case "virtualMachine":
        return void (await compute.virtualMachines.delete(rg, c.name));
      case "networkInterface":
        return void (await network.networkInterfaces.delete(rg, c.name));
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
    const res = this.resource(c.kind === "vmConfig" ? { ...c, address: `${this.name}.virtualMachine` } : c);
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
        return void (await network.publicIPAddresses.createOrUpdate(rg, c.name, body));
      case "publicIpV6": {
        const pip = await network.publicIPAddresses.createOrUpdate(rg, c.name, body);
        if (pip.ipAddress) this.pip6Address = pip.ipAddress;
        return;
      }
      case "networkInterface":
        return void (await network.networkInterfaces.createOrUpdate(rg, c.name, body));
      case "virtualMachine":
        return this.writeVm(c, compute, body);
      case "vmConfig":
        return this.pushConfig(c, compute);
      case "dnsRecord": {
        if (!this.pip6Address) throw new Error(`no IPv6 address known for ${this.name}; cannot write ${c.address}`);
        const { name: zone } = parseArmId(c.id.slice(0, c.id.lastIndexOf("/AAAA/")));
        const observed = this.input.observed.resources.get(c.id.toLowerCase());
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
    const failed = this.input.observed.resources.get(c.id.toLowerCase())?.provisioningState === "Failed";
    if (c.action === "update" && !failed) {
      // The config hash tag moves only once the VM has accepted the config (pushConfig),
      // so a config the VM refused still shows as pending in the next plan.
      const tags = { ...(body.tags as Record<string, string>) };
      const liveSha = this.input.observed.resources.get(c.id.toLowerCase())?.tags[TAG_CONFIG_HASH];
      if (liveSha !== undefined) tags[TAG_CONFIG_HASH] = liveSha;
      // PATCH: userData can change in place; customData cannot, so it is never sent again.
      await compute.virtualMachines.update(c.resourceGroup, c.name, {
        tags,
        hardwareProfile: body.hardwareProfile as { vmSize: string },
        userData: encodeUserData(d.config),
      });
      return;
    }
    const keys =
      existingSshKeys(this.input.observed.resources.get(c.id.toLowerCase())?.body) ??
      (d.spec.ssh?.publicKeys.length ? d.spec.ssh.publicKeys : [throwawaySshPublicKey()]);
    const osProfile = body.osProfile as Body;
    const linux = osProfile.linuxConfiguration as Body;
    await compute.virtualMachines.createOrUpdate(c.resourceGroup, c.name, {
      ...body,
      osProfile: {
        ...osProfile,
        customData: Buffer.from(renderCloudInit()).toString("base64"),
        linuxConfiguration: {
          ...linux,
          ssh: { publicKeys: keys.map((keyData) => ({ path: `/home/${ADMIN_USER}/.ssh/authorized_keys`, keyData })) },
        },
      },
      userData: encodeUserData(d.config),
    } as Parameters<AzureClients["compute"]["virtualMachines"]["createOrUpdate"]>[2]);
  }

  /** Run Command makes the VM fetch its new userData, validate it and reload HAProxy without dropping connections. */
  private async pushConfig(c: Change, compute: AzureClients["compute"]): Promise<void> {
    const d = this.desired!;
    const result = await compute.virtualMachines.runCommand(c.resourceGroup, c.name, {
      commandId: "RunShellScript",
      script: runCommandScript(d.configSha256),
    });
    const message = (result.value ?? []).map((s) => s.message ?? "").join("\n");
    const ok = message.includes(`applied config sha256=${d.configSha256}`);
    this.vmMessage = lastLines(message, 6);
    if (!ok) {
      throw new Error(
        `the VM refused the new config and keeps serving the previous one. VM said:\n${lastLines(message, 20)}`,
      );
    }
    const vm = d.resources.find((r) => r.kind === "virtualMachine")!;
    await compute.virtualMachines.update(c.resourceGroup, c.name, { tags: this.mergedTags(c, vm.body) });
  }
}

/**
 * A VM that exists (e.g. one whose creation failed and is PUT again) keeps its
 * keys: Azure refuses any change to them. A key change is planned as a replace.
 */
function existingSshKeys(vm: Body | undefined): string[] | undefined {
  const keys = (
    (((vm?.osProfile as Body | undefined)?.linuxConfiguration as Body | undefined)?.ssh as Body | undefined)
      ?.publicKeys as Body[] | undefined
  )?.map((k) => String(k.keyData));
  return keys?.length ? keys : undefined;
}

function lastLines(text: string, n: number): string {
  return text.trim().split("\n").slice(-n).join("\n");
}
