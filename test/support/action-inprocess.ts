/**
 * Runs the action in this process, through src/action/entry.ts's run(), with
 * the same job the runner would prepare for `node dist/index.js` (event file,
 * INPUT_* variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP). The
 * runner's side is played faithfully: inputs are read as core.getInput reads
 * them, the log is written as @actions/core's workflow commands, outputs and
 * the summary go to the runner's files, the OIDC token comes from the token
 * service as core.getIDToken asks for it, and Azure is trusted through
 * NODE_EXTRA_CA_CERTS. Only the process boundary is missing, which is what
 * makes it fast; the dist/ tests keep that boundary covered.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { EOL } from "node:os";
import { getOctokit } from "@actions/github";
import { type ActionCore, type ActionIO, type Annotation, run } from "../../src/action/entry.js";
import { type ActionRunOptions, type ActionRunResult, inputVar, parseOutputFile, prepareJob } from "./action-runner.js";

export async function runInProcess(o: ActionRunOptions): Promise<ActionRunResult> {
  const { env, files } = prepareJob(o);
  const log = new WorkflowLog();
  const io: ActionIO = {
    // core.getInput: INPUT_<NAME>, trimmed, empty when unset.
    getInput: (name) => (env[inputVar(name)] ?? "").trim(),
    env,
    workspace: o.workspace,
    event: { eventName: o.eventName, payload: o.payload, sha: o.sha, ref: o.ref },
    octokit: (token) => getOctokit(token, env.GITHUB_API_URL ? { baseUrl: env.GITHUB_API_URL } : {}),
    getIdToken: (audience) => idToken(env, audience),
    core: log.core(files.output, files.summary),
    azureCa: env.NODE_EXTRA_CA_CERTS ? readFileSync(env.NODE_EXTRA_CA_CERTS, "utf8") : undefined,
  };
  const started = Date.now();
  const { failures } = await run(io);
  // What main.ts does with them: one core.setFailed, which logs an error and sets exit code 1.
  if (failures.length > 0) log.command("error", {}, failures.join("\n"));
  return {
    code: failures.length > 0 ? 1 : 0,
    stdout: log.text(),
    stderr: "",
    outputs: parseOutputFile(readFileSync(files.output, "utf8")),
    summary: readFileSync(files.summary, "utf8"),
    startedAt: started,
    durationMs: Date.now() - started,
  };
}

/** The step's stdout as @actions/core writes it: plain lines and `::command props::data` lines. */
class WorkflowLog {
  private readonly lines: string[] = [];

  text(): string {
    return this.lines.map((l) => l + EOL).join("");
  }

  command(name: string, props: Record<string, string | number | undefined>, message: string): void {
    const given = Object.entries(props).filter(([, v]) => v !== undefined && v !== "");
    const list = given.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(",");
    this.lines.push(`::${name}${list ? ` ${list}` : ""}::${escapeData(message)}`);
  }

  core(outputFile: string, summaryFile: string): ActionCore {
    let delimiter = 0;
    return {
      info: (message) => void this.lines.push(message),
      warning: (message) => this.command("warning", {}, message),
      error: (message, a?: Annotation) =>
        this.command("error", { title: a?.title, file: a?.file, line: a?.startLine, col: a?.startColumn }, message),
      debug: (message) => this.command("debug", {}, message),
      group: async (name, fn) => {
        this.lines.push(`::group::${name}`);
        try {
          return await fn();
        } finally {
          this.lines.push("::endgroup::");
        }
      },
      // GITHUB_OUTPUT's heredoc form, as core.setOutput writes it.
      setOutput: (name, value) => {
        const end = `ghadelimiter_inprocess_${delimiter++}`;
        appendFileSync(outputFile, `${name}<<${end}${EOL}${value}${EOL}${end}${EOL}`);
      },
      // core.summary.addRaw(markdown, true).write(): the text and a line break, appended.
      appendSummary: async (markdown) => appendFileSync(summaryFile, `${markdown}${EOL}`),
    };
  }
}

function escapeData(s: string): string {
  return s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** core.getIDToken: GET the request URL with `&audience=`, bearer the request token, read `value`. */
async function idToken(env: Record<string, string>, audience: string): Promise<string> {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const token = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!url || !token) throw new Error("Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable");
  const res = await fetch(`${url}&audience=${encodeURIComponent(audience)}`, {
    headers: { authorization: `Bearer ${token}`, accept: "application/json" },
  });
  if (!res.ok) throw new Error(`Failed to get ID Token. Error Code : ${res.status}`);
  const { value } = (await res.json()) as { value?: string };
  if (!value) throw new Error("Response json body do not have ID Token field");
  return value;
}
