/**
 * Loads proxies/<name>.yaml files: one proxy per file, every error in every
 * file reported at once, each with file, line, column and field.
 */
import { constants } from "node:fs";
import { lstat, open, readdir, realpath } from "node:fs/promises";
import path from "node:path";
import { LineCounter, parseAllDocuments } from "yaml";
import { HIDDEN_CHARACTER, oneSafeLine } from "../model/safe-text.js";
import { checkAcrossFiles } from "./cross-file.js";
import type { LoadResult, ProxySpec, SpecError } from "./types.js";
import { readProxy } from "./validate.js";
import { SpecReader } from "./yaml-reader.js";

export { checkAcrossFiles } from "./cross-file.js";

/** Real proxy files are a few hundred bytes; the cap keeps a stray large file from stalling a run. */
const MAX_FILE_BYTES = 256 * 1024;
const PROXY_FILE = /\.ya?ml$/i;
/**
 * A file name lands in logs, annotations and the PR comment, so it is held to a
 * closed set: a name with a line break could start a workflow command, one with
 * bidirectional or invisible characters could show a reviewer another name.
 */
const SAFE_FILE_NAME = /^[A-Za-z0-9._-]+$/;

/** Past this, more errors from one file only bury the first ones (and overflow a PR comment). */
const MAX_ERRORS_PER_FILE = 50;

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

const HIDDEN_NAMES = new Map<number, string>([
  [0x200b, "ZERO WIDTH SPACE"],
  [0x200c, "ZERO WIDTH NON-JOINER"],
  [0x200d, "ZERO WIDTH JOINER"],
  [0x200e, "LEFT-TO-RIGHT MARK"],
  [0x200f, "RIGHT-TO-LEFT MARK"],
  [0x202a, "LEFT-TO-RIGHT EMBEDDING"],
  [0x202b, "RIGHT-TO-LEFT EMBEDDING"],
  [0x202c, "POP DIRECTIONAL FORMATTING"],
  [0x202d, "LEFT-TO-RIGHT OVERRIDE"],
  [0x202e, "RIGHT-TO-LEFT OVERRIDE"],
  [0x2060, "WORD JOINER"],
  [0x2066, "LEFT-TO-RIGHT ISOLATE"],
  [0x2067, "RIGHT-TO-LEFT ISOLATE"],
  [0x2068, "FIRST STRONG ISOLATE"],
  [0x2069, "POP DIRECTIONAL ISOLATE"],
  [0xfeff, "ZERO WIDTH NO-BREAK SPACE"],
]);

/**
 * Every bidirectional or invisible character in the file, comments included,
 * as a located error: the reviewer reads the diff, and such characters can
 * make it show something other than what the tool reads (CVE-2021-42574,
 * "Trojan Source"), or two names look alike. A leading byte-order mark is
 * dropped by the UTF-8 decoder before this check.
 */
function hiddenCharacters(file: string, text: string): SpecError[] {
  const errors: SpecError[] = [];
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    if (!HIDDEN_CHARACTER.test(line)) continue;
    let column = 1;
    for (const ch of line) {
      if (HIDDEN_CHARACTER.test(ch)) {
        const code = ch.codePointAt(0) ?? 0;
        const hex = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
        const name = HIDDEN_NAMES.get(code);
        errors.push({
          file,
          line: i + 1,
          column,
          field: "",
          message:
            `contains the invisible character ${hex}${name ? ` (${name})` : ""}; bidirectional and zero-width ` +
            "characters can make a file read differently than it is, so proxy files may not contain them (comments included)",
        });
      }
      column += ch.length;
    }
  }
  return errors;
}

/** Parses and validates one proxy file. `proxy` is set only when there are no errors. */
export function parseProxyFile(file: string, text: string): { proxy?: ProxySpec; errors: SpecError[] } {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_FILE_BYTES) return { errors: [tooLarge(file, bytes)] };

  const hidden = hiddenCharacters(file, text);
  if (hidden.length > 0) return { errors: sortedAndCapped(hidden) };

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

/**
 * Reads one file (from `location`; errors name `file`) with size and encoding
 * checks before any parsing. A symbolic link is refused, not followed: a pull
 * request can commit a link to any file on the runner (a token, the runner's
 * own files), and its contents would end up in errors and the PR comment.
 * O_NOFOLLOW makes the open itself refuse a link, so it cannot be swapped in
 * between the check and the read.
 */
async function loadFile(file: string, location: string): Promise<{ proxy?: ProxySpec; errors: SpecError[] }> {
  const notAFile = (what: string) =>
    fileError(file, `is ${what}; a proxy file must be a regular file directly in the proxy directory`);
  let text: string;
  try {
    if ((await lstat(location)).isSymbolicLink()) return { errors: [notAFile("a symbolic link")] };
    const handle = await open(location, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      if (!info.isFile()) return { errors: [notAFile("not a regular file")] };
      if (info.size > MAX_FILE_BYTES) return { errors: [tooLarge(file, info.size)] };
      const bytes = await handle.readFile();
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        return { errors: [fileError(file, "is not valid UTF-8 text")] };
      }
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP") return { errors: [notAFile("a symbolic link")] };
    return { errors: [fileError(file, `cannot be read (${code ?? String(error)})`)] };
  }
  return parseProxyFile(file, text);
}

/**
 * With a `root` (the action's workspace), the proxy directory must be inside
 * it, reached without symbolic links: a pull request that replaces proxies/
 * with a link to another directory on the runner is refused, like a link to a file.
 */
async function directoryProblem(dir: string, root: string): Promise<string | undefined> {
  const lexical = path.relative(path.resolve(root), path.resolve(root, dir));
  if (lexical.startsWith("..") || path.isAbsolute(lexical))
    return `proxy directory "${dir}" is outside the workspace; give a directory inside the repository`;
  let real: string;
  let realRoot: string;
  try {
    [real, realRoot] = await Promise.all([realpath(path.resolve(root, dir)), realpath(root)]);
  } catch {
    return undefined; // a missing directory is reported by readdir, with its own words
  }
  if (real !== path.join(realRoot, lexical))
    return `proxy directory "${dir}" is, or is inside, a symbolic link; proxy files must live in the repository itself`;
  return undefined;
}

/**
 * Every *.yaml / *.yml file directly in `dir`, sorted by name. An empty
 * directory is valid and means "no proxies". Callers must not act on
 * `proxies` while `errors` is non-empty: a file with errors is missing from
 * `proxies`, and acting would delete its proxy. A relative `dir` is read from
 * `root` (default: the working directory) and named in errors as given, so
 * annotations point at paths in the repository. With a `root`, `dir` must be
 * inside it (see directoryProblem); symbolic links are never followed.
 */
export async function loadProxyDir(dir: string, root?: string): Promise<LoadResult> {
  const at = (p: string): string => path.resolve(root ?? ".", p);
  const outside = root === undefined ? undefined : await directoryProblem(dir, root);
  if (outside) return { proxies: [], errors: [fileError(dir, outside)] };
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
    if (!SAFE_FILE_NAME.test(name)) {
      const shown = path.join(dir, oneSafeLine(name, 80));
      errors.push(fileError(shown, "file name may only contain letters, digits, '.', '_' and '-'; rename the file"));
      continue;
    }
    const result = await loadFile(path.join(dir, name), at(path.join(dir, name)));
    if (result.proxy) proxies.push(result.proxy);
    errors.push(...result.errors);
  }
  errors.push(...checkAcrossFiles(proxies));
  return { proxies, errors: errors.sort(byPlace) };
}
