/**
 * Canonical JSON: object keys sorted by code unit at every level, so equal
 * values serialise to equal bytes on every machine (fingerprints, state
 * hashes, the plan file). Arrays keep their order; `undefined` members are
 * left out, as JSON.stringify does.
 */
import { compareCodeUnits } from "./order.js";

export function canonicalJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => compareCodeUnits(a, b)))
        : v,
    indent,
  );
}
