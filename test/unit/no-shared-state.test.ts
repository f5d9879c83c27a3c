/**
 * The unit project runs its files in one module graph (vitest.config.ts: `isolate: false`), which is
 * safe only while no unit test changes what other files see: a mocked module, a stubbed global or
 * environment variable, fake timers, another working directory. This holds the unit tests to that.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const UNIT = import.meta.dirname;

const SHARED_STATE: readonly [RegExp, string][] = [
  [/\bvi\s*\.\s*(mock|doMock|unmock|stubEnv|stubGlobal|useFakeTimers|setSystemTime|spyOn)\b/, "a vi mock or stub"],
  [/\bprocess\.env(\.\w+|\[[^\]]+\])\s*(=(?!=)|\?\?=|\|\|=)/, "an assignment to process.env"],
  [/\bdelete\s+process\.env\b/, "a deleted environment variable"],
  [/\bprocess\.chdir\s*\(/, "a change of working directory"],
  [/\bprocess\.exitCode\s*=/, "a process exit code"],
];

function sharedStateIn(source: string): string[] {
  return SHARED_STATE.filter(([pattern]) => pattern.test(source)).map(([, what]) => what);
}

describe("unit tests share one module graph", () => {
  it("finds each kind of shared state it looks for", () => {
    expect(sharedStateIn('vi.mock("../../src/log.js")')).toEqual(["a vi mock or stub"]);
    expect(sharedStateIn('vi.stubEnv("CI", "true")')).toEqual(["a vi mock or stub"]);
    expect(sharedStateIn('process.env.CI = "true"')).toEqual(["an assignment to process.env"]);
    expect(sharedStateIn('process.env["GITHUB_EVENT_NAME"] ??= "push"')).toEqual(["an assignment to process.env"]);
    expect(sharedStateIn("delete process.env.CI")).toEqual(["a deleted environment variable"]);
    expect(sharedStateIn('process.chdir("/tmp")')).toEqual(["a change of working directory"]);
    expect(sharedStateIn('const env = { ...process.env, CI: "true" }; if (process.env.CI === "true") {}')).toEqual([]);
  });

  const files = readdirSync(UNIT).filter((f) => f.endsWith(".ts") && f !== "no-shared-state.test.ts");

  it.each(files)("%s changes nothing other files see", (file) => {
    expect(sharedStateIn(readFileSync(join(UNIT, file), "utf8"))).toEqual([]);
  });
});
