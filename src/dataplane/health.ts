/**
 * The health endpoint of a replica: HTTP on HEALTH_PORT, served by HAProxy
 * itself and probed by the load balancer. It answers 200 while the replica
 * takes new connections and 503 while it drains. Draining is HAProxy runtime
 * state (the one server of the `health` backend put in maintenance through
 * the admin socket), so the established TCP flows of the proxy ports are
 * never touched: the load balancer only stops sending new ones
 * (learn.microsoft.com/azure/load-balancer/skus: on a Standard load balancer
 * "TCP connections stay alive on an instance probe down").
 *
 * Only proxies with replicas render it; a single VM's config is unchanged.
 */
import { HEALTH_PATH, HEALTH_PORT } from "../model/replicas.js";

/** The backend whose one server says whether this replica serves. */
export const HEALTH_BACKEND = "health";
export const HEALTH_SERVER = "serving";

/** Lines a script prints, and the engine reads back from Run Command's stdout. */
export const HEALTH_REPORT = /health endpoint: http=(\d{3})/;

const INDENT = "    ";

/** HAProxy sections of the health endpoint, appended to a replica's config. */
export function renderHealthSections(): string {
  const frontend = [
    "frontend health",
    "mode http",
    `bind :::${HEALTH_PORT} v4v6`,
    // The probe asks every few seconds: log only what goes wrong.
    "option dontlog-normal",
    "timeout client 5s",
    `http-request return status 503 content-type text/plain string "draining" if { path ${HEALTH_PATH} } { nbsrv(${HEALTH_BACKEND}) lt 1 }`,
    `http-request return status 200 content-type text/plain string "serving" if { path ${HEALTH_PATH} }`,
    'http-request return status 404 content-type text/plain string "not found"',
  ];
  const backend = [
    `backend ${HEALTH_BACKEND}`,
    "mode http",
    // Never connected to and never checked: a server without `check` counts as up until it
    // is put in maintenance, which is what draining does.
    `server ${HEALTH_SERVER} 127.0.0.1:9`,
  ];
  return [
    `# ---- health endpoint for the load balancer's probe: ${HEALTH_PATH} on port ${HEALTH_PORT}`,
    section(frontend),
    section(backend),
  ].join("\n");
}

function section(body: string[]): string {
  const [head, ...rest] = body;
  return [head, ...rest.map((l) => INDENT + l)].map((l) => `${l}\n`).join("");
}

export type HealthAction = "drain" | "serve";

/**
 * Lines for Run Command `RunShellScript`: drain (the endpoint answers 503, so
 * the load balancer sends no new flows) or serve again, then report what the
 * endpoint answers now. Run Command reports no exit status, so the result is
 * the `health endpoint: http=NNN` line. The admin socket is HAProxy's own (the
 * `stats socket` line of the config); python3 talks to it because Ubuntu's
 * cloud images always have it (cloud-init is written in Python).
 * Environment (for tests): IPV6_PROXY_ADMIN_SOCKET, IPV6_PROXY_HEALTH_URL.
 */
export function healthScript(action: HealthAction): string[] {
  const state = action === "drain" ? "maint" : "ready";
  return [
    "#!/bin/bash",
    `# ipv6-proxy-health ${action}`,
    "set -uo pipefail",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion in the script's text.
    'socket="${IPV6_PROXY_ADMIN_SOCKET:-/run/haproxy/admin.sock}"',
    `url="\${IPV6_PROXY_HEALTH_URL:-http://127.0.0.1:${HEALTH_PORT}${HEALTH_PATH}}"`,
    `answer="$(python3 -c 'import socket,sys`,
    "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
    "s.settimeout(5)",
    "s.connect(sys.argv[1])",
    's.sendall(sys.argv[2].encode() + b"\\n")',
    'out = b""',
    "while True:",
    "    chunk = s.recv(4096)",
    "    if not chunk:",
    "        break",
    "    out += chunk",
    `print(out.decode().strip())' "$socket" "set server ${HEALTH_BACKEND}/${HEALTH_SERVER} state ${state}" 2>&1)"`,
    `[ -z "$answer" ] || echo "haproxy: $answer"`,
    `code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)"`,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansion in the script's text.
    'echo "health endpoint: http=${code:-000}"',
  ];
}
