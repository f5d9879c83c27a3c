/**
 * Runs the built action (`node dist/index.js`) the way the Actions runner
 * does: a workspace as the working directory, the event payload in a file,
 * every input as an INPUT_* variable (defaults from action.yml, as the runner
 * fills them in), GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, RUNNER_TEMP.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";

export const ROOT = join(import.meta.dirname, "..", "..");
const DIST = join(ROOT, "dist", "index.js");

/**
 * The tests run the committed bundle, exactly as GitHub does; test/dist.test.ts
 * fails when it differs from a fresh build of src/.
 */
export function ensureDistBuilt(): void {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run npm run build`);
}

/** The runner sets every input that has a default; tests start from the same. */
function inputDefaults(githubToken: string): Record<string, string> {
  const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as {
    inputs: Record<string, { default?: string }>;
  };
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    if (spec.default === undefined) continue;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: action.yml's default is this GitHub Actions expression.
    env[inputVar(name)] = spec.default === "${{ github.token }}" ? githubToken : spec.default;
  }
  return env;
}

/** The runner's naming: spaces become underscores, upper case, dashes kept. */
export function inputVar(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}

export interface ActionRunOptions {
  workspace: string;
  eventName: string;
  payload: Record<string, unknown>;
  repository: string;
  sha: string;
  ref: string;
  apiUrl: string;
  githubToken: string;
  inputs?: Record<string, string>;
  /** Extra environment (OIDC request URL/token, NODE_EXTRA_CA_CERTS, ...); undefined removes a variable. */
  env?: Record<string, string | undefined>;
}

export interface ActionRunResult {
  code: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** When the process was spawned (epoch ms). */
  startedAt: number;
  durationMs: number;
}

/** The job as the runner prepares it: the files it hands the step and the environment naming them. */
export interface RunnerJob {
  env: Record<string, string>;
  files: { event: string; output: string; summary: string; temp: string };
}

export function prepareJob(o: ActionRunOptions): RunnerJob {
  const dir = mkdtempSync(join(tmpdir(), "ipv6px-run-"));
  const files = {
    event: join(dir, "event.json"),
    output: join(dir, "output.txt"),
    summary: join(dir, "summary.md"),
    temp: join(dir, "runner-temp"),
  };
  mkdirSync(files.temp);
  writeFileSync(files.event, JSON.stringify(o.payload));
  writeFileSync(files.output, "");
  writeFileSync(files.summary, "");

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? dir,
    GITHUB_ACTIONS: "true",
    CI: "true",
    GITHUB_EVENT_NAME: o.eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_REPOSITORY: o.repository,
    GITHUB_REPOSITORY_OWNER: o.repository.split("/")[0]!,
    GITHUB_SHA: o.sha,
    GITHUB_REF: o.ref,
    GITHUB_API_URL: o.apiUrl,
    GITHUB_SERVER_URL: "https://github.com",
    GITHUB_GRAPHQL_URL: `${o.apiUrl}/graphql`,
    GITHUB_RUN_ID: "4242",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_WORKSPACE: o.workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    RUNNER_TEMP: files.temp,
    ...inputDefaults(o.githubToken),
  };
  for (const [name, value] of Object.entries(o.inputs ?? {})) env[inputVar(name)] = value;
  for (const [name, value] of Object.entries(o.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return { env, files };
}

export async function runAction(o: ActionRunOptions): Promise<ActionRunResult> {
  const { env, files } = prepareJob(o);
  const started = Date.now();
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [DIST],
      { cwd: o.workspace, env, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(files.output, "utf8")),
    summary: readFileSync(files.summary, "utf8"),
    startedAt: started,
    durationMs: Date.now() - started,
  };
}

/** `name<<delimiter\nvalue\ndelimiter\n`, as @actions/core writes GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i]!);
    if (!m) continue;
    const [, name, delimiter] = m;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
    out[name!] = value.join("\n");
  }
  return out;
}

export function pullRequestEvent(o: {
  repository: string;
  number: number;
  headSha: string;
  action?: string;
  headRepository?: string;
}): Record<string, unknown> {
  const repository = repositoryJson(o.repository);
  const head = o.headRepository ?? o.repository;
  return {
    action: o.action ?? "opened",
    number: o.number,
    pull_request: {
      number: o.number,
      state: "open",
      merged: false,
      title: `Proxies #${o.number}`,
      head: {
        sha: o.headSha,
        ref: `feature-${o.number}`,
        label: `${head.split("/")[0]}:feature-${o.number}`,
        repo: repositoryJson(head),
      },
      base: { sha: "0".repeat(40), ref: "main", label: `${o.repository.split("/")[0]}:main`, repo: repository },
      labels: [],
    },
    repository,
    sender: { login: "octocat", type: "User" },
  };
}

export function pushEvent(o: {
  repository: string;
  sha: string;
  before?: string;
  ref?: string;
}): Record<string, unknown> {
  return {
    ref: o.ref ?? "refs/heads/main",
    before: o.before ?? "1".repeat(40),
    after: o.sha,
    created: false,
    deleted: false,
    forced: false,
    head_commit: { id: o.sha, message: "Merge pull request", timestamp: new Date().toISOString() },
    repository: repositoryJson(o.repository),
    pusher: { name: "octocat" },
    sender: { login: "octocat", type: "User" },
  };
}

function repositoryJson(fullName: string): Record<string, unknown> {
  const [owner, name] = fullName.split("/");
  return {
    full_name: fullName,
    name,
    owner: { login: owner, type: "Organization" },
    default_branch: "main",
    private: false,
    fork: false,
  };
}

/** A fresh 40-hex commit id. */
export function fakeSha(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}
