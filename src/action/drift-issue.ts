/**
 * The drift issue's text: what differs between Azure and the files on the
 * default branch, in the same Markdown as the pull request's plan comment,
 * and the proxies' health under its own heading. The marker on its first line
 * (per proxy directory and owner) is how later runs find it.
 */

import { planBody } from "../plan/comment.js";
import { countChanges } from "../plan/counts.js";
import { code, maybeLink, text } from "../plan/markdown-format.js";
import { GITHUB_COMMENT_LIMIT } from "../plan/render-markdown.js";
import type { Plan } from "../plan/types.js";
import { renderHealthMarkdown } from "../verify/render.js";
import type { HealthReport } from "../verify/types.js";

export const DRIFT_LABEL = "ipv6-proxy/drift";

export interface DriftFindings {
  /** Azure differs from the files: the plan would change something, or cannot be applied. */
  drifted: boolean;
  /** A health check found a failure or a warning. */
  unhealthy: boolean;
}

export function driftFindings(plan: Plan, health: HealthReport): DriftFindings {
  const { add, change, destroy } = countChanges(plan.changes);
  return {
    drifted: add + change + destroy > 0 || plan.errors.length > 0,
    unhealthy: health.verdict !== "healthy",
  };
}

export interface DriftIssueContext {
  marker: string;
  /** e.g. "proxies/" or "proxies/ (owner acme/web-eu)". */
  scope: string;
  sha: string;
  runUrl?: string;
  maxChars?: number;
}

export function driftIssueTitle(scope: string, f: DriftFindings): string {
  const what = f.drifted && f.unhealthy ? "drift and health" : f.drifted ? "drift" : "health";
  return `Azure IPv6 proxies: ${what} in ${scope}`;
}

export function driftIssueBody(plan: Plan, health: HealthReport, f: DriftFindings, ctx: DriftIssueContext): string {
  const max = ctx.maxChars ?? GITHUB_COMMENT_LIMIT;
  const head = [
    ctx.marker,
    `### Azure IPv6 proxies in ${text(ctx.scope)} need attention`,
    "",
    `Found by the ${maybeLink("scheduled check", ctx.runUrl)} of ${code(ctx.sha)} on the default branch. ` +
      "It changes nothing; this issue is updated by every check and closed once Azure matches the files and every proxy is healthy.",
    "",
  ].join("\n");
  const healthPart = renderHealthMarkdown(health, {
    heading: "## Health",
    maxChars: Math.floor((max - head.length) / 2),
  });
  let driftPart: string;
  if (f.drifted) {
    const budget = max - head.length - healthPart.length - 400;
    const rendered = planBody(plan, {
      marker: "",
      title: "What an apply of the files would change",
      headSha: ctx.sha,
      maxChars: budget,
    })
      .replace(/^\n+/, "")
      // The plan ends with "Merge to apply."; here the files are merged already.
      .replace(/\nMerge to apply\.[^\n]*\n?$/, "\n");
    driftPart = [
      "## Drift: Azure differs from the files",
      "",
      "Changes marked as made outside this tool are reverted by the next apply of the files (a merge to the default branch, or `azure-ipv6-proxy apply`). " +
        "Other changes are files that were never applied.",
      "",
      rendered.trimEnd(),
      "",
    ].join("\n");
  } else {
    driftPart = ["## Drift", "", "None: Azure matches the files.", ""].join("\n");
  }
  return `${head}\n${driftPart}\n${healthPart}`;
}

/** The comment that closes the issue. */
export function resolvedComment(sha: string, runUrl: string | undefined): string {
  return `Resolved: the ${maybeLink("check", runUrl)} of ${code(sha)} finds Azure matching the files and every proxy healthy. Closing.`;
}
