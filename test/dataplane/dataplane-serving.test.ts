/**
 * The serving check, run for real with bash: the real apply script, the real
 * `haproxy -c`, and stand-ins for the VM's cloud-init and systemctl. Its
 * output goes through the emulator's RunCommandLinux status and back through
 * the parser the engine uses, so what is judged is what Azure would relay.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { judgeServing, parseRunCommandMessage, servingCheckScript } from "../../src/dataplane/serving.js";
import { configSha256, encodeUserData } from "../../src/dataplane/vmscripts.js";
import { runCommandStatus } from "../../src/emulator/providers/run-command.js";
import { proxySpec } from "../support/dataplane-fixtures.js";
import { APPLY_SCRIPT_PROGRAMS, HAPROXY, requirements, SHELLCHECK, TIMEOUT } from "../support/requirements.js";
import { VmDouble } from "../support/vm-double.js";

const needs = await requirements("apply-script", ...APPLY_SCRIPT_PROGRAMS, TIMEOUT);
const needsShellcheck = await requirements("shellcheck", SHELLCHECK);

const config = renderHaproxyConfig(proxySpec({ backends: ["10.0.0.4"] }));
const sha = configSha256(config);
let userData = encodeUserData(config);
let vm: VmDouble;

/** Runs the check on the VM double and judges it from the message Azure would return. */
async function check(expected = sha) {
  const result = await vm.runCommand(
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm",
    servingCheckScript(expected),
  );
  const message = String(runCommandStatus(result).message);
  expect(message.startsWith("Enable succeeded: \n[stdout]\n")).toBe(true);
  return { result, verdict: judgeServing(parseRunCommandMessage(message), expected) };
}

describe("the serving check", needs, () => {
  beforeAll(async () => {
    vm = new VmDouble(() => ({ properties: { userData } }));
    await vm.start();
  });
  afterAll(() => vm?.stop());
  beforeEach(() => {
    userData = encodeUserData(config);
    vm.cloudInit = { exitCode: 0, long: "status: done\n" };
    vm.haproxyActive = true;
    vm.haproxy = HAPROXY.path();
  });

  it("serves when cloud-init is done, the config is installed and HAProxy runs", async () => {
    const { verdict } = await check();
    expect(verdict).toMatchObject({ serving: true, configSha256: sha });
    expect(vm.installed()).toBe(config);
  });

  it("goes on after a first boot with recoverable errors (cloud-init exit 2)", async () => {
    vm.cloudInit = { exitCode: 2, long: "status: done\nrecoverable_errors:\n  WARNING: deprecated key\n" };
    expect((await check()).verdict.serving).toBe(true);
  });

  it("reports a failed first boot with cloud-init's own words", async () => {
    vm.cloudInit = {
      exitCode: 1,
      long: "status: error\nerrors:\n\t- E: Unable to locate package haproxy\n",
    };
    const { verdict, result } = await check();
    expect(verdict).toMatchObject({ serving: false, reason: "first-boot-failed" });
    expect(!verdict.serving && verdict.message).toContain("Unable to locate package haproxy");
    expect(result.exitCode).toBe(1); // an exit status Azure never relays: the verdict line is what counts
  });

  it("reports a config HAProxy refuses, with HAProxy's message", async () => {
    const broken = config.replace("balance roundrobin", "balance no-such-algorithm");
    userData = encodeUserData(broken);
    const { verdict } = await check(configSha256(broken));
    expect(verdict).toMatchObject({ serving: false, reason: "config-not-applied" });
    expect(!verdict.serving && verdict.message).toMatch(/haproxy rejected the config[\s\S]*balance only supports/);
  });

  it("reports HAProxy not running", async () => {
    vm.haproxyActive = false;
    expect((await check()).verdict).toMatchObject({ serving: false, reason: "haproxy-down" });
  });

  it("is not fooled by another config's verdict", async () => {
    const other = "0".repeat(64);
    // The VM serves `sha`; asked about `other`, IMDS never serves it and the check must not pass.
    const { verdict } = await check(other);
    expect(verdict.serving).toBe(false);
  });

  it("is shellcheck-clean", needsShellcheck, () => {
    const file = join(vm.dir, "check.sh");
    writeFileSync(file, `${servingCheckScript(sha).join("\n")}\n`);
    const r = spawnSync(SHELLCHECK.path(), ["-s", "bash", file], { encoding: "utf8" });
    expect(r.stdout).toBe("");
    expect(r.status).toBe(0);
  });
});
