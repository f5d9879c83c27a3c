/**
 * The two shipped roles: role.json (apply) and role-plan.json (plan). The plan
 * role must hold every read of the apply role, the one read it needs besides
 * (its own permissions), and nothing that changes Azure. role.json itself is
 * held to the table of the engine's requests by role-json.test.ts.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  APPLY_ACTIONS,
  allowsAction,
  isReadAction,
  PLAN_ACTIONS,
  ROLE_FILES,
  WRITE_ACTIONS,
} from "../../src/model/roles.js";

interface RoleFile {
  Name: string;
  IsCustom: boolean;
  Actions: string[];
  NotActions: string[];
  DataActions: string[];
  NotDataActions: string[];
  AssignableScopes: string[];
}
const read = (file: string): RoleFile => JSON.parse(readFileSync(file, "utf8")) as RoleFile;
const apply = read(ROLE_FILES.apply);
const plan = read(ROLE_FILES.plan);
const lower = (actions: readonly string[]) => actions.map((a) => a.toLowerCase());
/** The verb of an action: the last segment (`read`, `write`, `delete`, `action`). */
const verb = (action: string) => action.split("/").at(-1)?.toLowerCase();

describe("role-plan.json", () => {
  it("holds no write, delete or action verb, and no wildcard", () => {
    expect(plan.Actions.length).toBeGreaterThan(0);
    for (const action of plan.Actions) {
      expect(verb(action), action).toBe("read");
      expect(action).not.toContain("*");
    }
    expect([plan.NotActions, plan.DataActions, plan.NotDataActions]).toEqual([[], [], []]);
    expect(plan.IsCustom).toBe(true);
    expect(plan.Name).not.toBe(apply.Name);
  });

  it("covers every read of role.json, and can list its own permissions", () => {
    const planActions = new Set(lower(plan.Actions));
    const applyReads = apply.Actions.filter((a) => verb(a) === "read");
    expect(applyReads.length).toBeGreaterThan(10);
    for (const action of applyReads) expect(planActions.has(action.toLowerCase()), action).toBe(true);
    expect(plan.Actions).toContain("Microsoft.Authorization/permissions/read");
  });

  it("is exactly the plan's actions as src/model/roles.ts derives them, each once", () => {
    expect(lower(plan.Actions).sort()).toEqual(lower(PLAN_ACTIONS).sort());
    expect(new Set(lower(plan.Actions)).size).toBe(plan.Actions.length);
    expect(plan.AssignableScopes).toEqual(apply.AssignableScopes);
  });
});

describe("role.json, as the runtime sees it", () => {
  it("is what the engine's table needs; its writes include Run Command", () => {
    expect(lower(APPLY_ACTIONS).sort()).toEqual(lower(apply.Actions).sort());
    expect(WRITE_ACTIONS).toContain("Microsoft.Compute/virtualMachines/runCommand/action");
    expect(WRITE_ACTIONS.every((a) => !isReadAction(a))).toBe(true);
    expect(WRITE_ACTIONS.length + PLAN_ACTIONS.length).toBe(APPLY_ACTIONS.length + 1);
  });
});

describe("allowsAction", () => {
  it("matches without regard to case, with * as any run of characters", () => {
    expect(allowsAction([{ actions: ["*"] }], "Microsoft.Compute/virtualMachines/write")).toBe(true);
    expect(allowsAction([{ actions: ["*/read"] }], "Microsoft.Compute/virtualMachines/read")).toBe(true);
    expect(allowsAction([{ actions: ["*/read"] }], "Microsoft.Compute/virtualMachines/write")).toBe(false);
    expect(allowsAction([{ actions: ["microsoft.network/*"] }], "Microsoft.Network/dnsZones/AAAA/write")).toBe(true);
    expect(allowsAction([{ actions: ["Microsoft.Network/*"] }], "Microsoft.Compute/disks/delete")).toBe(false);
    expect(
      allowsAction([{ actions: ["Microsoft.Network/dnszones/AAAA/read"] }], "Microsoft.Network/dnsZones/aaaa/read"),
    ).toBe(true);
  });

  it("takes an action back with notActions of the same entry only", () => {
    const contributorLike = { actions: ["*"], notActions: ["Microsoft.Authorization/*/write"] };
    expect(allowsAction([contributorLike], "Microsoft.Authorization/roleAssignments/write")).toBe(false);
    expect(allowsAction([contributorLike], "Microsoft.Compute/virtualMachines/write")).toBe(true);
    // Another role that grants it outright still grants it.
    expect(
      allowsAction(
        [contributorLike, { actions: ["Microsoft.Authorization/roleAssignments/write"] }],
        "Microsoft.Authorization/roleAssignments/write",
      ),
    ).toBe(true);
    expect(allowsAction([], "Microsoft.Compute/virtualMachines/read")).toBe(false);
  });

  it("treats the dots and slashes of an action literally", () => {
    expect(allowsAction([{ actions: ["Microsoft.Network/dnszones/read"] }], "MicrosoftXNetwork/dnszones/read")).toBe(
      false,
    );
  });
});
