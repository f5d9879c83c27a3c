/**
 * The emulator's stand-in for a proxy VM answering Run Command, without
 * running anything: it knows the contract of the scripts the engine sends
 * (src/dataplane/serving.ts, src/dataplane/vmscripts.ts) and the VM's boot.
 *
 * - **First boot.** The VM PUT's operation ends Succeeded before cloud-init has
 *   installed HAProxy: the Azure datasource reports ready to the fabric during
 *   cloud-init's init stage (canonical/cloud-init DataSourceAzure.py,
 *   `crawl_metadata` → `_report_ready`), and `packages:` and `runcmd` run later
 *   in the config and final stages. So cloud-init runs on for `cloudInitMs`
 *   after the VM is created, and a first boot can fail (an apt mirror that is
 *   down): HAProxy is then never installed.
 * - **The serving check** waits for cloud-init (`cloud-init status --wait`);
 *   any other script meets the VM as it is at that moment.
 * - **The apply script** installs the userData whose hash the caller expects.
 *
 * Tests that need the real scripts and a real `haproxy -c` plug in their own
 * handler with emulator.onRunCommand() (test/support/vm-double.ts).
 */
import { createHash } from "node:crypto";
import { VERDICT_PREFIX, VERDICTS, verdictLine } from "../dataplane/serving.js";
import { APPLY_SCRIPT_PATH } from "../dataplane/vmscripts.js";
import type { RunCommandHandler, RunCommandResult, VmBoot } from "./world.js";

type Json = Record<string, unknown>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function simulatedVm(
  getResource: (id: string) => Json | undefined,
  bootOf: (vmId: string) => VmBoot | undefined,
): RunCommandHandler {
  return async (vmId, script) => {
    const text = script.join("\n");
    const check = text.includes(VERDICT_PREFIX);
    const verdict = (v: string) => (check ? `${verdictLine(v)}\n` : "");
    const boot = bootOf(vmId);
    const waitsForBoot = /cloud-init status --wait/.test(text);
    if (waitsForBoot && boot && boot.readyAt > Date.now()) await sleep(boot.readyAt - Date.now());
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
    const expected = /--expect-sha256\s+([0-9a-f]{64})/.exec(text)?.[1];
    const userData = (getResource(vmId)?.properties as Json | undefined)?.userData;
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
    const applied = `applied config sha256=${sha} bytes=${config.length} path=/etc/haproxy/haproxy.cfg changed=yes reload=yes\n`;
    return { exitCode: 0, stdout: applied + verdict(VERDICTS.serving(sha)), stderr: "" };
  };
}

function fail(stderr: string, stdout: string): RunCommandResult {
  return { exitCode: 1, stdout, stderr };
}
