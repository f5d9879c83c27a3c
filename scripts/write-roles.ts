// Writes role.json (apply) and role-plan.json (plan) from src/model/roles.ts,
// the one home of both action lists. Usage: npm run roles
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ROLE_FILES, roleDefinitionJson } from "../src/model/roles.ts";

const root = resolve(import.meta.dirname, "..");
for (const [kind, file] of Object.entries(ROLE_FILES) as [keyof typeof ROLE_FILES, string][]) {
  writeFileSync(join(root, file), roleDefinitionJson(kind));
  process.stdout.write(`wrote ${file}\n`);
}
