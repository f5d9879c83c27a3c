import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { unifiedLineDiff } from "../../src/plan/linediff.js";
import { applyUnifiedDiff } from "../support/apply-unified-diff.js";

const LIVE = `global
    log stdout format raw local0
    maxconn 4096

defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s

frontend https_in
    bind [::]:443 v6only
    default_backend www_example_nl

backend www_example_nl
    server s1 203.0.113.10:443 check
`;

/** Deterministic PRNG (mulberry32) so a failing random case can be replayed from its seed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random text over few distinct lines (so many lines match), sometimes without a final newline. */
function randomText(rand: () => number): string {
  const words = ["bind :443", "server s1", "", "mode tcp", "timeout 5s", "a", "b"];
  const count = Math.floor(rand() * 14);
  const lines = Array.from({ length: count }, () => words[Math.floor(rand() * words.length)]!);
  const text = lines.join("\n");
  return count > 0 && rand() < 0.8 ? text + "\n" : text;
}

function changedLineCount(diff: string): number {
  return diff.split("\n").filter((l) => /^[-+]/.test(l) && !/^(---|\+\+\+) /.test(l)).length;
}

const work = mkdtempSync(join(tmpdir(), "linediff-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function gnuDiff(before: string, after: string): string {
  writeFileSync(join(work, "a"), before);
  writeFileSync(join(work, "b"), after);
  const r = spawnSync(
    "diff",
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
  const r = spawnSync("patch", ["--force", "--silent", "--fuzz=0", file, join(work, "p.diff")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`patch failed: ${r.stdout}${r.stderr}`);
  return readFileSync(file, "utf8");
}

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
    expect(diff).toBe(gnuDiff(LIVE, desired));
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
    const before = lines.join("\n") + "\n";
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
    expect(diff).toBe(gnuDiff("a\nb\n", "a\nb"));
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

  it("stays correct on a large, entirely different input (beyond the edit-step cap)", () => {
    const before = Array.from({ length: 3000 }, (_, i) => `old ${i}`).join("\n") + "\n";
    const after = Array.from({ length: 3000 }, (_, i) => `new ${i}`).join("\n") + "\n";
    const diff = unifiedLineDiff(before, after);
    expect(changedLineCount(diff)).toBe(6000);
    expect(applyUnifiedDiff(before, diff)).toBe(after);
  });
});
