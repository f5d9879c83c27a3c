/**
 * Entry point of the GitHub Action: reads the inputs and the workflow event,
 * then plans (pull requests) or applies (merges to the default branch).
 * Everything that fails ends here, as one failed step with a clear message.
 */

import { tmpdir } from "node:os";
import * as core from "@actions/core";
import * as github from "@actions/github";
import { runApply } from "./action/apply-flow.js";
import { azureConnection } from "./action/azure-auth.js";
import { planRun, repoOf } from "./action/event.js";
import { GitHubApi } from "./action/github.js";
import { readInputs } from "./action/inputs.js";
import { actionsLogger } from "./action/logger.js";
import { normalizeDir } from "./action/marker.js";
import { planJsonPath } from "./action/outputs.js";
import { runPlan } from "./action/plan-flow.js";
import type { ActionRun } from "./action/run.js";
import { defaultOwner } from "./model/owner.js";

async function main(): Promise<void> {
  const log = actionsLogger();
  const { run, plan } = await log.group("Read inputs", async () => {
    const inputs = readInputs((name) => core.getInput(name));
    const owner = inputs.owner ?? defaultOwner(process.env, process.cwd());
    if (!owner) throw new Error("Input 'owner': empty, and GITHUB_REPOSITORY is not set to derive it from");
    const repo = repoOf(process.env.GITHUB_REPOSITORY);
    const dir = normalizeDir(inputs.path);
    const { context } = github;
    const serverUrl = process.env.GITHUB_SERVER_URL ?? "https://github.com";
    const runId = process.env.GITHUB_RUN_ID;

    const run: ActionRun = {
      inputs,
      owner,
      dir,
      repo,
      api: new GitHubApi(github.getOctokit(inputs.githubToken), repo),
      log,
      summaryUrl: runId ? `${serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${runId}` : undefined,
      planJsonPath: planJsonPath(process.env.RUNNER_TEMP || tmpdir(), dir, owner),
      operationContext: (deferMissingIdToken = false) => ({
        connection: azureConnection(inputs, process.env, (audience) => core.getIDToken(audience), deferMissingIdToken),
        owner,
        defaultSubscriptionId: inputs.subscriptionId,
        log,
      }),
    };
    const plan = planRun(inputs.mode, {
      eventName: context.eventName,
      payload: context.payload,
      sha: context.sha,
      ref: context.ref,
    });
    core.info(`mode ${inputs.mode} on ${context.eventName}: ${describe(plan)}`);
    core.info(`proxies in ${dir}/, owner ${owner}, resource manager ${inputs.resourceManagerEndpoint}`);
    core.info(
      inputs.tenantId
        ? `Azure sign-in: OIDC as ${inputs.clientId} in tenant ${inputs.tenantId}`
        : "Azure sign-in: DefaultAzureCredential",
    );
    return { run, plan };
  });

  switch (plan.kind) {
    case "plan-pull-request":
      return runPlan(run, plan.pullRequest);
    case "plan-summary":
      return runPlan(run, undefined, plan.reason);
    case "apply":
      return runApply(run, plan.sha);
  }
}

function describe(plan: ReturnType<typeof planRun>): string {
  switch (plan.kind) {
    case "plan-pull-request":
      return `plan pull request #${plan.pullRequest.number}${plan.pullRequest.fromFork ? " (from a fork)" : ""}`;
    case "plan-summary":
      return "plan into the job summary";
    case "apply":
      return `apply commit ${plan.sha}`;
  }
}

try {
  await main();
} catch (err) {
  // The message says what to do; the stack is for debug logs only (ACTIONS_STEP_DEBUG).
  if (err instanceof Error && err.stack) core.debug(err.stack);
  core.setFailed(err instanceof Error ? err.message : String(err));
}
