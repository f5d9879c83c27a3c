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

function cut(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = Math.max(0, maxChars - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--; // keep a surrogate pair whole
  return `${text.slice(0, end)}…`;
}
