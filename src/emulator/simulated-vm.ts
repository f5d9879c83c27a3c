/**
 * The emulator's stand-in for proxy VMs answering Run Command and a load
 * balancer's health probe, without running anything: it knows the contract
 * of the scripts the engine sends (src/dataplane/serving.ts, vmscripts.ts,
 * health.ts) and the VM's boot.
 *
 * - **First boot.** The VM PUT's operation ends Succeeded before cloud-init has
 *   installed HAProxy: the Azure datasource reports ready to the fabric during
 *   cloud-init's init stage (canonical/cloud-init DataSourceAzure.py,
 *   `crawl_metadata` → `_report_ready`), and `packages:` and `runcmd` run later
 *   in the config and final stages. So cloud-init runs on for `cloudInitMs`
 *   after the VM is created, and a first boot can fail (an apt mirror that is
 *   down): HAProxy is then never installed. A boot that succeeds serves the
 *   config that was in userData at creation.
 * - **The serving check** waits for cloud-init (`cloud-init status --wait`);
 *   any other script meets the VM as it is at that moment.
 * - **The apply script** installs the userData whose hash the caller expects;
 *   the VM serves it from then on.
 * - **The health script** drains the health endpoint (503) or serves it again.
 * - **A probe** is up when HAProxy runs (the first boot is done), the config
 *   it serves has the endpoint the probe asks for, and it is not draining.
 * - **The health report script** (src/dataplane/report-script.ts) gets what HAProxy
 *   would say about the config it serves (simulated-haproxy.ts), with the
 *   backend states tests set through Emulator.setBackendHealth; before the
 *   first boot ends, HAProxy is missing.
 *
 * Tests that need the real scripts and a real `haproxy -c` plug in their own
 * handler with emulator.onRunCommand() (test/support/vm-double.ts).
 */
import { createHash } from "node:crypto";
import { HEALTH_ACTION_PARAMETER } from "../dataplane/health.js";
import { REPORT_END } from "../dataplane/report-script.js";
import { EXPECTED_SHA256_PARAMETER, VERDICT_PREFIX, VERDICTS, verdictLine } from "../dataplane/serving.js";
import { APPLY_SCRIPT_PATH, scriptParameter } from "../dataplane/vmscripts.js";
import type { Json } from "./http.js";
import { type BackendHealth, simulatedReportOutput } from "./simulated-haproxy.js";
import type { ProbeRequest, RunCommandHandler, RunCommandResult, VmBoot } from "./world.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a VM serves: the config HAProxy runs, and whether its health endpoint drains. */
interface Served {
  config?: string;
  draining: boolean;
}

export class SimulatedVms {
  /** Per boot, so a VM created again under the same name starts afresh. */
  private readonly served = new WeakMap<VmBoot, Served>();
  /** VMs the emulator did not boot (seeded by tests): they serve their userData. */
  private readonly seeded = new Map<string, Served>();
  /** How HAProxy's checks see each backend, by address (every port) or `address:port`; others are UP. */
  readonly backendHealth = new Map<string, BackendHealth>();
  /** VMs (lower-cased id) whose HAProxy a test stopped. */
  readonly stoppedHaproxy = new Set<string>();

  constructor(
    private readonly getResource: (id: string) => Json | undefined,
    private readonly bootOf: (vmId: string) => VmBoot | undefined,
  ) {}

  readonly runCommand: RunCommandHandler = async (vmId, script) => {
    const text = script.join("\n");
    if (text.includes(REPORT_END)) return { exitCode: 0, stdout: this.report(vmId), stderr: "" };
    const health = scriptParameter(script, HEALTH_ACTION_PARAMETER);
    if (health !== undefined) {
      if (health !== "drain" && health !== "serve")
        return fail(`ipv6-proxy-health: ${HEALTH_ACTION_PARAMETER} must be drain or serve\n`, "");
      const served = this.servedBy(vmId);
      if (served) served.draining = health === "drain";
      return { exitCode: 0, stdout: `health endpoint: http=${endpointStatus(served)}\n`, stderr: "" };
    }
    const check = text.includes(VERDICT_PREFIX);
    const verdict = (v: string) => (check ? `${verdictLine(v)}\n` : "");
    const boot = this.bootOf(vmId);
    const waitsForBoot = /cloud-init status --wait/.test(text);
    // A timer may fire a millisecond before Date.now() reaches its deadline (libuv rounds to whole
    // milliseconds), so wait until the clock says the boot is over, not merely for the timer.
    while (waitsForBoot && boot && boot.readyAt > Date.now()) await sleep(boot.readyAt - Date.now() + 1);
    const booted = !boot || Date.now() >= boot.readyAt;

    if (waitsForBoot && boot?.error) {
      return fail(
        `status: error\nextended_status: error - done\ndetail: DataSourceAzure\nerrors:\n\t- ${boot.error}\n${boot.error}\n`,
        verdict(VERDICTS.firstBootFailed),
      );
    }
    if (!text.includes(APPLY_SCRIPT_PATH)) return fail("simulated VM: this script does nothing it knows\n", "");
    if (!booted || boot?.error) {
      // cloud-init's write_files (init stage) has put the apply script in place, but
      // `packages:` (a later stage) has not installed HAProxy (yet).
      return fail(
        `${APPLY_SCRIPT_PATH}: line 97: haproxy: command not found\nipv6-proxy-apply: haproxy rejected the config; /etc/haproxy/haproxy.cfg is unchanged:\n`,
        verdict(VERDICTS.configNotApplied),
      );
    }
    const expected =
      scriptParameter(script, EXPECTED_SHA256_PARAMETER) ?? /--expect-sha256\s+([0-9a-f]{64})/.exec(text)?.[1];
    const userData = this.getResource(vmId)?.properties?.userData;
    if (typeof userData !== "string")
      return fail("ipv6-proxy-apply: the VM has no userData\n", verdict(VERDICTS.configNotApplied));
    const config = Buffer.from(userData, "base64");
    const sha = createHash("sha256").update(config).digest("hex");
    if (expected && expected !== sha) {
      return fail(
        `ipv6-proxy-apply: gave up: userData sha256=${sha}, expected ${expected}\n`,
        verdict(VERDICTS.configNotApplied),
      );
    }
    const served = this.servedBy(vmId);
    if (served) served.config = config.toString("utf8");
    const applied = `applied config sha256=${sha} bytes=${config.length} path=/etc/haproxy/haproxy.cfg changed=yes reload=yes\n`;
    return { exitCode: 0, stdout: applied + verdict(VERDICTS.serving(sha)), stderr: "" };
  };

  /** What a load balancer's health probe sees on this VM. */
  probe(vmId: string, probe: ProbeRequest): { up: boolean; reason: string } {
    const vm = this.getResource(vmId);
    if (vm?.properties?.provisioningState !== "Succeeded")
      return { up: false, reason: "the virtual machine is not running" };
    const boot = this.bootOf(vmId);
    if (boot && (boot.error || Date.now() < boot.readyAt))
      return { up: false, reason: "HAProxy is not running (the first boot has not finished)" };
    const served = this.servedBy(vmId);
    const config = served?.config ?? "";
    const http = probe.protocol.toLowerCase() !== "tcp";
    const path = probe.requestPath ?? "/";
    if (!config.includes(`bind :::${probe.port} `) || (http && !config.includes(`{ path ${path} }`)))
      return { up: false, reason: `nothing answers ${probe.protocol} ${path} on port ${probe.port}` };
    if (http && served?.draining) return { up: false, reason: `${path} answers 503 (draining)` };
    return { up: true, reason: "probe succeeded" };
  }

  /** What the report script prints on this VM: HAProxy's view of the config it serves. */
  private report(vmId: string): string {
    const boot = this.bootOf(vmId);
    const booted = !boot || (Date.now() >= boot.readyAt && !boot.error);
    return simulatedReportOutput({
      config: booted ? this.servedBy(vmId)?.config : undefined,
      installed: booted,
      cloudInit: boot?.error ? "error" : booted ? "done" : "running",
      running: booted && !this.stoppedHaproxy.has(vmId.toLowerCase()),
      backendHealth: (address, port) => this.backendHealth.get(`${address}:${port}`) ?? this.backendHealth.get(address),
    });
  }

  private servedBy(vmId: string): Served | undefined {
    const vm = this.getResource(vmId);
    if (!vm) return undefined;
    const boot = this.bootOf(vmId);
    if (boot) {
      const known = this.served.get(boot);
      if (known) return known;
      const served: Served = { draining: false, ...configOf(boot.config) };
      this.served.set(boot, served);
      return served;
    }
    const key = vmId.toLowerCase();
    const seeded = this.seeded.get(key);
    if (seeded) return seeded;
    const userData = vm.properties?.userData;
    const config = typeof userData === "string" ? Buffer.from(userData, "base64").toString("utf8") : undefined;
    const served: Served = { draining: false, ...configOf(config) };
    this.seeded.set(key, served);
    return served;
  }
}

const configOf = (config: string | undefined) => (config === undefined ? {} : { config });

/** What curl reports for the health endpoint: "000" when nothing listens. */
function endpointStatus(served: Served | undefined): string {
  if (!served?.config?.includes("frontend health")) return "000";
  return served.draining ? "503" : "200";
}

function fail(stderr: string, stdout: string): RunCommandResult {
  return { exitCode: 1, stdout, stderr };
}
