/**
 * Output channels shared by the plan and apply flows: annotations for spec
 * errors, the plan JSON file and the step outputs.
 */

import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { renderPlanJson } from "../plan/render-json.js";
import type { Plan } from "../plan/types.js";
import { formatSpecError, type SpecError } from "../proxyfile/types.js";
import type { ActionCore } from "./entry.js";
import type { ActionOutputs } from "./outputs.js";

/** One annotation per error, on the file and line, so it shows in the pull request's diff view. */
export function annotateSpecErrors(core: ActionCore, errors: SpecError[]): void {
  for (const e of errors) {
    core.error(formatSpecError(e), {
      title: e.field ? `Invalid proxy file: ${e.field}` : "Invalid proxy file",
      file: e.file,
      startLine: e.line,
      startColumn: e.column,
    });
  }
}

export async function writePlanJson(plan: Plan, path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, renderPlanJson(plan));
}

export function setOutputs(core: ActionCore, outputs: ActionOutputs): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}
