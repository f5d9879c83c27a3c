/**
 * Apply on a push to the default branch: only what was reviewed, and only
 * from the newest commit. The pull requests merged since the last successful
 * apply carry the records of the plans their reviewers saw; Azure is planned
 * again and changed only when every change was reviewed (review.ts). Each
 * apply is recorded as a deployment, so the next run knows where to start.
 */
import { ApplyFailedError, applyPlan, PlanNotApplicableError, planFromDir, verifyApplied } from "../operations.js";
import {
  applyResultBody,
  type BodyContext,
  MAX_SUMMARY_CHARS,
  planBody,
  planErrorLines,
  refusalBody,
  specErrorsBody,
} from "../plan/comment.js";
import { stickyMarker } from "../plan/comment-marker.js";
import { countChanges } from "../plan/counts.js";
import { alert, text } from "../plan/markdown-format.js";
import { summaryText } from "../plan/render-shared.js";
import type { ApplyFailure, ApplyOutcome, Plan } from "../plan/types.js";
import type { HealthReport } from "../verify/types.js";
import { isForbidden } from "./github.js";
import { deploymentScope, mergeWindow } from "./merge-window.js";
import { applyOutputs, planOutputs } from "./outputs.js";
import { annotateSpecErrors, reportHealthVerdict, setOutputs, writePlanJson } from "./report.js";
import { decideApply, isNoop } from "./review.js";
import { type ActionRun, bodyContext } from "./run.js";

export async function runApply(run: ActionRun, sha: string): Promise<void> {
  const { core } = run;
  const defaultBranch = await run.log.group("Check that this commit is the newest", async () => {
    const branch = await run.api.defaultBranch();
    const head = await run.api.branchHead(branch);
    core.info(`Default branch ${branch} is at ${head}; this run is for ${sha}.`);
    return head === sha ? branch : { branch, head };
  });
  if (typeof defaultBranch !== "string") return reportSuperseded(run, sha, defaultBranch);

  const window = await run.log.group("Find the reviewed plans", () => mergeWindow(run, sha, defaultBranch));
  const pushedPr = window.steps[0]?.pullRequest?.pr.number;

  const ctx = run.operationContext();
  const outcome = await planFromDir(run.dir, ctx, run.workspace);
  if (outcome.specErrors.length > 0 || !outcome.plan) {
    annotateSpecErrors(core, outcome.specErrors);
    const body = bodyContext(run, "apply", { status: "refused", sha }, sha);
    await postApplyComment(run, pushedPr, specErrorsBody(outcome.specErrors, body));
    await core.appendSummary(specErrorsBody(outcome.specErrors, { ...body, maxChars: MAX_SUMMARY_CHARS }));
    run.fail(`Nothing was applied: ${outcome.specErrors.length} error(s) in the proxy files in ${run.dir}/.`);
    return;
  }
  const plan = outcome.plan;
  await writePlanJson(plan, run.planJsonPath);
  setOutputs(core, planOutputs(plan, run.planJsonPath));

  if (isNoop(plan)) {
    // Nothing to apply (a re-run after a successful apply, or a merge that changed no proxy): no review needed.
    core.info("Azure already matches the proxy files: nothing to apply.");
    await core.appendSummary(
      planBody(plan, {
        ...bodyContext(run, "plan", { status: "planned", fingerprint: plan.fingerprint, sha }, sha),
        maxChars: MAX_SUMMARY_CHARS,
      }),
    );
    // Everything merged so far is in Azure: the next run starts from here.
    if (window.lastApplied?.sha !== sha) await recordDeployment(run, sha, "success", "Azure already matched");
    return;
  }

  const decision = decideApply({
    plan,
    commit: sha,
    steps: window.steps,
    allowDestroy: run.inputs.allowDestroy,
    ...(window.note ? { windowNote: window.note } : {}),
    appliedAlready: window.lastApplied?.sha === sha,
  });
  if (decision.kind === "refuse") return reportRefusal(run, sha, decision.tell, decision.reason, plan);
  for (const [pr, n] of decision.reviewedBy) core.info(`Pull request #${pr} reviewed ${n} of the plan's changes.`);

  // Planning took a while: a merge that landed meanwhile has its own run, which applies it and this.
  const headNow = await run.api.branchHead(defaultBranch);
  if (headNow !== sha) return reportSuperseded(run, sha, { branch: defaultBranch, head: headNow });

  const deployment = await recordDeployment(run, sha, "in_progress", `Applying ${summary(plan)}`);
  const reviewers = [...decision.reviewedBy.keys()];
  let applied: ApplyOutcome;
  const started = Date.now();
  try {
    // Deletions were checked change by change against the labels of the pull requests that reviewed them.
    applied = await applyPlan(outcome, ctx, { allowDestroy: true });
  } catch (err) {
    if (deployment !== undefined) await setDeployment(run, deployment, "failure", "Apply failed; re-run to finish");
    if (err instanceof PlanNotApplicableError) {
      return reportRefusal(
        run,
        sha,
        reviewers,
        ["Nothing was applied: the plan has errors.", "", ...planErrorLines(err.errors).map((l) => `- ${text(l)}`)],
        plan,
      );
    }
    if (err instanceof ApplyFailedError) {
      const partial = { proxies: err.applied, durationMs: Date.now() - started };
      // The proxies that were finished are checked all the same: the comment says how they serve.
      const health = await verifyApplied(outcome, err.applied, ctx);
      await reportApplied(run, sha, reviewers, partial, plan, err.failures, health);
      reportHealthVerdict(run, health);
    }
    throw err;
  }
  if (deployment !== undefined) await setDeployment(run, deployment, "success", `Applied ${summary(plan)}`);
  // Checked from outside, as a user would reach it; nothing is changed.
  const health = await verifyApplied(outcome, applied.proxies, ctx);
  await reportApplied(run, sha, reviewers, applied, plan, [], health);
  setOutputs(run.core, { health: health.verdict });
  reportHealthVerdict(run, health);
}

function summary(plan: Plan): string {
  return summaryText(countChanges(plan.changes));
}

/** Re-running an old apply after the default branch moved on must not re-apply an old plan. */
async function reportSuperseded(run: ActionRun, sha: string, now: { branch: string; head: string }): Promise<void> {
  const message =
    `Nothing was applied: commit ${sha} is no longer the head of ${now.branch} (now ${now.head}). ` +
    `The run for ${now.head} applies everything merged up to it, this commit included ` +
    "(if no run starts for it, for example [skip ci], the next push to the default branch applies both).";
  run.core.warning(message);
  await run.core.appendSummary(`${alert("NOTE", [text(message)])}\n`);
}

/**
 * A deployment records which commit's plan this run applied; the next run
 * starts its search for merged pull requests there. Without the permission
 * (403) the apply still goes ahead, and the next run sees only its own merge.
 */
async function recordDeployment(
  run: ActionRun,
  sha: string,
  state: "in_progress" | "success",
  description: string,
): Promise<number | undefined> {
  try {
    const id = await run.api.createDeployment(sha, deploymentScope(run), `azure-ipv6-proxy ${run.dir}/`);
    await run.api.setDeploymentStatus(id, state, description, run.summaryUrl);
    run.core.info(`Recorded as deployment ${id} (${state}).`);
    return id;
  } catch (err) {
    if (!isForbidden(err)) throw err;
    run.core.warning(
      "GitHub refused to record this apply as a deployment (403): give the apply job `permissions: deployments: write`. " +
        "Without the record, later runs cannot tell that this commit was applied and look for reviews from an earlier apply on.",
    );
    return undefined;
  }
}

async function setDeployment(
  run: ActionRun,
  id: number,
  state: "success" | "failure",
  description: string,
): Promise<void> {
  try {
    await run.api.setDeploymentStatus(id, state, description, run.summaryUrl);
  } catch (err) {
    if (!isForbidden(err)) throw err;
    run.core.warning(`GitHub refused the status of deployment ${id} (403).`);
  }
}

async function reportApplied(
  run: ActionRun,
  sha: string,
  prs: number[],
  applied: ApplyOutcome,
  plan: Plan,
  failures: ApplyFailure[] = [],
  health?: HealthReport,
): Promise<void> {
  const { core } = run;
  await run.log.group("Report", async () => {
    const status = failures.length > 0 ? "failed" : "applied";
    const body = bodyContext(run, "apply", { status, fingerprint: plan.fingerprint, sha }, sha);
    for (const pr of prs) await postApplyComment(run, pr, applyResultBody(applied, body, failures, health));
    setOutputs(core, applyOutputs(plan, run.planJsonPath, applied));
    await core.appendSummary(applyResultBody(applied, { ...body, maxChars: MAX_SUMMARY_CHARS }, failures, health));
    for (const p of applied.proxies) {
      const addresses = [p.ipv6Address, p.ipv4Address && `backends see ${p.ipv4Address}`].filter(Boolean);
      core.info(`${p.name}: ${p.status}${addresses.length ? ` ${addresses.join(", ")}` : ""}`);
    }
  });
}

/** The refusal goes to every pull request merged since the last apply: each of them has a change waiting. */
async function reportRefusal(run: ActionRun, sha: string, prs: number[], reason: string[], plan?: Plan): Promise<void> {
  await run.log.group("Report", async () => {
    const body: BodyContext = bodyContext(
      run,
      "apply",
      { status: "refused", ...(plan ? { fingerprint: plan.fingerprint } : {}), sha },
      sha,
    );
    for (const pr of prs) await postApplyComment(run, pr, refusalBody(body, reason, plan));
    await run.core.appendSummary(refusalBody({ ...body, maxChars: MAX_SUMMARY_CHARS }, reason, plan));
  });
  run.fail(reason[0] ?? "Nothing was applied.");
}

/** The apply comment is sticky too: a re-run edits it instead of adding another. */
async function postApplyComment(run: ActionRun, pr: number | undefined, body: string): Promise<void> {
  if (pr === undefined) return;
  try {
    const result = await run.api.upsertSticky(pr, stickyMarker("apply", run.dir, run.owner), body);
    run.core.info(`Apply comment on #${pr} ${result.action}: ${result.url}`);
  } catch (err) {
    if (!isForbidden(err)) throw err;
    run.core.warning(
      "GitHub refused the apply comment (403): give the workflow `permissions: pull-requests: write`. The result is in the job summary.",
    );
  }
}
