/**
 * Entry point of the GitHub Action: wires the runner (@actions/core,
 * @actions/github) into the run (src/action/entry.ts), which reads the inputs
 * and the workflow event, then plans (pull requests) or applies (merges to the
 * default branch). Everything that fails ends here, as one failed step.
 */
import * as core from "@actions/core";
import * as github from "@actions/github";
import { run } from "./action/entry.js";
import { guardOutput } from "./output-guard.js";

// From here on, only the commands issued below through `guard.command` reach the runner as commands.
const guard = guardOutput([process.stdout, process.stderr]);

const { failures } = await run({
  getInput: (name) => core.getInput(name),
  env: process.env,
  workspace: process.cwd(),
  event: {
    eventName: github.context.eventName,
    payload: github.context.payload,
    sha: github.context.sha,
    ref: github.context.ref,
  },
  octokit: (token) => github.getOctokit(token),
  getIdToken: (audience) => core.getIDToken(audience),
  core: {
    info: (message) => core.info(message),
    warning: (message) => guard.command(() => core.warning(message)),
    error: (message, annotation) => guard.command(() => core.error(message, annotation)),
    debug: (message) => guard.command(() => core.debug(message)),
    async group(name, fn) {
      guard.command(() => core.startGroup(name));
      try {
        return await fn();
      } finally {
        guard.command(() => core.endGroup());
      }
    },
    setOutput: (name, value) => core.setOutput(name, value),
    async appendSummary(markdown) {
      // Without GITHUB_STEP_SUMMARY (a local run) there is no summary to write to; the log has it all.
      if (!process.env.GITHUB_STEP_SUMMARY) return;
      await core.summary.addRaw(markdown, true).write();
    },
  },
});
if (failures.length > 0) guard.command(() => core.setFailed(failures.join("\n")));
