/**
 * The terminal form of a Plan, in the spirit of `terraform plan`: problems
 * first, then per proxy each pending change with its field diffs and the
 * HAProxy config diff, then the one-line total.
 */
import { oneSafeLine, safeLines } from "../model/safe-text.js";
import { countChanges } from "./counts.js";
import {
  ACTION_SYMBOL,
  DEFAULT_SPEC_DIR,
  formatValue,
  PlanView,
  pendingChanges,
  rolloutStepText,
  summaryText,
} from "./render-shared.js";
import type { Action, Change, Plan, PlanError, PlanWarning } from "./types.js";

export interface TextRenderOptions {
  /** ANSI colours, for terminals only. */
  color?: boolean;
  /** Directory named in the "No changes" line (default `proxies/`). */
  specDir?: string;
}

type Paint = (code: string, text: string) => string;

const ANSI = { bold: "1", red: "31", green: "32", yellow: "33", cyan: "36", dim: "2" } as const;

const ACTION_COLOR: Record<Action, string> = {
  create: ANSI.green,
  update: ANSI.yellow,
  replace: ANSI.red,
  delete: ANSI.red,
  noop: ANSI.dim,
};

const STATUS_WORDS = {
  create: "will be created",
  change: "will be changed",
  destroy: "will be destroyed",
  unchanged: "unchanged",
} as const;

export function renderPlanText(plan: Plan, opts: TextRenderOptions = {}): string {
  const paint: Paint = opts.color ? (code, text) => `\u001b[${code}m${text}\u001b[0m` : (_code, text) => text;
  const out: string[] = [];

  for (const error of plan.errors) out.push(formatError(error, paint));
  for (const warning of plan.warnings) out.push(formatWarning(warning, paint));
  if (out.length > 0) out.push("");

  const view = new PlanView(plan);
  let unchanged = 0;
  for (const { proxy, status } of view.rows) {
    if (status === "unchanged") {
      unchanged++;
      continue;
    }
    const file = proxy.file ? ` (${oneSafeLine(proxy.file)})` : "";
    out.push(paint(ANSI.bold, `${oneSafeLine(proxy.name)}${file} ${STATUS_WORDS[status]}`));
    const changes = view.changesOf(proxy.name);
    for (const change of changes) out.push(...formatChange(change, paint));
    const rollout = view.rolloutOf(proxy.name);
    if (rollout.length > 0) {
      out.push("    Rollout, one step at a time:");
      for (const [i, step] of rollout.entries()) out.push(`      ${i + 1}. ${oneSafeLine(rolloutStepText(step))}`);
    }
    const configDiff = view.configDiffOf(proxy.name);
    if (changes.length === 0 && configDiff === "") out.push("    no resource changes");
    if (configDiff !== "") {
      out.push("    HAProxy config:");
      out.push(
        ...configDiff
          .replace(/\n$/, "")
          .split("\n")
          .map((line) => `      ${paintDiffLine(safeLines(line), paint)}`),
      );
    }
    out.push("");
  }
  if (unchanged > 0) out.push(`${unchanged} unchanged ${unchanged === 1 ? "proxy" : "proxies"}.`, "");

  if (plan.errors.length > 0) {
    out.push(
      paint(
        ANSI.red,
        `This plan cannot be applied: ${plan.errors.length} ${plan.errors.length === 1 ? "error" : "errors"}.`,
      ),
    );
  }
  const quiet = pendingChanges(plan).length === 0 && plan.errors.length === 0;
  out.push(
    quiet
      ? `No changes. Azure matches ${opts.specDir ?? DEFAULT_SPEC_DIR}.`
      : paint(ANSI.bold, `Plan: ${summaryText(countChanges(plan.changes))}.`),
  );
  return `${out.join("\n")}\n`;
}

function formatChange(change: Change, paint: Paint): string[] {
  const symbol = paint(ACTION_COLOR[change.action], ACTION_SYMBOL[change.action].padStart(3));
  const lines = [
    `  ${symbol} ${oneSafeLine(change.address)} (${change.action})`,
    `        ${paint(ANSI.dim, `# ${oneSafeLine(change.reason)}`)}`,
  ];
  for (const diff of change.diffs) {
    lines.push(`        ${oneSafeLine(diff.path)}: ${formatValue(diff.before)} → ${formatValue(diff.after)}`);
  }
  return lines;
}

function formatError(error: PlanError, paint: Paint): string {
  const where = error.file ? ` (${oneSafeLine(error.file)}${error.line !== undefined ? `:${error.line}` : ""})` : "";
  const address = error.address ? ` ${oneSafeLine(error.address)}` : "";
  return `${paint(ANSI.red, "Error:")} ${oneSafeLine(error.proxy)}${address}${where}: ${oneSafeLine(error.message)}`;
}

function formatWarning(warning: PlanWarning, paint: Paint): string {
  const address = warning.address ? ` ${oneSafeLine(warning.address)}` : "";
  return `${paint(ANSI.yellow, "Warning:")} [${warning.code}] ${oneSafeLine(warning.proxy)}${address}: ${oneSafeLine(warning.message)}`;
}

function paintDiffLine(line: string, paint: Paint): string {
  if (line.startsWith("---") || line.startsWith("+++")) return paint(ANSI.bold, line);
  if (line.startsWith("@@")) return paint(ANSI.cyan, line);
  if (line.startsWith("+")) return paint(ANSI.green, line);
  if (line.startsWith("-")) return paint(ANSI.red, line);
  return line;
}
