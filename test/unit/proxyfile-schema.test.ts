/**
 * schema/proxy.schema.json and the validator must agree: editors show the
 * schema's verdict while typing, the action enforces the validator's.
 *
 * Every row of AGREE is run through both and both must give the row's
 * verdict. VALIDATOR_ONLY lists what a JSON Schema cannot express (relations
 * between values, arithmetic on addresses, the file name, decoding a key);
 * there the schema accepts and only the validator rejects. YAML-level checks
 * (syntax, duplicate keys, several documents, aliases, file size) and the
 * checks across files (duplicate names, DNS records claimed twice) are
 * validator-only as well and are covered in spec-errors*.test.ts and
 * spec-load.test.ts.
 */
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { UNUSABLE_IPV4 } from "../../src/proxyfile/ip-rules.js";
import { parseProxyFile } from "../../src/proxyfile/load.js";
import { formatSpecError } from "../../src/proxyfile/types.js";
import { AZURE_REJECTED_KEYS, ED25519_KEY, RSA_2048_KEY } from "./proxyfile-fixtures.js";

const schema = JSON.parse(readFileSync("schema/proxy.schema.json", "utf8")) as object;
const validateSchema = new Ajv2020({ allErrors: true, strict: true }).compile(schema);

type Doc = Record<string, unknown>;
const base: Doc = { location: "westeurope", resourceGroup: "rg-ipv6-proxy", backends: ["192.0.2.10"] };
const withBase = (extra: Doc): Doc => ({ ...base, ...extra });
const dns = (extra: Doc): Doc => withBase({ dns: { zone: "example.nl", records: ["www"], ...extra } });
const route = (extra: Doc): Doc =>
  withBase({ routes: [{ hostnames: ["api.example.nl"], backends: ["203.0.113.7"], ...extra }] });
const ssh = (extra: Doc): Doc =>
  withBase({ ssh: { allowFrom: ["198.51.100.0/24"], publicKeys: [ED25519_KEY], ...extra } });
const tags = (t: Record<string, unknown>): Doc => withBase({ tags: t });
const without = (key: string): Doc => Object.fromEntries(Object.entries(base).filter(([k]) => k !== key));

function validatorAccepts(doc: Doc): boolean {
  return parseProxyFile("proxies/agree.yaml", stringify(doc)).errors.length === 0;
}

/** [what, document, valid] */
const AGREE: [string, Doc, boolean][] = [
  ["minimal", base, true],
  [
    "every field",
    withBase({
      name: "www-example-nl",
      subscriptionId: "12345678-aaaa-bbbb-cccc-1234567890ab",
      ports: [80, 443, 8443],
      tlsPorts: [443, 8443],
      vmSize: "Standard_D2as_v5",
      dns: { zone: "example.nl", resourceGroup: "rg-dns", records: ["@", "www", "*", "*.shop", "a.b"], ttl: 3600 },
      tags: { team: "web", "cost.center": "cc_1-2", empty: "" },
      proxyProtocol: "v2",
      routes: [{ hostnames: ["api.example.nl", "*.api.example.nl"], backends: ["203.0.113.7", "198.51.100.7"] }],
      ssh: {
        allowFrom: ["2001:db8:1234::/48", "::/0", "::ffff:198.51.100.0/120", "10.0.0.0/8"],
        publicKeys: [`${ED25519_KEY} admin@example.nl`],
      },
    }),
    true,
  ],
  ["missing location", without("location"), false],
  ["missing backends", without("backends"), false],
  ["unknown top-level field", withBase({ backend: ["192.0.2.1"] }), false],
  ["unknown dns field", dns({ record: ["x"] }), false],
  ["unknown route field", route({ weight: 2 }), false],
  ["unknown ssh field", ssh({ user: "root" }), false],
  ["name with capitals", withBase({ name: "Www" }), false],
  ["name ending in a hyphen", withBase({ name: "www-" }), false],
  ["name with double hyphen", withBase({ name: "w--w" }), false],
  ["name of 40 characters", withBase({ name: "a".repeat(40) }), true],
  ["name of 41 characters", withBase({ name: "a".repeat(41) }), false],
  ["region with a space", withBase({ location: "West Europe" }), false],
  ["resource group with parentheses", withBase({ resourceGroup: "rg-(prod)_1.x" }), true],
  ["resource group ending in a period", withBase({ resourceGroup: "rg." }), false],
  ["resource group of 90 characters", withBase({ resourceGroup: "r".repeat(90) }), true],
  ["resource group of 91 characters", withBase({ resourceGroup: "r".repeat(91) }), false],
  ["subscription id not a GUID", withBase({ subscriptionId: "1234" }), false],
  ["backend 10.0.0.300", withBase({ backends: ["10.0.0.300"] }), false],
  ["backend with leading zero", withBase({ backends: ["1.2.3.04"] }), false],
  ["backend with a space", withBase({ backends: [" 1.2.3.4"] }), false],
  ["backend loopback", withBase({ backends: ["127.0.0.1"] }), false],
  ["backend link-local", withBase({ backends: ["169.254.169.254"] }), false],
  ["backend multicast", withBase({ backends: ["239.1.1.1"] }), false],
  ["backend broadcast", withBase({ backends: ["255.255.255.255"] }), false],
  ["backend private 10/8", withBase({ backends: ["10.1.2.3"] }), false],
  ["backend private 172.16/12", withBase({ backends: ["172.31.255.255"] }), false],
  ["backend private 192.168/16", withBase({ backends: ["192.168.1.1"] }), false],
  ["backend carrier-grade NAT", withBase({ backends: ["100.64.0.1"] }), false],
  ["backend in the proxy's own subnet", withBase({ backends: ["10.64.0.4"] }), false],
  ["backend Azure platform address", withBase({ backends: ["168.63.129.16"] }), false],
  ["backend next to the Azure platform address", withBase({ backends: ["168.63.129.17"] }), true],
  ["route backend private", route({ backends: ["192.168.0.10"] }), false],
  ["backend in a documentation range", withBase({ backends: ["192.0.2.1", "198.51.100.1", "203.0.113.1"] }), true],
  ["backend listed twice", withBase({ backends: ["192.0.2.1", "192.0.2.1"] }), false],
  ["16 backends", withBase({ backends: Array.from({ length: 16 }, (_, i) => `192.0.2.${i + 1}`) }), true],
  ["17 backends", withBase({ backends: Array.from({ length: 17 }, (_, i) => `192.0.2.${i + 1}`) }), false],
  ["port 0", withBase({ ports: [0] }), false],
  ["port 65535", withBase({ ports: [65535] }), true],
  ["port as string", withBase({ ports: ["80"] }), false],
  ["port as fraction", withBase({ ports: [80.5] }), false],
  ["no ports", withBase({ ports: [] }), false],
  ["port 22 with ssh", { ...ssh({}), ports: [22, 443] }, false],
  ["port 22 without ssh", withBase({ ports: [22] }), true],
  ["VM size without Standard_", withBase({ vmSize: "B2s" }), false],
  ["zone with one label", dns({ zone: "nl" }), false],
  ["zone in capitals", dns({ zone: "Example.nl" }), false],
  ["zone with trailing dot", dns({ zone: "example.nl." }), false],
  ["zone ending in digits", dns({ zone: "example.123" }), false],
  ["record with wildcard inside", dns({ records: ["a.*"] }), false],
  ["record listed twice", dns({ records: ["www", "www"] }), false],
  ["record with underscore", dns({ records: ["_acme"] }), false],
  ["ttl 0", dns({ ttl: 0 }), false],
  ["ttl 86400", dns({ ttl: 86400 }), true],
  ["tag value with a space", tags({ team: "web team" }), false],
  ["tag value with a newline", tags({ team: "web\nteam" }), false],
  ["tag value with a non-breaking space", tags({ team: "web\u00a0team" }), false],
  ["tag value with accents", tags({ team: "gemeente-één" }), true],
  ["tag value as number", tags({ team: 5 }), false],
  ["tag value of 256 characters", tags({ team: "v".repeat(256) }), true],
  ["tag value of 257 characters", tags({ team: "v".repeat(257) }), false],
  ["tag key with a space", tags({ "a b": "x" }), false],
  ["tag key managedBy", tags({ managedBy: "x" }), false],
  ["tag key IPV6PROXYNAME", tags({ IPV6PROXYNAME: "x" }), false],
  ["tag key managedByTeam", tags({ managedByTeam: "x" }), true],
  ["40 tags", tags(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`t${i}`, "v"]))), true],
  ["41 tags", tags(Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`t${i}`, "v"]))), false],
  ["host name in capitals", route({ hostnames: ["API.example.nl"] }), false],
  ["host name with wildcard inside", route({ hostnames: ["api.*.example.nl"] }), false],
  ["host name with newline", route({ hostnames: ["api.example.nl\nx"] }), false],
  ["host name of one label", route({ hostnames: ["intranet"] }), false],
  ["host name that is an IP", route({ hostnames: ["192.0.2.1"] }), false],
  ["host name listed twice in a route", route({ hostnames: ["a.example.nl", "a.example.nl"] }), false],
  ["route without host names", route({ hostnames: [] }), false],
  ["proxy protocol v1", withBase({ proxyProtocol: "v1" }), true],
  [
    "limits: all three",
    withBase({ limits: { connectionsPerClient: 8000, newConnectionsPerClient: 1, idleTimeoutSeconds: 10 } }),
    true,
  ],
  ["limits: empty", withBase({ limits: {} }), true],
  ["limits: no connections", withBase({ limits: { connectionsPerClient: 0 } }), false],
  ["limits: rate 10001", withBase({ limits: { newConnectionsPerClient: 10001 } }), false],
  ["limits: idle timeout 9", withBase({ limits: { idleTimeoutSeconds: 9 } }), false],
  ["limits: idle timeout as text", withBase({ limits: { idleTimeoutSeconds: "300" } }), false],
  ["limits: unknown field", withBase({ limits: { bandwidth: 10 } }), false],
  ["proxy protocol v3", withBase({ proxyProtocol: "v3" }), false],
  ["ssh range without prefix", ssh({ allowFrom: ["198.51.100.0"] }), false],
  ["ssh IPv4 prefix 33", ssh({ allowFrom: ["198.51.100.0/33"] }), false],
  ["ssh IPv6 prefix 129", ssh({ allowFrom: ["2001:db8::/129"] }), false],
  ["ssh prefix with leading zero", ssh({ allowFrom: ["10.0.0.0/08"] }), false],
  ["ssh IPv6 with zone id", ssh({ allowFrom: ["fe80::%eth0/64"] }), false],
  ["ssh key type dss", ssh({ publicKeys: ["ssh-dss AAAAB3NzaC1kc3M="] }), false],
  ["2048-bit RSA key", ssh({ publicKeys: [`${RSA_2048_KEY} admin@example.nl`] }), true],
  ["ed25519 and RSA keys together", ssh({ publicKeys: [ED25519_KEY, RSA_2048_KEY] }), true],
  ...AZURE_REJECTED_KEYS.map(([type, key]): [string, Doc, boolean] => [
    `ssh key type ${type} (Azure refuses it)`,
    ssh({ publicKeys: [key] }),
    false,
  ]),
  ["ecdsa key next to a good one", ssh({ publicKeys: [ED25519_KEY, AZURE_REJECTED_KEYS[0]?.[1]] }), false],
  ["ssh key without body", ssh({ publicKeys: ["ssh-ed25519"] }), false],
  ["ssh key with control character", ssh({ publicKeys: [`${ED25519_KEY} a\u0007b`] }), false],
  ["ssh key with bad padding", ssh({ publicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5A="] }), false],
  ["no ssh keys", ssh({ publicKeys: [] }), false],
  ["two replicas", withBase({ replicas: 2 }), true],
  ["ten replicas in three zones, IPv4 open", withBase({ replicas: 10, zones: ["1", "2", 3], ipv4: true }), true],
  ["zero replicas", withBase({ replicas: 0 }), false],
  ["eleven replicas", withBase({ replicas: 11 }), false],
  ["replicas as a string", withBase({ replicas: "2" }), false],
  ["zones without replicas", withBase({ zones: ["1"] }), false],
  ["zones with one replica", withBase({ replicas: 1, zones: ["1"] }), false],
  ["zone 0", withBase({ replicas: 2, zones: [0] }), false],
  ["zone 10", withBase({ replicas: 2, zones: ["10"] }), false],
  ["no zones listed", withBase({ replicas: 2, zones: [] }), false],
  ["a zone listed twice", withBase({ replicas: 2, zones: ["1", "1"] }), false],
  ["ipv4 with one replica", withBase({ ipv4: true }), false],
  ["ipv4 false with one replica", withBase({ ipv4: false }), true],
  ["ipv4 as a string", withBase({ replicas: 2, ipv4: "true" }), false],
  ["the health port with replicas", withBase({ replicas: 2, ports: [443, 8405] }), false],
  ["the health port on a single VM", withBase({ ports: [443, 8405] }), true],
];

/** [what, document]: the schema accepts these, the validator must not. */
const VALIDATOR_ONLY: [string, Doc][] = [
  ["tlsPorts not in ports (relation between fields)", withBase({ ports: [80, 443], tlsPorts: [8443] })],
  [
    "host name in two routes (uniqueness across lists)",
    withBase({
      routes: [
        { hostnames: ["api.example.nl"], backends: ["203.0.113.7"] },
        { hostnames: ["api.example.nl"], backends: ["203.0.113.8"] },
      ],
    }),
  ],
  ["tag names differing only in case (case-insensitive uniqueness)", tags({ team: "a", Team: "b" })],
  ["a zone the region does not have (the region's zones)", withBase({ replicas: 2, zones: ["1", "4"] })],
  ["zones in a region without zones (the region's zones)", withBase({ location: "ukwest", replicas: 2, zones: ["1"] })],
  ["zone 1 and the number 1 (the same zone, spelled twice)", withBase({ replicas: 2, zones: ["1", 1] })],
  [
    "record plus zone longer than 253 (length of a combination)",
    dns({ zone: `${"z".repeat(60)}.nl`, records: [Array(3).fill("r".repeat(63)).join(".")] }),
  ],
  ["IPv4 range with host bits (address arithmetic)", ssh({ allowFrom: ["198.51.100.1/24"] })],
  ["IPv6 range with host bits (address arithmetic)", ssh({ allowFrom: ["2001:db8::1/64"] })],
  ["key body of another key type (decoding base64)", ssh({ publicKeys: ["ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB"] })],
  ["truncated key (decoding base64)", ssh({ publicKeys: [ED25519_KEY.slice(0, 40)] })],
  [
    "1024-bit RSA key (decoding the modulus)",
    ssh({
      publicKeys: [
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDijupUhCLlnyoBOkhmcS42x+gq0tFiWccXGv9A/U1WSVNep0hfJmqDwZa9S8ZG/iBHYMLoZaomk9llkw3vKSYJ9HIGOkMlYemi+2/lJLbDicOahiw3sf2J2IKIjYDvExFOuXVWnnsKygesvG8FyCmirSL0OXLWNBqAhClIS8fr4w==",
      ],
    }),
  ],
];

describe("schema and validator agree", () => {
  // Every unusable range, at its edges: the first and last address are refused, the neighbours outside are not.
  const edges = UNUSABLE_IPV4.flatMap(({ cidr }) => {
    const [network = "", prefix = "32"] = cidr.split("/");
    const first = network.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const last = first + 2 ** (32 - Number(prefix)) - 1;
    return [first - 1, first, last, last + 1]
      .filter((n) => n >= 0 && n < 2 ** 32)
      .map((n) => [cidr, [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".")] as const);
  });
  it.each(edges)("backend at the edge of %s: %s", (_cidr, address) => {
    const doc = withBase({ backends: [address] });
    expect({ schema: validateSchema(doc) }).toEqual({ schema: validatorAccepts(doc) });
  });
  it("the schema compiles in strict mode", () => {
    expect(validateSchema).toBeTypeOf("function");
  });
  it.each(AGREE)("%s", (_what, doc, valid) => {
    expect({ schema: validateSchema(doc), validator: validatorAccepts(doc) }).toEqual({
      schema: valid,
      validator: valid,
    });
  });
  it.each(VALIDATOR_ONLY)("validator-only: %s", (_what, doc) => {
    expect({ schema: validateSchema(doc), validator: validatorAccepts(doc) }).toEqual({
      schema: true,
      validator: false,
    });
  });
  it("the validator-only file-name default is reported by the validator alone", () => {
    expect(validateSchema(base)).toBe(true);
    expect(parseProxyFile("proxies/Bad Name.yaml", stringify(base)).errors.map(formatSpecError)).toEqual([
      expect.stringContaining('proxies/Bad Name.yaml:1:1 name: the file name makes the proxy name "Bad Name"'),
    ]);
  });
  it("the samples in proxies/ satisfy the schema", async () => {
    const files = (await readdir("proxies")).filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      const doc = parse(readFileSync(`proxies/${file}`, "utf8")) as unknown;
      expect({ file, valid: validateSchema(doc), errors: validateSchema.errors ?? null }).toEqual({
        file,
        valid: true,
        errors: null,
      });
    }
  });
});
