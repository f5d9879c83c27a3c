/**
 * Vocabulary shared by the text and Markdown renderings of a Plan, so both
 * name actions, values and totals the same way.
 */
import type { Action, Change, Plan, PlanCounts, ProxyStatus, ProxySummary, RolloutStep } from "./types.js";

export const ACTION_SYMBOL: Record<Action, string> = {
  create: "+",
  update: "~",
  replace: "-/+",
  delete: "-",
  noop: " ",
};

export const STATUS_SYMBOL: Record<ProxyStatus, string> = {
  create: "+",
  change: "~",
  destroy: "-",
  unchanged: " ",
};

/** Reading order of proxies: the riskiest first, so truncation drops unchanged and new ones before destroyed ones. */
export const STATUS_ORDER: readonly ProxyStatus[] = ["destroy", "change", "create", "unchanged"];

export const DEFAULT_SPEC_DIR = "proxies/";

export function summaryText(counts: PlanCounts): string {
  return `${counts.add} to add, ${counts.change} to change, ${counts.destroy} to destroy`;
}

/** Nothing to do and nothing to say: the short "No changes" form applies. */
export function isQuietPlan(plan: Plan): boolean {
  return (
    pendingChanges(plan).length === 0 &&
    plan.errors.length === 0 &&
    plan.warnings.length === 0 &&
    plan.configDiffs.every((d) => d.diff === "")
  );
}

export function pendingChanges(plan: Plan): Change[] {
  return plan.changes.filter((c) => c.action !== "noop");
}

/** Deletes and replacements both remove a resource, so both need allow-destroy to apply. */
export function hasDeletions(plan: Plan): boolean {
  return (
    plan.changes.some((c) => c.action === "delete" || c.action === "replace") ||
    plan.warnings.some((w) => w.code === "destroy")
  );
}

export interface ProxyRow {
  proxy: ProxySummary;
  status: ProxyStatus;
}

/**
 * A plan indexed by proxy, built once per rendering: large plans have
 * thousands of proxies and changes, and per-proxy scans would be quadratic.
 */
export class PlanView {
  private readonly pending = new Map<string, Change[]>();
  private readonly configDiffs = new Map<string, string>();
  private readonly summaries = new Map<string, ProxySummary>();
  /** Proxies in reading order, with their status. */
  readonly rows: ProxyRow[];

  constructor(readonly plan: Plan) {
    for (const c of plan.changes) {
      if (c.action === "noop") continue;
      const list = this.pending.get(c.proxy);
      if (list) list.push(c);
      else this.pending.set(c.proxy, [c]);
    }
    for (const d of plan.configDiffs) if (d.diff !== "") this.configDiffs.set(d.proxy, d.diff);
    for (const p of plan.proxies) this.summaries.set(p.name, p);
    // The engine summarises every proxy that has a change, with its status; the renderer only orders them.
    const all = plan.proxies.map((proxy) => ({ proxy, status: proxy.status }));
    this.rows = STATUS_ORDER.flatMap((status) => all.filter((r) => r.status === status));
  }

  changesOf(proxy: string): Change[] {
    return this.pending.get(proxy) ?? [];
  }

  configDiffOf(proxy: string): string {
    return this.configDiffs.get(proxy) ?? "";
  }

  /** The steps a proxy with replicas is changed in, in order; empty for a single VM. */
  rolloutOf(proxy: string): RolloutStep[] {
    return this.plan.rollouts.find((r) => r.proxy === proxy)?.steps ?? [];
  }

  dnsNamesOf(proxy: string): string[] {
    return this.summaries.get(proxy)?.dnsNames ?? [];
  }

  /** The public IPv6 address a proxy keeps, as the engine summarised it (none when it is new or replaced). */
  ipv6AddressOf(proxy: string): string | undefined {
    return this.summaries.get(proxy)?.ipv6Address;
  }
}

/** "1 to replace, 2 to update" for a proxy's changes. */
export function actionTally(changes: Change[]): string {
  const order: Action[] = ["create", "replace", "update", "delete"];
  return order
    .map((a) => [a, changes.filter((c) => c.action === a).length] as const)
    .filter(([, n]) => n > 0)
    .map(([a, n]) => `${n} to ${a}`)
    .join(", ");
}

/** A field value as a reviewer reads it: strings quoted, structures as compact JSON, absence spelled out. */
export function formatValue(value: unknown, maxLength = Infinity): string {
  const text = value === undefined ? "(none)" : (JSON.stringify(value) ?? String(value));
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}

/** One rollout step in words: what happens, and where it pauses. */
export function rolloutStepText(step: RolloutStep): string {
  const pause = step.pause ? `; waits ${step.pause}` : "";
  const outage = step.interrupts ? " [site unreachable]" : "";
  return `${step.text}${pause}${outage}`;
}
