/**
 * Seeded random strings near the edges of the address and name rules, run
 * through both the JSON Schema and the validator: they must agree on every
 * one, except for host bits in CIDR ranges, which only the validator checks.
 * The seed is fixed, so a failure names a string that reproduces.
 */
import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseProxyFile } from "../../src/proxyfile/load.js";
import { ED25519_KEY } from "../unit/proxyfile-fixtures.js";

const schema = JSON.parse(readFileSync("schema/proxy.schema.json", "utf8")) as object;
const validateSchema = new Ajv2020({ strict: true }).compile(schema);
const base = { location: "westeurope", resourceGroup: "rg-ipv6-proxy", backends: ["192.0.2.10"] };

/** mulberry32: small, seedable, good enough to pick test strings. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = random(20240611);
const int = (n: number): number => Math.floor(rnd() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
const times = (n: number, f: () => string): string[] => Array.from({ length: n }, f);

/** Mostly well-formed values, each with a fair chance of one flaw. */
function octet(): string {
  if (rnd() < 0.85) return String(pick([int(256), int(256), 0, 127, 169, 224, 239, 240, 255]));
  return pick([String(256 + int(100)), `0${int(10)}`, "", "a", "-1"]);
}
function ipv4(): string {
  const parts = times(rnd() < 0.9 ? 4 : pick([3, 5]), octet);
  if (rnd() < 0.1) parts[1] = "254";
  return parts.join(".") + (rnd() < 0.03 ? " " : "");
}
function ipv6(): string {
  const hex = (): string => (rnd() < 0.95 ? int(0x10000).toString(16) : pick(["12345", "g1", "", "-1"]));
  const groups = times(8, () => (rnd() < 0.3 ? "0" : hex()));
  if (rnd() < 0.15) groups.splice(6, 2, ipv4());
  if (rnd() < 0.05) groups.push(hex());
  const text = groups.join(":");
  const run = text.match(/(^|:)0(:0)*(:|$)/);
  // Compress one run of zero groups to "::" (sometimes a second one, which is invalid).
  const compressed = run && rnd() < 0.8 ? text.replace(run[0], "::") : text;
  return rnd() < 0.05 ? compressed.replace(":", "::") : rnd() < 0.3 ? compressed.toUpperCase() : compressed;
}
function cidr(): string {
  const v4 = rnd() < 0.5;
  const address = v4 ? ipv4() : ipv6();
  // Prefixes that leave no host bits are the interesting ones: the schema cannot see host bits.
  const prefix =
    rnd() < 0.8 ? String(v4 ? 32 : 128) : pick([String(int(140)), `0${int(9)}`, "", "x", "33", "129", "0"]);
  return rnd() < 0.95 ? `${address}/${prefix}` : address;
}
function hostname(): string {
  const label = (): string =>
    pick(["api", "www", "a", "x-y", "-x", "x-", "1", "123", "A", "a_b", "*", "", "a".repeat(63), "b".repeat(64), "é"]);
  const text = times(1 + int(4), label).join(".");
  return (rnd() < 0.3 ? "*." : "") + text + (rnd() < 0.05 ? "." : "");
}
function tagValue(): string {
  const chars = [
    "a",
    "Z",
    "0",
    "-",
    "_",
    ".",
    ":",
    "=",
    "+",
    "@",
    " ",
    "\t",
    "\n",
    '"',
    "'",
    "`",
    "<",
    "%",
    "&",
    "\\",
    "?",
    "/",
    "#",
    "é",
    "\u00a0",
    "\u0085",
    "\u2028",
    "\u007f",
    "😀",
  ];
  return times(int(6), () => pick(chars)).join("") + (rnd() < 0.05 ? "v".repeat(252) : "");
}

function errorsFor(doc: object): string[] {
  return parseProxyFile("proxies/fuzz.yaml", stringify(doc)).errors.map((e) => e.message);
}

/** Runs `count` candidates; returns how many each side accepted, and the disagreements. */
function compare(count: number, make: () => string, doc: (s: string) => object, validatorOnly?: RegExp) {
  const disagreements: { value: string; schema: boolean; validator: string[] }[] = [];
  let accepted = 0;
  for (let i = 0; i < count; i++) {
    const value = make();
    const schemaOk = validateSchema(doc(value));
    const errors = errorsFor(doc(value));
    const validatorOk = errors.every((m) => validatorOnly?.test(m));
    if (schemaOk) accepted++;
    if (schemaOk !== validatorOk) disagreements.push({ value, schema: schemaOk, validator: errors });
  }
  return { accepted, rejected: count - accepted, disagreements };
}

describe("schema and validator agree on random values", () => {
  const cases = {
    backends: () => compare(1500, ipv4, (v) => ({ ...base, backends: [v] })),
    "ssh.allowFrom": () =>
      compare(
        1500,
        cidr,
        (v) => ({ ...base, ssh: { allowFrom: [v], publicKeys: [ED25519_KEY] } }),
        /has host bits set/,
      ),
    "routes[].hostnames": () =>
      compare(1500, hostname, (v) => ({ ...base, routes: [{ hostnames: [v], backends: ["203.0.113.7"] }] })),
    "dns.records": () =>
      compare(
        1500,
        () => hostname().replace(/^\*$/, "@"),
        (v) => ({ ...base, dns: { zone: "example.nl", records: [v] } }),
      ),
    "tags values": () => compare(1500, tagValue, (v) => ({ ...base, tags: { t: v } })),
  };
  it.each(Object.entries(cases))("%s", (_field, run) => {
    const { accepted, rejected, disagreements } = run();
    expect(disagreements.slice(0, 5)).toEqual([]);
    // Both verdicts must be common, or the comparison proves little.
    expect(accepted).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
  });
});
