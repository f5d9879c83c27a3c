/**
 * Safe building blocks for GitHub-flavoured Markdown. Plan text (reasons,
 * messages, diff text, addresses) is data: it must render as written and must
 * never open a link, an HTML tag, a mention, or close the block around it.
 */
import { oneSafeLine } from "../model/safe-text.js";

/** Plain inline text: one line, HTML and Markdown syntax escaped, @mentions defused. */
export function text(value: string): string {
  return (
    oneSafeLine(value)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/[\\`*_[\]~#!|]/g, (c) => `\\${c}`)
      // A zero-width space after "@" keeps GitHub from notifying whoever a reason happens to name.
      .replace(/@(?=\w)/g, "@\u200b")
  );
}

/** An inline code span that holds any string: the backtick run is longer than any run inside. */
export function code(value: string): string {
  const content = oneSafeLine(value);
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const ticks = "`".repeat(longest + 1);
  // CommonMark strips one space from each end when both ends have one, and needs a space next to an inner backtick.
  const spaced = content.startsWith(" ") && content.endsWith(" ") && content.trim() !== "";
  const pad = content.startsWith("`") || content.endsWith("`") || spaced ? " " : "";
  return `${ticks}${pad}${content}${pad}${ticks}`;
}

/** A fenced code block whose fence no line of the content can close. */
export function fenced(content: string, info = ""): string {
  const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  const body = content.endsWith("\n") ? content : `${content}\n`;
  return `${fence}${info}\n${body}${fence}`;
}

/** Text for inside an HTML element such as <summary>, where Markdown is not parsed. */
export function html(value: string): string {
  return oneSafeLine(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export type AlertKind = "NOTE" | "WARNING" | "CAUTION";

/** A GitHub alert block; every line is quoted so the block cannot end early. */
export function alert(kind: AlertKind, lines: string[]): string {
  return [`> [!${kind}]`, ...lines.map((line) => (line === "" ? ">" : `> ${line}`))].join("\n");
}

/** A GFM table; cells are Markdown already, only the cell separator needs escaping (also inside code spans). */
export function table(headers: string[], rows: string[][]): string {
  const row = (cells: string[]): string => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [row(headers), row(headers.map(() => "---")), ...rows.map(row)].join("\n");
}

/** A link when a URL is known, else the words alone. */
export function maybeLink(words: string, url: string | undefined): string {
  // Characters that would end the link destination early are percent-encoded.
  return url ? `[${words}](${url.replace(/[()<>\s]/g, (c) => encodeURIComponent(c))})` : words;
}

export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}
