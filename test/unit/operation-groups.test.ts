/**
 * The action bundle carries only the SDK operation groups listed in
 * src/azure/operation-groups.ts (scripts/build.mjs drops the others). Every
 * group the product's code touches must be listed, or the bundle would throw
 * where the tests of src/ pass.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { BUNDLED_OPERATION_GROUPS } from "../../src/azure/operation-groups.js";

const SRC = join(import.meta.dirname, "..", "..", "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** `network.networkSecurityGroups`, `clients.compute.virtualMachines`, `network?.loadBalancers` → [client, group]. */
function groupsUsed(source: string): [string, string][] {
  const code = source
    .split("\n")
    .filter((l) => !/^\s*(import|export .* from|\/\/|\*)/.test(l))
    .join("\n");
  return [...code.matchAll(/\b(network|compute)\??\.([a-z][A-Za-z]*)\b(?!["'`])/g)].map((m) => [m[1]!, m[2]!]);
}

describe("bundled operation groups", () => {
  it("finds group accesses in both spellings, and nothing in unrelated `.network` fields", () => {
    expect(groupsUsed("const { network } = c;\nawait network.loadBalancers.get(a, b);")).toEqual([
      ["network", "loadBalancers"],
    ]);
    expect(groupsUsed("clients.compute.virtualMachines.get()")).toEqual([["compute", "virtualMachines"]]);
    expect(groupsUsed("inner.network >= outer.network + 1")).toEqual([]);
  });

  it("lists every group that src/ (outside the emulator) uses", () => {
    const missing: string[] = [];
    let seen = 0;
    for (const file of sourceFiles(SRC).filter((f) => !relative(SRC, f).startsWith("emulator"))) {
      for (const [client, group] of groupsUsed(readFileSync(file, "utf8"))) {
        seen++;
        const listed: readonly string[] = BUNDLED_OPERATION_GROUPS[client as keyof typeof BUNDLED_OPERATION_GROUPS];
        if (!listed.includes(group)) missing.push(`${relative(SRC, file)}: ${client}.${group}`);
      }
    }
    expect(seen).toBeGreaterThan(10);
    expect(missing).toEqual([]);
  });
});
