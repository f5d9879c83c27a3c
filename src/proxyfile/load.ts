/**
 * Loads proxies/<name>.yaml files: one proxy per file, every error in every
 * file reported at once, each with file, line, column and field.
 */

import type { Stats } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import { checkAcrossFiles } from "./cross-file.js";
import type { LoadResult, ProxySpec, SpecError } from "./types.js";
import { readProxy } from "./validate.js";
import { SpecReader } from "./yaml-reader.js";

export { checkAcrossFiles } from "./cross-file.js";

/** Real proxy files are a few hundred bytes; the cap keeps a stray large file from stalling a run. */
export const MAX_FILE_BYTES = 256 * 1024;
const PROXY_FILE = /\.ya?ml$/i;

/** Past this, more errors from one file only bury the first ones (and overflow a PR comment). */
export const MAX_ERRORS_PER_FILE = 50;

const byPlace = (a: SpecError, b: SpecError): number =>
  (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.column - b.column;

function sortedAndCapped(errors: SpecError[]): SpecError[] {
  const sorted = [...errors].sort(byPlace);
  const rest = sorted.slice(MAX_ERRORS_PER_FILE);
  if (rest.length === 0) return sorted;
  const [next] = rest as [SpecError];
  return [
    ...sorted.slice(0, MAX_ERRORS_PER_FILE),
    { ...next, field: "", message: `${rest.length} more error(s) in this file, from here on, not shown` },
  ];
}

function fileError(file: string, message: string): SpecError {
  return { file, line: 1, column: 1, field: "", message };
}

function tooLarge(file: string, bytes: number): SpecError {
  return fileError(file, `file is ${bytes} bytes; a proxy file may be at most ${MAX_FILE_BYTES} bytes (256 KiB)`);
}

/** Parses and validates one proxy file. `proxy` is set only when there are no errors. */
export function parseProxyFile(file: string, text: string): { proxy?: ProxySpec; errors: SpecError[] } {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_FILE_BYTES) return { errors: [tooLarge(file, bytes)] };

  const lines = new LineCounter();
  const reader = new SpecReader(file, lines);
  // uniqueKeys is off because SpecReader reports duplicate keys itself, with the field path.
  const documents = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false });
  const [document, second] = documents;
  if (!document || document.contents === null) {
    return {
      errors: [fileError(file, "file is empty; a proxy file needs at least location, resourceGroup and backends")],
    };
  }
  for (const problem of [...document.errors, ...document.warnings]) {
    const firstLine = problem.message.split("\n")[0] ?? problem.message;
    reader.report(reader.at(problem.pos[0]), "", `YAML: ${firstLine}`);
  }
  if (second)
    reader.report(reader.at(second.range[0]), "", "found a second YAML document; a proxy file holds exactly one proxy");
  if (reader.errors.length > 0) return { errors: sortedAndCapped(reader.errors) };

  const proxy = readProxy(reader, reader.entry(document.contents, reader.at(0)), path.basename(file));
  if (reader.errors.length > 0) return { errors: sortedAndCapped(reader.errors) };
  // A file must never vanish silently: a missing proxy would be planned for deletion.
  if (!proxy) return { errors: [fileError(file, "could not be read as a proxy (no specific error found)")] };
  return { proxy, errors: [] };
}

/** Reads one file (from `location`; errors name `file`) with size and encoding checks before any parsing. */
async function loadFile(file: string, location: string): Promise<{ proxy?: ProxySpec; errors: SpecError[] }> {
  let info: Stats;
  try {
    info = await stat(location);
  } catch (error) {
    return { errors: [fileError(file, `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`)] };
  }
  if (!info.isFile()) return { errors: [fileError(file, "is not a regular file; proxy files must be files")] };
  if (info.size > MAX_FILE_BYTES) return { errors: [tooLarge(file, info.size)] };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await readFile(location));
  } catch {
    return { errors: [fileError(file, "is not valid UTF-8 text")] };
  }
  return parseProxyFile(file, text);
}

/**
 * Every *.yaml / *.yml file directly in `dir`, sorted by name. An empty
 * directory is valid and means "no proxies". Callers must not act on
 * `proxies` while `errors` is non-empty: a file with errors is missing from
 * `proxies`, and acting would delete its proxy. A relative `dir` is read from
 * `root` (default: the working directory) and named in errors as given, so
 * annotations point at paths in the repository.
 */
export async function loadProxyDir(dir: string, root = "."): Promise<LoadResult> {
  const at = (p: string): string => path.resolve(root, p);
  let names: string[];
  try {
    names = (await readdir(at(dir)))
      .filter((name) => PROXY_FILE.test(name))
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "does not exist"
        : code === "ENOTDIR"
          ? "is not a directory"
          : `cannot be read (${code ?? String(error)})`;
    return { proxies: [], errors: [fileError(dir, `proxy directory "${dir}" ${why}`)] };
  }
  const proxies: ProxySpec[] = [];
  const errors: SpecError[] = [];
  for (const name of names) {
    const result = await loadFile(path.join(dir, name), at(path.join(dir, name)));
    if (result.proxy) proxies.push(result.proxy);
    errors.push(...result.errors);
  }
  errors.push(...checkAcrossFiles(proxies));
  return { proxies, errors: errors.sort(byPlace) };
}
