/** The shipped role files as the permissions a role assignment grants. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROLE_FILES, type RoleKind, type RolePermission } from "../../src/model/roles.js";

const ROOT = join(import.meta.dirname, "..", "..");

export function shippedRole(kind: RoleKind): RolePermission[] {
  const json = JSON.parse(readFileSync(join(ROOT, ROLE_FILES[kind]), "utf8")) as {
    Actions: string[];
    NotActions: string[];
  };
  return [{ actions: json.Actions, notActions: json.NotActions }];
}
