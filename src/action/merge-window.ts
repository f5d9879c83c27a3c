/**
 * The I/O half of "what was reviewed": finds the commits the default branch
 * moved through since the last successful apply (recorded as a deployment),
 * the pull request each was merged from, and the evidence about each that
 * review.ts judges. A run whose predecessor was cancelled, skipped
 * (`[skip ci]`) or failed therefore still sees every merge since.
 */
import { stickyMarker } from "../plan/comment-marker.js";
import { type AppliedDeployment, type DeploymentScope, isForbidden } from "./github.js";
import { firstParentChain, type LabelEvent } from "./history.js";
import { ALLOW_DESTROY_LABEL, type MergeStep, type PullRequestEvidence, qualify, type ReviewPolicy } from "./review.js";
import type { ActionRun } from "./run.js";

export interface MergeWindow {
  /** Newest first; the first is the pushed commit. Empty when the pushed commit was applied in full already. */
  steps: MergeStep[];
  lastApplied?: AppliedDeployment | undefined;
  /** Why the window may miss earlier merges, when it may. */
  note?: string | undefined;
}

export function deploymentScope(run: ActionRun): DeploymentScope {
  return { owner: run.owner, path: run.dir };
}

function reviewPolicy(run: ActionRun, defaultBranch: string): ReviewPolicy {
  return {
    defaultBranch,
    planMarker: stickyMarker("plan", run.dir, run.owner),
    requireApproval: run.inputs.requireApproval,
    botLogin: run.inputs.botLogin,
  };
}

export async function mergeWindow(run: ActionRun, sha: string, defaultBranch: string): Promise<MergeWindow> {
  const { core } = run;
  const policy = reviewPolicy(run, defaultBranch);
  let lastApplied: AppliedDeployment | undefined;
  let note: string | undefined;
  try {
    lastApplied = await run.api.lastSuccessfulApply(deploymentScope(run));
  } catch (err) {
    if (!isForbidden(err)) throw err;
    note =
      "The token cannot read deployments, so the last apply is unknown and only the pull request of this commit counts. Give the apply job `permissions: deployments: write`.";
  }

  let commits: string[] = [sha];
  if (lastApplied?.sha === sha) {
    core.info(`Commit ${sha} was applied in full already (deployment ${lastApplied.id}).`);
    return { steps: [], lastApplied };
  }
  if (lastApplied) {
    const compared = await run.api.compare(lastApplied.sha, sha);
    if (compared.status !== "ahead") {
      note = `The last applied commit ${lastApplied.sha} is not an ancestor of ${sha} (the history was rewritten), so only the pull request of this commit counts.`;
    } else {
      const { chain, complete } = firstParentChain(compared.commits, lastApplied.sha, sha);
      commits = chain;
      if (!complete) {
        note = `${compared.totalCommits} commits landed since the last apply (${lastApplied.sha}); only the newest ${chain.length} merges were considered.`;
      }
    }
    core.info(`Last successful apply: ${lastApplied.sha} (deployment ${lastApplied.id}, ${lastApplied.createdAt}).`);
  } else if (!note) {
    note =
      "No earlier apply is recorded (deployments of environment azure-ipv6-proxy), so only the pull request of this commit counts.";
  }
  if (note) core.info(note);

  const steps: MergeStep[] = [];
  for (const commit of commits) {
    const pr = await run.api.mergedPullRequestFor(commit);
    if (!pr) {
      core.info(`${commit}: pushed directly, not merged from a pull request`);
      steps.push({ commit });
      continue;
    }
    const evidence: PullRequestEvidence = {
      pr,
      labelEvents: await labelEventsOrNone(run, pr.number),
    };
    const comment = await run.api.findSticky(pr.number, policy.planMarker);
    if (comment) evidence.planComment = { ...comment, editedBy: await run.api.commentEditor(comment.nodeId) };
    if (policy.requireApproval) {
      const reviews = await run.api.reviews(pr.number);
      const permissions: Record<string, string> = {};
      for (const login of new Set(reviews.filter((r) => r.state === "APPROVED").map((r) => r.user.toLowerCase()))) {
        permissions[login] = await run.api.permission(login);
      }
      evidence.reviews = reviews;
      evidence.permissions = permissions;
    }
    const judged = qualify(evidence, policy);
    core.info(
      `${commit}: pull request #${pr.number} (${pr.url}): ${judged.ok ? `reviewed plan ${judged.record.fingerprint.slice(0, 16)} counts` : `no reviewed plan: ${judged.reason}`}`,
    );
    steps.push({ commit, pullRequest: judged });
  }
  return { steps, ...(lastApplied ? { lastApplied } : {}), ...(note ? { note } : {}) };
}

/**
 * A token without `issues: read` may not list a pull request's events (403): then no label counts,
 * so a deletion is refused rather than allowed, and the log says which permission is missing.
 */
async function labelEventsOrNone(run: ActionRun, pr: number): Promise<LabelEvent[]> {
  try {
    return await run.api.labelEvents(pr);
  } catch (err) {
    if (!isForbidden(err)) throw err;
    run.core.warning(
      `GitHub refused the label history of pull request #${pr} (403): give the apply job \`permissions: issues: read\`. ` +
        `Until then its ${ALLOW_DESTROY_LABEL} label does not count.`,
    );
    return [];
  }
}
