/** The single-value rules behind the validator: addresses, CIDRs, SSH keys, suggestions. */
import { describe, expect, it } from "vitest";
import { backendAddressProblem, cidrProblem, ipv6ToBigInt } from "../src/spec/ip-rules.js";
import { sshPublicKeyProblem } from "../src/spec/ssh-key.js";
import { closestMatch } from "../src/spec/suggest.js";
import { PROXY_FIELDS } from "../src/spec/validate.js";
import { ED25519_KEY } from "./spec-fixtures.js";

describe("IPv6 expansion", () => {
  it.each([
    ["::", 0n],
    ["::1", 1n],
    ["2001:db8::", 0x20010db8n << 96n],
    ["2001:db8:0:0:1:0:0:1", (0x20010db8n << 96n) | (1n << 48n) | 1n],
    ["::ffff:192.0.2.1", (0xffffn << 32n) | 0xc0000201n],
    ["FFFF:ffff:ffff:ffff:ffff:ffff:ffff:ffff", (1n << 128n) - 1n],
  ])("%s", (address, value) => expect(ipv6ToBigInt(address)).toBe(value));
});

describe("CIDR ranges", () => {
  it.each(["0.0.0.0/0", "::/0", "198.51.100.7/32", "2001:db8::1/128", "10.0.0.0/8", "2001:db8:1234::/48", "::ffff:198.51.100.0/120"])(
    "accepts %s", (cidr) => expect(cidrProblem(cidr)).toBeUndefined());
  it.each([
    ["198.51.100.1/24", '"198.51.100.0/24"'],
    ["10.1.0.0/8", '"10.0.0.0/8"'],
    ["2001:db8:1234:5::/48", '"2001:db8:1234::/48"'],
    ["2001:db8::1/64", '"2001:db8::/64"'],
    ["1:2:3:4:5:6:7:8/16", '"1::/16"'],
    ["1:2:3:4:5:6:7:8/112", '"1:2:3:4:5:6:7:0/112"'],
  ])("finds host bits in %s and suggests %s", (cidr, suggestion) => expect(cidrProblem(cidr)).toBe(`has host bits set (did you mean ${suggestion}?)`));
  it.each(["198.51.100.0/", "/24", "198.51.100.0/24/1", "198.51.100.0/-1", "198.51.100.0/+8", "198.51.100.0/ 8", "2001:db8::/1e2"])(
    "rejects %s", (cidr) => expect(cidrProblem(cidr)).toMatch(/is not a CIDR range/));
});

describe("backend addresses", () => {
  it.each(["1.0.0.0", "126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0", "223.255.255.255", "192.0.2.1", "10.0.0.1"])(
    "accepts %s (just outside the unusable ranges)", (address) => expect(backendAddressProblem(address)).toBeUndefined());
  it.each(["0.255.255.255", "127.255.255.255", "169.254.0.0", "224.0.0.0", "239.255.255.255", "240.0.0.0", "1.2.3.4.5", "01.2.3.4", "1.2.3.4 "])(
    "rejects %s", (address) => expect(backendAddressProblem(address)).toBeDefined());
});

describe("SSH public keys", () => {
  // Public halves of keys made with ssh-keygen; the private halves were never kept.
  const rsa2048 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDhmMDPgiBK6UkMEV4ouXZpUL+jN/fSXTVTfW1i1gEprk24GSNGhZjHxFhQFnpRpcOFYHJHpod/wQ32sxUAVdUs8tvKIVpqqdsHDGNtFEONtNeDk4IUgulINyhbPzT/5t5q/W4Ka9q18r3CqdExxM4WofUMidbrJagcJVFu0Fh1bycGNh7j/AvJ4fTVP2tlwxyUP36lLhk9dfV3+WxMoiWhgFpwoXaEhvQ+JycxDlPpOCkLt1L+qTLV0Y8RAOjbkW5/iW7HsLeN4Vxb6ETJGkIbR7SHyKZDkRrcdSI9h9XPIMFgmgwbgk/7ihUoWxsXs2Vv8e9tLzUq3ryQAR2nmPs3";
  const rsa1024 = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDijupUhCLlnyoBOkhmcS42x+gq0tFiWccXGv9A/U1WSVNep0hfJmqDwZa9S8ZG/iBHYMLoZaomk9llkw3vKSYJ9HIGOkMlYemi+2/lJLbDicOahiw3sf2J2IKIjYDvExFOuXVWnnsKygesvG8FyCmirSL0OXLWNBqAhClIS8fr4w==";
  const ecdsa256 = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKCeGKP5wwcqcEv3bnbroquSGJk1j3FuKPYUu2Ts1NE1RpO1bfBvd50pKBY1xn0dKx/mzKDdZgPJtgvg0PgZxY8=";
  const ecdsa384 = "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBAohiJUXDmx3Nnaz4nCATC/L+lrgOk+tm416qLXLONQ2yGQ5F3pCU2+63ed8CmLOD2lT0d50ufxvlzACfQwrrwv9RNTZhVIbRj6+DF+sqqhGOAMcv4ORgQv9GlL0GMIeDQ==";
  const ecdsa521 = "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBADdvnKl5FRGs+5LyLrMHazH8DQHp9konSHb8RsGYykdohh3i8QPc8CwpQtJ79iggwxsJQ6DtdBbpMcrL9nosdetEAC6ZUf0DuIoH0IjISNevfuS+67H5Ee2lTUPpG0Yv/jbQ714Oxj/n/txQNFhXIWaVGtYqXZWAvv/UcIn09al+6Yo0A==";
  const wire = (...parts: Buffer[]): string => Buffer.concat(parts.flatMap((p) => [Buffer.from([0, 0, 0, p.length]), p])).toString("base64");
  const skEd25519 = `sk-ssh-ed25519@openssh.com ${wire(Buffer.from("sk-ssh-ed25519@openssh.com"), Buffer.alloc(32, 7), Buffer.from("ssh:"))}`;

  it.each([ED25519_KEY, `${ED25519_KEY} admin@example.nl`, `${ED25519_KEY} two words, ünïcode`, rsa2048, ecdsa256, ecdsa384, ecdsa521, skEd25519])(
    "accepts %s", (key) => expect(sshPublicKeyProblem(key)).toBeUndefined());
  it("rejects an RSA key under 2048 bits, naming its size", () => {
    expect(sshPublicKeyProblem(rsa1024)).toBe("is a 1024-bit RSA key; Azure requires at least 2048 bits (or use ssh-ed25519)");
  });
  it.each([
    [ED25519_KEY.slice(0, 40), "is not a valid ssh-ed25519 key"],
    [`ssh-ed25519 ${wire(Buffer.from("ssh-ed25519"), Buffer.alloc(31))}`, "is not a valid ssh-ed25519 key"],
    [`ssh-ed25519 ${wire(Buffer.from("ssh-ed25519"), Buffer.alloc(32), Buffer.alloc(1))}`, "is not a valid ssh-ed25519 key"],
    [`ecdsa-sha2-nistp256 ${ecdsa384.split(" ")[1]}`, "is not a valid ecdsa-sha2-nistp256 key"],
    [`ssh-rsa ${ED25519_KEY.split(" ")[1]}`, "is not a valid ssh-rsa key"],
    [`ssh-ed25519  ${ED25519_KEY.split(" ")[1]}`, "has no base64 key body"],
    [`ssh-rsa ${wire(Buffer.from("ssh-rsa"), Buffer.from([1, 0, 1]))}`, "is not a valid ssh-rsa key"],
    [`-----BEGIN SSH2 PUBLIC KEY-----`, "does not start with a supported key type"],
    [`${ED25519_KEY}\nssh-rsa AAAA`, "contains a control character"],
    [`${ED25519_KEY} ${"x".repeat(8200)}`, "is longer than 8192 characters"],
  ])("rejects %#: %s", (key, fragment) => expect(sshPublicKeyProblem(key)).toContain(fragment));
});

describe("did you mean", () => {
  it.each([
    ["backend", "backends"], ["Backends", "backends"], ["resource_group", "resourceGroup"], ["resourcegroup", "resourceGroup"],
    ["tls_ports", "tlsPorts"], ["subscription", "subscriptionId"], ["proxyprotocol", "proxyProtocol"], ["locaton", "location"], ["zone", undefined], ["x", undefined],
  ])("%s -> %s", (word, expected) => expect(closestMatch(word, PROXY_FIELDS)).toBe(expected));
});
