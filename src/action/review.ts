/**
 * "Apply exactly what was reviewed": the decision whether a fresh plan may be
 * applied, given the state recorded in the pull request's plan comment.
 */

import type { CommentState } from "../plan/comment-marker.js";
import { code } from "../plan/markdown-format.js";
import type { Plan } from "../plan/types.js";

export type ReviewVerdict = { ok: true } | { ok: false; reason: string[] };

/** True when applying the plan would change nothing in Azure. */
export function isNoop(plan: Plan): boolean {
  return plan.errors.length === 0 && plan.changes.every((c) => c.action === "noop");
}

export function checkReviewed(reviewed: CommentState | undefined, plan: Plan, pullRequest: number): ReviewVerdict {
  if (!reviewed) {
    return {
      ok: false,
      reason: [
        `Nothing was applied: pull request #${pullRequest} has no plan comment for these proxies, so there is no reviewed plan to apply.`,
        "",
        "Open a pull request with the change and merge it after the plan has been posted and reviewed.",
      ],
    };
  }
  if (reviewed.status !== "planned" || !reviewed.fingerprint) {
    return {
      ok: false,
      reason: [
        `Nothing was applied: the last plan on pull request #${pullRequest} could not be applied (${reviewed.status}).`,
        "",
        "Fix the problems it lists in a new pull request.",
      ],
    };
  }
  if (reviewed.fingerprint !== plan.fingerprint) {
    return {
      ok: false,
      reason: [
        `Nothing was applied: the plan changed after it was reviewed on pull request #${pullRequest}.`,
        "",
        `Reviewed plan ${code(short(reviewed.fingerprint))}${reviewed.sha ? ` (commit ${code(reviewed.sha.slice(0, 12))})` : ""}, ` +
          `plan now ${code(short(plan.fingerprint))}.`,
        "Azure changed since the plan was made, or another pull request was merged first. " +
          "Review the plan below in a new pull request (or re-run the plan job) before it is applied.",
      ],
    };
  }
  return { ok: true };
}

function short(fingerprint: string): string {
  return fingerprint.replace(/^sha256:/, "").slice(0, 16);
}
