/** Shared inputs and assertions for the proxy-file tests. */
import { expect } from "vitest";
import { parseProxyFile } from "../src/spec/load.js";

/** Three lines that make a valid file; rows append from line 4. */
export const BASE = "location: westeurope\nresourceGroup: rg-ipv6-proxy\nbackends: [192.0.2.10]\n";

/** A real ed25519 public key (its private half was never kept). */
export const ED25519_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIbtWU2Tz8mA7BPBmeCUu/P5RmNEn+INoC+E2qrfIYdK";

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
