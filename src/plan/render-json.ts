/**
 * The plan as a JSON artifact, so a later job (apply after merge) or another
 * tool can read exactly what was reviewed. Keys are sorted at every level so
 * equal plans serialise to equal bytes. The totals are derived here, for
 * readers of the artifact; the Plan itself does not store them.
 */
import { canonicalJson } from "../model/canonical-json.js";
import { countChanges } from "./counts.js";
import type { Plan } from "./types.js";

export function renderPlanJson(plan: Plan): string {
  return `${canonicalJson({ ...plan, counts: countChanges(plan.changes) }, 2)}\n`;
}
