/** Byte stability: canonical JSON and the code-unit order, on any machine and in any locale. */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/model/canonical-json.js";
import { compareCodeUnits } from "../../src/model/order.js";

describe("canonicalJson", () => {
  it("sorts keys by code unit at every level and keeps array order", () => {
    const value = { b: 1, B: 2, a: { z: [3, { y: 1, X: 2 }], _: null }, skipped: undefined };
    expect(canonicalJson(value)).toBe('{"B":2,"a":{"_":null,"z":[3,{"X":2,"y":1}]},"b":1}');
  });

  it("writes the same bytes whatever order the keys were inserted in", () => {
    expect(canonicalJson({ x: 1, y: { p: 1, q: 2 } }, 2)).toBe(canonicalJson({ y: { q: 2, p: 1 }, x: 1 }, 2));
  });
});

describe("compareCodeUnits", () => {
  it("orders by UTF-16 code unit, as sort() without a comparator does", () => {
    const words = ["ya", "iz", "Zeta", "alpha", "a-b", "a_b", "ab", "é", "z"];
    expect([...words].sort(compareCodeUnits)).toEqual([...words].sort());
  });
});

/** The plan's fingerprint, change order and file bytes, computed by a child process running in `locale`. */
function planIn(locale: string): Record<string, unknown> {
  const out = execFileSync(process.execPath, ["--import", "tsx", "test/support/print-plan-order.ts"], {
    env: { ...process.env, LC_ALL: locale, LANG: locale },
    encoding: "utf8",
  });
  return JSON.parse(out) as Record<string, unknown>;
}

describe("a plan in another locale", () => {
  it("has the same fingerprint, change order and plan file in Lithuanian, where localeCompare puts 'ya' before 'iz'", () => {
    const lithuanian = planIn("lt_LT.UTF-8");
    const plain = planIn("C");
    // Without this the comparison below would prove nothing: the child must really collate differently.
    expect(lithuanian.localeSaysYaFirst).toBe(true);
    expect(plain.localeSaysYaFirst).toBe(false);
    expect(lithuanian.fingerprint).toBe(plain.fingerprint);
    expect(lithuanian.planFile).toBe(plain.planFile);
    expect(lithuanian.order).toEqual(plain.order);
    expect((plain.order as string[])[0]).toBe("iz-web.resourceGroup");
  });
});
