/**
 * Bodies of the pull request comments (and the job summary, which shows the
 * same text). Every builder returns at most GITHUB_COMMENT_LIMIT characters,
 * GitHub's limit for a comment: beyond it the API answers 422.
 */

import { formatSpecError, type SpecError } from "../proxyfile/types.js";
import { renderHealthMarkdown } from "../verify/render.js";
import type { HealthReport } from "../verify/types.js";
import { alert, code, plural, table, text } from "./markdown-format.js";
import { GITHUB_COMMENT_LIMIT, renderPlanMarkdown } from "./render-markdown.js";
import type { ApplyFailure, ApplyOutcome, Plan, PlanError } from "./types.js";

/** The job summary allows 1 MiB per step; stay well inside it even for multi-byte text. */
export const MAX_SUMMARY_CHARS = 400_000;

export interface BodyContext {
  /** Hidden marker lines; they open the body. */
  marker: string;
  /** A short heading naming the directory (and owner) this comment is about. */
  title: string;
  headSha?: string | undefined;
  /** Link to the run, whose job summary holds the full text when a comment had to be shortened. */
  summaryUrl?: string | undefined;
  /** The proxy directory, named in a "No changes" plan. */
  specDir?: string | undefined;
  /** Defaults to GITHUB_COMMENT_LIMIT; the job summary passes MAX_SUMMARY_CHARS. */
  maxChars?: number | undefined;
}

export function planBody(plan: Plan, ctx: BodyContext): string {
  const maxChars = ctx.maxChars ?? GITHUB_COMMENT_LIMIT;
  return renderPlanMarkdown(plan, {
    marker: ctx.marker,
    headSha: ctx.headSha,
    summaryUrl: ctx.summaryUrl,
    title: ctx.title,
    specDir: ctx.specDir,
    maxChars,
  });
}

export function specErrorsBody(errors: SpecError[], ctx: BodyContext): string {
  const head = [
    ctx.marker,
    `### ${text(ctx.title)}`,
    "",
    alert("CAUTION", [
      `${plural(errors.length, "error", "errors")} in the proxy files: nothing can be planned or applied until they are fixed.`,
    ]),
    "",
  ].join("\n");
  const lines = errors.map((e) => `- ${code(formatSpecError(e))}`);
  return fitLines(head, lines, footer(ctx), ctx);
}

/** A refusal to apply, with the plan as it stands now (when there is one) so the reader sees what would have happened. */
export function refusalBody(ctx: BodyContext, reason: string[], plan?: Plan): string {
  const preamble = [`### ${text(ctx.title)}`, "", alert("CAUTION", reason)].join("\n");
  if (!plan) return fitLines([ctx.marker, preamble, ""].join("\n"), [], footer(ctx), ctx);
  // The plan renderer keeps its output within the budget we give it; the marker and reason come on top.
  const budget = (ctx.maxChars ?? GITHUB_COMMENT_LIMIT) - ctx.marker.length - preamble.length - 4;
  const rendered = planBody(plan, { ...ctx, title: "The plan as it stands now", maxChars: budget });
  const rest = (rendered.startsWith(ctx.marker) ? rendered.slice(ctx.marker.length).replace(/^\n+/, "") : rendered)
    // The renderer ends a plan with "Merge to apply."; this plan was merged and refused, so that line would mislead.
    .replace(/\nMerge to apply\.[^\n]*\n?$/, "\n");
  return `${ctx.marker}\n${preamble}\n\n${rest}`;
}

export function planErrorLines(errors: PlanError[]): string[] {
  return errors.map((e) => {
    const where = e.file ? `${e.file}${e.line ? `:${e.line}` : ""}: ` : "";
    return `${where}${e.proxy}${e.address ? ` (${e.address})` : ""}: ${e.message}`;
  });
}

/**
 * The apply result, then (when given) what verification found from outside:
 * the verification table has the room the apply table leaves.
 */
export function applyResultBody(
  outcome: ApplyOutcome,
  ctx: BodyContext,
  failures: ApplyFailure[] = [],
  health?: HealthReport,
): string {
  if (!health) return applyTable(outcome, ctx, failures);
  const max = ctx.maxChars ?? GITHUB_COMMENT_LIMIT;
  // The apply table gets half the budget at most; verification the rest.
  const applied = applyTable(outcome, { ...ctx, maxChars: Math.floor(max / 2) }, failures);
  const footerText = footer(ctx);
  const withoutFooter = applied.endsWith(footerText) ? applied.slice(0, -footerText.length) : applied;
  const verification = renderHealthMarkdown(health, {
    maxChars: max - withoutFooter.length - footerText.length - 2,
  });
  return `${withoutFooter}\n${verification}${footerText}`;
}

function applyTable(outcome: ApplyOutcome, ctx: BodyContext, failures: ApplyFailure[]): string {
  const seconds = (outcome.durationMs / 1000).toFixed(1);
  const at = ctx.headSha ? ` at ${code(ctx.headSha.slice(0, 12))}` : "";
  const lines = [ctx.marker, `### ${text(ctx.title)}`, ""];
  if (failures.length > 0) {
    lines.push(
      alert("CAUTION", [
        `Apply failed for ${plural(failures.length, "proxy", "proxies")} after ${seconds} s${at}:`,
        ...failures.map((f) => `- ${code(f.proxy)}: ${text(f.message.slice(0, 500))}`),
        "",
        "Finished steps are kept. Review the remaining plan in a new pull request to finish.",
      ]),
      "",
    );
  } else {
    lines.push(`Applied ${plural(outcome.proxies.length, "proxy", "proxies")} in ${seconds} s${at}.`, "");
  }
  // The IPv4 column is the address the backends see connections come from: what they must allow-list.
  const header = table(["Proxy", "Status", "IPv6 address", "IPv4 address (backends see)", "DNS names", "Note"], []);
  const rows = outcome.proxies.map((p) =>
    tableRow([
      code(p.name),
      p.status,
      p.ipv6Address ? code(p.ipv6Address) : "",
      p.ipv4Address ? code(p.ipv4Address) : "",
      p.dnsNames.map((n) => code(n)).join(", "),
      p.vmMessage ? text(p.vmMessage.slice(0, 300)) : "",
    ]),
  );
  return fitLines(`${lines.join("\n")}\n${header}\n`, rows, footer(ctx), ctx, tableRow(["…", "", "", "", "", ""]));
}

/** One row of a table made by markdown-format's table(). */
function tableRow(cells: string[]): string {
  return (
    table(
      cells.map(() => ""),
      [cells],
    ).split("\n")[2] ?? ""
  );
}

function footer(ctx: BodyContext): string {
  return ctx.headSha ? `\n<sub>Commit ${code(ctx.headSha)}</sub>\n` : "\n";
}

/**
 * head + as many lines as fit + footer. When lines are left out, says how
 * many and where the rest is (the job summary).
 */
function fitLines(head: string, lines: string[], tail: string, ctx: BodyContext, ellipsisRow?: string): string {
  const max = ctx.maxChars ?? GITHUB_COMMENT_LIMIT;
  const summaryUrl = ctx.summaryUrl;
  const omittedNote = (n: number): string =>
    `\n_${plural(n, "more line", "more lines")} left out to stay within GitHub's comment limit${summaryUrl ? `; the [job summary](${summaryUrl}) lists them all` : ""}._\n`;
  let body = head;
  for (let i = 0; i < lines.length; i++) {
    const line = `${lines[i]}\n`;
    const reserve = omittedNote(lines.length).length + (ellipsisRow?.length ?? 0) + 1 + tail.length;
    if (body.length + line.length + reserve > max) {
      return `${body}${ellipsisRow ? `${ellipsisRow}\n` : ""}${omittedNote(lines.length - i)}${tail}`;
    }
    body += line;
  }
  return `${body}${tail}`;
}
