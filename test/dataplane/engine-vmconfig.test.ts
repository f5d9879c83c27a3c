/**
 * Config changes reach the running VM through Run Command: the engine PATCHes
 * userData, the VM's apply script fetches it, validates it with the real
 * `haproxy -c` and reloads. A config the VM refuses fails the apply with the
 * VM's own words, leaves the old config serving, and stays pending.
 */

import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApplyFailedError, applyPlan, planFromDir } from "../../src/operations.js";
import { type Harness, planned, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../support/proxy-files.js";
import { APPLY_SCRIPT_PROGRAMS, HAPROXY, requirements } from "../support/requirements.js";
import { VmDouble } from "../support/vm-double.js";

let h: Harness;
let vm: VmDouble;
const files = new ProxyDir();
const ctx = () => h.ctx("acme/vmconfig");
const needs = await requirements("apply-script", ...APPLY_SCRIPT_PROGRAMS);

describe("config push through Run Command", needs, () => {
  beforeAll(async () => {
    h = await startHarness();
    vm = new VmDouble((id) => h.emulator.getResource(id));
    await vm.start();
    h.emulator.onRunCommand(vm.runCommand);
    files.write("app", proxyYaml({ name: "app", resourceGroup: "rg-vmconfig", backends: ["203.0.113.30"] }));
    await applyPlan(planned(await planFromDir(files.dir, ctx())), ctx(), { allowDestroy: false });
  });
  afterAll(async () => {
    await vm?.stop();
    await h?.close();
    files.cleanup();
  });

  it("validates, installs and reloads the new config on the VM, and reports what the VM said", async () => {
    // The VM's first serving check installed the first config: one reload so far.
    expect(vm.reloadCount()).toBe(1);
    files.write("app", proxyYaml({ name: "app", resourceGroup: "rg-vmconfig", backends: ["203.0.113.31"] }));
    const run = planned(await planFromDir(files.dir, ctx()));
    expect(run.plan.changes.find((c) => c.kind === "vmConfig")?.action).toBe("update");
    const result = await applyPlan(run, ctx(), { allowDestroy: false });
    expect(result.proxies[0]!.vmMessage).toMatch(/applied config sha256=[0-9a-f]{64}/);
    expect(vm.installed()).toContain("203.0.113.31:443");
    expect(vm.reloadCount()).toBe(2);
    expect(h.emulator.runCommands.at(-1)!.script.join("\n")).toContain("--expect-sha256");
    expect((await planFromDir(files.dir, ctx())).plan!.changes.every((c) => c.action === "noop")).toBe(true);
  });

  it("fails with the VM's message when the VM refuses the config, keeps the old one, and plans the push again", async () => {
    // A VM image whose HAProxy predates a keyword the config uses refuses it at `haproxy -c`.
    const old = join(vm.dir, "haproxy-2.4");
    writeFileSync(
      old,
      `#!/bin/sh
for a in "$@"; do
  if [ -f "$a" ] && grep -q '^ *fd-hard-limit' "$a"; then
    echo "[ALERT]    (1) : config : parsing [$a:14] : unknown keyword 'fd-hard-limit' in 'global' section" >&2
    exit 1
  fi
done
exec ${HAPROXY.path()} "$@"
`,
    );
    chmodSync(old, 0o755);
    vm.haproxy = old;
    const serving = vm.installed();
    files.write("app", proxyYaml({ name: "app", resourceGroup: "rg-vmconfig", backends: ["203.0.113.32"] }));
    const run = planned(await planFromDir(files.dir, ctx()));
    const error = await applyPlan(run, ctx(), { allowDestroy: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyFailedError);
    expect(String((error as Error).message)).toMatch(/refused the new config[\s\S]*unknown keyword 'fd-hard-limit'/);
    expect(vm.installed()).toBe(serving);
    expect(vm.reloadCount()).toBe(2);
    const again = planned(await planFromDir(files.dir, ctx()));
    expect(again.plan.changes.find((c) => c.kind === "vmConfig")?.action).toBe("update");

    vm.haproxy = HAPROXY.path();
    await applyPlan(again, ctx(), { allowDestroy: false });
    expect(vm.installed()).toContain("203.0.113.32:443");
  });
});
