import { describe, expect, it } from "vitest";
import { renderPlanJson } from "../../src/plan/render-json.js";
import type { Plan } from "../../src/plan/types.js";
import {
  buildPlan,
  createdProxy,
  destroyedProxy,
  ipv6ReplacedProxy,
  notOwnedProxy,
  unchangedProxy,
  updatedProxy,
} from "../support/plan-fixtures.js";

function mixedPlan(): Plan {
  return buildPlan([
    createdProxy("new-example-nl"),
    updatedProxy("www-example-nl", 1),
    ipv6ReplacedProxy("api-example-nl", "2603:1020:203:3::99"),
    destroyedProxy("old-example-nl", 4),
    unchangedProxy("shop-example-nl", 5),
    notOwnedProxy("blog-example-nl"),
  ]);
}

/** A deep copy whose object keys are inserted in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reverseKeys(v)]),
  );
}

describe("renderPlanJson", () => {
  it("round-trips a plan without loss, with the totals derived for readers of the artifact", () => {
    const plan = mixedPlan();
    const json = renderPlanJson(plan);
    const { counts, ...read } = JSON.parse(json) as Plan & { counts: unknown };
    expect(read).toEqual(plan);
    expect(renderPlanJson(read)).toBe(json);
    expect(counts).toEqual({ add: 17, change: 4, destroy: 10 });
  });

  it("writes sorted keys, two-space indent and a trailing newline, whatever the key order in memory", () => {
    const plan = mixedPlan();
    const json = renderPlanJson(plan);
    expect(renderPlanJson(reverseKeys(plan) as Plan)).toBe(json);
    expect(json.endsWith("}\n")).toBe(true);
    expect(json.split("\n").slice(0, 4)).toEqual(["{", '  "changes": [', "    {", '      "action": "noop",']);
    const topKeys = [...json.matchAll(/^ {2}"(\w+)":/gm)].map((m) => m[1]);
    expect(topKeys).toEqual([
      "changes",
      "configDiffs",
      "counts",
      "createdAt",
      "errors",
      "fingerprint",
      "formatVersion",
      "owner",
      "proxies",
      "rollouts",
      "warnings",
    ]);
  });
});
