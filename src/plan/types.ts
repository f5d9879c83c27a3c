/**
 * The plan vocabulary, after Terraform's `plans` package: desired state is
 * compared with observed state and every resource gets one Change.
 * Plain data only: a Plan serialises to JSON and back without loss.
 */

export const ACTIONS = ["create", "update", "replace", "delete", "noop"] as const;
export type Action = (typeof ACTIONS)[number];

/** Every kind of resource a plan handles, in create order; deletes run in the reverse of this. */
export const KIND_ORDER = [
  "resourceGroup",
  "networkSecurityGroup",
  "virtualNetwork",
  "publicIpV4",
  "publicIpV6",
  "loadBalancer",
  "availabilitySet",
  "networkInterface",
  "virtualMachine",
  "vmConfig",
  "dnsRecord",
] as const;
export type ResourceKind = (typeof KIND_ORDER)[number];

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
  before?: Record<string, unknown> | undefined;
  /** Owned fields as desired; undefined for a delete. */
  after?: Record<string, unknown> | undefined;
  /** Field-level differences between before and after (empty for noop). */
  diffs: FieldDiff[];
  /** Why this action, in words a reviewer understands. */
  reason: string;
  /** A VM whose size changes: in place (Azure restarts it), or deallocate → resize → start. */
  vmResize?: { from: string; to: string; inPlace: boolean } | undefined;
}

export const WARNING_CODES = [
  "ipv6-address-change",
  /** The proxy's public IPv4 address, which backends allow-list, is replaced. */
  "ipv4-address-change",
  "destroy",
  "not-owned",
  "drift",
  "dns-not-owned",
  /** Replicas without availability zones: they survive a host failure, not a zone outage. */
  "no-zones",
  /** A change that takes the proxy down for a while (a VM resize). */
  "downtime",
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export interface PlanWarning {
  code: WarningCode;
  proxy: string;
  address?: string | undefined;
  message: string;
}

/** A reason the plan cannot be applied at all (e.g. a name collision with a resource we don't own). */
export interface PlanError {
  proxy: string;
  address?: string | undefined;
  /** The spec file and line that caused it, when known. */
  file?: string | undefined;
  line?: number | undefined;
  message: string;
}

/** The HAProxy config change of one proxy, as a unified line diff. */
export interface ConfigDiff {
  proxy: string;
  /** Unified diff text (`--- live` / `+++ desired`); empty when created from scratch. */
  diff: string;
}

/** create: new proxy; destroy: proxy file removed; change; unchanged. */
export const PROXY_STATUSES = ["create", "change", "destroy", "unchanged"] as const;
export type ProxyStatus = (typeof PROXY_STATUSES)[number];

export interface ProxySummary {
  name: string;
  file?: string | undefined;
  status: ProxyStatus;
  /** Current public IPv6 address when known. */
  ipv6Address?: string | undefined;
  /** Current public IPv4 address when known: the source address backends see. */
  ipv4Address?: string | undefined;
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
  /**
   * The order of changes of proxies with replicas (or gaining or losing them),
   * one entry per such proxy: derived from the changes (engine/rollout.ts).
   */
  rollouts: Rollout[];
  /** SHA-256 (64 hex digits) over the non-noop changes (see engine/fingerprint.ts); equal plans have equal fingerprints. */
  fingerprint: string;
}

export const ROLLOUT_STEP_KINDS = [
  /** Create, update or re-create the resource of a change. */
  "write",
  /** Delete the resource of a change (or the removal half of a replacement). */
  "delete",
  /** A VM that is about to become replica 1 takes the config with the health endpoint. */
  "push-config",
  /** Replica 1's NIC holds neither public IPs nor pools: the move between NIC and load balancer. */
  "detach",
  /** The replica's health endpoint answers 503; wait until the load balancer has it out of rotation. */
  "drain",
  /** Wait until the replica serves and the load balancer probes it healthy. */
  "wait-healthy",
] as const;
export type RolloutStepKind = (typeof ROLLOUT_STEP_KINDS)[number];

export interface RolloutStep {
  kind: RolloutStepKind;
  /** The change address it acts on (for replica steps: the replica's VM). */
  address: string;
  /** What happens, in words a reviewer understands. */
  text: string;
  /** Where the rollout pauses, and for what. */
  pause?: string | undefined;
  /** The site is unreachable during this step. */
  interrupts?: boolean | undefined;
}

export interface Rollout {
  proxy: string;
  steps: RolloutStep[];
}

/** What an apply did to one proxy. */
export interface AppliedProxy {
  name: string;
  status: "created" | "updated" | "unchanged" | "destroyed";
  ipv6Address?: string | undefined;
  /** The proxy's public IPv4 address: the source address backends see, to allow-list (with replicas, the load balancer's outbound frontend). */
  ipv4Address?: string | undefined;
  dnsNames: string[];
  /** What the VM answered when it applied a new config. */
  vmMessage?: string | undefined;
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

/**
 * Bytes of a change digest (engine/fingerprint.ts changeDigest): 128 bits. A
 * digest stands for one reviewed change in the plan comment's record, where
 * hundreds of them must fit next to the plan itself (GitHub's 65,536-character
 * limit); 128 bits keep even a birthday search (2^64 hashes) out of reach.
 */
export const CHANGE_DIGEST_BYTES = 16;
/** Characters of one change digest in base64url (no padding). */
export const CHANGE_DIGEST_CHARS = Math.ceil((CHANGE_DIGEST_BYTES * 8) / 6);
