/**
 * The cloud-init document the VMs boot with, checked against cloud-init's own
 * JSON schema (vendored, validated with ajv: runs everywhere) and read as
 * cloud-init reads it (YAML 1.1). test/dataplane/dataplane-cloudinit.test.ts
 * runs the real `cloud-init schema` and PyYAML on it where they are installed.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONFIG_SERVICE, renderCloudInit } from "../../src/dataplane/cloudinit.js";
import { APPLY_SCRIPT } from "../../src/dataplane/vm-files.js";
import { APPLY_SCRIPT_PATH } from "../../src/dataplane/vmscripts.js";
import {
  CLOUD_INIT_SCHEMA_DIR,
  CLOUD_INIT_SCHEMA_FILE,
  CLOUD_INIT_SCHEMA_SHA256,
  CLOUD_INIT_SCHEMA_VERSION,
  validateCloudConfig,
} from "../support/cloud-config-schema.js";

interface WriteFile {
  path: string;
  permissions: string;
  owner: string;
  content: string;
}
interface CloudConfig {
  ssh_pwauth: boolean;
  packages: string[];
  write_files: WriteFile[];
  runcmd: string[][];
}

const document = renderCloudInit();
const config = parse(document, { version: "1.1" }) as CloudConfig;
const file = (path: string): WriteFile => {
  const f = config.write_files.find((w) => w.path === path);
  if (!f) throw new Error(`no write_files entry for ${path}`);
  return f;
};

describe(`renderCloudInit, against cloud-init ${CLOUD_INIT_SCHEMA_VERSION}'s JSON schema`, () => {
  it("uses the schema file as cloud-init released it", () => {
    const bytes = readFileSync(join(CLOUD_INIT_SCHEMA_DIR, CLOUD_INIT_SCHEMA_FILE));
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(CLOUD_INIT_SCHEMA_SHA256);
    expect(readFileSync(join(CLOUD_INIT_SCHEMA_DIR, "README.md"), "utf8")).toContain(CLOUD_INIT_SCHEMA_SHA256);
  });

  it("is a valid #cloud-config document", () => {
    expect(document.startsWith("#cloud-config\n")).toBe(true);
    expect(validateCloudConfig(document)).toEqual({ valid: true, errors: [] });
  });

  it("negative controls: a wrong type, an unknown key, a deprecated key and a missing header all fail", () => {
    const wrongType = document.replace("package_update: true", "package_update: {when: always}");
    expect(wrongType).not.toBe(document);
    expect(validateCloudConfig(wrongType)).toEqual({ valid: false, errors: ["/package_update must be boolean"] });
    expect(validateCloudConfig(`${document}no_such_module: 1\n`).errors).toEqual([
      '/ must NOT have additional properties {"additionalProperty":"no_such_module"}',
    ]);
    // apt_update is the deprecated spelling of package_update: cloud-init only warns, the test refuses it.
    expect(validateCloudConfig(`${document}apt_update: true\n`).valid).toBe(false);
    expect(validateCloudConfig(document.replace("#cloud-config\n", "")).valid).toBe(false);
  });

  it("is spec-independent and fits Azure's customData limit", () => {
    expect(renderCloudInit()).toBe(document);
    expect(document).not.toMatch(/^\s*(frontend|backend) /m);
    expect(Buffer.from(document).toString("base64").length).toBeLessThan(65536);
  });
  it("installs HAProxy and unattended upgrades, without SSH passwords", () => {
    expect(config.packages).toEqual(expect.arrayContaining(["haproxy", "unattended-upgrades"]));
    expect(config.ssh_pwauth).toBe(false);
    const apt = file("/etc/apt/apt.conf.d/52ipv6-proxy-upgrades").content;
    expect(apt).toContain('APT::Periodic::Unattended-Upgrade "1";');
    // Keeps our haproxy.cfg on upgrades, so haproxy is not held back by a conffile prompt.
    expect(apt).toContain('"--force-confold"');
  });
  it("writes the apply script byte for byte, executable", () => {
    const script = file(APPLY_SCRIPT_PATH);
    expect(script.content).toBe(APPLY_SCRIPT);
    expect(script.permissions).toBe("0755");
    expect(script.owner).toBe("root:root");
  });
  it("sets TCP keepalives below Azure's 240 s idle timeout", () => {
    const sysctl = file("/etc/sysctl.d/60-ipv6-proxy.conf").content;
    const value = (key: string) => Number(/= (\d+)/.exec(sysctl.split("\n").find((l) => l.startsWith(key)) ?? "")?.[1]);
    expect(value("net.ipv4.tcp_keepalive_time")).toBeLessThan(240);
    expect(value("net.ipv4.tcp_keepalive_time") + value("net.ipv4.tcp_keepalive_intvl")).toBeLessThan(240);
    expect(config.runcmd).toContainEqual(["sysctl", "-p", "/etc/sysctl.d/60-ipv6-proxy.conf"]);
  });
  it("applies userData at every boot before HAProxy starts, and once right away", () => {
    const unit = file(`/etc/systemd/system/${CONFIG_SERVICE}`).content;
    expect(unit).toMatch(/^After=network-online\.target$/m);
    expect(unit).toMatch(/^Before=haproxy\.service$/m);
    expect(unit).toMatch(/^Type=oneshot$/m);
    // At boot HAProxy starts after this unit: reloading it from here would deadlock.
    expect(unit).toContain(`ExecStart=${APPLY_SCRIPT_PATH} --no-reload`);
    expect(unit).toMatch(/^WantedBy=multi-user\.target$/m);
    const enable = config.runcmd.findIndex((c) => c.join(" ") === `systemctl enable ${CONFIG_SERVICE}`);
    const apply = config.runcmd.findIndex((c) => c.join(" ") === APPLY_SCRIPT_PATH);
    expect(enable).toBeGreaterThan(config.runcmd.findIndex((c) => c.join(" ") === "systemctl daemon-reload"));
    expect(apply).toBeGreaterThan(enable);
  });
});
