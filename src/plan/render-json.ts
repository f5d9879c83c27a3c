/**
 * The plan as a JSON artifact, so a later job (apply after merge) or another
 * tool can read exactly what was reviewed. Keys are sorted at every level so
 * equal plans serialise to equal bytes.
 */
import { canonicalJson } from "../model/canonical-json.js";
import type { Plan } from "./types.js";

export function renderPlanJson(plan: Plan): string {
  return `${canonicalJson(plan, 2)}\n`;
}
