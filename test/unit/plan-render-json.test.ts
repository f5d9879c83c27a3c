import { describe, expect, it } from "vitest";
import { PlanFormatError, parsePlanJson, renderPlanJson } from "../../src/plan/render-json.js";
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

describe("renderPlanJson / parsePlanJson", () => {
  it("round-trips a plan without loss", () => {
    const plan = mixedPlan();
    const json = renderPlanJson(plan);
    expect(parsePlanJson(json)).toEqual(plan);
    expect(renderPlanJson(parsePlanJson(json))).toBe(json);
  });

  it("writes sorted keys, two-space indent and a trailing newline, whatever the key order in memory", () => {
    const plan = mixedPlan();
    const json = renderPlanJson(plan);
    expect(renderPlanJson(reverseKeys(plan) as Plan)).toBe(json);
    expect(json.endsWith("}\n")).toBe(true);
    expect(json.split("\n").slice(0, 4)).toEqual(["{", '  "changes": [', "    {", '      "action": "create",']);
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
      "warnings",
    ]);
  });

  it("rejects other format versions and malformed plans with a message naming the field", () => {
    const good = JSON.parse(renderPlanJson(mixedPlan()));
    const bad = (mutate: (p: any) => void): string => {
      const copy = structuredClone(good);
      mutate(copy);
      return JSON.stringify(copy);
    };
    expect(() => parsePlanJson("{ not json")).toThrow(/^Plan JSON is not valid JSON: /);
    expect(() => parsePlanJson("[]")).toThrow("plan must be an object, got an array");
    expect(() => parsePlanJson(bad((p) => (p.formatVersion = 2)))).toThrow(
      "Plan JSON has formatVersion 2; this version reads formatVersion 1 only",
    );
    expect(() => parsePlanJson(bad((p) => delete p.formatVersion))).toThrow(PlanFormatError);
    expect(() => parsePlanJson(bad((p) => (p.changes[3].action = "upsert")))).toThrow(
      'plan.changes[3].action must be one of create, update, replace, delete, noop, got "upsert"',
    );
    expect(() => parsePlanJson(bad((p) => (p.changes[0].kind = "loadBalancer")))).toThrow(
      /plan\.changes\[0\]\.kind must be one of resourceGroup, /,
    );
    expect(() => parsePlanJson(bad((p) => (p.changes[1].diffs = {})))).toThrow(
      "plan.changes[1].diffs must be an array, got {}",
    );
    expect(() => parsePlanJson(bad((p) => (p.counts.add = -1)))).toThrow(
      "plan.counts.add must be a non-negative integer, got -1",
    );
    expect(() => parsePlanJson(bad((p) => (p.proxies[2].dnsNames = ["a", 7])))).toThrow(
      "plan.proxies[2].dnsNames[1] must be a string",
    );
    expect(() => parsePlanJson(bad((p) => (p.warnings[0].code = "oops")))).toThrow(
      /plan\.warnings\[0\]\.code must be one of /,
    );
    expect(() => parsePlanJson(bad((p) => delete p.errors[0].message))).toThrow(
      "plan.errors[0].message must be a string, got nothing",
    );
    expect(() => parsePlanJson(bad((p) => delete p.fingerprint))).toThrow(
      "plan.fingerprint must be a string, got nothing",
    );
  });
});
