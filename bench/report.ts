/** What the benchmarks share: medians and their own section of BENCHMARKS.md. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Replaces the section headed `## <heading>` of BENCHMARKS.md, or appends it; other sections belong to other benchmarks. */
export function writeSection(heading: string, text: string): void {
  const file = new URL("../BENCHMARKS.md", import.meta.url);
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n\n";
  const start = current.search(new RegExp(`^## ${heading}\\s*$`, "m"));
  let next: string;
  if (start < 0) {
    next = `${current.replace(/\n*$/, "\n\n")}${text}`;
  } else {
    const rest = current.slice(start + 1);
    const end = rest.search(/^## /m);
    next = `${current.slice(0, start)}${text}${end < 0 ? "" : `\n${rest.slice(end)}`}`;
  }
  writeFileSync(file, next);
}
