/**
 * Reads what the health script (src/dataplane/report-script.ts) printed on a
 * VM: HAProxy's `show stat` rows for the servers, then one summary line each
 * for HAProxy's state, the installed config's hash, the listening ports and
 * cloud-init, and a last line that proves the script ran to its end.
 *
 * Run Command returns only the last 4096 bytes of stdout, so the start may be
 * missing: rows are then read with the script's own column order, and the
 * last line's server count says how many were cut off.
 *
 * Everything the VM printed is data from a machine that may be compromised:
 * every value read is made one safe line (no line breaks, controls or bidi
 * characters) before it reaches a log, a comment or a terminal.
 */
import { REPORT_END, STAT_COLUMNS } from "../dataplane/report-script.js";
import { oneSafeLine } from "../model/safe-text.js";
import type { HealthAnswer, ServerCheck } from "./types.js";

const SUMMARY = /^(haproxy|config|listening|cloud-init|stats unavailable:)( |$)/;

export function parseHealthAnswer(stdout: string): HealthAnswer {
  const answer: HealthAnswer = { complete: false, listening: [], servers: [], serverCount: 0 };
  let columns: readonly string[] = STAT_COLUMNS;
  for (const raw of stdout.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") continue;
    if (line.startsWith("# ")) {
      columns = line.slice(2).split(",");
      continue;
    }
    const end = new RegExp(`^${REPORT_END} v(\\d+) servers=(\\d+)$`).exec(line);
    if (end) {
      answer.complete = true;
      answer.serverCount = Number(end[2]);
      continue;
    }
    if (SUMMARY.test(line)) {
      readSummary(line, answer);
      continue;
    }
    const server = readServer(parseCsvLine(line), columns);
    if (server) answer.servers.push(server);
  }
  return answer;
}

function readSummary(line: string, answer: HealthAnswer): void {
  const [word, ...rest] = line.split(" ");
  const value = oneSafeLine(rest.join(" ").trim(), 200);
  switch (word) {
    case "haproxy":
      if (value === "active" || value === "inactive" || value === "missing") answer.haproxy = value;
      return;
    case "config": {
      const sha = /^sha256=([0-9a-f]{64})$/.exec(value)?.[1];
      if (sha) answer.configSha256 = sha;
      return;
    }
    case "listening":
      answer.listening = value
        .split(/\s+/)
        .filter((p) => /^\d+$/.test(p))
        .map(Number);
      return;
    case "cloud-init":
      answer.cloudInit = value;
      return;
    case "stats":
      answer.statsError = oneSafeLine(line.slice("stats unavailable:".length).trim(), 200);
      return;
  }
}

function readServer(fields: string[], columns: readonly string[]): ServerCheck | undefined {
  const get = (name: string): string => {
    const i = columns.indexOf(name);
    return i >= 0 ? oneSafeLine(fields[i] ?? "", 200) : "";
  };
  const backend = get("pxname");
  const server = get("svname");
  const status = get("status");
  if (!backend || !server || !status || server === "FRONTEND" || server === "BACKEND") return undefined;
  const port = /^port_(\d+)_/.exec(backend)?.[1];
  const since = get("lastchg");
  const check = get("check_status").replace(/^\* /, "");
  return {
    backend,
    server,
    ...(port ? { port: Number(port) } : {}),
    up: isUp(status),
    status,
    check,
    reason: get("last_chk") || get("check_desc"),
    ...(/^\d+$/.test(since) ? { sinceSeconds: Number(since) } : {}),
  };
}

/**
 * HAProxy's server states (src/stats.c `srv_hlt_st`, 2.6 to 2.8): "UP", and
 * "UP 1/2" while failing checks but not yet down, take traffic. "DOWN",
 * "DOWN 1/2" (recovering), "NOLB"/"DRAIN" (up, load balancing disabled),
 * "MAINT…" and "no check" (never checked) are not counted as serving.
 */
function isUp(status: string): boolean {
  return status === "UP" || /^UP \d+\/\d+$/.test(status);
}

/**
 * One line of HAProxy's CSV: comma-separated, a field is double-quoted only
 * when it holds a comma or a quote, and a quote inside is doubled (management
 * guide, section 9.1).
 */
export function parseCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = "";
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else value += line[i++];
      }
      fields.push(value);
      i = line.indexOf(",", i) === -1 ? line.length + 1 : line.indexOf(",", i) + 1;
    } else {
      const next = line.indexOf(",", i);
      fields.push(line.slice(i, next === -1 ? line.length : next));
      i = next === -1 ? line.length + 1 : next + 1;
    }
  }
  return fields;
}
