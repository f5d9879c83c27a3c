/**
 * The read-only report script that Run Command runs on a proxy VM to report what
 * HAProxy serves: which config it runs (by hash), the ports HAProxy listens
 * on, and the state of every backend server as HAProxy's own health checks
 * see it (`show stat` on the stats socket the rendered config declares).
 *
 * It is sent whole with every Run Command instead of being installed by
 * cloud-init, because customData can never change on an existing VM: every
 * proxy VM, old or new, answers the same questions.
 *
 * Run Command keeps only the last 4096 bytes of stdout, so the script prints
 * the servers first (UP ones before the others, so a cut drops healthy ones
 * first) and its summary last, ending with a line that says how many servers
 * there are. src/verify/health-report.ts reads this output.
 */
import { REPORT_SCRIPT } from "./vm-files.js";

/** First word of the script's last line; its presence means the script ran to the end (the .sh spells it out). */
export const REPORT_END = "ipv6-proxy-report";
export const REPORT_FORMAT_VERSION = 1;
/** The stats socket of the rendered config (src/dataplane/haproxy.ts, `stats socket`); the .sh spells it out. */
export const STATS_SOCKET = "/run/haproxy/admin.sock";
/**
 * Columns of `show stat` the script keeps, by name (HAProxy management guide
 * 9.1, "CSV format": names in the header line, values CSV-quoted only when
 * ambiguous). Kept short: a full row is ~300 bytes, these ~70.
 */
export const STAT_COLUMNS = [
  "pxname",
  "svname",
  "status",
  "check_status",
  "lastchg",
  "last_chk",
  "check_desc",
] as const;

/**
 * The Run Command `script` lines: src/dataplane/vm/ipv6-proxy-report.sh.
 * Environment overrides (for tests): IPV6_PROXY_CFG, IPV6_PROXY_STATS_SOCKET,
 * IPV6_PROXY_ACTIVE_CMD (exits 0 when HAProxy runs).
 */
export function reportScriptLines(): string[] {
  return REPORT_SCRIPT.trimEnd().split("\n");
}
