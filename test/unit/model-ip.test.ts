/** The one home of address parsing: text → number → text, and prefix arithmetic. */
import { describe, expect, it } from "vitest";
import {
  cidrContains,
  cidrContainsIp,
  cidrsOverlap,
  formatIp,
  ipVersionOf,
  parseCidr,
  parseIp,
  prefixVersion,
} from "../../src/model/ip.js";

describe("parseIp", () => {
  it.each([
    ["::", 0n],
    ["::1", 1n],
    ["2001:db8::", 0x20010db8n << 96n],
    ["2001:db8:0:0:1:0:0:1", (0x20010db8n << 96n) | (1n << 48n) | 1n],
    ["::ffff:192.0.2.1", (0xffffn << 32n) | 0xc0000201n],
    ["FFFF:ffff:ffff:ffff:ffff:ffff:ffff:ffff", (1n << 128n) - 1n],
    ["fe80::1%eth0", (0xfe80n << 112n) | 1n],
  ])("IPv6 %s", (address, value) => expect(parseIp(address)).toEqual({ version: 6, value }));

  it.each([
    ["0.0.0.0", 0n],
    ["192.0.2.1", 0xc0000201n],
    ["255.255.255.255", 0xffffffffn],
  ])("IPv4 %s", (address, value) => expect(parseIp(address)).toEqual({ version: 4, value }));

  it.each(["1.2.3.04", "1.2.3", " 1.2.3.4", "256.0.0.1", "2001:db8:::1", "www.example.nl", ""])(
    "no address: %j",
    (text) => {
      expect(parseIp(text)).toBeUndefined();
      expect(ipVersionOf(text)).toBeUndefined();
    },
  );
});

describe("formatIp (RFC 5952)", () => {
  it.each([
    "::",
    "::1",
    "2001:db8::",
    "2001:db8::1:0:0:1",
    "2001:db8:0:1:1:1:1:1",
    "1:2:3:4:5:6:7:8",
    "fd00:64:64::",
    "192.0.2.1",
  ])("%s round-trips", (address) => {
    const ip = parseIp(address);
    expect(ip).toBeDefined();
    expect(formatIp(ip!.version, ip!.value)).toBe(address);
  });

  it("lower-cases and compresses the longest zero run, the first of equal ones", () => {
    const ip = parseIp("2001:DB8:0:0:1:0:0:1")!;
    expect(formatIp(6, ip.value)).toBe("2001:db8::1:0:0:1");
  });
});

describe("CIDR prefixes", () => {
  it("parses prefixes and refuses host bits", () => {
    expect(parseCidr("10.0.0.0/24")).toMatchObject({ version: 4, network: 0x0a000000n, prefixLength: 24 });
    expect(parseCidr("fd00::/64")).toMatchObject({ version: 6, prefixLength: 64 });
    expect(parseCidr("10.0.0.1/24")).toBeUndefined();
    expect(parseCidr("10.0.0.0/33")).toBeUndefined();
    expect(parseCidr("10.0.0.0")).toBeUndefined();
  });

  it("contains, overlaps", () => {
    const outer = parseCidr("10.0.0.0/16")!;
    const inner = parseCidr("10.0.4.0/24")!;
    const other = parseCidr("10.1.0.0/16")!;
    expect(cidrContains(outer, inner)).toBe(true);
    expect(cidrContains(inner, outer)).toBe(false);
    expect(cidrsOverlap(outer, inner)).toBe(true);
    expect(cidrsOverlap(outer, other)).toBe(false);
    expect(cidrContainsIp(inner, "10.0.4.255")).toBe(true);
    expect(cidrContainsIp(inner, "10.0.5.0")).toBe(false);
    expect(cidrContainsIp(parseCidr("::/0")!, "10.0.5.0")).toBe(false);
  });

  it("prefixVersion tells addresses and prefixes from service tags", () => {
    expect(prefixVersion("203.0.113.0/24")).toBe(4);
    expect(prefixVersion("2001:db8::/48")).toBe(6);
    expect(prefixVersion("2001:db8::1")).toBe(6);
    expect(prefixVersion("Internet")).toBeUndefined();
    expect(prefixVersion("*")).toBeUndefined();
  });
});
