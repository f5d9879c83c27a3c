/**
 * Mode drift (a scheduled workflow): plan the default branch's files against
 * Azure without writing, check every proxy's health, and keep one issue per
 * proxy directory and owner up to date: opened when Azure differs from the
 * files or a proxy is unhealthy, edited by later runs, closed with a comment
 * once all is well again.
 *
 * Mode status: the health checks alone, into the job summary.
 */
import { healthOfPlan, planFromDir, statusFromDir } from "../operations.js";
import { MAX_SUMMARY_CHARS, specErrorsBody } from "../plan/comment.js";
import { stickyMarker } from "../plan/comment-marker.js";
import { countChanges } from "../plan/counts.js";
import { renderHealthMarkdown } from "../verify/render.js";
import { DRIFT_LABEL, driftFindings, driftIssueBody, driftIssueTitle, resolvedComment } from "./drift-issue.js";
import type { RunPlan } from "./event.js";
import { isForbidden } from "./github.js";
import { planOutputs } from "./outputs.js";
import { annotateSpecErrors, reportHealthVerdict, setOutputs, writePlanJson } from "./report.js";
import { type ActionRun, bodyContext } from "./run.js";

export async function runDrift(run: ActionRun, plan: Extract<RunPlan, { kind: "drift" }>): Promise<void> {
  const { core } = run;
  if (plan.offDefaultBranch) {
    run.fail(`Nothing was checked: ${plan.offDefaultBranch}. Run this workflow on the default branch.`);
    return;
  }
  const ctx = run.operationContext();
  const outcome = await planFromDir(run.dir, ctx);
  if (!outcome.plan) {
    annotateSpecErrors(core, outcome.specErrors);
    const body = bodyContext(run, "drift", { status: "spec-errors", sha: plan.sha }, plan.sha);
    await core.appendSummary(specErrorsBody(outcome.specErrors, { ...body, maxChars: MAX_SUMMARY_CHARS }));
    run.fail(`${outcome.specErrors.length} error(s) in the proxy files in ${run.dir}/ on the default branch.`);
    return;
  }
  const planned = outcome.plan;
  await writePlanJson(planned, run.planJsonPath);
  setOutputs(core, planOutputs(planned, run.planJsonPath));
  const health = await healthOfPlan(outcome, ctx);
  const findings = driftFindings(planned, health);
  const marker = stickyMarker("drift", run.dir, run.owner);
  const issueContext = {
    marker,
    scope: scope(run),
    sha: plan.sha,
    ...(run.summaryUrl ? { runUrl: run.summaryUrl } : {}),
  };

  await run.log.group("Report", async () => {
    await core.appendSummary(
      driftIssueBody(planned, health, findings, { ...issueContext, maxChars: MAX_SUMMARY_CHARS }),
    );
    // Only an issue the action's own identity (bot-login) opened is ours to edit or close.
    const author = run.inputs.botLogin;
    try {
      const open = await run.issues.findOpen(marker, DRIFT_LABEL, author);
      if (findings.drifted || findings.unhealthy) {
        const title = driftIssueTitle(issueContext.scope, findings);
        const body = driftIssueBody(planned, health, findings, issueContext);
        const issue = open
          ? await run.issues.update(open.number, title, body)
          : await run.issues.create(title, body, DRIFT_LABEL);
        core.info(`Drift issue ${open ? "updated" : "opened"}: ${issue.url}`);
        if (!issue.labels.includes(DRIFT_LABEL)) {
          core.warning(
            `GitHub did not keep the label ${DRIFT_LABEL} on ${issue.url}, so the next run will not find this issue. ` +
              "The token needs `issues: write` on this repository.",
          );
        }
      } else if (open) {
        await run.issues.close(open.number, resolvedComment(plan.sha, run.summaryUrl));
        core.info(`Drift issue closed: ${open.url}`);
      } else {
        core.info(`Azure matches ${run.dir}/ and every proxy is healthy: no issue to open.`);
      }
    } catch (err) {
      if (!isForbidden(err)) throw err;
      core.warning(
        "GitHub refused to write the drift issue (403): give the workflow `permissions: issues: write`. The findings are in the job summary.",
      );
    }
  });
  setOutputs(core, { drift: String(findings.drifted), health: health.verdict });
  if (findings.drifted) {
    const { add, change, destroy } = countChanges(planned.changes);
    core.warning(
      `Azure differs from ${run.dir}/: an apply would add ${add}, change ${change} and destroy ${destroy} (see the drift issue).`,
    );
  }
  reportHealthVerdict(run, health);
}

export async function runStatus(run: ActionRun): Promise<void> {
  const { core } = run;
  const ctx = run.operationContext();
  const status = await statusFromDir(run.dir, ctx);
  if (!status.health) {
    annotateSpecErrors(core, status.specErrors);
    const body = bodyContext(run, "plan", { status: "spec-errors" });
    await core.appendSummary(specErrorsBody(status.specErrors, { ...body, maxChars: MAX_SUMMARY_CHARS }));
    run.fail(`${status.specErrors.length} error(s) in the proxy files in ${run.dir}/.`);
    return;
  }
  const health = status.health;
  await run.log.group("Report", async () => {
    await core.appendSummary(
      renderHealthMarkdown(health, {
        heading: `### Azure IPv6 proxy status: ${scope(run)}`,
        maxChars: MAX_SUMMARY_CHARS,
      }),
    );
    for (const p of health.proxies) core.info(`${p.proxy}: ${p.verdict}${p.ipv6Address ? ` ${p.ipv6Address}` : ""}`);
  });
  setOutputs(core, { health: health.verdict });
  reportHealthVerdict(run, health);
}

function scope(run: ActionRun): string {
  const repo = `${run.repo.owner}/${run.repo.repo}`;
  return `${run.dir}/${run.owner === repo ? "" : ` (owner ${run.owner})`}`;
}
