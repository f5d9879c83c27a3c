/** One Node version, one CI definition, LF for what the VM runs: the settings that keep the repository consistent. */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = resolve(import.meta.dirname, "../..");
const read = (path: string): string => readFileSync(join(root, path), "utf8");

describe("the Node version", () => {
  const major = read(".node-version").trim();

  it("is one major version in .node-version", () => {
    expect(major).toMatch(/^\d+$/);
  });

  it("is the runtime action.yml names and the node that npm scripts run on", () => {
    const action = parse(read("action.yml")) as { runs: { using: string } };
    expect(action.runs.using).toBe(`node${major}`);
    const pkg = JSON.parse(read("package.json")) as { devDependencies: Record<string, string> };
    expect(pkg.devDependencies.node).toMatch(new RegExp(`^\\^${major}\\.`));
  });

  it("is what CI sets up, and CI runs .ci/run and nothing else", () => {
    const ci = parse(read(".github/workflows/ci.yml")) as {
      jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown>; run?: string }[] }>;
    };
    const steps = Object.values(ci.jobs).flatMap((j) => j.steps);
    const setupNode = steps.find((s) => s.uses?.startsWith("actions/setup-node@"));
    expect(setupNode?.with?.["node-version-file"]).toBe(".node-version");
    expect(setupNode?.with?.["node-version"]).toBeUndefined();
    const runs = steps.flatMap((s) => (s.run ? [s.run] : []));
    expect(runs.filter((r) => r.includes(".ci/run"))).toHaveLength(1);
    expect(runs.join("\n")).not.toMatch(/npm (test|run|ci)\b/);
  });
});

describe(".ci/run", () => {
  it("typechecks, lints, checks the formatting and runs the whole suite (which holds the dist check)", () => {
    const script = read(".ci/run");
    for (const step of ["npm run typecheck", "npm run lint", "npm run format:check", "npm test"]) {
      expect(script).toContain(`\n${step}\n`);
    }
    expect(read("test/action/dist.test.ts")).toContain("equals a fresh build");
  });
});

describe("line endings", () => {
  it("are LF for everything, and explicitly for what the proxy VM runs", () => {
    const lines = read(".gitattributes").split("\n");
    for (const rule of [
      "* text=auto eol=lf",
      "*.sh text eol=lf",
      "*.service text eol=lf",
      "src/dataplane/vm/* text eol=lf",
      "dist/** -diff linguist-generated=true",
    ]) {
      expect(lines).toContain(rule);
    }
  });
});

describe("the license", () => {
  it("is the MIT license that package.json names", () => {
    expect((JSON.parse(read("package.json")) as { license: string }).license).toBe("MIT");
    expect(read("LICENSE")).toMatch(/^MIT License\n\nCopyright \(c\) azure-ipv6-proxy contributors\n/);
  });
});
