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
import { HEALTH_SCRIPT } from "./vm-files.js";
import { runCommandScript } from "./vmscripts.js";

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

/** The parameter of src/dataplane/vm/ipv6-proxy-health.sh: what to do, a HealthAction. */
export const HEALTH_ACTION_PARAMETER = "IPV6_PROXY_HEALTH_ACTION";

/**
 * Lines for Run Command `RunShellScript` (src/dataplane/vm/ipv6-proxy-health.sh):
 * drain (the endpoint answers 503, so the load balancer sends no new flows)
 * or serve again, then report what the endpoint answers now. Run Command
 * reports no exit status, so the result is the `health endpoint: http=NNN`
 * line. The .sh spells out HEALTH_PORT, HEALTH_PATH, HEALTH_BACKEND and
 * HEALTH_SERVER (a unit test holds them equal).
 */
export function healthScript(action: HealthAction): string[] {
  return runCommandScript(HEALTH_SCRIPT, { [HEALTH_ACTION_PARAMETER]: action });
}
