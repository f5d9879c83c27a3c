/**
 * One run of the action, with everything it exchanges with the runner passed
 * in: inputs, environment, workflow event, GitHub client, OIDC token, log,
 * step outputs and job summary. src/main.ts wires @actions/core and
 * @actions/github into it; tests call it in-process with doubles, so the same
 * code runs in both without spawning the bundle.
 */
import { tmpdir } from "node:os";
import { describeCloud } from "../model/clouds.js";
import { defaultOwner } from "../model/owner.js";
import { safeLines } from "../model/safe-text.js";
import { normalizeDir } from "../plan/comment-marker.js";
import { describeEvent, type EventInput, planRun, type RunPlan, refusedEvent, repoOf } from "./event.js";
import { GitHubApi, IssueApi, type Octokit } from "./github.js";
import { type InputReader, readInputs } from "./inputs.js";
import { actionsLogger, safeCore } from "./logger.js";
import { planJsonPath } from "./outputs.js";
import type { ActionRun } from "./run.js";

/** Where an annotation points (the subset of @actions/core's AnnotationProperties the action sets). */
export interface Annotation {
  title?: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

/** The part of @actions/core the flows use to report: log, annotations, step outputs, job summary. */
export interface ActionCore {
  info(message: string): void;
  warning(message: string): void;
  error(message: string, annotation?: Annotation): void;
  /** Shown only with step debug logging on (ACTIONS_STEP_DEBUG). */
  debug(message: string): void;
  /** A collapsible group in the log; groups do not nest (see actionsLogger). */
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  setOutput(name: string, value: string): void;
  /** Appends markdown to the job summary; does nothing where there is none (a local run). */
  appendSummary(markdown: string): Promise<void>;
}

export interface ActionIO {
  /** One raw input, as core.getInput reads it. */
  getInput: InputReader;
  /** The job's environment: GITHUB_REPOSITORY, GITHUB_RUN_ID, RUNNER_TEMP, ACTIONS_ID_TOKEN_REQUEST_*, ... */
  env: Readonly<Record<string, string | undefined>>;
  /** The workspace (the step's working directory): the `path` input is relative to it. */
  workspace: string;
  /** The workflow event (github.context). */
  event: EventInput;
  /** A REST client authenticated with `token` (github.getOctokit). */
  octokit(token: string): Octokit;
  /** The job's OIDC token for `audience` (core.getIDToken). */
  getIdToken(audience: string): Promise<string>;
  core: ActionCore;
  /**
   * An extra CA (PEM) to trust for Azure and its sign-in. On a runner the
   * process trusts NODE_EXTRA_CA_CERTS at start-up and this stays undefined;
   * an in-process run cannot change its own trust store, so it passes the CA here.
   */
  azureCa?: string | undefined;
}

export interface ActionResult {
  /** Why the step fails, in order; empty when it succeeds. main.ts hands them to core.setFailed. */
  failures: string[];
}

/** Never throws: every failure, expected or not, ends up in `failures` with its stack in the debug log. */
export async function run(given: ActionIO): Promise<ActionResult> {
  // Every line the run writes goes through safeCore: no call site can log an unsafe value.
  const io: ActionIO = { ...given, core: safeCore(given.core) };
  const failures: string[] = [];
  try {
    await dispatch(io, (message) => failures.push(message));
  } catch (err) {
    // The message says what to do; the stack is for debug logs only (ACTIONS_STEP_DEBUG).
    if (err instanceof Error && err.stack) io.core.debug(err.stack);
    failures.push(err instanceof Error ? err.message : String(err));
  }
  // core.setFailed turns them into one ::error:: command, whose data @actions/core escapes.
  return { failures: failures.map((f) => safeLines(f)) };
}

async function dispatch(io: ActionIO, fail: (message: string) => void): Promise<void> {
  // Before any input is read or anything is signed in to.
  const refused = refusedEvent(io.event.eventName);
  if (refused) throw new Error(refused);
  const log = actionsLogger(io.core);
  const { run, plan } = await log.group("Read inputs", async () => {
    const inputs = readInputs(io.getInput);
    const owner = inputs.owner ?? defaultOwner(io.env, io.workspace);
    if (!owner) throw new Error("Input 'owner': empty, and GITHUB_REPOSITORY is not set to derive it from");
    const repo = repoOf(io.env.GITHUB_REPOSITORY);
    const dir = normalizeDir(inputs.path);
    const serverUrl = io.env.GITHUB_SERVER_URL ?? "https://github.com";
    const runId = io.env.GITHUB_RUN_ID;
    // The Azure SDKs are most of the bundle's start-up time: they load once the inputs are known to be valid.
    const { azureConnection } = await import("./azure-auth.js");
    const octokit = io.octokit(inputs.githubToken);

    const run: ActionRun = {
      inputs,
      owner,
      dir,
      workspace: io.workspace,
      repo,
      sha: io.event.sha,
      api: new GitHubApi(octokit, repo, inputs.botLogin),
      issues: new IssueApi(octokit, repo),
      core: io.core,
      log,
      fail,
      summaryUrl: runId ? `${serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${runId}` : undefined,
      planJsonPath: planJsonPath(io.env.RUNNER_TEMP || tmpdir(), dir, owner),
      operationContext: (deferMissingIdToken = false) => ({
        connection: azureConnection(inputs, io.env, io.getIdToken, deferMissingIdToken, io.azureCa),
        owner,
        defaultSubscriptionId: inputs.subscriptionId,
        log,
      }),
    };
    const plan = planRun(inputs.mode, io.event);
    log.info(`mode ${inputs.mode} ${describeEvent(io.event.eventName)}: ${describe(plan)}`);
    log.info(`proxies in ${dir}/, owner ${owner}`);
    log.info(describeCloud(inputs.cloud, { oidc: Boolean(inputs.tenantId && inputs.clientId) }));
    log.info(
      inputs.tenantId
        ? `Azure sign-in: OIDC as ${inputs.clientId} in tenant ${inputs.tenantId}`
        : "Azure sign-in: DefaultAzureCredential",
    );
    return { run, plan };
  });

  switch (plan.kind) {
    case "plan-pull-request":
      return (await import("./plan-flow.js")).runPlan(run, plan.pullRequest);
    case "plan-summary":
      return (await import("./plan-flow.js")).runPlan(run, undefined, plan.reason);
    case "apply":
      return (await import("./apply-flow.js")).runApply(run, plan.sha);
    case "drift":
      return (await import("./drift-flow.js")).runDrift(run, plan);
    case "status":
      return (await import("./drift-flow.js")).runStatus(run);
  }
}

function describe(plan: RunPlan): string {
  switch (plan.kind) {
    case "plan-pull-request":
      return `plan pull request #${plan.pullRequest.number}${plan.pullRequest.fromFork ? " (from a fork)" : ""}`;
    case "plan-summary":
      return "plan into the job summary";
    case "apply":
      return `apply commit ${plan.sha}`;
    case "drift":
      return `look for drift at commit ${plan.sha}`;
    case "status":
      return "check the health of every proxy";
  }
}
