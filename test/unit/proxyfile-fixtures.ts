/** Shared inputs and assertions for the proxy-file tests. */
import { expect } from "vitest";
import { parseProxyFile } from "../../src/proxyfile/load.js";

/** Three lines that make a valid file; rows append from line 4. */
export const BASE = "location: westeurope\nresourceGroup: rg-ipv6-proxy\nbackends: [192.0.2.10]\n";

/** A real ed25519 public key (its private half was never kept). */
export const ED25519_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIbtWU2Tz8mA7BPBmeCUu/P5RmNEn+INoC+E2qrfIYdK";

/** A real 2048-bit RSA public key (its private half was never kept): the smallest RSA key Azure takes. */
export const RSA_2048_KEY =
  "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDhmMDPgiBK6UkMEV4ouXZpUL+jN/fSXTVTfW1i1gEprk24GSNGhZjHxFhQFnpRpcOFYHJHpod/wQ32sxUAVdUs8tvKIVpqqdsHDGNtFEONtNeDk4IUgulINyhbPzT/5t5q/W4Ka9q18r3CqdExxM4WofUMidbrJagcJVFu0Fh1bycGNh7j/AvJ4fTVP2tlwxyUP36lLhk9dfV3+WxMoiWhgFpwoXaEhvQ+JycxDlPpOCkLt1L+qTLV0Y8RAOjbkW5/iW7HsLeN4Vxb6ETJGkIbR7SHyKZDkRrcdSI9h9XPIMFgmgwbgk/7ihUoWxsXs2Vv8e9tLzUq3ryQAR2nmPs3";

/** A key blob in SSH wire format: each part as a uint32 length and its bytes, base64-encoded. */
export function sshWire(...parts: Buffer[]): string {
  return Buffer.concat(parts.flatMap((part) => [Buffer.from([0, 0, 0, part.length]), part])).toString("base64");
}

/**
 * Well-formed keys of types OpenSSH accepts and Azure refuses for Linux VMs,
 * as [type, key]. The ecdsa ones are real public keys made with ssh-keygen;
 * the security-key ones are built field by field (a hardware token is needed
 * to make real ones), with the shape OpenSSH's PROTOCOL.u2f describes.
 */
export const AZURE_REJECTED_KEYS: [type: string, key: string][] = [
  [
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBKCeGKP5wwcqcEv3bnbroquSGJk1j3FuKPYUu2Ts1NE1RpO1bfBvd50pKBY1xn0dKx/mzKDdZgPJtgvg0PgZxY8=",
  ],
  [
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBAohiJUXDmx3Nnaz4nCATC/L+lrgOk+tm416qLXLONQ2yGQ5F3pCU2+63ed8CmLOD2lT0d50ufxvlzACfQwrrwv9RNTZhVIbRj6+DF+sqqhGOAMcv4ORgQv9GlL0GMIeDQ==",
  ],
  [
    "ecdsa-sha2-nistp521",
    "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBADdvnKl5FRGs+5LyLrMHazH8DQHp9konSHb8RsGYykdohh3i8QPc8CwpQtJ79iggwxsJQ6DtdBbpMcrL9nosdetEAC6ZUf0DuIoH0IjISNevfuS+67H5Ee2lTUPpG0Yv/jbQ714Oxj/n/txQNFhXIWaVGtYqXZWAvv/UcIn09al+6Yo0A==",
  ],
  [
    "sk-ssh-ed25519@openssh.com",
    `sk-ssh-ed25519@openssh.com ${sshWire(Buffer.from("sk-ssh-ed25519@openssh.com"), Buffer.alloc(32, 7), Buffer.from("ssh:"))}`,
  ],
  [
    "sk-ecdsa-sha2-nistp256@openssh.com",
    `sk-ecdsa-sha2-nistp256@openssh.com ${sshWire(
      Buffer.from("sk-ecdsa-sha2-nistp256@openssh.com"),
      Buffer.from("nistp256"),
      Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 9)]),
      Buffer.from("ssh:"),
    )}`,
  ],
];

/** The message fragment for a key type Azure refuses; the same for every such type, bar the type's name. */
export const azureRejects = (type: string): string =>
  `"${type}" keys are not accepted by Azure for Linux VMs; use ssh-ed25519 or ssh-rsa (≥ 2048 bits)`;

/** [field, line, column, fragment of the message] */
export type ExpectedError = [string, number, number, string];
export type ErrorRow = [title: string, text: string, expected: ExpectedError[], file?: string];

/** Asserts exactly these errors, in order, and that no proxy came out. */
export function expectErrors(text: string, expected: ExpectedError[], file = "proxies/www.yaml"): void {
  const { proxy, errors } = parseProxyFile(file, text);
  expect(proxy).toBeUndefined();
  expect(errors.map((e) => [e.field, e.line, e.column])).toEqual(expected.map(([f, l, c]) => [f, l, c]));
  errors.forEach((error, i) => {
    expect(error.file).toBe(file);
    expect(error.message).toContain(expected[i]?.[3]);
  });
}
