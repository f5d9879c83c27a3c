/**
 * Text from outside (proxy files, Azure tags and error messages, GitHub event
 * fields) on its way into a terminal, a log or a comment. A value must not
 * break the layout around it, start a new log line (a GitHub workflow command
 * such as `::add-mask::` only counts at the start of a line), move the cursor
 * or recolour a terminal, or reorder what a reader sees (bidirectional
 * controls, CVE-2021-42574 "Trojan Source").
 *
 * This is the one home of that rule: the plan renderers, the CLI and the
 * action use it for every dynamic value they print.
 */

/** Line breaks of every kind (CR, LF, VT, FF, NEL, LINE/PARAGRAPH SEPARATOR), with the blanks around them. */
const LINE_BREAKS = /\s*[\n\v\f\r\u0085\u2028\u2029]+\s*/gu;
/**
 * Characters a reader cannot see but a program does: bidirectional controls
 * (Unicode Bidi_Control: they reorder what is shown, CVE-2021-42574 "Trojan
 * Source", trojansource.codes) and zero-width or invisible format characters
 * (ZWSP, ZWNJ, ZWJ, WORD JOINER, the invisible math operators, BOM, MONGOLIAN
 * VOWEL SEPARATOR) that make two different strings look alike. Proxy files
 * must not contain them at all (src/proxyfile/load.ts); text from elsewhere
 * has them replaced.
 */
export const HIDDEN_CHARACTER = /[\p{Bidi_Control}\u200b-\u200d\u2060-\u2064\ufeff\u180e]/u;
/** Control characters (C0, DEL, C1) and the hidden characters above. */
const UNSAFE = /[\p{Cc}\p{Bidi_Control}\u200b-\u200d\u2060-\u2064\ufeff\u180e]/gu;
const REPLACEMENT = "\ufffd";

/**
 * `value` as one line: line breaks (and the blanks around them) become one
 * space, a tab becomes a space, and every other control or bidirectional
 * or hidden character becomes U+FFFD, so it shows that something was there. With
 * `maxChars`, longer text is cut (never inside a surrogate pair) and ends in "…".
 */
export function oneSafeLine(value: string, maxChars = Number.POSITIVE_INFINITY): string {
  const line = value.replace(LINE_BREAKS, " ").replace(/\t/g, " ").replace(UNSAFE, REPLACEMENT);
  return cut(line, maxChars);
}

/**
 * Multi-line text (a config diff, a script's output) with its line breaks and
 * tabs kept; CR and every other control, bidirectional or hidden character becomes U+FFFD.
 */
export function safeLines(text: string): string {
  return text.replace(UNSAFE, (c) => (c === "\n" || c === "\t" ? c : REPLACEMENT));
}

/**
 * Log text (one line or several) with no line that the Actions runner would
 * take for a workflow command. The runner reads the step's stdout and stderr
 * line by line (.NET ReadLine: LF, CR or CRLF end a line) and tries two
 * parsers on each (actions/runner, src/Runner.Worker/ActionCommandManager.cs):
 * `::name …::data` once leading whitespace is trimmed (ActionCommand.TryParseV2),
 * and the legacy `##[name …]data` found *anywhere* in the line (ActionCommand.TryParse).
 * So every line break (CR, CRLF, VT, FF, NEL, U+2028, U+2029) becomes LF, controls and hidden characters become
 * U+FFFD (safeLines), a `::` that starts a line gets a backslash in front,
 * and `##[` becomes `##\[`: readable, and never a command.
 */
export function withoutWorkflowCommands(text: string): string {
  return safeLines(text.replace(/\r\n|[\r\v\f\u0085\u2028\u2029]/g, "\n"))
    .split("\n")
    .map((line) => line.replace(/^(\s*)::/, "$1\\::").replaceAll("##[", "##\\["))
    .join("\n");
}

function cut(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = Math.max(0, maxChars - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // keep a surrogate pair whole
  return `${text.slice(0, end)}…`;
}
