import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CONFIG_SERVICE, renderCloudInit } from "../../src/dataplane/cloudinit.js";
import { APPLY_SCRIPT_PATH, applyScript } from "../../src/dataplane/vmscripts.js";

const work = mkdtempSync(join(tmpdir(), "dataplane-cloudinit-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function schema(document: string): { status: number | null; output: string } {
  const file = join(work, `cloud-config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, document);
  const r = spawnSync("/usr/bin/cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

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

/** Parses with PyYAML, the parser cloud-init itself uses. */
function parse(document: string): CloudConfig {
  const r = spawnSync("python3", ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"], {
    input: document,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as CloudConfig;
}

const document = renderCloudInit();
const config = parse(document);
const file = (path: string): WriteFile => {
  const f = config.write_files.find((w) => w.path === path);
  if (!f) throw new Error(`no write_files entry for ${path}`);
  return f;
};

describe("renderCloudInit", () => {
  it("passes the real cloud-init schema validation", () => {
    expect(document.startsWith("#cloud-config\n")).toBe(true);
    const result = schema(document);
    expect(result.output).toContain("Valid cloud-config");
    expect(result.status).toBe(0);
  });

  it("negative control: an invalid document fails the same validation", () => {
    const broken = document.replace("package_update: true", "package_update: {when: always}");
    expect(broken).not.toBe(document);
    const result = schema(broken);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/package_update/);
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
    expect(script.content).toBe(applyScript());
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

  it.skipIf(!existsSync("/usr/bin/systemd-analyze"))(
    "has a unit that systemd-analyze verify accepts without a warning",
    () => {
      const verify = (unitText: string) => {
        const root = mkdtempSync(join(work, "root-"));
        mkdirSync(join(root, "etc/systemd/system"), { recursive: true });
        mkdirSync(join(root, "usr/local/sbin"), { recursive: true });
        mkdirSync(join(root, "lib/systemd/system"), { recursive: true });
        for (const unit of readdirSync("/lib/systemd/system").filter((u) => u.endsWith(".target"))) {
          cpSync(join("/lib/systemd/system", unit), join(root, "lib/systemd/system", unit));
        }
        writeFileSync(join(root, APPLY_SCRIPT_PATH), applyScript());
        chmodSync(join(root, APPLY_SCRIPT_PATH), 0o755);
        writeFileSync(join(root, "etc/systemd/system", CONFIG_SERVICE), unitText);
        const r = spawnSync("systemd-analyze", ["verify", "--man=no", `--root=${root}`, CONFIG_SERVICE], {
          encoding: "utf8",
        });
        return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
      };
      const unit = file(`/etc/systemd/system/${CONFIG_SERVICE}`).content;
      expect(verify(unit)).toEqual({ status: 0, output: "" });
      // Negative control: a wrong value is reported.
      expect(verify(unit.replace("Type=oneshot", "Type=once")).output).toMatch(/Failed to parse service type/);
    },
  );
});
