import { createHash } from "node:crypto";
import { armIdKey } from "../model/arm-id.js";
import { canonicalJson } from "../model/canonical-json.js";
import type { Plan } from "../plan/types.js";

/**
 * A digest of what a plan would do: every non-noop change with its before and
 * after, and every error. Timestamps and unchanged resources are left out, so
 * planning the same files against the same Azure state gives the same value,
 * and any drift between review and merge gives another.
 */
export function fingerprintOf(plan: Omit<Plan, "fingerprint">): string {
  const material = {
    owner: plan.owner,
    changes: plan.changes
      .filter((c) => c.action !== "noop")
      .map((c) => ({
        address: c.address,
        id: armIdKey(c.id),
        action: c.action,
        before: c.before ?? null,
        after: c.after ?? null,
      })),
    errors: plan.errors.map((e) => e.message),
  };
  return createHash("sha256").update(canonicalJson(material)).digest("hex").slice(0, 16);
}
