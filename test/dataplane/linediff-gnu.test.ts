/**
 * The plan's line diff against GNU diffutils and patch: the same hunks as
 * `diff -u`, and patches that GNU patch applies.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { unifiedLineDiff } from "../../src/plan/linediff.js";
import { changedLineCount, LIVE, prng, randomText } from "../support/linediff-fixtures.js";
import { GNU_DIFF, GNU_PATCH, requirements } from "../support/requirements.js";

const needs = await requirements("GNU diff/patch", GNU_DIFF, GNU_PATCH);

const work = mkdtempSync(join(tmpdir(), "linediff-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function gnuDiff(before: string, after: string): string {
  writeFileSync(join(work, "a"), before);
  writeFileSync(join(work, "b"), after);
  const r = spawnSync(
    GNU_DIFF.path(),
    ["-u", "--minimal", "--label", "live", "--label", "desired", join(work, "a"), join(work, "b")],
    { encoding: "utf8" },
  );
  if (r.status === 2) throw new Error(r.stderr);
  return r.stdout;
}

function gnuPatch(before: string, diff: string): string {
  const file = join(work, "target");
  writeFileSync(file, before);
  writeFileSync(join(work, "p.diff"), diff);
  const r = spawnSync(GNU_PATCH.path(), ["--force", "--silent", "--fuzz=0", file, join(work, "p.diff")], {
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`patch failed: ${r.stdout}${r.stderr}`);
  return readFileSync(file, "utf8");
}

describe("unifiedLineDiff, next to GNU diff and patch", needs, () => {
  it("writes the same hunks as diff -u --minimal", () => {
    const desired = LIVE.replace(
      "server s1 203.0.113.10:443 check",
      "server s1 203.0.113.10:443 check\n    server s2 203.0.113.11:443 check",
    );
    expect(unifiedLineDiff(LIVE, desired)).toBe(gnuDiff(LIVE, desired));
    expect(unifiedLineDiff("a\nb\n", "a\nb")).toBe(gnuDiff("a\nb\n", "a\nb"));
  });

  it("is minimal and accepted by GNU patch on random inputs", () => {
    const rand = prng(7);
    for (let i = 0; i < 60; i++) {
      const before = randomText(rand);
      const after = randomText(rand);
      const diff = unifiedLineDiff(before, after);
      const context = `case ${i}: ${JSON.stringify({ before, after })}`;
      expect(changedLineCount(diff), context).toBe(changedLineCount(gnuDiff(before, after)));
      if (diff !== "" && before !== "") expect(gnuPatch(before, diff), context).toBe(after);
    }
  });
});
