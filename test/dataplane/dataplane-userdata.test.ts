/** userData as the VM's apply script reads it: coreutils' base64 and sha256sum. */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { configSha256, encodeUserData } from "../../src/dataplane/vmscripts.js";
import { proxySpec } from "../support/dataplane-fixtures.js";
import { BASE64, requirements, SHA256SUM } from "../support/requirements.js";

const needs = await requirements("coreutils", BASE64, SHA256SUM);

describe("userData on the VM", needs, () => {
  const config = `${renderHaproxyConfig(proxySpec())}# café ✓\n`; // multi-byte UTF-8 survives

  it("decodes the way the VM does (base64 -d) and hashes like sha256sum", () => {
    const b64 = encodeUserData(config);
    const decoded = spawnSync(BASE64.path(), ["-d"], { input: b64 });
    expect(decoded.stdout.toString("utf8")).toBe(config);
    const sum = spawnSync(SHA256SUM.path(), [], { input: decoded.stdout, encoding: "utf8" });
    expect(sum.stdout.split(" ")[0]).toBe(configSha256(config));
    expect(configSha256(config)).toMatch(/^[0-9a-f]{64}$/);
  });
});
