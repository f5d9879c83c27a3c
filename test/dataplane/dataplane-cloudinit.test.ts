/**
 * The cloud-init document with the real tools, where installed: `cloud-init
 * schema` (the installed release's schema, besides the vendored one the unit
 * test uses), PyYAML (the parser cloud-init reads it with) and
 * `systemd-analyze verify` for the unit it installs.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CONFIG_SERVICE, renderCloudInit } from "../../src/dataplane/cloudinit.js";
import { APPLY_SCRIPT } from "../../src/dataplane/vm-files.js";
import { APPLY_SCRIPT_PATH } from "../../src/dataplane/vmscripts.js";
import { CLOUD_INIT, PYYAML, requirements, SYSTEMD_ANALYZE } from "../support/requirements.js";

const work = mkdtempSync(join(tmpdir(), "dataplane-cloudinit-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function schema(document: string): { status: number | null; output: string } {
  const file = join(work, `cloud-config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, document);
  const r = spawnSync(CLOUD_INIT.path(), ["schema", "--config-file", file], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Parses with PyYAML, the parser cloud-init itself uses. */
function pyyaml(document: string): unknown {
  const r = spawnSync("python3", ["-c", "import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin)))"], {
    input: document,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as unknown;
}

const document = renderCloudInit();

describe("renderCloudInit, with the real cloud-init", await requirements("cloud-init", CLOUD_INIT), () => {
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
});

describe("renderCloudInit, read by PyYAML", await requirements("cloud-init", PYYAML), () => {
  it("reads as the tests read it (YAML 1.1), value for value", () => {
    expect(pyyaml(document)).toEqual(parseYaml(document, { version: "1.1" }));
  });
});

describe("the unit renderCloudInit installs", await requirements("systemd", SYSTEMD_ANALYZE), () => {
  const unitText = (): string => {
    const config = parseYaml(document, { version: "1.1" }) as { write_files: { path: string; content: string }[] };
    const f = config.write_files.find((w) => w.path === `/etc/systemd/system/${CONFIG_SERVICE}`);
    if (!f) throw new Error(`no write_files entry for ${CONFIG_SERVICE}`);
    return f.content;
  };

  it("has a unit that systemd-analyze verify accepts without a warning", () => {
    const verify = (unitText: string) => {
      const root = mkdtempSync(join(work, "root-"));
      mkdirSync(join(root, "etc/systemd/system"), { recursive: true });
      mkdirSync(join(root, "usr/local/sbin"), { recursive: true });
      mkdirSync(join(root, "lib/systemd/system"), { recursive: true });
      for (const unit of readdirSync("/lib/systemd/system").filter((u) => u.endsWith(".target"))) {
        cpSync(join("/lib/systemd/system", unit), join(root, "lib/systemd/system", unit));
      }
      writeFileSync(join(root, APPLY_SCRIPT_PATH), APPLY_SCRIPT);
      chmodSync(join(root, APPLY_SCRIPT_PATH), 0o755);
      writeFileSync(join(root, "etc/systemd/system", CONFIG_SERVICE), unitText);
      const r = spawnSync(SYSTEMD_ANALYZE.path(), ["verify", "--man=no", `--root=${root}`, CONFIG_SERVICE], {
        encoding: "utf8",
      });
      return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
    };
    const unit = unitText();
    expect(verify(unit)).toEqual({ status: 0, output: "" });
    // Negative control: a wrong value is reported.
    expect(verify(unit.replace("Type=oneshot", "Type=once")).output).toMatch(/Failed to parse service type/);
  });
});
