/**
 * Output channels shared by the plan and apply flows: annotations for spec
 * errors, the job summary, the plan JSON file and the step outputs.
 */

import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import * as core from "@actions/core";
import { renderPlanJson } from "../plan/render-json.js";
import type { Plan } from "../plan/types.js";
import { formatSpecError, type SpecError } from "../proxyfile/types.js";
import type { ActionOutputs } from "./outputs.js";

/** One annotation per error, on the file and line, so it shows in the pull request's diff view. */
export function annotateSpecErrors(errors: SpecError[]): void {
  for (const e of errors) {
    core.error(formatSpecError(e), {
      title: e.field ? `Invalid proxy file: ${e.field}` : "Invalid proxy file",
      file: e.file,
      startLine: e.line,
      startColumn: e.column,
    });
  }
}

export async function writeSummary(markdown: string): Promise<void> {
  // Without GITHUB_STEP_SUMMARY (a local run) there is no summary to write to; the log has it all.
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(markdown, true).write();
}

export async function writePlanJson(plan: Plan, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderPlanJson(plan));
}

export function setOutputs(outputs: ActionOutputs): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}
