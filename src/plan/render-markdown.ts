/**
 * The plan as a pull-request comment. GitHub rejects comments over 65,536
 * characters, so the comment is rendered in full and then made smaller step
 * by step (unchanged rows, config diffs, field diffs, per-proxy sections,
 * the table, then names, then alert items) until it fits. Warnings and
 * errors go first and are cut last.
 */

import { countChanges } from "./counts.js";
import { type AlertGroup, alertGroups, alertItemCount, renderAlerts } from "./markdown-alerts.js";
import { alert, code, maybeLink, plural, text } from "./markdown-format.js";
import { proxyDetails, proxyNameLists, proxyTable } from "./markdown-proxies.js";
import { DEFAULT_SPEC_DIR, hasDeletions, isQuietPlan, PlanView, summaryText } from "./render-shared.js";
import type { Plan } from "./types.js";

export interface MarkdownRenderOptions {
  /** Hidden HTML comment that identifies the comment for later updates; written first, exactly as given. */
  marker: string;
  headSha?: string | undefined;
  /** Upper bound on the result's `.length` (UTF-16 code units). Default 65,536, GitHub's comment limit. */
  maxChars?: number | undefined;
  /** Link to the job summary, which holds the full plan. */
  summaryUrl?: string | undefined;
  title?: string | undefined;
  /** Directory named in the "No changes" line (default `proxies/`). */
  specDir?: string | undefined;
}

export const GITHUB_COMMENT_LIMIT = 65_536;
const DEFAULT_TITLE = "Azure IPv6 proxy plan";
const ALLOW_DESTROY_HINT =
  "Deletions and replacements need the `ipv6-proxy/allow-destroy` label or `allow-destroy: true`.";

/** How much of the plan a rendering shows; each shortening step turns one knob down. */
interface Detail {
  unchangedRows: boolean;
  configDiffs: boolean;
  fieldDiffs: boolean;
  proxySections: boolean;
  proxyTable: boolean;
  nameLimit: number;
  alertLimit: number;
}

const FULL: Detail = {
  unchangedRows: true,
  configDiffs: true,
  fieldDiffs: true,
  proxySections: true,
  proxyTable: true,
  nameLimit: Infinity,
  alertLimit: Infinity,
};

const SHORTENING_STEPS: Partial<Detail>[] = [
  { unchangedRows: false },
  { configDiffs: false },
  { fieldDiffs: false },
  { proxySections: false },
  { proxyTable: false },
];

export function renderPlanMarkdown(plan: Plan, opts: MarkdownRenderOptions): string {
  const maxChars = opts.maxChars ?? GITHUB_COMMENT_LIMIT;
  const fits = (s: string): boolean => s.length <= maxChars;
  if (isQuietPlan(plan)) return ensureFits(renderQuiet(opts), maxChars);

  const comment = new CommentRenderer(plan, opts);
  let detail = FULL;
  let out = comment.render(detail, false);
  if (fits(out)) return out;
  for (const step of SHORTENING_STEPS) {
    detail = { ...detail, ...step };
    out = comment.render(detail, true);
    if (fits(out)) return out;
  }

  const nameLimit = largestFitting(comment.changedCount, (n) =>
    fits(comment.render({ ...detail, nameLimit: n }, true)),
  );
  if (nameLimit !== undefined) return comment.render({ ...detail, nameLimit }, true);
  detail = { ...detail, nameLimit: 0 };
  const alertLimit = largestFitting(alertItemCount(comment.alerts), (n) =>
    fits(comment.render({ ...detail, alertLimit: n }, true)),
  );
  if (alertLimit !== undefined) return comment.render({ ...detail, alertLimit }, true);

  return ensureFits(comment.renderMinimal(maxChars), maxChars);
}

/** Everything one rendering needs, computed once for all the attempts. */
class CommentRenderer {
  readonly alerts: AlertGroup[];
  readonly changedCount: number;
  private readonly view: PlanView;
  private readonly pointer: string;

  constructor(
    private readonly plan: Plan,
    private readonly opts: MarkdownRenderOptions,
  ) {
    this.view = new PlanView(plan);
    this.alerts = alertGroups(this.view);
    this.changedCount = this.view.rows.filter((r) => r.status !== "unchanged").length;
    this.pointer = maybeLink("see the job summary", opts.summaryUrl);
  }

  render(detail: Detail, shortened: boolean): string {
    const sections = [this.header(), ...renderAlerts(this.alerts, detail.alertLimit, this.pointer)];
    if (detail.proxyTable) {
      sections.push(proxyTable(this.view, detail.unchangedRows));
      if (detail.proxySections) {
        const options = { fieldDiffs: detail.fieldDiffs, configDiffs: detail.configDiffs };
        for (const row of this.view.rows) {
          const details = row.status === "unchanged" ? undefined : proxyDetails(this.view, row, options);
          if (details) sections.push(details);
        }
      }
    } else {
      sections.push(proxyNameLists(this.view.rows, detail.nameLimit, this.pointer));
    }
    if (shortened) {
      sections.push(
        alert("NOTE", [
          `Parts of this plan are left out to stay within GitHub's comment size limit — ${this.pointer} for the full plan.`,
        ]),
      );
    }
    sections.push(this.footer());
    return `${sections.join("\n\n")}\n`;
  }

  /** Last resorts for a tiny budget: the marker, the totals, the problem counts and where to look. */
  renderMinimal(maxChars: number): string {
    const words: string[] = [];
    if (this.plan.errors.length > 0)
      words.push(`**This plan cannot be applied: ${plural(this.plan.errors.length, "error", "errors")}.**`);
    if (this.plan.warnings.length > 0) words.push(`${plural(this.plan.warnings.length, "warning", "warnings")}.`);
    const candidates = [
      `${this.header()}\n\n${[...words, `The full plan: ${this.pointer}.`].join(" ")}\n`,
      `${this.header()}\n\n${[...words, "The full plan: see the job summary."].join(" ")}\n`,
      `${this.header()}\n`,
    ];
    return candidates.find((c) => c.length <= maxChars) ?? candidates[candidates.length - 1]!;
  }

  private header(): string {
    return [
      this.opts.marker,
      `### ${text(this.opts.title ?? DEFAULT_TITLE)}`,
      "",
      `**${summaryText(countChanges(this.plan.changes))}**`,
    ].join("\n");
  }

  private footer(): string {
    const planned = [
      this.opts.headSha ? `Planned at ${code(this.opts.headSha)}` : "Planned",
      `fingerprint ${code(this.plan.fingerprint)}`,
    ];
    let apply: string;
    if (this.plan.errors.length > 0) apply = "This plan cannot be applied until the errors above are fixed.";
    else apply = hasDeletions(this.plan) ? `Merge to apply. ${ALLOW_DESTROY_HINT}` : "Merge to apply.";
    return ["---", `${planned.join(" · ")}  `, apply].join("\n");
  }
}

function renderQuiet(opts: MarkdownRenderOptions): string {
  const lines = [
    opts.marker,
    `### ${text(opts.title ?? DEFAULT_TITLE)}`,
    "",
    `No changes. Azure matches ${code(opts.specDir ?? DEFAULT_SPEC_DIR)}.`,
  ];
  if (opts.headSha) lines.push("", `Planned at ${code(opts.headSha)}.`);
  return `${lines.join("\n")}\n`;
}

/** Largest n in [0, max] with fits(n), for a fits that is monotone (true up to some n); undefined if not even 0 fits. */
function largestFitting(max: number, fits: (n: number) => boolean): number | undefined {
  if (!fits(0)) return undefined;
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function ensureFits(out: string, maxChars: number): string {
  if (out.length > maxChars) {
    throw new RangeError(
      `maxChars ${maxChars} is too small for even the shortest plan comment (${out.length} characters)`,
    );
  }
  return out;
}
