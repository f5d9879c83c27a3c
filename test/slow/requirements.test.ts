/**
 * The skip-or-require mechanism (test/support/requirements.ts and its
 * reporter), run on fixture tests that need a program no machine has: off CI
 * they are skipped with one summary line; under CI=true the run fails.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures", "requirements");

async function vitest(ci: boolean): Promise<{ code: number; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
  delete env.CI;
  if (ci) env.CI = "true";
  try {
    const r = await promisify(execFile)(
      process.execPath,
      [join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "--config", join(FIXTURES, "vitest.config.ts")],
      { cwd: FIXTURES, env },
    );
    return { code: 0, output: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

describe("requirements, in whole vitest runs", () => {
  // Both runs at once: each is a whole vitest start-up.
  const runs = Promise.all([vitest(false), vitest(true)]);

  it("off CI: the run passes and names the skipped tests' count, reason and fix in one line, once", async () => {
    const [{ code, output }] = await runs;
    expect(code, output).toBe(0);
    const lines = output.split("\n").filter((l) => l.startsWith("skipped "));
    expect(lines).toEqual([
      "skipped 4 fixture tests: ipv6px-no-such-program not installed (apt-get install ipv6px-no-such-package)",
    ]);
  });

  it("under CI=true: the same tests fail the run loudly, naming what is missing, and so does a plain .skip", async () => {
    const [, { code, output }] = await runs;
    expect(code).toBe(1);
    expect(output).toContain(
      "CI=true: the fixture tests are required, and this machine lacks: ipv6px-no-such-program not installed (apt-get install ipv6px-no-such-package)",
    );
    expect(output).toMatch(/FAIL\s+missing\/needs-missing\.test\.ts/);
    expect(output).toMatch(/FAIL\s+missing\/needs-missing-too\.test\.ts/);
    expect(output).toContain(
      "skipped without a requirement: plain-skip/plain-skip.test.ts > skipped with no requirement named",
    );
  });
});
