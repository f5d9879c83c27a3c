/**
 * "Apply exactly what was reviewed": whether a fresh plan may be applied,
 * given what GitHub says about the pull requests merged since the last
 * successful apply. Pure: github.ts gathers the facts, apply-flow.ts acts.
 *
 * A pull request's plan comment counts as a review only when all of this
 * holds (qualify):
 * - it was written by the action's own identity (github.ts finds only those),
 *   and nobody else edited it since;
 * - its record parses strictly and says "planned";
 * - the record's commit is the head commit that was merged;
 * - it was written, and last edited, before the merge;
 * - the pull request's base is the default branch;
 * - with require-approval, someone with write access approved that head
 *   commit after the plan comment was last updated.
 *
 * The plan is applied (decideApply) when its fingerprint is a reviewed one,
 * or when every change in it was reviewed in one of those pull requests:
 * what remains of an apply that failed part-way, or the changes of several
 * merges whose own runs were cancelled or skipped.
 */

import { changeDigest } from "../engine/fingerprint.js";
import { type CommentState, parseRecord } from "../plan/comment-marker.js";
import { code, text } from "../plan/markdown-format.js";
import { azureResource } from "../plan/markdown-proxies.js";
import { pendingChanges } from "../plan/render-shared.js";
import type { Change, Plan } from "../plan/types.js";
import {
  APPROVER_PERMISSIONS,
  approvalCandidates,
  type LabelEvent,
  labelsAt,
  type ReviewFacts,
  whyNotApproved,
} from "./history.js";

export const ALLOW_DESTROY_LABEL = "ipv6-proxy/allow-destroy";

export interface PullRequestFacts {
  number: number;
  url: string;
  headSha: string;
  /** The branch it was merged into. */
  baseRef: string;
  mergedAt?: string | undefined;
  mergeCommitSha?: string | undefined;
}

/** A comment on the pull request, written by the action's own identity. */
export interface CommentFacts {
  id: number;
  url: string;
  body: string;
  createdAt: string;
  updatedAt: string;
  /**
   * Who last edited the body, when anyone did (REST spelling: a bot as
   * `<name>[bot]`). People with write access can edit anyone's comment.
   */
  editedBy?: string | undefined;
}

/** Everything GitHub says about one merged pull request that the review depends on. */
export interface PullRequestEvidence {
  pr: PullRequestFacts;
  /** The plan comment of this directory and owner by the action's identity; undefined when there is none. */
  planComment?: CommentFacts | undefined;
  labelEvents: readonly LabelEvent[];
  /** Only gathered with require-approval. */
  reviews?: readonly ReviewFacts[] | undefined;
  /** Permission (admin, write, read, none) of each approval candidate. */
  permissions?: Readonly<Record<string, string>> | undefined;
}

export interface ReviewPolicy {
  defaultBranch: string;
  /** The plan comment's sticky marker (directory and owner). */
  planMarker: string;
  requireApproval: boolean;
  /** The action's own login, never counted as a reviewer. */
  botLogin: string;
}

export type QualifiedPullRequest =
  | { pr: PullRequestFacts; ok: true; record: ReviewedRecord; allowDestroy: boolean; approvedBy: string[] }
  | { pr: PullRequestFacts; ok: false; reason: string };

export interface ReviewedRecord extends CommentState {
  status: "planned";
  fingerprint: string;
  sha: string;
}

/** Whether one merged pull request's plan comment counts as the review of a plan, and why not. */
export function qualify(e: PullRequestEvidence, policy: ReviewPolicy): QualifiedPullRequest {
  const { pr } = e;
  const no = (reason: string): QualifiedPullRequest => ({ pr, ok: false, reason });
  if (!pr.mergedAt) return no("it is not merged");
  if (pr.baseRef !== policy.defaultBranch) {
    return no(
      `it was merged into ${code(pr.baseRef)}, not into the default branch ${code(policy.defaultBranch)}, so its review is not a review of what is applied`,
    );
  }
  const comment = e.planComment;
  if (!comment) return no(`it has no plan comment for these proxies by ${code(policy.botLogin)}`);
  if (comment.editedBy !== undefined && comment.editedBy.toLowerCase() !== policy.botLogin.toLowerCase()) {
    return no(
      `its plan comment was last edited by ${code(comment.editedBy)}, so it is not the plan as the action posted it`,
    );
  }
  const record = parseRecord(comment.body, policy.planMarker);
  if (!record) return no("its plan comment holds no valid record of a reviewed plan");
  if (record.status !== "planned" || !record.fingerprint || !record.sha) {
    return no(`its last plan could not be applied (${record.status})`);
  }
  if (record.sha !== pr.headSha) {
    return no(
      `its plan was made for commit ${code(record.sha.slice(0, 12))}, but the commit merged was ${code(pr.headSha.slice(0, 12))}; that plan was never posted`,
    );
  }
  const merged = Date.parse(pr.mergedAt);
  if (!(Date.parse(comment.createdAt) < merged && Date.parse(comment.updatedAt) < merged)) {
    return no(
      `its plan comment was last written at ${comment.updatedAt}, not before the merge at ${pr.mergedAt}, so nobody reviewed it before merging`,
    );
  }
  let approvedBy: string[] = [];
  if (policy.requireApproval) {
    const check = {
      headSha: pr.headSha,
      mergedAt: pr.mergedAt,
      planUpdatedAt: comment.updatedAt,
      ignore: [policy.botLogin],
    };
    const candidates = approvalCandidates(e.reviews ?? [], check);
    approvedBy = candidates
      .filter((r) => APPROVER_PERMISSIONS.includes(e.permissions?.[r.user.toLowerCase()] ?? "none"))
      .map((r) => r.user);
    if (approvedBy.length === 0) {
      return no(`require-approval is set and ${whyNotApproved(e.reviews ?? [], check)}`);
    }
  }
  const allowDestroy = labelsAt(e.labelEvents, pr.mergedAt).has(ALLOW_DESTROY_LABEL);
  return { pr, ok: true, record: record as ReviewedRecord, allowDestroy, approvedBy };
}

/** One step of the default branch since the last apply: a merged pull request, or a direct push. */
export interface MergeStep {
  commit: string;
  pullRequest?: QualifiedPullRequest | undefined;
}

export interface ApplyQuestion {
  plan: Plan;
  /** The pushed commit, the head of the default branch. */
  commit: string;
  /** The steps since the last successful apply, newest first; the first is the pushed commit. */
  steps: readonly MergeStep[];
  /** The allow-destroy input: deletions need no label. */
  allowDestroy: boolean;
  /** Said when the steps may be incomplete (no earlier apply recorded, or too many commits). */
  windowNote?: string | undefined;
  /** The pushed commit was applied in full before (a re-run): no merge is waiting, so nothing is reviewed. */
  appliedAlready?: boolean | undefined;
}

export type ApplyDecision =
  | {
      kind: "apply";
      /** Pull request number → how many of the plan's changes it reviewed. */
      reviewedBy: Map<number, number>;
    }
  | {
      kind: "refuse";
      /** The first line is the headline (also the step's error). */
      reason: string[];
      /** The merged pull requests to tell (each gets the same comment). */
      tell: number[];
    };

/** Whether the plan may be applied; see the module comment. */
export function decideApply(q: ApplyQuestion): ApplyDecision {
  const pending = pendingChanges(q.plan);
  const prs = q.steps.flatMap((s) => (s.pullRequest ? [s.pullRequest] : []));
  const reviewed = prs.filter((p): p is Extract<QualifiedPullRequest, { ok: true }> => p.ok);
  const pushed = q.steps[0]?.pullRequest;

  if (q.plan.errors.length > 0) {
    const reason = [
      "Nothing was applied: the plan has errors.",
      "",
      ...q.plan.errors.map((e) => `- ${code(e.proxy)}${e.address ? ` ${code(e.address)}` : ""}: ${text(e.message)}`),
    ];
    return refuse(reason, prs);
  }

  // Which reviewed pull request covers each change: one that reviewed this very plan, or this very change.
  const cover = new Map<Change, Extract<QualifiedPullRequest, { ok: true }>>();
  const digests = reviewed.map((p) => new Set(p.record.changes ?? []));
  for (const change of pending) {
    const destructive = change.action === "delete" || change.action === "replace";
    const digest = changeDigest(change);
    const candidates = reviewed.filter(
      (p, i) => p.record.fingerprint === q.plan.fingerprint || digests[i]!.has(digest),
    );
    const chosen = candidates.find((p) => !destructive || q.allowDestroy || p.allowDestroy) ?? candidates[0];
    if (chosen) cover.set(change, chosen);
  }
  const unreviewed = pending.filter((c) => !cover.has(c));
  const needDestroy = pending.filter(
    (c) =>
      cover.has(c) &&
      (c.action === "delete" || c.action === "replace") &&
      !q.allowDestroy &&
      !cover.get(c)!.allowDestroy,
  );

  if (unreviewed.length === 0 && needDestroy.length === 0) {
    const reviewedBy = new Map<number, number>();
    for (const p of cover.values()) reviewedBy.set(p.pr.number, (reviewedBy.get(p.pr.number) ?? 0) + 1);
    return { kind: "apply", reviewedBy };
  }

  if (unreviewed.length === 0) {
    const proxies = [...new Set(needDestroy.map((c) => c.proxy))];
    const reason = [
      `Nothing was applied: the plan destroys or replaces resources of ${proxies.map((p) => code(p)).join(", ")}.`,
      "",
      ...needDestroy.map((c) => `- ${changeLine(c)}`),
      "",
      `Deletions and replacements need the ${code(ALLOW_DESTROY_LABEL)} label on the pull request before it is merged, or ${code("allow-destroy: true")}. A label added after the merge does not count.`,
    ];
    return refuse(reason, prs);
  }

  const reason: string[] = [];
  if (q.appliedAlready) {
    reason.push(
      `Nothing was applied: commit ${code(q.commit)} was applied in full already, and these changes come from Azure changing since, not from a reviewed pull request.`,
      "",
      "Review the plan below in a new pull request to bring Azure back in line.",
    );
  } else if (prs.length === 0) {
    reason.push(
      `Nothing was applied: commit ${code(q.commit)} was not merged from a pull request, so there is no reviewed plan for it.`,
      "",
      "Change proxies through a pull request: its plan is posted for review and applied when it is merged.",
    );
  } else if (pushed && !pushed.ok && prs.length === 1) {
    reason.push(
      `Nothing was applied: pull request #${pushed.pr.number} has no reviewed plan that counts: ${pushed.reason}.`,
      "",
      "Open a pull request with the change and merge it after the plan has been posted and reviewed.",
    );
  } else if (reviewed.length === 1 && prs.length === 1) {
    const only = reviewed[0]!;
    reason.push(
      `Nothing was applied: the plan changed after it was reviewed on pull request #${only.pr.number}.`,
      "",
      `Reviewed plan ${code(only.record.fingerprint.slice(0, 16))} (commit ${code(only.record.sha.slice(0, 12))}), plan now ${code(q.plan.fingerprint.slice(0, 16))}.`,
      "Azure changed since the plan was made, or another pull request was merged first. " +
        "Review the plan below in a new pull request before it is applied.",
    );
  } else {
    const numbers = prs.map((p) => `#${p.pr.number}`).join(", ");
    reason.push(
      `Nothing was applied: ${unreviewed.length === 1 ? "a change" : `${unreviewed.length} changes`} in the plan ${unreviewed.length === 1 ? "was" : "were"} not reviewed in any pull request merged since the last apply (${numbers}).`,
      "",
      "Azure changed since the plans were made, or the merges together ask for something none of them showed. " +
        "Review the plan below in a new pull request before it is applied.",
    );
  }
  reason.push("", "Not reviewed:", ...unreviewed.slice(0, 50).map((c) => `- ${changeLine(c)}`));
  if (unreviewed.length > 50) reason.push(`- …and ${unreviewed.length - 50} more (the job summary has the plan)`);
  if (prs.length > 0) {
    reason.push("", "Pull requests merged since the last apply:");
    for (const p of prs)
      reason.push(`- #${p.pr.number}: ${p.ok ? "its reviewed plan counts" : `its plan does not count: ${p.reason}`}`);
  }
  if (q.windowNote) reason.push("", text(q.windowNote));
  return refuse(reason, prs);
}

function refuse(reason: string[], prs: QualifiedPullRequest[]): ApplyDecision {
  return { kind: "refuse", reason, tell: prs.map((p) => p.pr.number) };
}

/** True when applying the plan would change nothing in Azure. */
export function isNoop(plan: Plan): boolean {
  return plan.errors.length === 0 && plan.changes.every((c) => c.action === "noop");
}

/** One change as a reviewer recognises it: address, action, and the Azure resource it touches. */
function changeLine(c: Change): string {
  return `${code(c.address)} (${c.action}): ${azureResource(c)}`;
}
