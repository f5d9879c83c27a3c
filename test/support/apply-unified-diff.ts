/**
 * A small, independent reader of unified diffs for tests: applies the hunks
 * of `diff` to `before` and checks every context and removed line on the way,
 * so a wrong hunk header or a wrong line fails loudly.
 */
export function applyUnifiedDiff(before: string, diff: string): string {
  if (diff === "") return before;
  const source = splitKeepingNewlines(before);
  const lines = diff.split("\n");
  if (lines.at(-1) === "") lines.pop();
  if (!lines[0]?.startsWith("--- ") || !lines[1]?.startsWith("+++ ")) throw new Error("missing ---/+++ header");
  const result: string[] = [];
  let cursor = 0; // next unread line of source
  let i = 2;
  while (i < lines.length) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$/.exec(lines[i]!);
    if (!header) throw new Error(`bad hunk header at diff line ${i + 1}: ${lines[i]}`);
    const oldCount = header[2] === undefined ? 1 : Number(header[2]);
    const newCount = header[4] === undefined ? 1 : Number(header[4]);
    const oldStart = oldCount === 0 ? Number(header[1]) : Number(header[1]) - 1;
    if (oldStart < cursor) throw new Error(`hunk at diff line ${i + 1} overlaps the previous one`);
    result.push(...source.slice(cursor, oldStart));
    cursor = oldStart;
    const newStart = newCount === 0 ? Number(header[3]) : Number(header[3]) - 1;
    if (newStart !== result.length)
      throw new Error(`hunk at diff line ${i + 1}: new start ${newStart} != ${result.length}`);
    i++;
    let seenOld = 0;
    let seenNew = 0;
    while (i < lines.length && !lines[i]!.startsWith("@@ ")) {
      const line = lines[i]!;
      const noEol = lines[i + 1] === "\\ No newline at end of file";
      const text = line.slice(1) + (noEol ? "" : "\n");
      const prefix = line[0];
      if (prefix === " " || prefix === "-") {
        if (source[cursor] !== text)
          throw new Error(
            `diff line ${i + 1} expects ${JSON.stringify(text)}, source has ${JSON.stringify(source[cursor])}`,
          );
        cursor++;
        seenOld++;
      }
      if (prefix === " " || prefix === "+") {
        result.push(text);
        seenNew++;
      }
      if (prefix !== " " && prefix !== "-" && prefix !== "+") throw new Error(`bad diff line ${i + 1}: ${line}`);
      i += noEol ? 2 : 1;
    }
    if (seenOld !== oldCount || seenNew !== newCount)
      throw new Error(`hunk counts ${oldCount}/${newCount} but saw ${seenOld}/${seenNew}`);
  }
  result.push(...source.slice(cursor));
  return result.join("");
}

function splitKeepingNewlines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}
