/**
 * Plan: observe Azure (read-only), then post the plan as the sticky comment
 * of the pull request and to the job summary. Never writes to Azure.
 */
import { ApiVersionsUnavailableError, type PlanOutcome, planFromDir } from "../operations.js";
import { MAX_SUMMARY_CHARS, planBody, refusalBody, specErrorsBody } from "../plan/comment.js";
import { stickyMarker } from "../plan/comment-marker.js";
import { countChanges } from "../plan/counts.js";
import { alert, code, text } from "../plan/markdown-format.js";
import { summaryText } from "../plan/render-shared.js";
import { isSignInUnavailable, MISSING_ID_TOKEN_ADVICE } from "./azure-auth.js";
import type { Annotation } from "./entry.js";
import type { PullRequestRef } from "./event.js";
import { isForbidden } from "./github.js";
import { warnIfPlanIdentityCanWrite } from "./identity-check.js";
import { planOutputs } from "./outputs.js";
import { annotateSpecErrors, setOutputs, writePlanJson } from "./report.js";
import { type ActionRun, bodyContext, planState } from "./run.js";

const FORBIDDEN_COMMENT_ADVICE =
  "GitHub refused the plan comment (403). Give the workflow `permissions: pull-requests: write`; " +
  "pull requests from forks get a read-only token, so their plan is in this job summary only.";

export async function runPlan(run: ActionRun, pullRequest: PullRequestRef | undefined, why?: string): Promise<void> {
  const fork = pullRequest?.fromFork ?? false;
  const { core } = run;
  if (why) core.info(`Planning into the job summary only: ${why}.`);
  if (pullRequest && (await alreadyClosed(run, pullRequest))) {
    // A re-run of an old plan job must not rewrite the record of a merged pull request: that record is what apply trusts.
    return runPlan(
      run,
      undefined,
      `pull request #${pullRequest.number} is closed, so its plan comment is left as it was`,
    );
  }
  const ctx = run.operationContext(fork);

  let outcome: PlanOutcome;
  try {
    outcome = await planFromDir(run.dir, ctx, run.workspace);
  } catch (err) {
    if (fork && isSignInUnavailable(err)) return explainForkWithoutAzure(run, err);
    if (err instanceof ApiVersionsUnavailableError) return reportMissingApiVersions(run, pullRequest, err);
    throw err;
  }

  const headSha = pullRequest?.headSha ?? run.sha;
  if (outcome.specErrors.length > 0 || !outcome.plan) {
    annotateSpecErrors(core, outcome.specErrors);
    const ctxFor = bodyContext(run, "plan", { status: "spec-errors", sha: headSha }, headSha);
    if (pullRequest) await postPlanComment(run, pullRequest, specErrorsBody(outcome.specErrors, ctxFor));
    await core.appendSummary(specErrorsBody(outcome.specErrors, { ...ctxFor, maxChars: MAX_SUMMARY_CHARS }));
    run.fail(`${outcome.specErrors.length} error(s) in the proxy files in ${run.dir}/; see the annotations.`);
    return;
  }

  const plan = outcome.plan;
  await run.log.group("Check the plan identity", () => warnIfPlanIdentityCanWrite(run, plan, ctx));
  const body = bodyContext(run, "plan", planState(plan, headSha), headSha);
  if (pullRequest) await postPlanComment(run, pullRequest, planBody(plan, body));

  await run.log.group("Report", async () => {
    await writePlanJson(plan, run.planJsonPath);
    setOutputs(core, planOutputs(plan, run.planJsonPath));
    await core.appendSummary(planBody(plan, { ...body, maxChars: MAX_SUMMARY_CHARS }));
    core.info(`Plan: ${summaryText(countChanges(plan.changes))} (fingerprint ${plan.fingerprint}).`);
  });
  if (plan.errors.length > 0) {
    for (const e of plan.errors) {
      // @actions/core's annotation fields are optional but never undefined.
      const annotation: Annotation = { title: `Proxy ${e.proxy}` };
      if (e.file) annotation.file = e.file;
      if (e.file && e.line !== undefined) annotation.startLine = e.line;
      core.error(e.message, annotation);
    }
    run.fail(`The plan has ${plan.errors.length} error(s) and cannot be applied.`);
  }
}

/** The cloud lacks api-versions this release sends: nothing can be planned, and the comment says which and why. */
async function reportMissingApiVersions(
  run: ActionRun,
  pullRequest: PullRequestRef | undefined,
  err: ApiVersionsUnavailableError,
): Promise<void> {
  const headSha = pullRequest?.headSha ?? run.sha;
  const ctx = bodyContext(run, "plan", { status: "plan-errors", sha: headSha }, headSha);
  const reason = [
    `Nothing could be planned: the Azure Resource Manager at ${code(err.endpoint)} does not offer the api-versions this release uses.`,
    "",
    ...err.problems.map((p) => `- ${text(p)}`),
    "",
    "Sovereign clouds get new api-versions later than the public cloud: use a release built for this cloud's versions, or wait until the cloud offers them.",
  ];
  if (pullRequest) await postPlanComment(run, pullRequest, refusalBody(ctx, reason));
  await run.core.appendSummary(refusalBody({ ...ctx, maxChars: MAX_SUMMARY_CHARS }, reason));
  run.fail(err.message);
}

async function postPlanComment(run: ActionRun, pr: PullRequestRef, body: string): Promise<void> {
  await run.log.group("Post plan", async () => {
    try {
      const result = await run.api.upsertSticky(pr.number, stickyMarker("plan", run.dir, run.owner), body);
      run.core.info(`Plan comment ${result.action}: ${result.url} (${body.length} characters)`);
    } catch (err) {
      if (!isForbidden(err)) throw err;
      await run.core.appendSummary(`${alert("WARNING", [FORBIDDEN_COMMENT_ADVICE])}\n`);
      // A fork cannot do better; a branch of this repository is misconfigured and its merge would be refused.
      if (pr.fromFork) run.core.warning(FORBIDDEN_COMMENT_ADVICE);
      else run.fail(FORBIDDEN_COMMENT_ADVICE);
    }
  });
}

async function alreadyClosed(run: ActionRun, pr: PullRequestRef): Promise<boolean> {
  const now = await run.api.pullRequest(pr.number);
  return now.state !== "open";
}

async function explainForkWithoutAzure(run: ActionRun, err: unknown): Promise<void> {
  const detail =
    err instanceof Error && err.name !== "IdTokenUnavailableError" ? ` (${err.message.split("\n")[0]})` : "";
  const message =
    "The proxy files are valid. Planning against Azure needs an Azure sign-in, which pull requests from forks do not get" +
    `${detail}. A maintainer can push this branch to the repository itself to see the plan; ` +
    "changes are only applied from a plan that was reviewed on a pull request.";
  run.core.warning(message);
  await run.core.appendSummary(`${alert("NOTE", [message, "", MISSING_ID_TOKEN_ADVICE])}\n`);
}
