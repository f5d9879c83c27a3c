/**
 * The skip-or-require decision of test/support/requirements.ts, in process. Whole vitest runs of
 * fixture tests that need a program no machine has, through the reporter, are in test/slow/.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decide, findProgram, MissingRequirementError, program } from "../support/requirements.js";

const MISSING = program("ipv6px-no-such-program", "ipv6px-no-such-package");

describe("requirements", () => {
  it("finds programs on PATH and says how to install a missing one", async () => {
    expect(findProgram("node", { PATH: join(process.execPath, "..") })).toBe(process.execPath);
    expect(findProgram("ipv6px-no-such-program")).toBeUndefined();
    expect(await MISSING.problem()).toBe("ipv6px-no-such-program not installed");
    expect(MISSING.apt).toBe("ipv6px-no-such-package");
  });

  it("skips with the reason off CI, throws under CI, and asks nothing when all is there", async () => {
    const found = program("node");
    expect(await decide("fixture", [found], false)).toEqual({});
    expect(await decide("fixture", [found], true)).toEqual({});
    expect(await decide("fixture", [found, MISSING], false)).toEqual({
      skip: true,
      meta: {
        skippedFor: {
          group: "fixture",
          reason: "ipv6px-no-such-program not installed (apt-get install ipv6px-no-such-package)",
        },
      },
    });
    await expect(decide("fixture", [found, MISSING], true)).rejects.toThrow(MissingRequirementError);
    await expect(decide("fixture", [MISSING], true)).rejects.toThrow(
      /CI=true: the fixture tests are required, and this machine lacks: ipv6px-no-such-program not installed \(apt-get install ipv6px-no-such-package\)/,
    );
  });
});
