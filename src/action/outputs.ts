/**
 * The step outputs of action.yml, computed from a plan and, after an apply,
 * from what was applied. All values are strings, as GitHub stores them.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { canonicalJson } from "../model/canonical-json.js";
import { countChanges } from "../plan/counts.js";
import type { ApplyOutcome, Plan } from "../plan/types.js";

export interface ActionOutputs {
  "has-changes": string;
  "to-add": string;
  "to-change": string;
  "to-destroy": string;
  "plan-json": string;
  "ipv6-addresses": string;
  /** The address backends see traffic from, to allow-list. */
  "ipv4-addresses": string;
}

type Family = "ipv6Address" | "ipv4Address";

/** Proxy name → address, for the proxies that exist (or will) and whose address is known. */
function addressesOf(plan: Plan, family: Family): Record<string, string> {
  const addresses: Record<string, string> = {};
  for (const p of plan.proxies) {
    const address = p[family];
    if (address && p.status !== "destroy") addresses[p.name] = address;
  }
  return addresses;
}

export function planOutputs(plan: Plan, planJsonPath: string): ActionOutputs {
  const { add, change, destroy } = countChanges(plan.changes);
  return {
    "has-changes": String(add + change + destroy > 0),
    "to-add": String(add),
    "to-change": String(change),
    "to-destroy": String(destroy),
    "plan-json": planJsonPath,
    "ipv6-addresses": canonicalJson(addressesOf(plan, "ipv6Address")),
    "ipv4-addresses": canonicalJson(addressesOf(plan, "ipv4Address")),
  };
}

/**
 * After an apply the addresses are the ones Azure allocated; proxies the apply
 * did not touch keep the address the plan saw, and destroyed ones drop out.
 */
export function applyOutputs(plan: Plan, planJsonPath: string, outcome: ApplyOutcome): ActionOutputs {
  const applied = (family: Family): string => {
    const addresses = addressesOf(plan, family);
    for (const p of outcome.proxies) {
      const address = p[family];
      if (p.status === "destroyed" || !address) delete addresses[p.name];
      else addresses[p.name] = address;
    }
    return canonicalJson(addresses);
  };
  return {
    ...planOutputs(plan, planJsonPath),
    "ipv6-addresses": applied("ipv6Address"),
    "ipv4-addresses": applied("ipv4Address"),
  };
}

/**
 * One file per directory and owner under RUNNER_TEMP, so matrix jobs on one
 * runner don't overwrite each other's plan.
 */
export function planJsonPath(tempDir: string, dir: string, owner: string): string {
  const key = createHash("sha256").update(`${dir}\n${owner}`).digest("hex").slice(0, 12);
  return join(tempDir, `azure-ipv6-proxy-plan-${key}.json`);
}
