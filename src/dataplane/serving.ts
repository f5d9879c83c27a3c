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
import { APPLY_SCRIPT_PATH } from "./vmscripts.js";

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

/**
 * RunShellScript lines: wait until cloud-init has finished the first boot (the
 * VM reports ready to Azure before cloud-final installs HAProxy), install the
 * config whose userData hash is `expectedSha256` (the apply script validates
 * it and reloads HAProxy only when it changed), check that HAProxy runs, and
 * print the verdict last.
 *
 * The extension runs the script file through `/bin/sh -c` (main/exec.go), so
 * the shebang picks bash.
 */
export function servingCheckScript(expectedSha256: string): string[] {
  if (!/^[0-9a-f]{64}$/.test(expectedSha256)) {
    throw new Error(`expected sha256 must be 64 lower-case hex digits, got ${JSON.stringify(expectedSha256)}`);
  }
  const say = (verdict: string) => `echo "${verdictLine(verdict)}"`;
  return [
    "#!/bin/bash",
    "# azure-ipv6-proxy: is this VM serving the expected config? The last line of stdout is the verdict.",
    "set -u",
    // cloud-init's return codes: 0 done, 2 done with recoverable errors, 1 failed
    // (cloudinit.readthedocs.io/en/latest/explanation/return_codes.html); timeout(1) answers 124.
    "if command -v cloud-init > /dev/null 2>&1; then",
    `  timeout ${CLOUD_INIT_WAIT_SECONDS} cloud-init status --wait > /dev/null 2>&1`,
    "  ci=$?",
    '  if [ "$ci" -eq 1 ] || [ "$ci" -eq 124 ]; then',
    "    cloud-init status --long >&2 2>&1",
    "    tail -n 25 /var/log/cloud-init-output.log >&2 2> /dev/null",
    `    if [ "$ci" -eq 124 ]; then ${say(VERDICTS.cloudInitTimeout)}; else ${say(VERDICTS.firstBootFailed)}; fi`,
    "    exit 1",
    "  fi",
    "fi",
    `if ! ${APPLY_SCRIPT_PATH} --expect-sha256 ${expectedSha256}; then`,
    `  ${say(VERDICTS.configNotApplied)}`,
    "  exit 1",
    "fi",
    "if ! systemctl is-active --quiet haproxy; then",
    "  systemctl status haproxy --no-pager --lines 15 >&2 2>&1",
    `  ${say(VERDICTS.haproxyDown)}`,
    "  exit 1",
    "fi",
    say(VERDICTS.serving(expectedSha256)),
  ];
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

export function lastLines(text: string, n: number): string {
  return text.trim().split("\n").slice(-n).join("\n");
}
