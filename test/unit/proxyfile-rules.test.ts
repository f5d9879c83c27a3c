/** The single-value rules behind the validator: addresses, CIDRs, SSH keys, suggestions. */
import { describe, expect, it } from "vitest";
import { backendAddressProblem, cidrProblem } from "../../src/proxyfile/ip-rules.js";
import { sshPublicKeyProblem } from "../../src/proxyfile/ssh-key.js";
import { closestMatch } from "../../src/proxyfile/suggest.js";
import { PROXY_FIELDS } from "../../src/proxyfile/validate.js";
import { AZURE_REJECTED_KEYS, azureRejects, ED25519_KEY, RSA_2048_KEY, sshWire } from "./proxyfile-fixtures.js";

describe("CIDR ranges", () => {
  it.each([
    "0.0.0.0/0",
    "::/0",
    "198.51.100.7/32",
    "2001:db8::1/128",
    "10.0.0.0/8",
    "2001:db8:1234::/48",
    "::ffff:198.51.100.0/120",
  ])("accepts %s", (cidr) => expect(cidrProblem(cidr)).toBeUndefined());
  it.each([
    ["198.51.100.1/24", '"198.51.100.0/24"'],
    ["10.1.0.0/8", '"10.0.0.0/8"'],
    ["2001:db8:1234:5::/48", '"2001:db8:1234::/48"'],
    ["2001:db8::1/64", '"2001:db8::/64"'],
    ["1:2:3:4:5:6:7:8/16", '"1::/16"'],
    ["1:2:3:4:5:6:7:8/112", '"1:2:3:4:5:6:7:0/112"'],
  ])("finds host bits in %s and suggests %s", (cidr, suggestion) =>
    expect(cidrProblem(cidr)).toBe(`has host bits set (did you mean ${suggestion}?)`),
  );
  it.each([
    "198.51.100.0/",
    "/24",
    "198.51.100.0/24/1",
    "198.51.100.0/-1",
    "198.51.100.0/+8",
    "198.51.100.0/ 8",
    "2001:db8::/1e2",
  ])("rejects %s", (cidr) => expect(cidrProblem(cidr)).toMatch(/is not a CIDR range/));
});

describe("backend addresses", () => {
  it.each([
    "1.0.0.0",
    "126.255.255.255",
    "128.0.0.0",
    "169.253.255.255",
    "169.255.0.0",
    "223.255.255.255",
    "192.0.2.1",
    "198.51.100.1",
    "203.0.113.255",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "192.167.255.255",
    "192.169.0.0",
    "198.17.255.255",
    "198.20.0.0",
  ])("accepts %s (just outside the unusable ranges)", (address) =>
    expect(backendAddressProblem(address)).toBeUndefined(),
  );
  it.each([
    "0.255.255.255",
    "127.255.255.255",
    "169.254.0.0",
    "224.0.0.0",
    "239.255.255.255",
    "240.0.0.0",
    "10.0.0.1",
    "172.16.0.0",
    "192.168.255.255",
    "100.64.0.0",
    "100.127.255.255",
    "168.63.129.16",
    "192.0.0.8",
    "192.88.99.1",
    "198.19.255.255",
    "1.2.3.4.5",
    "01.2.3.4",
    "1.2.3.4 ",
  ])("rejects %s", (address) => expect(backendAddressProblem(address)).toBeDefined());
});

describe("SSH public keys", () => {
  // Public halves of keys made with ssh-keygen; the private halves were never kept.
  const rsa1024 =
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDijupUhCLlnyoBOkhmcS42x+gq0tFiWccXGv9A/U1WSVNep0hfJmqDwZa9S8ZG/iBHYMLoZaomk9llkw3vKSYJ9HIGOkMlYemi+2/lJLbDicOahiw3sf2J2IKIjYDvExFOuXVWnnsKygesvG8FyCmirSL0OXLWNBqAhClIS8fr4w==";
  const ecdsa256 = AZURE_REJECTED_KEYS[0]?.[1] ?? "";

  it.each([
    ED25519_KEY,
    `${ED25519_KEY} admin@example.nl`,
    `${ED25519_KEY} two words, ünïcode`,
    RSA_2048_KEY,
    `${RSA_2048_KEY} admin@example.nl`,
  ])("accepts %s", (key) => expect(sshPublicKeyProblem(key)).toBeUndefined());
  it("rejects an RSA key under 2048 bits, naming its size", () => {
    expect(sshPublicKeyProblem(rsa1024)).toBe(
      "is a 1024-bit RSA key; Azure requires at least 2048 bits (or use ssh-ed25519)",
    );
  });
  // Well-formed keys that ssh accepts: Azure refuses them when the VM is created, so the validator refuses them first.
  it.each(AZURE_REJECTED_KEYS)("rejects a well-formed %s key, naming its type and the alternatives", (type, key) => {
    expect(sshPublicKeyProblem(key)).toBe(`cannot be used: ${azureRejects(type)}`);
    expect(sshPublicKeyProblem(`${key} admin@example.nl`)).toBe(`cannot be used: ${azureRejects(type)}`);
  });
  it.each([
    [ED25519_KEY.slice(0, 40), "is not a valid ssh-ed25519 key"],
    [`ssh-ed25519 ${sshWire(Buffer.from("ssh-ed25519"), Buffer.alloc(31))}`, "is not a valid ssh-ed25519 key"],
    [
      `ssh-ed25519 ${sshWire(Buffer.from("ssh-ed25519"), Buffer.alloc(32), Buffer.alloc(1))}`,
      "is not a valid ssh-ed25519 key",
    ],
    [`ssh-rsa ${ecdsa256.split(" ")[1]}`, "is not a valid ssh-rsa key"],
    [`ssh-rsa ${ED25519_KEY.split(" ")[1]}`, "is not a valid ssh-rsa key"],
    [`ssh-ed25519 ${RSA_2048_KEY.split(" ")[1]}`, "is not a valid ssh-ed25519 key"],
    [`ssh-ed25519  ${ED25519_KEY.split(" ")[1]}`, "has no base64 key body"],
    [`ssh-rsa ${sshWire(Buffer.from("ssh-rsa"), Buffer.from([1, 0, 1]))}`, "is not a valid ssh-rsa key"],
    // The type decides first: a mangled body under a refused type still gets the message that says which types to use.
    ["ecdsa-sha2-nistp256 not*base64", azureRejects("ecdsa-sha2-nistp256")],
    ["ssh-dss AAAAB3NzaC1kc3M=", "does not start with a supported key type (ssh-ed25519, ssh-rsa)"],
    ["ssh-ed25519-cert-v01@openssh.com AAAA", "does not start with a supported key type (ssh-ed25519, ssh-rsa)"],
    ["-----BEGIN SSH2 PUBLIC KEY-----", "does not start with a supported key type (ssh-ed25519, ssh-rsa)"],
    [`${ED25519_KEY}\nssh-rsa AAAA`, "contains a control character"],
    [`${ED25519_KEY} ${"x".repeat(8200)}`, "is longer than 8192 characters"],
  ])("rejects %#: %s", (key, fragment) => expect(sshPublicKeyProblem(key)).toContain(fragment));
});

describe("did you mean", () => {
  it.each([
    ["backend", "backends"],
    ["Backends", "backends"],
    ["resource_group", "resourceGroup"],
    ["resourcegroup", "resourceGroup"],
    ["tls_ports", "tlsPorts"],
    ["subscription", "subscriptionId"],
    ["proxyprotocol", "proxyProtocol"],
    ["locaton", "location"],
    ["zone", "zones"],
    ["replica", "replicas"],
    ["network", undefined],
    ["x", undefined],
  ])("%s -> %s", (word, expected) => expect(closestMatch(word, PROXY_FIELDS)).toBe(expected));
});
