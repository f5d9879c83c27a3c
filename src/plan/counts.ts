import type { Change, PlanCounts } from "./types.js";

/**
 * Terraform's "N to add, N to change, N to destroy", derived from the changes
 * wherever it is shown, so it can never disagree with them. A replacement is
 * one to add and one to destroy.
 */
export function countChanges(changes: readonly Pick<Change, "action">[]): PlanCounts {
  const counts = { add: 0, change: 0, destroy: 0 };
  for (const c of changes) {
    if (c.action === "create") counts.add++;
    else if (c.action === "update") counts.change++;
    else if (c.action === "delete") counts.destroy++;
    else if (c.action === "replace") {
      counts.add++;
      counts.destroy++;
    }
  }
  return counts;
}
