/**
 * The per-proxy part of the PR comment at its three sizes: a table with a
 * collapsible section per changed proxy, the table alone, or lists of names.
 */
import { oneSafeLine } from "../model/safe-text.js";
import { code, fenced, html, plural, table, text } from "./markdown-format.js";
import {
  ACTION_SYMBOL,
  actionTally,
  formatValue,
  type PlanView,
  type ProxyRow,
  rolloutStepText,
  STATUS_ORDER,
  STATUS_SYMBOL,
} from "./render-shared.js";
import type { Change, ProxyStatus, ProxySummary } from "./types.js";

/** Long field values (e.g. a whole config) are cut in the comment; the job summary has them in full. */
const MAX_VALUE_CHARS = 500;
const MAX_DNS_NAMES_PER_ROW = 5;

/** One table row per proxy; unchanged proxies only as a count unless `withUnchanged`. */
export function proxyTable(view: PlanView, withUnchanged: boolean): string {
  const rows = view.rows;
  const ipv6Changing = new Set(view.plan.warnings.filter((w) => w.code === "ipv6-address-change").map((w) => w.proxy));
  const listed = withUnchanged ? rows : rows.filter((r) => r.status !== "unchanged");
  const unlisted = rows.length - listed.length;
  const parts: string[] = [];
  if (listed.length > 0) {
    parts.push(
      table(
        ["Proxy", "Status", "IPv6 address", "DNS names"],
        listed.map(({ proxy, status }) => [
          text(proxy.name),
          status === "unchanged" ? "unchanged" : `${code(STATUS_SYMBOL[status])} ${status}`,
          ipv6Cell(proxy, status, ipv6Changing.has(proxy.name)),
          dnsCell(proxy.dnsNames),
        ]),
      ),
    );
  }
  if (unlisted > 0) parts.push(`${plural(unlisted, "unchanged proxy is", "unchanged proxies are")} not listed.`);
  return parts.join("\n\n");
}

/** The address the proxy keeps; "new" when Azure assigns one (a new or replaced public IPv6 address). */
function ipv6Cell(proxy: ProxySummary, status: ProxyStatus, changing: boolean): string {
  if (proxy.ipv6Address) return code(proxy.ipv6Address);
  return status === "create" || changing ? "new" : "—";
}

function dnsCell(names: string[]): string {
  if (names.length === 0) return "—";
  const shown = names.slice(0, MAX_DNS_NAMES_PER_ROW).map(code).join(", ");
  const more = names.length - MAX_DNS_NAMES_PER_ROW;
  return more > 0 ? `${shown} +${more} more` : shown;
}

export interface DetailsOptions {
  fieldDiffs: boolean;
  configDiffs: boolean;
}

/**
 * A collapsible section for one changed proxy: its changes, field diffs and
 * HAProxy config diff. Undefined when there is nothing to expand (e.g. a new
 * proxy blocked by an error).
 */
export function proxyDetails(view: PlanView, row: ProxyRow, opts: DetailsOptions): string | undefined {
  const { proxy, status } = row;
  const changes = view.changesOf(proxy.name);
  const configDiff = view.configDiffOf(proxy.name);
  // A config diff always comes with a change of its VM (a create, a replacement or a pushed config).
  if (changes.length === 0) return undefined;
  const tally = actionTally(changes);
  const file = proxy.file ? ` (<code>${html(proxy.file)}</code>)` : "";
  const parts = [
    "<details>",
    `<summary><code>${html(STATUS_SYMBOL[status])}</code> <b>${html(proxy.name)}</b>${file}: ${html(tally)}</summary>`,
    "",
    table(
      ["Action", "Resource", "Reason"],
      changes.map((c) => [
        `${code(ACTION_SYMBOL[c.action])} ${c.action}`,
        code(c.address),
        // A delete names the real Azure resource, so the reviewer sees exactly what goes.
        c.action === "delete" ? `${text(c.reason)}; deletes ${azureResource(c)}` : text(c.reason),
      ]),
    ),
    "",
  ];
  const rollout = view.rolloutOf(proxy.name);
  if (rollout.length > 0) {
    parts.push(
      "Rollout, one step at a time:",
      "",
      ...rollout.map((step, i) => `${i + 1}. ${text(rolloutStepText(step))}`),
      "",
    );
  }
  const fieldDiffText = changes
    .filter((c) => c.diffs.length > 0)
    .map(fieldDiffLines)
    .join("");
  if (opts.fieldDiffs && fieldDiffText !== "") parts.push(fenced(fieldDiffText, "diff"), "");
  if (opts.configDiffs && configDiff !== "") parts.push("HAProxy config:", "", fenced(configDiff, "diff"), "");
  parts.push("</details>");
  return parts.join("\n");
}

/** The Azure resource a change touches, by its real name and full ID. */
export function azureResource(c: Change): string {
  return `${code(c.name)}: ${code(c.id)}`;
}

/** Field diffs of one change in diff notation: a hunk-like header per resource, then -before/+after. */
function fieldDiffLines(change: Change): string {
  const lines = [`@@ ${oneSafeLine(change.address)} (${change.action}) @@`];
  for (const diff of change.diffs) {
    const path = oneSafeLine(diff.path);
    if (diff.before !== undefined) lines.push(`- ${path}: ${formatValue(diff.before, MAX_VALUE_CHARS)}`);
    if (diff.after !== undefined) lines.push(`+ ${path}: ${formatValue(diff.after, MAX_VALUE_CHARS)}`);
    if (diff.before === undefined && diff.after === undefined) lines.push(`  ${path}: (none)`);
  }
  return `${lines.join("\n")}\n`;
}

const STATUS_HEADING: Record<ProxyStatus, string> = {
  destroy: "Destroy",
  change: "Change",
  create: "Create",
  unchanged: "Unchanged",
};

/**
 * Proxies collapsed into name lists by status, at most `limit` names in all.
 * Unchanged proxies are only counted.
 */
export function proxyNameLists(rows: ProxyRow[], limit: number, pointer: string): string {
  let budget = limit;
  const lines: string[] = [];
  for (const status of STATUS_ORDER) {
    const names = rows.filter((r) => r.status === status).map((r) => r.proxy.name);
    if (names.length === 0) continue;
    const heading = `**${STATUS_HEADING[status]} (${names.length.toLocaleString("en-US")})**`;
    if (status === "unchanged") {
      lines.push(`- ${heading}`);
      continue;
    }
    const shown = names.slice(0, Math.max(0, budget));
    budget -= shown.length;
    lines.push(shown.length > 0 ? `- ${heading}: ${shown.map(code).join(", ")}` : `- ${heading}`);
  }
  const changed = rows.filter((r) => r.status !== "unchanged").length;
  const omitted = changed - Math.min(changed, Math.max(0, limit));
  if (omitted > 0) lines.push(`- …and ${plural(omitted, "more proxy", "more proxies")} — ${pointer}`);
  return lines.join("\n");
}
