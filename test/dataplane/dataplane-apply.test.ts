/**
 * The apply script, run for real with bash against a local HTTP server playing
 * IMDS, the real `haproxy -c`, and a reload command that records its calls.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { APPLY_SCRIPT } from "../../src/dataplane/vm-files.js";
import { configSha256, encodeUserData } from "../../src/dataplane/vmscripts.js";
import { proxySpec } from "../support/dataplane-fixtures.js";
import { APPLY_SCRIPT_PROGRAMS, HAPROXY, requirements, SHELLCHECK } from "../support/requirements.js";

const needs = await requirements("apply-script", ...APPLY_SCRIPT_PROGRAMS);
const needsShellcheck = await requirements("shellcheck", SHELLCHECK);

const USER_DATA_PATH = "/metadata/instance/compute/userData?api-version=2021-01-01&format=text";
const oldConfig = renderHaproxyConfig(proxySpec({ backends: ["203.0.113.4"] }));
const newConfig = renderHaproxyConfig(proxySpec({ backends: ["203.0.113.4", "203.0.113.5"], proxyProtocol: "v2" }));
const brokenConfig = newConfig.replace("balance roundrobin", "balance no-such-algorithm");

/** Fake IMDS: serves `served` in turn, repeating the last one; like IMDS, it wants `Metadata: true`. */
let served: string[] = [];
let requests = 0;
let imds: Server;
let imdsUrl = "";
let root = "";
let dir = "";

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dataplane-apply-"));
  writeFileSync(join(root, "ipv6-proxy-apply"), APPLY_SCRIPT);
  imds = createServer((req, res) => {
    requests++;
    if (req.url !== USER_DATA_PATH || req.headers.metadata !== "true")
      return void res.writeHead(400).end("bad request");
    const body = served.length > 1 ? served.shift() : served[0];
    if (body === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "text/plain" }).end(body);
  });
  await new Promise<void>((resolve) => imds.listen(0, "127.0.0.1", resolve));
  imdsUrl = `http://127.0.0.1:${(imds.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => imds.close(r));
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  dir = mkdtempSync(join(root, "case-"));
  served = [];
  requests = 0;
});

const cfg = () => join(dir, "haproxy", "haproxy.cfg");
const reloads = () =>
  existsSync(join(dir, "reloads")) ? readFileSync(join(dir, "reloads"), "utf8").split("\n").filter(Boolean).length : 0;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function apply(
  args: string[] = [],
  env: Record<string, string> = {},
  command = ["bash", join(root, "ipv6-proxy-apply")],
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command[0] ?? "bash", [...command.slice(1), ...args], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        IPV6_PROXY_IMDS_URL: imdsUrl,
        IPV6_PROXY_CFG: cfg(),
        IPV6_PROXY_RELOAD_CMD: `echo reload >> ${join(dir, "reloads")}`,
        IPV6_PROXY_ACTIVE_CMD: "true",
        IPV6_PROXY_HAPROXY: HAPROXY.path(),
        IPV6_PROXY_LOCK: join(dir, "apply.lock"),
        IPV6_PROXY_RETRY_DELAY: "0.1",
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Puts an already installed config in place, as a previous apply would have. */
async function install(config: string): Promise<void> {
  served = [encodeUserData(config)];
  expect((await apply(["--no-reload"])).code).toBe(0);
  served = [];
  requests = 0;
}

describe("ipv6-proxy-apply", needs, () => {
  it("installs a valid config from IMDS and reloads HAProxy", async () => {
    served = [encodeUserData(newConfig)];
    const run = await apply();
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const bytes = Buffer.byteLength(newConfig);
    expect(run.stdout).toBe(
      `applied config sha256=${configSha256(newConfig)} bytes=${bytes} path=${cfg()} changed=yes reload=yes\n`,
    );
    expect(readFileSync(cfg(), "utf8")).toBe(newConfig);
    expect(statSync(cfg()).mode & 0o777).toBe(0o644);
    expect(reloads()).toBe(1);
    // Nothing left behind next to the config: the candidate was renamed into place.
    expect(readdirSync(join(dir, "haproxy"))).toEqual(["haproxy.cfg"]);
  });

  it("keeps the config it replaces as haproxy.cfg.previous", async () => {
    await install(oldConfig);
    served = [encodeUserData(newConfig)];
    expect((await apply()).code).toBe(0);
    expect(readFileSync(cfg(), "utf8")).toBe(newConfig);
    expect(readFileSync(`${cfg()}.previous`, "utf8")).toBe(oldConfig);
  });

  it("refuses a config haproxy rejects: exit 1, haproxy's message, old file untouched, no reload", async () => {
    await install(oldConfig);
    served = [encodeUserData(brokenConfig)];
    const run = await apply();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `haproxy rejected the config (sha256=${configSha256(brokenConfig)}); ${cfg()} is unchanged`,
    );
    expect(run.stderr).toMatch(/\[ALERT\].*haproxy\.cfg:\d+\] : balance only supports/);
    expect(run.stdout).toBe("");
    expect(readFileSync(cfg(), "utf8")).toBe(oldConfig);
    expect(existsSync(`${cfg()}.previous`)).toBe(false);
    expect(reloads()).toBe(0);
    expect(readdirSync(join(dir, "haproxy"))).toEqual(["haproxy.cfg"]);
  });

  it("waits until IMDS serves the expected sha256", async () => {
    await install(oldConfig);
    served = [encodeUserData(oldConfig), encodeUserData(oldConfig), encodeUserData(newConfig)];
    const run = await apply(["--expect-sha256", configSha256(newConfig)]);
    expect(run.code).toBe(0);
    expect(requests).toBe(3);
    expect(run.stderr).toContain(
      `IMDS serves userData sha256=${configSha256(oldConfig)}, waiting for ${configSha256(newConfig)}`,
    );
    expect(readFileSync(cfg(), "utf8")).toBe(newConfig);
    expect(reloads()).toBe(1);
  });

  it("gives up after the bounded number of attempts when the hash never comes", async () => {
    await install(oldConfig);
    served = [encodeUserData(oldConfig)];
    const run = await apply(["--expect-sha256", configSha256(newConfig)], { IPV6_PROXY_ATTEMPTS: "3" });
    expect(run.code).toBe(3);
    expect(requests).toBe(3);
    expect(run.stderr).toContain(
      `gave up: userData sha256=${configSha256(oldConfig)}, expected ${configSha256(newConfig)}`,
    );
    expect(reloads()).toBe(0);
  });

  it("fails clearly when IMDS has no userData or serves something that is not base64", async () => {
    let run = await apply([], { IPV6_PROXY_ATTEMPTS: "2" }); // the fake IMDS answers 404
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(`gave up: could not fetch userData from ${imdsUrl}`);
    served = ["this is %%% not base64"];
    run = await apply([], { IPV6_PROXY_ATTEMPTS: "1" });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("userData from IMDS is not valid base64");
    served = [""];
    run = await apply();
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("userData is empty");
    expect(existsSync(cfg())).toBe(false);
    expect(reloads()).toBe(0);
  });

  it("does not reload an unchanged config while HAProxy runs, but starts a stopped one", async () => {
    await install(newConfig);
    served = [encodeUserData(newConfig)];
    let run = await apply([], { IPV6_PROXY_ACTIVE_CMD: "true" });
    expect(run.stdout).toContain("changed=no reload=no");
    expect(reloads()).toBe(0);
    run = await apply([], { IPV6_PROXY_ACTIVE_CMD: "false" });
    expect(run.stdout).toContain("changed=no reload=yes");
    expect(reloads()).toBe(1);
  });

  it("installs without reloading with --no-reload (boot, before haproxy.service)", async () => {
    served = [encodeUserData(newConfig)];
    const run = await apply(["--no-reload"]);
    expect(run.stdout).toContain("changed=yes reload=no");
    expect(readFileSync(cfg(), "utf8")).toBe(newConfig);
    expect(reloads()).toBe(0);
  });

  it("puts the previous config back when the reload fails", async () => {
    await install(oldConfig);
    served = [encodeUserData(newConfig)];
    const run = await apply([], { IPV6_PROXY_RELOAD_CMD: "echo 'Job for haproxy.service failed' >&2; exit 1" });
    expect(run.code).toBe(4);
    expect(run.stderr).toContain("Job for haproxy.service failed");
    expect(run.stderr).toContain("reloading HAProxy failed");
    expect(readFileSync(cfg(), "utf8")).toBe(oldConfig);
  });

  it("rejects bad arguments", async () => {
    expect((await apply(["--expect-sha256", "abc"])).code).toBe(2);
    expect((await apply(["--expect-sha256"])).code).toBe(2);
    expect((await apply(["--force"])).code).toBe(2);
    expect(requests).toBe(0);
  });

  it("is shellcheck-clean, as the file in src/dataplane/vm/ that the bundle embeds", needsShellcheck, () => {
    const vmDir = resolve(import.meta.dirname, "../../src/dataplane/vm");
    const scripts = readdirSync(vmDir).filter((f) => f.endsWith(".sh"));
    expect(scripts).toContain("ipv6-proxy-apply.sh");
    for (const script of scripts) {
      const r = spawnSync(SHELLCHECK.path(), ["-s", "bash", join(vmDir, script)], { encoding: "utf8" });
      expect(r.stdout, script).toBe("");
      expect(r.status, script).toBe(0);
    }
    // Negative control: shellcheck does report a fault.
    const faulty = join(root, "faulty.sh");
    writeFileSync(faulty, "#!/bin/bash\nrm -rf $1/*\n");
    expect(spawnSync(SHELLCHECK.path(), ["-s", "bash", faulty], { encoding: "utf8" }).stdout).toContain("SC2086");
  });
});
