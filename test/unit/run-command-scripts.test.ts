/**
 * The scripts Run Command carries to a proxy VM are real files in
 * src/dataplane/vm/ (shellcheck lints them there); what is sent is the file,
 * line for line, with its parameters assigned right after the shebang. The
 * files spell out names the code also uses: these tests hold them equal.
 */
import { describe, expect, it } from "vitest";
import {
  HEALTH_ACTION_PARAMETER,
  HEALTH_BACKEND,
  HEALTH_SERVER,
  type HealthAction,
  healthScript,
} from "../../src/dataplane/health.js";
import {
  CLOUD_INIT_WAIT_SECONDS,
  EXPECTED_SHA256_PARAMETER,
  servingCheckScript,
  VERDICTS,
  verdictLine,
} from "../../src/dataplane/serving.js";
import { HEALTH_SCRIPT, SERVING_CHECK_SCRIPT } from "../../src/dataplane/vm-files.js";
import { APPLY_SCRIPT_PATH, runCommandScript, scriptParameter } from "../../src/dataplane/vmscripts.js";
import { HEALTH_PATH, HEALTH_PORT } from "../../src/model/replicas.js";

const SHA = "0123456789abcdef".repeat(4);

/** The script as sent, without its parameter lines: must be the file. */
const withoutParameters = (lines: string[], count: number) => `${[lines[0], ...lines.slice(1 + count)].join("\n")}\n`;

describe("runCommandScript", () => {
  it("sends the file line for line, its parameters right after the shebang", () => {
    const lines = servingCheckScript(SHA);
    expect(lines[0]).toBe("#!/bin/bash");
    expect(lines[1]).toBe(`${EXPECTED_SHA256_PARAMETER}=${SHA}`);
    expect(withoutParameters(lines, 1)).toBe(SERVING_CHECK_SCRIPT);
    for (const action of ["drain", "serve"] as const) {
      const health = healthScript(action);
      expect(health[1]).toBe(`${HEALTH_ACTION_PARAMETER}=${action}`);
      expect(withoutParameters(health, 1)).toBe(HEALTH_SCRIPT);
    }
  });

  it("reads a parameter back only from the assignments after the shebang", () => {
    expect(scriptParameter(servingCheckScript(SHA), EXPECTED_SHA256_PARAMETER)).toBe(SHA);
    expect(scriptParameter(healthScript("drain"), HEALTH_ACTION_PARAMETER)).toBe("drain");
    expect(scriptParameter(healthScript("drain"), EXPECTED_SHA256_PARAMETER)).toBeUndefined();
    // The same text further down the script is no parameter.
    expect(
      scriptParameter(["#!/bin/bash", "echo hi", `${HEALTH_ACTION_PARAMETER}=drain`], HEALTH_ACTION_PARAMETER),
    ).toBeUndefined();
  });

  it.each([
    ["a command substitution", "$(reboot)"],
    ["a second command", "x; rm -rf /"],
    ["a new line", "x\nreboot"],
    ["a space", "drain now"],
    ["quotes", "'x'"],
    ["nothing", ""],
  ])("refuses a value with %s, so no value is ever shell syntax", (_what, value) => {
    expect(() => runCommandScript(HEALTH_SCRIPT, { [HEALTH_ACTION_PARAMETER]: value })).toThrow(/one plain word/);
  });

  it("refuses a parameter name that is not an IPV6_PROXY_ variable, and a file without a shebang", () => {
    expect(() => runCommandScript(HEALTH_SCRIPT, { PATH: "/tmp" })).toThrow(/not IPV6_PROXY_/);
    expect(() => runCommandScript("echo hi\n")).toThrow(/shebang/);
  });

  it("refuses an expected hash that is not 64 lower-case hex digits before building a script", () => {
    expect(() => servingCheckScript(`${SHA.slice(1)}$`)).toThrow(/64 lower-case hex/);
    expect(() => servingCheckScript(SHA.toUpperCase())).toThrow(/64 lower-case hex/);
  });
});

describe("names in the scripts match the code", () => {
  it("the serving check prints every verdict the engine reads, and runs the apply script where cloud-init puts it", () => {
    const say = (verdict: string) => `echo "${verdictLine(verdict)}"`;
    for (const verdict of [
      VERDICTS.firstBootFailed,
      VERDICTS.cloudInitTimeout,
      VERDICTS.configNotApplied,
      VERDICTS.haproxyDown,
    ]) {
      expect(SERVING_CHECK_SCRIPT).toContain(say(verdict));
    }
    expect(SERVING_CHECK_SCRIPT.trimEnd().split("\n").at(-1)).toBe(say(VERDICTS.serving("$expected")));
    expect(SERVING_CHECK_SCRIPT).toContain(`timeout ${CLOUD_INIT_WAIT_SECONDS} cloud-init status --wait`);
    expect(SERVING_CHECK_SCRIPT).toContain(`${APPLY_SCRIPT_PATH} --expect-sha256 "$expected"`);
    expect(SERVING_CHECK_SCRIPT).toContain(`expected="\${${EXPECTED_SHA256_PARAMETER}:-}"`);
  });

  it("the health script drives the endpoint HAProxy's config declares", () => {
    expect(HEALTH_SCRIPT).toContain(`http://127.0.0.1:${HEALTH_PORT}${HEALTH_PATH}`);
    expect(HEALTH_SCRIPT).toContain(`"set server ${HEALTH_BACKEND}/${HEALTH_SERVER} state $state"`);
    expect(HEALTH_SCRIPT).toContain(`case "\${${HEALTH_ACTION_PARAMETER}:-}" in`);
    const actions: Record<HealthAction, string> = { drain: "maint", serve: "ready" };
    for (const [action, state] of Object.entries(actions))
      expect(HEALTH_SCRIPT).toContain(`${action}) state=${state} ;;`);
  });
});
