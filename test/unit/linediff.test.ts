import { describe, expect, it } from "vitest";
import { unifiedLineDiff } from "../../src/plan/linediff.js";
import { applyUnifiedDiff } from "../support/apply-unified-diff.js";
import { changedLineCount, LIVE, prng, randomText } from "../support/linediff-fixtures.js";

describe("unifiedLineDiff", () => {
  it("is empty for equal texts", () => {
    expect(unifiedLineDiff(LIVE, LIVE)).toBe("");
    expect(unifiedLineDiff("", "")).toBe("");
  });

  it("shows a changed backend server with three lines of context, exactly like diff -u", () => {
    const desired = LIVE.replace(
      "server s1 203.0.113.10:443 check",
      "server s1 203.0.113.10:443 check\n    server s2 203.0.113.11:443 check",
    );
    const diff = unifiedLineDiff(LIVE, desired);
    expect(diff).toBe(
      [
        "--- live",
        "+++ desired",
        "@@ -14,3 +14,4 @@",
        " ",
        " backend www_example_nl",
        "     server s1 203.0.113.10:443 check",
        "+    server s2 203.0.113.11:443 check",
        "",
      ].join("\n"),
    );
  });

  it("uses the given labels and context", () => {
    const desired = LIVE.replace("maxconn 4096", "maxconn 8192");
    const diff = unifiedLineDiff(LIVE, desired, {
      context: 0,
      beforeLabel: "a/haproxy.cfg",
      afterLabel: "b/haproxy.cfg",
    });
    expect(diff).toBe("--- a/haproxy.cfg\n+++ b/haproxy.cfg\n@@ -3 +3 @@\n-    maxconn 4096\n+    maxconn 8192\n");
  });

  it("splits distant changes into separate hunks and joins close ones", () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    const before = `${lines.join("\n")}\n`;
    const far = before.replace("line 2\n", "line two\n").replace("line 25\n", "line twenty-five\n");
    expect(unifiedLineDiff(before, far).match(/^@@ /gm)).toHaveLength(2);
    const near = before.replace("line 2\n", "line two\n").replace("line 8\n", "line eight\n");
    expect(unifiedLineDiff(before, near).match(/^@@ /gm)).toHaveLength(1);
  });

  it("writes creation from nothing and removal to nothing with empty ranges", () => {
    expect(unifiedLineDiff("", "a\nb\n")).toBe("--- live\n+++ desired\n@@ -0,0 +1,2 @@\n+a\n+b\n");
    expect(unifiedLineDiff("a\n", "")).toBe("--- live\n+++ desired\n@@ -1 +0,0 @@\n-a\n");
  });

  it("marks a missing final newline", () => {
    const diff = unifiedLineDiff("a\nb\n", "a\nb");
    expect(diff).toBe("--- live\n+++ desired\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n");
  });

  it("round-trips on 2,000 random inputs: applying the hunks to before yields after", () => {
    const rand = prng(20240601);
    for (let i = 0; i < 2000; i++) {
      const before = randomText(rand);
      const after = rand() < 0.1 ? before : randomText(rand);
      const diff = unifiedLineDiff(before, after, { context: Math.floor(rand() * 4) });
      expect(diff === "", `case ${i}`).toBe(before === after);
      expect(applyUnifiedDiff(before, diff), `case ${i}: ${JSON.stringify({ before, after })}`).toBe(after);
    }
  });

  it("stays correct on a large, entirely different input (beyond the edit-step cap)", () => {
    const before = `${Array.from({ length: 3000 }, (_, i) => `old ${i}`).join("\n")}\n`;
    const after = `${Array.from({ length: 3000 }, (_, i) => `new ${i}`).join("\n")}\n`;
    const diff = unifiedLineDiff(before, after);
    expect(changedLineCount(diff)).toBe(6000);
    expect(applyUnifiedDiff(before, diff)).toBe(after);
  });
});
