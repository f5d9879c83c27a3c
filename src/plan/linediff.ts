/**
 * Unified line diff (`diff -u` format) with Myers' O(ND) algorithm.
 * Used to show a reviewer how a proxy's HAProxy config changes.
 * HAProxy configs are a few dozen lines, so the simple variant that keeps
 * one V-array slice per edit step is plenty; for pathological inputs the
 * step count is capped and the remaining middle is shown as delete-all,
 * insert-all, which is still a correct (just not minimal) diff.
 */

export interface LineDiffOptions {
  /** Unchanged lines shown around each change (default 3). */
  context?: number;
  beforeLabel?: string;
  afterLabel?: string;
}

type Op = "=" | "-" | "+";

interface Edit {
  op: Op;
  /** The line including its "\n"; the last line of a text may lack it. */
  line: string;
}

/** Above this many edit steps the middle falls back to delete-all/insert-all (keeps memory at O(cap²)). */
const MAX_EDIT_STEPS = 2000;

/** Splits text into lines that keep their "\n", so a missing final newline is a visible difference. */
function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n").map((l) => `${l}\n`);
  const last = lines.length - 1;
  // "a\nb\n" splits into ["a","b",""]: the empty tail is no line. "a\nb" keeps "b" without newline.
  if (text.endsWith("\n")) lines.pop();
  else lines[last] = lines[last]!.slice(0, -1);
  return lines;
}

/** Myers' greedy forward search with backtracking over stored V slices. */
function myers(a: string[], b: string[]): Edit[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] holds V for k in [-(d+1), d+1] as it was before step d.
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    if (d > MAX_EDIT_STEPS) return undefined;
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  const reversed: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = found; d >= 0; d--) {
    const slice = trace[d]!;
    const at = (k: number): number => slice[k + d + 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      reversed.push({ op: "=", line: a[x - 1]! });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) reversed.push({ op: "+", line: b[--y]! });
      else reversed.push({ op: "-", line: a[--x]! });
    }
  }
  return reversed.reverse();
}

/** Line edits turning a into b: common prefix and suffix first, Myers for the middle. */
function lineEdits(a: string[], b: string[]): Edit[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const middle = myers(midA, midB) ?? [
    ...midA.map((line): Edit => ({ op: "-", line })),
    ...midB.map((line): Edit => ({ op: "+", line })),
  ];
  return [
    ...a.slice(0, start).map((line): Edit => ({ op: "=", line })),
    ...groupDeletionsFirst(middle),
    ...a.slice(endA).map((line): Edit => ({ op: "=", line })),
  ];
}

/** Within each run of changed lines, show removals before additions, as `diff -u` does. */
function groupDeletionsFirst(edits: Edit[]): Edit[] {
  const out: Edit[] = [];
  let removed: Edit[] = [];
  let added: Edit[] = [];
  const flush = (): void => {
    out.push(...removed, ...added);
    removed = [];
    added = [];
  };
  for (const e of edits) {
    if (e.op === "-") removed.push(e);
    else if (e.op === "+") added.push(e);
    else {
      flush();
      out.push(e);
    }
  }
  flush();
  return out;
}

/** `-start,count` in unified form: an empty range names the line before it, a count of 1 is omitted. */
function range(start: number, count: number): string {
  if (count === 0) return `${start},0`;
  return count === 1 ? `${start + 1}` : `${start + 1},${count}`;
}

function formatLine(prefix: string, line: string): string {
  return line.endsWith("\n") ? prefix + line : `${prefix}${line}\n\\ No newline at end of file\n`;
}

export function unifiedLineDiff(before: string, after: string, opts: LineDiffOptions = {}): string {
  if (before === after) return "";
  const context = Math.max(0, opts.context ?? 3);
  const edits = lineEdits(splitLines(before), splitLines(after));

  // Line positions (0-based) in before/after at each edit index.
  const posA: number[] = [];
  const posB: number[] = [];
  let ia = 0;
  let ib = 0;
  for (const e of edits) {
    posA.push(ia);
    posB.push(ib);
    if (e.op !== "+") ia++;
    if (e.op !== "-") ib++;
  }
  posA.push(ia);
  posB.push(ib);

  const changed = edits.flatMap((e, i) => (e.op === "=" ? [] : [i]));
  const out: string[] = [`--- ${opts.beforeLabel ?? "live"}\n`, `+++ ${opts.afterLabel ?? "desired"}\n`];
  let h = 0;
  while (h < changed.length) {
    // Extend the hunk while the next change is within 2×context unchanged lines.
    let last = h;
    while (last + 1 < changed.length && changed[last + 1]! - changed[last]! - 1 <= 2 * context) last++;
    const from = Math.max(0, changed[h]! - context);
    const to = Math.min(edits.length, changed[last]! + context + 1);
    const countA = posA[to]! - posA[from]!;
    const countB = posB[to]! - posB[from]!;
    out.push(`@@ -${range(posA[from]!, countA)} +${range(posB[from]!, countB)} @@\n`);
    for (let i = from; i < to; i++) {
      const e = edits[i]!;
      out.push(formatLine(e.op === "=" ? " " : e.op, e.line));
    }
    h = last + 1;
  }
  return out.join("");
}
