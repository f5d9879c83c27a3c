import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { configSha256, decodeUserData, encodeUserData, USER_DATA_MAX_BYTES } from "../../src/dataplane/vmscripts.js";
import { proxySpec } from "../support/dataplane-fixtures.js";

describe("userData encoding", () => {
  const config = renderHaproxyConfig(proxySpec()) + "# café ✓\n"; // multi-byte UTF-8 survives

  it("round-trips the config text exactly", () => {
    expect(decodeUserData(encodeUserData(config))).toBe(config);
    expect(encodeUserData(config)).toBe(Buffer.from(config, "utf8").toString("base64"));
  });

  it("decodes the way the VM does (base64 -d) and hashes like sha256sum", () => {
    const b64 = encodeUserData(config);
    const decoded = spawnSync("base64", ["-d"], { input: b64 });
    expect(decoded.stdout.toString("utf8")).toBe(config);
    const sum = spawnSync("sha256sum", [], { input: decoded.stdout, encoding: "utf8" });
    expect(sum.stdout.split(" ")[0]).toBe(configSha256(config));
    expect(configSha256(config)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("accepts Azure's 64 KB limit exactly and refuses one byte more, clearly", () => {
    const fits = "x".repeat((USER_DATA_MAX_BYTES / 4) * 3); // encodes to exactly 65536 characters
    expect(encodeUserData(fits)).toHaveLength(USER_DATA_MAX_BYTES);
    expect(() => encodeUserData(`${fits}x`)).toThrow(
      /65540 bytes once base64-encoded; Azure userData holds at most 65536/,
    );
  });

  it("tolerates line breaks in base64 but rejects what is not base64", () => {
    const wrapped = encodeUserData(config).replace(/(.{76})/g, "$1\n");
    expect(decodeUserData(wrapped)).toBe(config);
    expect(() => decodeUserData("not base64!")).toThrow(/not valid base64/);
    expect(() => decodeUserData("abc")).toThrow(/not valid base64/);
  });
});
