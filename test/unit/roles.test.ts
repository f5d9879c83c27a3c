/**
 * The two shipped roles: role.json (apply) and role-plan.json (plan). The plan
 * role must hold every read the apply role holds and nothing that changes
 * Azure; both files must be what src/model/roles.ts renders.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  APPLY_ACTIONS,
  allowsAction,
  isReadAction,
  ROLE_FILES,
  roleDefinitionJson,
  WRITE_ACTIONS,
} from "../../src/model/roles.js";

interface RoleFile {
  Name: string;
  Actions: string[];
  NotActions: string[];
  DataActions: string[];
  AssignableScopes: string[];
}
const read = (file: string): RoleFile => JSON.parse(readFileSync(file, "utf8")) as RoleFile;
const apply = read(ROLE_FILES.apply);
const plan = read(ROLE_FILES.plan);
/** The verb of an action: the last segment (`read`, `write`, `delete`, `action`). */
const verb = (action: string) => action.split("/").at(-1)?.toLowerCase();

describe("role files", () => {
  it("are what src/model/roles.ts renders (run `npm run roles` after changing it)", () => {
    expect(readFileSync(ROLE_FILES.apply, "utf8")).toBe(roleDefinitionJson("apply"));
    expect(readFileSync(ROLE_FILES.plan, "utf8")).toBe(roleDefinitionJson("plan"));
  });

  it("the plan role holds no write, delete or action verb, and no wildcard", () => {
    expect(plan.Actions.length).toBeGreaterThan(0);
    for (const action of plan.Actions) {
      expect(verb(action), action).toBe("read");
      expect(action).not.toContain("*");
    }
    expect(plan.NotActions).toEqual([]);
    expect(plan.DataActions).toEqual([]);
  });

  it("the plan role covers every read of the apply role, and can list its own permissions", () => {
    const planActions = new Set(plan.Actions.map((a) => a.toLowerCase()));
    const applyReads = apply.Actions.filter((a) => verb(a) === "read");
    expect(applyReads.length).toBeGreaterThan(10);
    for (const action of applyReads) expect(planActions.has(action.toLowerCase()), action).toBe(true);
    expect(plan.Actions).toContain("Microsoft.Authorization/permissions/read");
  });

  it("the apply role can do what apply does, including Run Command, and nothing with a wildcard", () => {
    for (const action of [
      "Microsoft.Compute/virtualMachines/write",
      "Microsoft.Compute/virtualMachines/runCommand/action",
      "Microsoft.Network/dnszones/AAAA/write",
    ])
      expect(apply.Actions).toContain(action);
    expect(apply.Actions.some((a) => a.includes("*"))).toBe(false);
    expect(apply.Name).not.toBe(plan.Name);
    expect(WRITE_ACTIONS).toContain("Microsoft.Compute/virtualMachines/runCommand/action");
    expect(WRITE_ACTIONS.every((a) => !isReadAction(a))).toBe(true);
    expect(APPLY_ACTIONS).toEqual(apply.Actions);
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
