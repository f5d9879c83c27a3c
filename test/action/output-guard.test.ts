/**
 * The process-level guard of the action's output, performed in a real child
 * process: whatever a library, a stray write or an uncaught error prints, the
 * runner finds only the commands the action issued itself.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { commandsIn } from "../support/workflow-commands.js";

const CHILD = join(import.meta.dirname, "..", "support", "guarded-output-child.ts");

function runChild(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", CHILD], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe("guardOutput", () => {
  it("lets only the guarded commands through, on stdout and stderr, and keeps every line readable", async () => {
    const { code, stdout, stderr } = await runChild();
    expect(commandsIn(stdout).map((c) => c.line)).toEqual(["::group::Our own group", "::endgroup::"]);
    expect(commandsIn(stderr)).toEqual([]);
    for (const tag of ["console", "split", "bytes", "legacy", "tail"]) expect(stdout).toContain(`INJECTED-${tag}`);
    expect(stderr).toContain("INJECTED-stderr");
    // The split UTF-8 character arrives whole.
    expect(stdout).toContain("é\n");
    // An uncaught error still fails the process, and its message is shown without becoming a command.
    expect(code).toBe(1);
    expect(stderr).toContain("INJECTED-uncaught");
  });
});
