/**
 * What the health script (src/dataplane/report-script.ts) prints on a proxy
 * VM, made up from the config the VM runs and the backend states a test has
 * set. The rows are HAProxy's own `show stat` words as HAProxy 2.6 prints them
 * for a TCP check (test/dataplane/report-script.test.ts compares this output
 * with real HAProxy's): UP/L4OK "Layer4 check passed", DOWN/L4CON "Connection
 * refused" "Layer4 connection problem", DOWN/L4TOUT "Layer4 timeout".
 */
import { createHash } from "node:crypto";
import { REPORT_END, REPORT_FORMAT_VERSION, STAT_COLUMNS } from "../dataplane/report-script.js";

/** How a backend fails its checks: it refuses connections, or never answers. */
export type BackendFailure = "refused" | "timeout";

export interface BackendHealth {
  up: boolean;
  failure?: BackendFailure;
  /** Only on this port; every port when undefined. */
  port?: number;
}

export interface SimulatedHaproxy {
  /** The installed config text; undefined when none was ever installed. */
  config: string | undefined;
  running: boolean;
  /** HAProxy is installed (cloud-init's first boot got that far); default true. */
  installed?: boolean;
  /** What `cloud-init status` says: done, running, error; default done. */
  cloudInit?: string;
  /** Health of each backend address; unknown addresses are UP. */
  backendHealth: (address: string, port: number) => BackendHealth | undefined;
}

interface ConfiguredServer {
  backend: string;
  server: string;
  port: number;
}

export function simulatedReportOutput(vm: SimulatedHaproxy): string {
  const servers = vm.config ? serversOf(vm.config) : [];
  const rows = servers.map((s) => {
    const health = vm.backendHealth(s.server, s.port) ?? { up: true };
    // lastchg: seconds since the last transition; a fixed, plausible value keeps the output stable.
    if (health.up) return [s.backend, s.server, "UP", "L4OK", "120", "", "Layer4 check passed"];
    return health.failure === "timeout"
      ? [s.backend, s.server, "DOWN", "L4TOUT", "30", "", "Layer4 timeout"]
      : [s.backend, s.server, "DOWN", "L4CON", "30", "Connection refused", "Layer4 connection problem"];
  });
  rows.sort((a, b) => (a[2] === "UP" ? 0 : 1) - (b[2] === "UP" ? 0 : 1));
  const lines: string[] = [];
  if (vm.running && vm.config) {
    lines.push(`# ${STAT_COLUMNS.join(",")}`, ...rows.map((r) => r.join(",")));
  } else {
    lines.push("stats unavailable: FileNotFoundError: [Errno 2] No such file or directory");
  }
  lines.push(`haproxy ${vm.installed === false ? "missing" : vm.running ? "active" : "inactive"}`);
  lines.push(vm.config ? `config sha256=${createHash("sha256").update(vm.config).digest("hex")}` : "config missing");
  lines.push(`listening ${vm.running && vm.config ? listenPorts(vm.config).join(" ") : ""} `);
  lines.push(`cloud-init ${vm.cloudInit ?? "done"}`);
  lines.push(`${REPORT_END} v${REPORT_FORMAT_VERSION} servers=${vm.running && vm.config ? rows.length : 0}`);
  return `${lines.join("\n")}\n`;
}

/** `server NAME ADDR:PORT` lines under each `backend NAME` section of a rendered config. */
function serversOf(config: string): ConfiguredServer[] {
  const out: ConfiguredServer[] = [];
  let backend: string | undefined;
  for (const line of config.split("\n")) {
    const section = /^(\S+)\s+(\S+)/.exec(line);
    if (section) backend = section[1] === "backend" ? section[2] : undefined;
    const server = /^\s+server\s+(\S+)\s+\S+:(\d+)/.exec(line);
    if (backend && server) out.push({ backend, server: server[1]!, port: Number(server[2]) });
  }
  return out;
}

function listenPorts(config: string): number[] {
  const ports = [...config.matchAll(/^\s+bind\s+\S*:(\d+)/gm)].map((m) => Number(m[1]));
  return [...new Set(ports)].sort((a, b) => a - b);
}
