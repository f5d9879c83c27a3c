/**
 * role.json, the custom role users create for the tool, against the table of
 * ARM operations the engine sends (model/arm-operations.ts, itself checked
 * against the real SDK requests in test/emulator/arm-operations.test.ts):
 * every action a request needs is granted, and nothing else is.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ARM_OPERATIONS } from "../../src/model/arm-operations.js";

interface RoleDefinition {
  Name: string;
  IsCustom: boolean;
  Actions: string[];
  NotActions: string[];
  DataActions: string[];
  NotDataActions: string[];
  AssignableScopes: string[];
}

const role = JSON.parse(readFileSync("role.json", "utf8")) as RoleDefinition;
// Azure compares operation names without regard to case.
const granted = new Set(role.Actions.map((a) => a.toLowerCase()));
const needed = new Set(ARM_OPERATIONS.flatMap((op) => op.actions.map((a) => a.toLowerCase())));

describe("role.json", () => {
  it.each(ARM_OPERATIONS.map((op) => [`${op.method} ${op.path}`, op] as const))(
    "grants what %s needs",
    (_request, op) => {
      expect(op.actions.filter((a) => !granted.has(a.toLowerCase()))).toEqual([]);
    },
  );

  it("grants nothing the engine does not call", () => {
    expect(role.Actions.filter((a) => !needed.has(a.toLowerCase()))).toEqual([]);
  });

  it("is a custom role of plain actions: no wildcards, no data actions, each action once", () => {
    expect(role.IsCustom).toBe(true);
    expect(role.Actions.filter((a) => a.includes("*"))).toEqual([]);
    expect(role.Actions.length).toBe(granted.size);
    expect([role.NotActions, role.DataActions, role.NotDataActions]).toEqual([[], [], []]);
    expect(role.AssignableScopes).toEqual(["/subscriptions/00000000-0000-0000-0000-000000000000"]);
  });
});
