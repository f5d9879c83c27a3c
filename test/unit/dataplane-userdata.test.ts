import { describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { decodeUserData, encodeUserData, USER_DATA_MAX_BYTES } from "../../src/dataplane/vmscripts.js";
import { proxySpec } from "../support/dataplane-fixtures.js";

describe("userData encoding", () => {
  const config = `${renderHaproxyConfig(proxySpec())}# café ✓\n`; // multi-byte UTF-8 survives

  it("round-trips the config text exactly", () => {
    expect(decodeUserData(encodeUserData(config))).toBe(config);
    expect(encodeUserData(config)).toBe(Buffer.from(config, "utf8").toString("base64"));
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
