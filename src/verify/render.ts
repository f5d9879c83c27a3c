/**
 * A health report for people: Markdown (apply comment, drift issue, job
 * summary) and plain text (the CLI). One row per proxy: its IPv6 address, its
 * public IPv4 (what backends allow-list), each DNS name and each backend
 * server as HAProxy sees it, and the time the checks took.
 */
import { alert, code, plural, table, text } from "../plan/markdown-format.js";
import { probeLabel } from "./outside-in.js";
import type {
  DnsCheck,
  HealthReport,
  HealthSource,
  ProbeOutcome,
  ProxyHealth,
  ServerCheck,
  Verdict,
  VmHealth,
} from "./types.js";
import { downReason } from "./verdict.js";

const MARK: Record<Verdict, string> = { healthy: "✅ healthy", warning: "⚠️ warning", failure: "❌ failure" };

export interface HealthMarkdownOptions {
  /** Heading level and words; default "#### Verification". */
  heading?: string;
  /** The rendering stays within this many characters (rows are left out, and counted, beyond it). */
  maxChars?: number;
}

export function renderHealthMarkdown(report: HealthReport, opts: HealthMarkdownOptions = {}): string {
  const max = opts.maxChars ?? Number.POSITIVE_INFINITY;
  // Failures and warnings come first; together they take at most a third of the room.
  const alertBudget = max / 3;
  const head: string[] = [opts.heading ?? "#### Verification", "", summaryLine(report), ""];
  const failures = report.proxies.flatMap((p) => p.failures.map((f) => `${code(p.proxy)}: ${text(f)}`));
  const warnings = report.proxies.flatMap((p) => p.warnings.map((w) => `${code(p.proxy)}: ${text(w)}`));
  let used = 0;
  for (const [kind, lines] of [
    ["CAUTION", failures],
    ["WARNING", warnings],
  ] as const) {
    if (lines.length === 0) continue;
    const kept = within(lines, alertBudget - used);
    const block = alert(
      kind,
      kept.length < lines.length ? [...kept, `… and ${lines.length - kept.length} more`] : kept,
    );
    used += block.length;
    head.push(block, "");
  }
  const notes = within(
    report.proxies.flatMap((p) => p.notes.map((n) => `- ${code(p.proxy)}: ${text(n)}`)),
    max / 6,
  );
  const tableHead = table(
    ["Proxy", "Health", "IPv6 address", "Public IPv4 (allow-list)", "DNS", "Backends", "Checked by", "Took"],
    [],
  );
  const rows = report.proxies.map((p) => row(p));
  let out = `${head.join("\n")}\n${tableHead}\n`;
  const tail = notes.length ? `\n${notes.join("\n")}\n` : "";
  for (let i = 0; i < rows.length; i++) {
    const left = rows.length - i;
    const more = `\n_${plural(left, "more proxy", "more proxies")} left out here for length._\n`;
    if (out.length + rows[i]!.length + 1 + more.length + tail.length > max) return `${out}${more}${tail}`;
    out += `${rows[i]}\n`;
  }
  return `${out}${tail}`;
}

/** The first lines that fit in `budget` characters. */
function within(lines: string[], budget: number): string[] {
  const kept: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 3 > budget) break;
    kept.push(line);
    size += line.length + 3;
  }
  return kept;
}

function summaryLine(report: HealthReport): string {
  const count = (v: Verdict) => report.proxies.filter((p) => p.verdict === v).length;
  const seconds = (report.durationMs / 1000).toFixed(1);
  if (report.proxies.length === 0) return "No proxy to check.";
  const parts = [`${count("healthy")} healthy`];
  if (count("warning")) parts.push(`${count("warning")} with warnings`);
  if (count("failure")) parts.push(`${count("failure")} failing`);
  return `Checked ${plural(report.proxies.length, "proxy", "proxies")} in ${seconds} s: ${parts.join(", ")}.`;
}

function row(p: ProxyHealth): string {
  const cells = [
    code(p.proxy),
    MARK[p.verdict],
    p.ipv6Address ? code(p.ipv6Address) : "—",
    p.ipv4Address ? code(p.ipv4Address) : "—",
    p.dns.length ? p.dns.map((d) => `${code(d.name)} ${dnsWord(d)}`).join("<br>") : "—",
    backendCells(
      p,
      (s) => code(s),
      (s) => text(s),
    ).join("<br>") || "—",
    text(sourceWords(p)),
    `${(p.durationMs / 1000).toFixed(1)} s`,
  ];
  return table(
    cells.map(() => ""),
    [cells],
  ).split("\n")[2]!;
}

function dnsWord(d: DnsCheck): string {
  switch (d.status) {
    case "ok":
      return "OK";
    case "wrong":
      return `wrong (${d.addresses.join(", ") || "no address"})`;
    case "missing":
      return "missing";
    case "unanswered":
      return "no answer";
  }
}

/** Which check the Backends cell comes from, and through which address. */
export function sourceWords(p: ProxyHealth): string {
  const words: Record<HealthSource, string> = {
    "run-command": "Run Command (HAProxy's view)",
    "outside-in": `from outside (IPv${p.outside?.family ?? ""} ${p.outside?.address ?? ""})`,
    none: "not checked",
  };
  return words[p.source];
}

/**
 * Run Command: one entry per backend server (and VM, for replicas): UP when
 * every HAProxy backend that uses it sees it UP, else where it is DOWN and why.
 * From outside: one entry per port and name, answered or not.
 */
function backendCells(p: ProxyHealth, asCode: (s: string) => string, asText: (s: string) => string): string[] {
  if (p.source === "outside-in" && p.outside) {
    return p.outside.probes.map((r) => `${asText(probeLabel(r))} ${OUTCOME_CELL[r.outcome]}`);
  }
  return vmCells(p.vms, asCode, asText);
}

/** The table's short words; the warnings above it say more. */
const OUTCOME_CELL: Record<ProbeOutcome, string> = {
  answered: "answers",
  open: "answers (connection open)",
  closed: "no answer (closed: no server up)",
  refused: "refused",
  timeout: "no answer in time",
  unreachable: "not reached from this runner",
  error: "error",
};

function vmCells(vms: VmHealth[], asCode: (s: string) => string, asText: (s: string) => string): string[] {
  const several = vms.length > 1;
  return vms.flatMap((vm) => {
    const prefix = several ? `${asText(vm.vm.name)}: ` : "";
    if (vm.status === "not-permitted") return [`${prefix}not checked`];
    if (vm.status === "error" || !vm.answer?.complete) return [`${prefix}no answer`];
    if (vm.answer.haproxy !== "active") return [`${prefix}HAProxy ${vm.answer.haproxy ?? "unknown"}`];
    return groupByServer(vm.answer.servers).map(([server, checks]) => {
      const down = checks.filter((c) => !c.up);
      if (down.length === 0) return `${prefix}${asCode(server)} UP`;
      const where = down.map((c) => `${c.port ?? "?"}: ${downReason(c)}`).join("; ");
      return `${prefix}${asCode(server)} DOWN (${asText(where)})`;
    });
  });
}

function groupByServer(servers: ServerCheck[]): [string, ServerCheck[]][] {
  const map = new Map<string, ServerCheck[]>();
  for (const s of servers) map.set(s.server, [...(map.get(s.server) ?? []), s]);
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The CLI's view: one block per proxy. */
export function renderHealthText(report: HealthReport): string {
  const lines: string[] = [];
  for (const p of report.proxies) {
    lines.push(
      `${p.proxy}  ${p.verdict}  IPv6 ${p.ipv6Address ?? "-"}  IPv4 ${p.ipv4Address ?? "-"}  (${(p.durationMs / 1000).toFixed(1)} s)`,
    );
    if (p.dns.length) lines.push(`  DNS       ${p.dns.map((d) => `${d.name} ${dnsWord(d)}`).join("; ")}`);
    const backends = backendCells(
      p,
      (s) => s,
      (s) => s,
    );
    if (backends.length) lines.push(`  backends  ${backends.join("; ")}`);
    lines.push(`  checked   ${sourceWords(p)}`);
    for (const f of p.failures) lines.push(`  failure: ${f}`);
    for (const w of p.warnings) lines.push(`  warning: ${w}`);
    for (const n of p.notes) lines.push(`  note: ${n}`);
  }
  lines.push(summaryLine(report));
  return lines.join("\n");
}
