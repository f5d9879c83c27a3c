/**
 * What both flows (plan, apply) share about one run of the action: the
 * validated inputs, where the proxies are and who owns them, the GitHub API,
 * and how to reach Azure.
 */
import { changeDigest } from "../engine/fingerprint.js";
import type { Logger } from "../log.js";
import type { OperationContext } from "../operations.js";
import type { BodyContext } from "../plan/comment.js";
import {
  type CommentKind,
  type CommentState,
  MAX_RECORD_DIGESTS,
  stateMarker,
  stickyMarker,
} from "../plan/comment-marker.js";
import type { Plan } from "../plan/types.js";
import type { ActionCore } from "./entry.js";
import type { Repo } from "./event.js";
import type { GitHubApi, IssueApi } from "./github.js";
import type { ActionInputs } from "./inputs.js";

export interface ActionRun {
  inputs: ActionInputs;
  owner: string;
  /** Normalised proxy directory, as given (relative to the workspace). */
  dir: string;
  workspace: string;
  repo: Repo;
  /** The commit the workflow runs on (GITHUB_SHA). */
  sha: string;
  api: GitHubApi;
  /** The drift issue (mode drift). */
  issues: IssueApi;
  /** Log, annotations, step outputs and job summary. */
  core: ActionCore;
  /** Log groups per phase, backed by `core`. */
  log: Logger;
  /** Marks the step failed with `message` and carries on; the run ends with every failure (see entry.ts). */
  fail(message: string): void;
  /** The run's page, whose job summary holds everything a comment had to leave out. */
  summaryUrl?: string | undefined;
  planJsonPath: string;
  /** Azure access for the engine; see azureConnection for when it throws. */
  operationContext(deferMissingIdToken?: boolean): OperationContext;
}

export function bodyContext(run: ActionRun, kind: CommentKind, state: CommentState, headSha?: string): BodyContext {
  return {
    marker: `${stickyMarker(kind, run.dir, run.owner)}\n${stateMarker(state)}`,
    title: title(run, kind),
    headSha,
    summaryUrl: run.summaryUrl,
    specDir: `${run.dir}/`,
  };
}

function title(run: ActionRun, kind: CommentKind): string {
  const what =
    kind === "plan" ? "Azure IPv6 proxy plan" : kind === "apply" ? "Azure IPv6 proxy apply" : "Azure IPv6 proxy drift";
  // Matrix jobs differ by directory or owner: name them so two comments on one PR are told apart.
  const repo = `${run.repo.owner}/${run.repo.repo}`;
  return `${what}: ${run.dir}/${run.owner === repo ? "" : ` (owner ${run.owner})`}`;
}

/** The record a plan comment carries: what apply later compares with its own plan. */
export function planState(plan: Plan, headSha: string): CommentState {
  if (plan.errors.length > 0) return { status: "plan-errors", fingerprint: plan.fingerprint, sha: headSha };
  const pending = plan.changes.filter((c) => c.action !== "noop");
  return {
    status: "planned",
    fingerprint: plan.fingerprint,
    sha: headSha,
    ...(pending.length <= MAX_RECORD_DIGESTS ? { changes: pending.map(changeDigest) } : {}),
  };
}
