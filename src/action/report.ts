/**
 * Output channels shared by the flows: annotations for spec errors, the plan
 * JSON file, the step outputs, and the verdict of health checks.
 */

import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { renderPlanJson } from "../plan/render-json.js";
import type { Plan } from "../plan/types.js";
import { formatSpecError, type SpecError } from "../proxyfile/types.js";
import type { HealthReport } from "../verify/types.js";
import type { ActionCore } from "./entry.js";
import type { ActionOutputs } from "./outputs.js";
import type { ActionRun } from "./run.js";

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

export function setOutputs(core: ActionCore, outputs: ActionOutputs | Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}

/**
 * After health checks: a warning annotation for each thing that needs
 * attention, and a failed step naming every proxy that serves nobody.
 */
export function reportHealthVerdict(run: Pick<ActionRun, "core" | "fail">, health: HealthReport): void {
  for (const p of health.proxies) for (const w of p.warnings) run.core.warning(`${p.proxy}: ${w}`);
  const failing = health.proxies.filter((p) => p.verdict === "failure");
  if (failing.length) {
    run.fail(`Verification failed for ${failing.map((p) => `${p.proxy} (${p.failures.join("; ")})`).join(", ")}.`);
  }
}
