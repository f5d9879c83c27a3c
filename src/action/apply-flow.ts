/**
 * Apply on a push to the default branch: only what was reviewed. The merged
 * pull request's plan comment records the fingerprint the reviewer saw; Azure
 * is planned again and changed only when the new plan has that fingerprint.
 */
import {
  ApplyFailedError,
  applyPlan,
  DestroyNotAllowedError,
  PlanNotApplicableError,
  planFromDir,
} from "../operations.js";
import {
  applyResultBody,
  type BodyContext,
  MAX_SUMMARY_CHARS,
  planBody,
  planErrorLines,
  refusalBody,
  specErrorsBody,
} from "../plan/comment.js";
import { parseState, stickyMarker } from "../plan/comment-marker.js";
import { code, text } from "../plan/markdown-format.js";
import type { ApplyFailure, ApplyOutcome, Plan } from "../plan/types.js";
import { isForbidden, type MergedPullRequest } from "./github.js";
import { applyOutputs, planOutputs } from "./outputs.js";
import { annotateSpecErrors, setOutputs, writePlanJson } from "./report.js";
import { checkReviewed, isNoop } from "./review.js";
import { type ActionRun, ALLOW_DESTROY_LABEL, bodyContext } from "./run.js";

export async function runApply(run: ActionRun, sha: string): Promise<void> {
  const { core } = run;
  const found = await run.log.group("Find the reviewed plan", async () => {
    const pr = await run.api.mergedPullRequestFor(sha);
    if (!pr) return undefined;
    const comment = await run.api.findSticky(pr.number, stickyMarker("plan", run.dir, run.owner));
    const reviewed = comment ? parseState(comment.body) : undefined;
    core.info(`Commit ${sha} was merged from pull request #${pr.number} (${pr.url}).`);
    core.info(
      reviewed
        ? `Reviewed plan: ${reviewed.status} ${reviewed.fingerprint ?? ""} at ${reviewed.sha ?? "?"}`
        : "No plan comment found.",
    );
    return { pr, reviewed };
  });

  const ctx = run.operationContext();
  const outcome = await planFromDir(run.dir, ctx, run.workspace);
  const refuse = (pr: MergedPullRequest | undefined, reason: string[], plan?: Plan) =>
    reportRefusal(run, sha, pr, reason, plan);

  if (outcome.specErrors.length > 0 || !outcome.plan) {
    annotateSpecErrors(core, outcome.specErrors);
    const body = bodyContext(run, "apply", { status: "refused", sha }, sha);
    await postApplyComment(run, found?.pr, specErrorsBody(outcome.specErrors, body));
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
    return;
  }
  if (!found) {
    return refuse(
      undefined,
      [
        `Nothing was applied: commit ${code(sha)} was not merged from a pull request, so there is no reviewed plan for it.`,
        "",
        "Change proxies through a pull request: its plan is posted for review and applied when it is merged.",
      ],
      plan,
    );
  }
  const verdict = checkReviewed(found.reviewed, plan, found.pr.number);
  if (!verdict.ok) return refuse(found.pr, verdict.reason, plan);

  const allowDestroy = run.inputs.allowDestroy || found.pr.labels.includes(ALLOW_DESTROY_LABEL);
  let applied: ApplyOutcome;
  const started = Date.now();
  try {
    applied = await applyPlan(outcome, ctx, { allowDestroy });
  } catch (err) {
    if (err instanceof DestroyNotAllowedError) {
      return refuse(
        found.pr,
        [
          `Nothing was applied: the plan destroys or replaces resources of ${err.proxies.map((p) => code(p)).join(", ")}.`,
          "",
          `Deletions and replacements need the ${code(ALLOW_DESTROY_LABEL)} label on the pull request or ${code("allow-destroy: true")}; then re-run this job.`,
        ],
        plan,
      );
    }
    if (err instanceof PlanNotApplicableError) {
      return refuse(
        found.pr,
        ["Nothing was applied: the plan has errors.", "", ...planErrorLines(err.errors).map((l) => `- ${text(l)}`)],
        plan,
      );
    }
    if (err instanceof ApplyFailedError) {
      await reportApplied(
        run,
        sha,
        found.pr,
        { proxies: err.applied, durationMs: Date.now() - started },
        plan,
        err.failures,
      );
    }
    throw err;
  }
  await reportApplied(run, sha, found.pr, applied, plan);
}

async function reportApplied(
  run: ActionRun,
  sha: string,
  pr: MergedPullRequest,
  applied: ApplyOutcome,
  plan: Plan,
  failures: ApplyFailure[] = [],
): Promise<void> {
  await run.log.group("Report", async () => {
    const status = failures.length > 0 ? "failed" : "applied";
    const body = bodyContext(run, "apply", { status, fingerprint: plan.fingerprint, sha }, sha);
    await postApplyComment(run, pr, applyResultBody(applied, body, failures));
    setOutputs(run.core, applyOutputs(plan, run.planJsonPath, applied));
    await run.core.appendSummary(applyResultBody(applied, { ...body, maxChars: MAX_SUMMARY_CHARS }, failures));
    for (const p of applied.proxies) {
      const addresses = [p.ipv6Address, p.ipv4Address && `backends see ${p.ipv4Address}`].filter(Boolean);
      run.core.info(`${p.name}: ${p.status}${addresses.length ? ` ${addresses.join(", ")}` : ""}`);
    }
  });
}

async function reportRefusal(
  run: ActionRun,
  sha: string,
  pr: MergedPullRequest | undefined,
  reason: string[],
  plan?: Plan,
): Promise<void> {
  await run.log.group("Report", async () => {
    const body: BodyContext = bodyContext(
      run,
      "apply",
      { status: "refused", fingerprint: plan?.fingerprint, sha },
      sha,
    );
    await postApplyComment(run, pr, refusalBody(body, reason, plan));
    await run.core.appendSummary(refusalBody({ ...body, maxChars: MAX_SUMMARY_CHARS }, reason, plan));
  });
  run.fail(reason[0] ?? "Nothing was applied.");
}

/** The apply comment is sticky too: a re-run edits it instead of adding another. */
async function postApplyComment(run: ActionRun, pr: MergedPullRequest | undefined, body: string): Promise<void> {
  if (!pr) return;
  try {
    const result = await run.api.upsertSticky(pr.number, stickyMarker("apply", run.dir, run.owner), body);
    run.core.info(`Apply comment ${result.action}: ${result.url}`);
  } catch (err) {
    if (!isForbidden(err)) throw err;
    run.core.warning(
      "GitHub refused the apply comment (403): give the workflow `permissions: pull-requests: write`. The result is in the job summary.",
    );
  }
}
