/**
 * Carries out a proxy's rollout (engine/rollout.ts): the reviewed steps, one
 * at a time. Writes and deletes go through ProxyApply like any change; the
 * steps about replicas talk to the VMs (Run Command: the health script, the
 * serving check) and read the load balancer's own view of them
 * (loadBalancingRules/{rule}/health, loadBalancer.json 2024-05-01), so
 * "drained" and "healthy" mean what the load balancer does, not a timer.
 */
import { HEALTH_REPORT, healthScript } from "../dataplane/health.js";
import { encodeUserData } from "../dataplane/vmscripts.js";
import type { DesiredResource } from "../engine/desired.js";
import { stepsCover } from "../engine/rollout.js";
import { armIdKey } from "../model/arm-id.js";
import { LB_PARTS, TAG_CONFIG_HASH } from "../model/names.js";
import type { Change, Rollout, RolloutStep } from "../plan/types.js";
import type { ApplyInput, ProxyApply } from "./apply.js";
import { vmAddressOf } from "./apply.js";
import type { AzureClients } from "./clients.js";
import { runShellScript } from "./run-command.js";

type Body = Record<string, unknown>;

export async function applyRollout(
  rollout: Rollout,
  changes: Change[],
  ctx: ProxyApply,
  input: ApplyInput,
): Promise<void> {
  const missing = stepsCover(rollout, changes).filter((c) => c.kind !== "vmConfig");
  if (missing.length) {
    throw new Error(`internal: the rollout of ${rollout.proxy} leaves out ${missing.map((c) => c.address).join(", ")}`);
  }
  const runner = new RolloutRunner(rollout.proxy, changes, ctx, input);
  for (const [i, step] of rollout.steps.entries()) {
    input.log.info(`  ${i + 1}/${rollout.steps.length} ${step.text}`);
    await runner.run(step);
  }
}

class RolloutRunner {
  constructor(
    private readonly proxy: string,
    private readonly changes: Change[],
    private readonly ctx: ProxyApply,
    private readonly input: ApplyInput,
  ) {}

  private change(address: string): Change {
    const c = this.changes.find((x) => x.address === address);
    if (!c) throw new Error(`internal: no change ${address} in the plan`);
    return c;
  }

  private desired(address: string): DesiredResource {
    return this.ctx.resource({ address });
  }

  private get compute(): AzureClients["compute"] {
    return this.ctx.clients(this.change(this.changes[0]!.address)).compute;
  }

  private get network(): AzureClients["network"] {
    return this.ctx.clients(this.change(this.changes[0]!.address)).network;
  }

  async run(step: RolloutStep): Promise<void> {
    switch (step.kind) {
      case "write": {
        const c = this.change(step.address);
        await this.ctx.write(c);
        // A config pushed to a replica counts only once its health endpoint says it serves
        // (a single VM's config has no health endpoint).
        const replicated = (this.input.desired.find((x) => x.spec.name === this.proxy)?.spec.replicas ?? 1) > 1;
        if (c.kind === "vmConfig" && replicated) await this.expectHealth(vmAddressOf(c.address), "serve", "200");
        return;
      }
      case "delete":
        return this.ctx.remove(this.change(step.address));
      case "push-config":
        return this.pushConfig(step.address);
      case "detach":
        return this.detach(step.address);
      case "drain":
        await this.expectHealth(step.address, "drain", "503");
        return this.untilProbed(step.address, "Down");
      case "wait-healthy":
        await this.expectHealth(step.address, "serve", "200");
        return this.untilProbed(step.address, "Up");
    }
  }

  /** The VM that is about to become replica 1 takes the new config (with the health endpoint) in place. */
  private async pushConfig(vmAddress: string): Promise<void> {
    const vm = this.change(vmAddress);
    const d = this.input.desired.find((x) => x.spec.name === this.proxy)!;
    const observed = this.input.observed.resources.get(armIdKey(vm.id));
    const tags = { ...observed?.tags };
    await this.compute.virtualMachines.update(vm.resourceGroup, vm.name, {
      tags,
      userData: encodeUserData(d.config),
    });
    await this.ctx.pushConfig(
      { address: vmAddress, id: vm.id, name: vm.name, resourceGroup: vm.resourceGroup },
      this.compute,
    );
    await this.expectHealth(vmAddress, "serve", "200");
    // The VM's tags now say it serves this config; later writes of it keep that.
    observed?.tags && Object.assign(observed.tags, { [TAG_CONFIG_HASH]: d.configSha256 });
  }

  /**
   * Replica 1's NIC with neither public IPs nor pools: the public IPs become
   * free for the load balancer's frontends, or the pools for the load
   * balancer's deletion. A public IP is attached to one thing at a time.
   */
  private async detach(nicAddress: string): Promise<void> {
    const c = this.change(nicAddress);
    const body = this.desired(nicAddress).body;
    const observed = this.input.observed.resources.get(armIdKey(c.id));
    const observedTags = observed?.tags ?? {};
    const ipConfigurations = (body.ipConfigurations as Body[]).map((ip) => {
      const { publicIPAddress: _ip, loadBalancerBackendAddressPools: _pools, ...rest } = ip;
      return rest;
    });
    await this.network.networkInterfaces.createOrUpdate(c.resourceGroup, c.name, {
      ...body,
      tags: { ...observedTags, ...(body.tags as Record<string, string>) },
      // The NIC keeps the accelerated networking it has, as ProxyApply does: a change takes effect only
      // after the VM is deallocated (MicrosoftDocs/azure-docs#60667), so it is set when the NIC is created.
      enableAcceleratedNetworking: observed?.body.enableAcceleratedNetworking === true,
      ipConfigurations,
    });
  }

  /** Runs the health script on the replica's VM and checks what its endpoint answers now. */
  private async expectHealth(vmAddress: string, action: "drain" | "serve", status: string): Promise<void> {
    const vm = this.change(vmAddress);
    const output = await runShellScript(this.ctx.runCommandContext(vm, this.compute), healthScript(action));
    const answered = HEALTH_REPORT.exec(output.stdout)?.[1];
    if (answered !== status) {
      throw new Error(
        `${vm.name}: its health endpoint answers ${answered ?? "nothing"} after "${action}", not ${status}. VM said:\n${(output.stdout + output.stderr).trim().split("\n").slice(-10).join("\n")}`,
      );
    }
  }

  /** Waits until the load balancer's probe sees the replica `state` (Up or Down). */
  private async untilProbed(vmAddress: string, state: "Up" | "Down"): Promise<void> {
    const vm = this.change(vmAddress);
    const lb = this.changes.find((c) => c.kind === "loadBalancer")!;
    const d = this.input.desired.find((x) => x.spec.name === this.proxy)!;
    const rule = LB_PARTS.rule(Math.min(...d.spec.ports), "IPv6");
    // A replica that goes away has no desired body; one that is new has no observed one.
    const body =
      this.input.observed.resources.get(armIdKey(vm.id))?.body ??
      this.input.desired.find((x) => x.spec.name === this.proxy)?.resources.find((r) => r.address === vmAddress)?.body;
    const nic = (body?.networkProfile as { networkInterfaces?: { id?: string }[] } | undefined)?.networkInterfaces?.[0]
      ?.id;
    if (!nic) throw new Error(`internal: no network interface known for ${vm.name}`);
    const ipConfig = armIdKey(`${nic}/ipConfigurations/ipconfig-v6`);
    const { firstDelayMs, maxDelayMs, budgetMs } = this.input.waits;
    let waited = 0;
    let delay = firstDelayMs;
    for (;;) {
      const health = await this.network.loadBalancerLoadBalancingRules.health(lb.resourceGroup, lb.name, rule);
      const mine = (health.loadBalancerBackendAddresses ?? []).find(
        (a) => armIdKey(String(a.networkInterfaceIPConfigurationId ?? "")) === ipConfig,
      );
      if (mine?.state === state) return;
      if (waited >= budgetMs) {
        throw new Error(
          `${vm.name} is ${mine?.state ?? "not in the pool"} for the load balancer after ${Math.round(waited / 1000)} s, not ${state}${mine?.reason ? ` (${mine.reason})` : ""}`,
        );
      }
      const pause = Math.min(delay, budgetMs - waited);
      this.input.log.info(
        `    waiting for the load balancer to probe ${vm.name} ${state === "Up" ? "healthy" : "out of rotation"}`,
      );
      await new Promise((r) => setTimeout(r, pause));
      waited += pause;
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }
}
