/**
 * "Is this VM serving?": the Run Command script that answers it, and how its
 * answer is read. Pure; src/azure/run-command.ts sends the script.
 *
 * Run Command on Linux (the RunCommandLinux extension) reports no exit status:
 * its enable step always ends "Enable succeeded", with the last 4,096 bytes of
 * stdout and of stderr (Azure/run-command-extension-linux main/cmds.go,
 * `enable` returns `msg, nil` "because extension should not fail if script
 * throws error"; main/status.go `statusMsg`; Azure/azure-cli#14425). So the
 * script prints its verdict as the last line of stdout, and only that line
 * counts.
 */
import { safeLines } from "../model/safe-text.js";
import { SERVING_CHECK_SCRIPT } from "./vm-files.js";
import { runCommandScript } from "./vmscripts.js";

/** The prefix of the one line of stdout that carries the verdict. */
export const VERDICT_PREFIX = "ipv6-proxy-check:";
/** Longest wait for cloud-init's first boot before the check gives up. */
export const CLOUD_INIT_WAIT_SECONDS = 900;

/** The verdicts the check prints, after VERDICT_PREFIX. */
export const VERDICTS = {
  serving: (sha256: string) => `serving sha256=${sha256}`,
  firstBootFailed: "not serving: the first boot failed (cloud-init reports an error)",
  cloudInitTimeout: `not serving: cloud-init is still running after ${CLOUD_INIT_WAIT_SECONDS} s`,
  configNotApplied: "not serving: the config was not applied",
  haproxyDown: "not serving: haproxy is not running",
} as const;

/** A verdict as the line the check prints. */
export const verdictLine = (verdict: string) => `${VERDICT_PREFIX} ${verdict}`;

export interface RunCommandOutput {
  stdout: string;
  stderr: string;
}

export type ServingVerdict =
  | { serving: true; configSha256: string; summary: string }
  | {
      serving: false;
      reason: "first-boot-failed" | "config-not-applied" | "haproxy-down" | "no-verdict";
      /** The verdict line, then the VM's own words (the end of stderr). */
      message: string;
    };

/** The parameter of src/dataplane/vm/ipv6-proxy-serving-check.sh: the sha256 of the config it expects. */
export const EXPECTED_SHA256_PARAMETER = "IPV6_PROXY_EXPECTED_SHA256";

/**
 * RunShellScript lines of src/dataplane/vm/ipv6-proxy-serving-check.sh: wait
 * until cloud-init has finished the first boot (the VM reports ready to Azure
 * before cloud-final installs HAProxy), install the config whose userData hash
 * is `expectedSha256` (the apply script validates it and reloads HAProxy only
 * when it changed), check that HAProxy runs, and print the verdict last. The
 * .sh spells out VERDICTS, CLOUD_INIT_WAIT_SECONDS and APPLY_SCRIPT_PATH (a
 * unit test holds them equal).
 */
export function servingCheckScript(expectedSha256: string): string[] {
  if (!/^[0-9a-f]{64}$/.test(expectedSha256)) {
    throw new Error(`expected sha256 must be 64 lower-case hex digits, got ${JSON.stringify(expectedSha256)}`);
  }
  return runCommandScript(SERVING_CHECK_SCRIPT, { [EXPECTED_SHA256_PARAMETER]: expectedSha256 });
}

/**
 * The two streams in a RunCommandLinux status message:
 * `Enable succeeded: \n[stdout]\n…\n[stderr]\n…` (main/cmds.go `enable`).
 * A message of another shape is kept whole as stderr.
 */
export function parseRunCommandMessage(message: string): RunCommandOutput {
  const out = message.indexOf("[stdout]\n");
  const err = message.lastIndexOf("\n[stderr]\n");
  if (out < 0 || err < out) return { stdout: "", stderr: message };
  return { stdout: message.slice(out + "[stdout]\n".length, err), stderr: message.slice(err + "\n[stderr]\n".length) };
}

/** Reads the check's verdict: serving only if the last verdict line says so for this very config. */
export function judgeServing(output: RunCommandOutput, expectedSha256: string): ServingVerdict {
  const verdict = output.stdout
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.startsWith(VERDICT_PREFIX))
    .at(-1);
  // The VM's words go into logs and comments: one block of plain lines, no control characters.
  const theVmSaid = safeLines(lastLines(output.stderr, 20));
  const withVm = (line: string) => (theVmSaid ? `${line}\n${theVmSaid}` : line);
  if (verdict === verdictLine(VERDICTS.serving(expectedSha256))) {
    const applied = output.stdout.split("\n").find((l) => l.startsWith("applied config sha256="));
    return { serving: true, configSha256: expectedSha256, summary: applied?.trim() ?? verdict };
  }
  if (!verdict) {
    return {
      serving: false,
      reason: "no-verdict",
      message: withVm("the VM gave no verdict (the check did not run to its end)"),
    };
  }
  const text = verdict.slice(VERDICT_PREFIX.length).trim();
  const reason =
    text === VERDICTS.firstBootFailed || text === VERDICTS.cloudInitTimeout
      ? "first-boot-failed"
      : text === VERDICTS.haproxyDown
        ? "haproxy-down"
        : "config-not-applied";
  return { serving: false, reason, message: withVm(text) };
}

function lastLines(text: string, n: number): string {
  return text.trim().split("\n").slice(-n).join("\n");
}
