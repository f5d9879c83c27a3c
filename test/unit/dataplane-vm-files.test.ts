/**
 * The files cloud-init writes onto a proxy VM, and the scripts Run Command
 * carries there, are real files in src/dataplane/vm/;
 * src/dataplane/vm-files.ts embeds them byte for byte.
 * These tests fail when the embedded copy is stale, and when the names the
 * files use drift from the constants the code uses.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_SERVICE, renderCloudInit } from "../../src/dataplane/cloudinit.js";
import {
  APPLY_SCRIPT,
  APT_CONF,
  CONFIG_UNIT,
  HEALTH_SCRIPT,
  NEEDRESTART_RELOAD_SCRIPT,
  NEEDRESTART_SNIPPET,
  REPORT_SCRIPT,
  SERVING_CHECK_SCRIPT,
  SYSCTL_CONF,
} from "../../src/dataplane/vm-files.js";
import { APPLY_SCRIPT_PATH } from "../../src/dataplane/vmscripts.js";
import { TOOL_NAME } from "../../src/model/names.js";

const root = resolve(import.meta.dirname, "../..");
const vmDir = join(root, "src", "dataplane", "vm");
const onDisk = (name: string): string => readFileSync(join(vmDir, name), "utf8");
const embed = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, "scripts", "embed-vm-files.mjs"), ...args], { encoding: "utf8" });

describe("src/dataplane/vm-files.ts", () => {
  it("is what scripts/embed-vm-files.mjs makes of the files now (run `npm run embed` when this fails)", () => {
    const r = embed("--check");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("holds every file byte for byte", () => {
    expect(APPLY_SCRIPT).toBe(onDisk("ipv6-proxy-apply.sh"));
    expect(CONFIG_UNIT).toBe(onDisk(CONFIG_SERVICE));
    expect(SYSCTL_CONF).toBe(onDisk("60-ipv6-proxy.conf"));
    expect(APT_CONF).toBe(onDisk("52ipv6-proxy-upgrades"));
    expect(NEEDRESTART_RELOAD_SCRIPT).toBe(onDisk("needrestart-reload-haproxy.sh"));
    expect(NEEDRESTART_SNIPPET).toBe(onDisk("needrestart-ipv6-proxy.conf"));
    expect(REPORT_SCRIPT).toBe(onDisk("ipv6-proxy-report.sh"));
    expect(SERVING_CHECK_SCRIPT).toBe(onDisk("ipv6-proxy-serving-check.sh"));
    expect(HEALTH_SCRIPT).toBe(onDisk("ipv6-proxy-health.sh"));
    expect(readdirSync(vmDir).sort()).toEqual(
      [
        "52ipv6-proxy-upgrades",
        "60-ipv6-proxy.conf",
        CONFIG_SERVICE,
        "ipv6-proxy-apply.sh",
        "needrestart-ipv6-proxy.conf",
        "needrestart-reload-haproxy.sh",
        "ipv6-proxy-report.sh",
        "ipv6-proxy-serving-check.sh",
        "ipv6-proxy-health.sh",
      ].sort(),
    );
  });

  it("negative control: --check fails when a file changed and the module was not regenerated", () => {
    const copy = mkdtempSync(join(tmpdir(), "vm-files-"));
    try {
      cpSync(join(root, "src", "dataplane"), join(copy, "src", "dataplane"), { recursive: true });
      writeFileSync(join(copy, "src/dataplane/vm/ipv6-proxy-apply.sh"), `${APPLY_SCRIPT}# edited\n`);
      const r = embed("--check", copy);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("src/dataplane/vm-files.ts is stale");
      // Regenerating fixes it.
      execFileSync(process.execPath, [join(root, "scripts", "embed-vm-files.mjs"), copy]);
      expect(embed("--check", copy).status).toBe(0);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it("refuses CRLF line endings, which a Windows checkout without .gitattributes would produce", () => {
    const copy = mkdtempSync(join(tmpdir(), "vm-files-"));
    try {
      cpSync(join(root, "src", "dataplane"), join(copy, "src", "dataplane"), { recursive: true });
      writeFileSync(join(copy, "src/dataplane/vm/ipv6-proxy-apply.sh"), APPLY_SCRIPT.replace(/\n/g, "\r\n"));
      const r = embed(copy);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain("ipv6-proxy-apply.sh has CR line endings");
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe("names in the files match the code", () => {
  it("the unit runs the script where cloud-init installs it", () => {
    expect(CONFIG_UNIT).toContain(`\nExecStart=${APPLY_SCRIPT_PATH} --no-reload\n`);
    expect(CONFIG_UNIT).toContain(`(${TOOL_NAME})`);
  });

  it("cloud-init writes each file unchanged, the script executable", () => {
    const config = parse(renderCloudInit(), { version: "1.1" }) as {
      write_files: { path: string; permissions: string; content: string }[];
    };
    const byPath = new Map(config.write_files.map((f) => [f.path, f]));
    expect(byPath.get(APPLY_SCRIPT_PATH)).toMatchObject({ permissions: "0755", content: APPLY_SCRIPT });
    expect(byPath.get(`/etc/systemd/system/${CONFIG_SERVICE}`)?.content).toBe(CONFIG_UNIT);
    expect(byPath.get("/etc/sysctl.d/60-ipv6-proxy.conf")?.content).toBe(SYSCTL_CONF);
    expect(byPath.get("/etc/apt/apt.conf.d/52ipv6-proxy-upgrades")?.content).toBe(APT_CONF);
  });
});
