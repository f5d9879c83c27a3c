/**
 * What this run is about, derived from the workflow event: plan a pull
 * request, apply a merge to the default branch, or just plan into the job
 * summary. Pure: reads only the values it is given.
 */
import type { Mode } from "./inputs.js";

export interface Repo {
  owner: string;
  repo: string;
}

export interface PullRequestRef {
  number: number;
  headSha: string;
  /** The head repository differs from the base one: the token is read-only and there is no OIDC token. */
  fromFork: boolean;
}

export type RunPlan =
  /** Plan and post the sticky comment on the pull request. */
  | { kind: "plan-pull-request"; pullRequest: PullRequestRef }
  /** Plan into the job summary only (a push to another branch, workflow_dispatch, ...). */
  | { kind: "plan-summary"; reason: string }
  /** Apply what was reviewed on the pull request that produced `sha`. */
  | { kind: "apply"; sha: string }
  /**
   * Plan against the default branch without writing, check health, and keep
   * the drift issue up to date. `offDefaultBranch` says why this run may not.
   */
  | { kind: "drift"; sha: string; offDefaultBranch?: string }
  /** Check every proxy's health into the job summary. */
  | { kind: "status" };

export interface EventInput {
  eventName: string;
  /** The parsed GITHUB_EVENT_PATH payload. */
  payload: Record<string, unknown>;
  sha: string;
  ref: string;
}

const PULL_REQUEST_EVENTS = new Set(["pull_request"]);

/**
 * Why the action refuses to run on this event at all, or undefined.
 * `pull_request_target` runs with the base repository's secrets, a write token
 * and its OIDC identity even for a fork's pull request, while the files the
 * job reads may be the pull request author's (GitHub Docs, "Securely using
 * pull_request_target"; GitHub Security Lab, "Preventing pwn requests"). A
 * plan there would read an attacker's proxy files with a trusted identity.
 */
export function refusedEvent(eventName: string): string | undefined {
  if (eventName !== "pull_request_target") return undefined;
  return (
    "This action does not run on pull_request_target: that event gives the job the base repository's secrets, " +
    "a write token and its Azure identity even for a fork's pull request, while the proxy files it reads can be " +
    "the pull request author's. Run the plan job on pull_request (with the read-only plan identity) and the apply " +
    "job on push to the default branch, as examples/ipv6-proxy.yml does. See " +
    "https://docs.github.com/actions/reference/security/securely-using-pull_request_target."
  );
}

/**
 * GITHUB_EVENT_NAME is unset outside a workflow run (`node dist/index.js` by hand), and @actions/github then
 * leaves the event name undefined: say so instead of printing "undefined".
 */
const NO_EVENT = "no workflow event (GITHUB_EVENT_NAME is not set)";

/** "on the push event", or "with no workflow event (…)": what the log says a run was started by. */
export function describeEvent(eventName: string | undefined): string {
  return eventName ? `on the ${eventName} event` : `with ${NO_EVENT}`;
}

export function planRun(mode: Mode, event: EventInput): RunPlan {
  const pullRequest = pullRequestOf(event);
  if (mode === "apply") return { kind: "apply", sha: event.sha };
  if (mode === "status") return { kind: "status" };
  if (mode === "drift") {
    // A scheduled run always runs on the default branch's latest commit; a manual one names its ref.
    const defaultBranch = str(obj(event.payload.repository)?.default_branch);
    const off =
      event.eventName !== "schedule" && defaultBranch && event.ref !== `refs/heads/${defaultBranch}`
        ? `drift compares Azure with the default branch (${defaultBranch}), and this run is on ${event.ref}`
        : undefined;
    return off ? { kind: "drift", sha: event.sha, offDefaultBranch: off } : { kind: "drift", sha: event.sha };
  }
  if (mode === "plan") {
    return pullRequest
      ? { kind: "plan-pull-request", pullRequest }
      : {
          kind: "plan-summary",
          reason: event.eventName
            ? `mode is plan and the ${event.eventName} event has no pull request to comment on`
            : `mode is plan and there is ${NO_EVENT}, so no pull request to comment on`,
        };
  }
  if (pullRequest) return { kind: "plan-pull-request", pullRequest };
  if (event.eventName === "push") {
    const defaultBranch = str(obj(event.payload.repository)?.default_branch);
    if (defaultBranch && event.ref === `refs/heads/${defaultBranch}`) return { kind: "apply", sha: event.sha };
    return {
      kind: "plan-summary",
      reason: `a push to ${event.ref} is not a push to the default branch${defaultBranch ? ` (${defaultBranch})` : ""}, so nothing is applied`,
    };
  }
  return {
    kind: "plan-summary",
    reason: event.eventName
      ? `the ${event.eventName} event is neither a pull request nor a push to the default branch`
      : `there is ${NO_EVENT}, so neither a pull request to plan nor a push to the default branch to apply`,
  };
}

function pullRequestOf(event: EventInput): PullRequestRef | undefined {
  if (!PULL_REQUEST_EVENTS.has(event.eventName)) return undefined;
  const pr = obj(event.payload.pull_request);
  const number = pr?.number;
  const headSha = str(obj(pr?.head)?.sha);
  if (typeof number !== "number" || !headSha) return undefined;
  const headRepo = str(obj(obj(pr?.head)?.repo)?.full_name);
  const baseRepo = str(obj(obj(pr?.base)?.repo)?.full_name);
  // A deleted fork has head.repo null: treat it as a fork, since the token is read-only then too.
  return { number, headSha, fromFork: !headRepo || headRepo !== baseRepo };
}

export function repoOf(fullName: string | undefined): Repo {
  const [owner, repo] = (fullName ?? "").split("/");
  if (!owner || !repo) throw new Error(`GITHUB_REPOSITORY must look like "owner/repo" (got "${fullName ?? ""}")`);
  return { owner, repo };
}

function obj(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === "object" ? (v as Record<string, unknown>) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
