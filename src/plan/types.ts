/**
 * The plan vocabulary, after Terraform's `plans` package: desired state is
 * compared with observed state and every resource gets one Change.
 * Plain data only: a Plan serialises to JSON and back without loss.
 */

export type Action = "create" | "update" | "replace" | "delete" | "noop";

export type ResourceKind =
  | "resourceGroup"
  | "networkSecurityGroup"
  | "virtualNetwork"
  | "publicIpV4"
  | "publicIpV6"
  | "networkInterface"
  | "virtualMachine"
  | "vmConfig"
  | "dnsRecord";

/** Create order; deletes run in the reverse of this. */
export const KIND_ORDER: readonly ResourceKind[] = [
  "resourceGroup",
  "networkSecurityGroup",
  "virtualNetwork",
  "publicIpV4",
  "publicIpV6",
  "networkInterface",
  "virtualMachine",
  "vmConfig",
  "dnsRecord",
];

export interface FieldDiff {
  /** Dotted path of an owned field, e.g. `securityRules[0].destinationPortRange`. */
  path: string;
  before?: unknown;
  after?: unknown;
}

export interface Change {
  /** Stable, human-readable address: `<proxy>.<kind>[.<suffix>]`, e.g. `www.dnsRecord.@`. */
  address: string;
  proxy: string;
  kind: ResourceKind;
  /** Full ARM resource id. */
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  /** Azure resource name (for dnsRecord: the relative record name). */
  name: string;
  action: Action;
  /** Owned fields as observed; undefined when the resource does not exist. */
  before?: Record<string, unknown>;
  /** Owned fields as desired; undefined for a delete. */
  after?: Record<string, unknown>;
  /** Field-level differences between before and after (empty for noop). */
  diffs: FieldDiff[];
  /** Why this action, in words a reviewer understands. */
  reason: string;
}

export type WarningCode =
  | "ipv6-address-change"
  | "destroy"
  | "not-owned"
  | "drift"
  | "dns-not-owned"
  /** Replicas without availability zones: they survive a host failure, not a zone outage. */
  | "no-zones";

export interface PlanWarning {
  code: WarningCode;
  proxy: string;
  address?: string;
  message: string;
}

/** A reason the plan cannot be applied at all (e.g. a name collision with a resource we don't own). */
export interface PlanError {
  proxy: string;
  address?: string;
  /** The spec file and line that caused it, when known. */
  file?: string;
  line?: number;
  message: string;
}

/** The HAProxy config change of one proxy, as a unified line diff. */
export interface ConfigDiff {
  proxy: string;
  /** Unified diff text (`--- live` / `+++ desired`); empty when created from scratch. */
  diff: string;
}

export interface ProxySummary {
  name: string;
  file?: string;
  /** create: new proxy; destroy: proxy file removed; change; unchanged. */
  status: "create" | "change" | "destroy" | "unchanged";
  /** Current public IPv6 address when known. */
  ipv6Address?: string;
  dnsNames: string[];
}

export interface PlanCounts {
  add: number;
  change: number;
  destroy: number;
}

export interface Plan {
  formatVersion: 1;
  owner: string;
  createdAt: string;
  changes: Change[];
  proxies: ProxySummary[];
  configDiffs: ConfigDiff[];
  warnings: PlanWarning[];
  errors: PlanError[];
  counts: PlanCounts;
  /** sha256 over the non-noop changes (see engine/fingerprint.ts); equal plans have equal fingerprints. */
  fingerprint: string;
}

/** What an apply did to one proxy. */
export interface AppliedProxy {
  name: string;
  status: "created" | "updated" | "unchanged" | "destroyed";
  ipv6Address?: string;
  dnsNames: string[];
  /** What the VM answered when it applied a new config. */
  vmMessage?: string;
}

/** A proxy whose apply stopped part-way; its finished steps are kept. */
export interface ApplyFailure {
  proxy: string;
  message: string;
}

export interface ApplyOutcome {
  proxies: AppliedProxy[];
  durationMs: number;
}
