/**
 * The engine's two verbs, shared by the CLI and the action:
 * plan (load → validate → observe → diff) and apply (carry out a plan).
 */

import { applyChanges } from "./azure/apply.js";
import { fixedNameServers, type NameServerLocator, systemNameServers } from "./azure/authoritative-dns.js";
import { type AzureClients, type AzureConnection, createAzureClients } from "./azure/clients.js";
import { observeComputeFacts } from "./azure/compute-facts.js";
import { observe } from "./azure/observe.js";
import { checkApiVersions } from "./azure/providers.js";
import { AZURE_WAITS } from "./azure/retry.js";
import { verifyProxies } from "./azure/verify.js";
import { type DesiredProxy, desiredProxy } from "./engine/desired.js";
import { buildPlan } from "./engine/diff.js";
import type { ObservedState } from "./engine/observed.js";
import { findSku, vmNeeds } from "./engine/vm-capacity.js";
import type { Logger } from "./log.js";
import type { AppliedProxy, ApplyOutcome, Plan, PlanError } from "./plan/types.js";
import { loadProxyDir } from "./proxyfile/load.js";
import type { ProxySpec, SpecError } from "./proxyfile/types.js";
import { verifyTargets } from "./verify/targets.js";
import type { HealthReport } from "./verify/types.js";

export { ApplyFailedError } from "./azure/apply.js";
export { ApiVersionsUnavailableError } from "./azure/providers.js";
export { defaultOwner } from "./model/owner.js";

export interface OperationContext {
  connection: AzureConnection;
  /** Ownership instance written into tags: two owners never touch each other's proxies. */
  owner: string;
  defaultSubscriptionId?: string | undefined;
  log: Logger;
  /** Proxies (and resource groups) worked on at once; default 20 (see BENCHMARKS.md). */
  concurrency?: number;
}

/**
 * A plan together with what it was made from. Apply takes this value, not the
 * Plan alone: it writes the desired bodies, and merges tags and checks etags
 * against what this run observed. Plans are never applied from a file: Azure
 * is always observed again first.
 */
export interface PlannedRun {
  plan: Plan;
  desired: DesiredProxy[];
  observed: ObservedState;
}

/** The proxy files' errors (nothing was planned), or a plan. */
export type PlanOutcome = { specErrors: SpecError[]; plan?: undefined } | (PlannedRun & { specErrors: [] });

/** `status`: a plan (read-only) and every proxy's health, or the proxy files' errors. */
export type StatusOutcome =
  | { specErrors: SpecError[]; health?: undefined }
  | (PlannedRun & { specErrors: []; health: HealthReport });

/** Azure DNS publishes a change on all its name servers within 60 seconds (Azure DNS FAQ). */
const DNS_PUBLISH_MS = 60_000;

/**
 * Apply of 20 new proxies takes 1.5× one proxy's time at 20, 3× at 8.
 * ARM's write limits (per subscription and principal) are far above this.
 */
export const DEFAULT_CONCURRENCY = 20;

export class DestroyNotAllowedError extends Error {
  constructor(
    readonly proxies: string[],
    readonly addresses: string[],
  ) {
    super(
      `the plan destroys or replaces resources of ${proxies.map((p) => `"${p}"`).join(", ")} (${addresses.join(", ")}); ` +
        "nothing was changed. Re-run with allow-destroy (CLI: --allow-destroy; action: allow-destroy: true or the PR label ipv6-proxy/allow-destroy) to go ahead",
    );
    this.name = "DestroyNotAllowedError";
  }
}

export class PlanNotApplicableError extends Error {
  constructor(readonly errors: PlanError[]) {
    super(
      `the plan cannot be applied:\n${errors.map((e) => `  ${e.file ? `${e.file}${e.line ? `:${e.line}` : ""}: ` : ""}${e.message}`).join("\n")}`,
    );
    this.name = "PlanNotApplicableError";
  }
}

/** `dir` is relative to `root` (default: the working directory), and so are the file names in errors. */
export async function planFromDir(dir: string, ctx: OperationContext, root?: string): Promise<PlanOutcome> {
  const loaded = await ctx.log.group("Load proxies", async () => {
    const result = await loadProxyDir(dir, root);
    ctx.log.info(`${result.proxies.length} proxy file(s) in ${dir}, ${result.errors.length} error(s)`);
    return result;
  });
  if (loaded.errors.length) return { specErrors: loaded.errors };
  const missingSub = loaded.proxies.filter((p) => !p.subscriptionId && !ctx.defaultSubscriptionId);
  if (missingSub.length) {
    return {
      specErrors: missingSub.map((p) => ({
        file: p.file,
        line: 1,
        column: 1,
        field: "subscriptionId",
        message:
          "no subscriptionId in the file and no default subscription (set subscription-id / --subscription-id / AZURE_SUBSCRIPTION_ID)",
      })),
    };
  }
  return { specErrors: [], ...(await planProxies(loaded.proxies, ctx)) };
}

async function planProxies(specs: ProxySpec[], ctx: OperationContext): Promise<PlannedRun> {
  const subscriptionOf = (s: ProxySpec) => (s.subscriptionId ?? ctx.defaultSubscriptionId)!;
  let desired = specs.map((s) => desiredProxy(s, subscriptionOf(s), ctx.owner));
  const clientsFor = clientCache(ctx.connection);
  const subscriptions = [
    ...new Set([
      ...desired.map((d) => d.subscriptionId),
      ...(ctx.defaultSubscriptionId ? [ctx.defaultSubscriptionId] : []),
    ]),
  ].sort();
  const observed = await ctx.log.group("Observe Azure", async () => {
    // Side by side: a cloud that lacks an api-version fails the lists too, and then its own error is the clear one.
    const [versions, observation] = await Promise.allSettled([
      checkApiVersions({ subscriptions, clientsFor, endpoint: ctx.connection.resourceManagerEndpoint, log: ctx.log }),
      observe({
        desired,
        owner: ctx.owner,
        subscriptions,
        clientsFor,
        concurrency: ctx.concurrency ?? DEFAULT_CONCURRENCY,
      }),
    ]);
    if (versions.status === "rejected") throw versions.reason;
    if (observation.status === "rejected") throw observation.reason;
    const state = observation.value;
    ctx.log.info(
      `${state.resources.size} resource(s) in ${state.resourceGroups.size} resource group(s), ${state.dnsZones.size} DNS zone(s) seen`,
    );
    return state;
  });
  let plan = buildPlan({ owner: ctx.owner, desired, observed });
  // VMs to create, replace or resize: read the region's sizes and quota (and where a resized
  // VM can go), then plan again with them. A plan that builds no VM asks for none of this.
  const needs = vmNeeds(plan.changes, desired, observed);
  if (needs.length > 0) {
    const facts = await ctx.log.group("Check VM sizes and quota", async () => {
      const read = await observeComputeFacts(needs, clientsFor, ctx.concurrency ?? DEFAULT_CONCURRENCY);
      ctx.log.info(
        `sizes and vCPU quota of ${read.skus.size} region(s), resize options of ${read.resizeTargets.size} VM(s) read`,
      );
      return read;
    });
    observed.compute = facts;
    desired = specs.map((s) => {
      const sku = findSku(facts, subscriptionOf(s), s.location, s.vmSize);
      return desiredProxy(s, subscriptionOf(s), ctx.owner, {
        acceleratedNetworking: sku?.acceleratedNetworking === true,
      });
    });
    plan = buildPlan({ owner: ctx.owner, desired, observed });
  }
  return { plan, desired, observed };
}

export async function applyPlan(
  { plan, desired, observed }: PlannedRun,
  ctx: OperationContext,
  opts: { allowDestroy: boolean },
): Promise<ApplyOutcome> {
  if (plan.errors.length) throw new PlanNotApplicableError(plan.errors);
  const destructive = plan.changes.filter((c) => c.action === "delete" || c.action === "replace");
  if (destructive.length && !opts.allowDestroy) {
    throw new DestroyNotAllowedError(
      [...new Set(destructive.map((c) => c.proxy))],
      destructive.map((c) => c.address),
    );
  }
  const start = Date.now();
  const proxies = await ctx.log.group("Apply", () =>
    applyChanges({
      plan,
      desired,
      observed,
      clientsFor: clientCache(ctx.connection),
      concurrency: ctx.concurrency ?? DEFAULT_CONCURRENCY,
      log: ctx.log,
      waits: { ...AZURE_WAITS, ...ctx.connection.waits },
    }),
  );
  return { proxies, durationMs: Date.now() - start };
}

/**
 * Checks, from outside and without changing anything, the proxies an apply
 * created or changed: Azure is observed again (the addresses are the ones it
 * allocated), then every VM and DNS name is asked.
 */
export async function verifyApplied(
  { desired }: PlannedRun,
  applied: AppliedProxy[],
  ctx: OperationContext,
  opts: { dnsSettleMs?: number } = {},
): Promise<HealthReport> {
  const touched = new Set(applied.filter((p) => p.status === "created" || p.status === "updated").map((p) => p.name));
  const checked = desired.filter((d) => touched.has(d.spec.name));
  const clientsFor = clientCache(ctx.connection);
  return ctx.log.group("Verify", async () => {
    if (checked.length === 0) return { proxies: [], verdict: "healthy" as const, durationMs: 0 };
    const observed = await observe({
      desired: checked,
      owner: ctx.owner,
      subscriptions: [...new Set(checked.map((d) => d.subscriptionId))].sort(),
      clientsFor,
      concurrency: ctx.concurrency ?? DEFAULT_CONCURRENCY,
    });
    return verifyProxies(verifyTargets(checked, observed), {
      ...verifyOptions(ctx, clientsFor),
      dnsSettleMs: opts.dnsSettleMs ?? DNS_PUBLISH_MS,
    });
  });
}

/** Health of every proxy of a plan, from what that plan observed (drift and status runs). */
export async function healthOfPlan({ desired, observed }: PlannedRun, ctx: OperationContext): Promise<HealthReport> {
  return ctx.log.group("Check health", () =>
    verifyProxies(verifyTargets(desired, observed), verifyOptions(ctx, clientCache(ctx.connection))),
  );
}

/** `status`: load and observe (read-only), then check every proxy's health. */
export async function statusFromDir(dir: string, ctx: OperationContext, root?: string): Promise<StatusOutcome> {
  const outcome = await planFromDir(dir, ctx, root);
  if (!outcome.plan) return { specErrors: outcome.specErrors };
  return { ...outcome, health: await healthOfPlan(outcome, ctx) };
}

function verifyOptions(ctx: OperationContext, clientsFor: (subscriptionId: string) => AzureClients) {
  return {
    clientsFor,
    locateNameServer: nameServerLocator(ctx.connection),
    concurrency: ctx.concurrency ?? DEFAULT_CONCURRENCY,
    log: ctx.log,
    waits: { ...AZURE_WAITS, ...ctx.connection.waits },
  };
}

function nameServerLocator(connection: AzureConnection): NameServerLocator {
  return connection.nameServerAddress ? fixedNameServers(connection.nameServerAddress) : systemNameServers;
}

function clientCache(connection: AzureConnection): (subscriptionId: string) => AzureClients {
  const cache = new Map<string, AzureClients>();
  return (sub) => {
    const cached = cache.get(sub);
    if (cached) return cached;
    const clients = createAzureClients(connection, sub);
    cache.set(sub, clients);
    return clients;
  };
}
