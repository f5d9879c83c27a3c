/**
 * Bad proxy files, part 2: DNS, tags, routes, PROXY protocol and SSH, the
 * values that end up in Azure names, tags and generated config. Each row
 * asserts the exact field, line and column of every error.
 */
import { describe, expect, it } from "vitest";
import { parseProxyFile } from "../../src/proxyfile/load.js";
import { formatSpecError } from "../../src/proxyfile/types.js";
import {
  AZURE_REJECTED_KEYS,
  azureRejects,
  BASE,
  ED25519_KEY,
  type ErrorRow,
  expectErrors,
} from "./proxyfile-fixtures.js";

/** dns.zone is at line 5, column 9; dns.records at line 6, column 12. */
const dns = (zone: string, records: string, extra = ""): string =>
  `${BASE}dns:\n  zone: ${zone}\n  records: ${records}\n${extra}`;
/** The first tag key is at line 5, column 3. */
const tags = (lines: string): string => `${BASE}tags:\n${lines}`;
/** routes[0].hostnames[0] is at line 5, column 17. */
const route = (hostnames: string): string =>
  `${BASE}routes:\n  - hostnames: [${hostnames}]\n    backends: [203.0.113.7]\n`;
/** ssh.allowFrom[0] is at line 5, column 15; ssh.publicKeys[0] at line 6, column 16. */
const ssh = (cidr: string, key = ED25519_KEY): string =>
  `${BASE}ssh:\n  allowFrom: [${cidr}]\n  publicKeys: [${JSON.stringify(key)}]\n`;

const DNS: ErrorRow[] = [
  [
    "zone with one label",
    dns("example", "[www]"),
    [["dns.zone", 5, 9, 'must have at least 2 labels, such as "example.nl"']],
  ],
  ["zone with trailing dot", dns("example.nl.", "[www]"), [["dns.zone", 5, 9, "must not end with a dot"]]],
  ["zone in capitals", dns("Example.nl", "[www]"), [["dns.zone", 5, 9, 'must be lowercase ("example.nl")']]],
  [
    "zone with underscore",
    dns("exa_mple.nl", "[www]"),
    [["dns.zone", 5, 9, "may only contain lowercase letters, digits, hyphens and dots"]],
  ],
  ["zone with a wildcard", dns('"*.example.nl"', "[www]"), [["dns.zone", 5, 9, 'must not contain "*"']]],
  [
    "record starting with a hyphen",
    dns("example.nl", "[www, -www]"),
    [["dns.records[1]", 6, 18, "has a label that starts or ends with a hyphen"]],
  ],
  [
    "record with a wildcard inside",
    dns("example.nl", '["www.*"]'),
    [["dns.records[0]", 6, 13, 'may only use "*" as the whole first label']],
  ],
  [
    "record with a space",
    dns("example.nl", '["w w"]'),
    [["dns.records[0]", 6, 13, "may only contain lowercase letters"]],
  ],
  [
    "record listed twice",
    dns("example.nl", "[www, www]"),
    [["dns.records[1]", 6, 18, '"www" is listed twice (first as dns.records[0])']],
  ],
  [
    "records as a string",
    dns("example.nl", "www"),
    [["dns.records", 6, 12, 'must be a list of record names, not the string "www"']],
  ],
  ["no records", dns("example.nl", "[]"), [["dns.records", 6, 12, "must list 1 to 50 record names, not 0"]]],
  [
    "record too long with its zone",
    dns(`${"z".repeat(60)}.nl`, `[${Array(3).fill("r".repeat(63)).join(".")}]`),
    [["dns.records[0]", 6, 13, "longer than 253 characters"]],
  ],
  ["ttl of 0", dns("example.nl", "[www]", "  ttl: 0\n"), [["dns.ttl", 7, 8, "0 is out of range (1 to 86400)"]]],
  ["ttl above a day", dns("example.nl", "[www]", "  ttl: 86401\n"), [["dns.ttl", 7, 8, "86401 is out of range"]]],
  [
    "dns resource group with a space",
    dns("example.nl", "[www]", "  resourceGroup: rg dns\n"),
    [["dns.resourceGroup", 7, 18, "may only contain letters"]],
  ],
];

const TAGS: ErrorRow[] = [
  ["value with a space", tags('  team: "web team"\n'), [["tags.team", 5, 9, 'must not contain " "']]],
  ["value with a newline", tags('  team: "web\\nteam"\n'), [["tags.team", 5, 9, 'must not contain "\\n"']]],
  ["value with a quote", tags("  team: 'it''s'\n"), [["tags.team", 5, 9, `must not contain "'"`]]],
  ["value with a slash", tags("  team: web/ops\n"), [["tags.team", 5, 9, 'must not contain "/"']]],
  [
    "value of 257 characters",
    tags(`  team: ${"w".repeat(257)}\n`),
    [["tags.team", 5, 9, "is longer than 256 characters"]],
  ],
  [
    "value as a number",
    tags("  costCenter: 1234\n"),
    [["tags.costCenter", 5, 15, "must be a string, not the number 1234"]],
  ],
  [
    "key with a space",
    tags('  "cost center": x\n'),
    [['tags["cost center"]', 5, 3, 'tag name "cost center" may only contain']],
  ],
  ["key with a hash", tags("  'a#b': x\n"), [['tags["a#b"]', 5, 3, "may only contain letters, digits"]]],
  ["reserved key ipv6Proxy*", tags("  ipv6ProxyName: other\n"), [["tags.ipv6ProxyName", 5, 3, "is reserved"]]],
  ["reserved key in other case", tags("  managedby: me\n"), [["tags.managedby", 5, 3, "is reserved"]]],
  [
    "same key in other case",
    tags("  team: a\n  Team: b\n"),
    [["tags.Team", 6, 3, 'tag "Team" is set twice (tag names ignore case; first on line 5)']],
  ],
  [
    "41 tags",
    tags(Array.from({ length: 41 }, (_, i) => `  t${i}: v\n`).join("")),
    [["tags", 5, 3, "has 41 tags; at most 40 are allowed"]],
  ],
];

const ROUTES: ErrorRow[] = [
  ["host name in capitals", route("API.example.nl"), [["routes[0].hostnames[0]", 5, 17, "must be lowercase"]]],
  [
    "wildcard inside",
    route("api.*.example.nl"),
    [["routes[0].hostnames[0]", 5, 17, 'may only use "*" as the whole first label']],
  ],
  [
    "partial wildcard label",
    route('"*api.example.nl"'),
    [["routes[0].hostnames[0]", 5, 17, 'may only use "*" as the whole first label']],
  ],
  [
    "host name with a newline",
    route('"api.example.nl\\n  bind :22"'),
    [["routes[0].hostnames[0]", 5, 17, "may only contain lowercase letters, digits, hyphens and dots"]],
  ],
  [
    "host name with a hash",
    route("'api.example.nl#x'"),
    [["routes[0].hostnames[0]", 5, 17, "may only contain lowercase letters"]],
  ],
  [
    "host name with a trailing dot",
    route("api.example.nl."),
    [["routes[0].hostnames[0]", 5, 17, "must not end with a dot"]],
  ],
  ["IP address as host name", route("192.0.2.1"), [["routes[0].hostnames[0]", 5, 17, "looks like an IP address"]]],
  ["single-label host name", route("intranet"), [["routes[0].hostnames[0]", 5, 17, "must have at least 2 labels"]]],
  [
    "host name twice in one route",
    route("api.example.nl, api.example.nl"),
    [["routes[0].hostnames[1]", 5, 33, "is listed twice (first as routes[0].hostnames[0])"]],
  ],
  [
    "host name in two routes",
    `${BASE}routes:\n  - hostnames: [api.example.nl]\n    backends: [203.0.113.7]\n  - hostnames: [www.example.nl, api.example.nl]\n    backends: [203.0.113.8]\n`,
    [["routes[1].hostnames[1]", 7, 33, '"api.example.nl" is already routed by routes[0].hostnames[0] (line 5)']],
  ],
  [
    "route without backends",
    `${BASE}routes:\n  - hostnames: [api.example.nl]\n`,
    [["routes[0].backends", 5, 5, 'required field "backends" is missing']],
  ],
  [
    "route with a bad backend",
    `${BASE}routes:\n  - hostnames: [api.example.nl]\n    backends: [127.0.0.1]\n`,
    [["routes[0].backends[0]", 6, 16, "loopback"]],
  ],
  [
    "route field misspelt",
    `${BASE}routes:\n  - hostname: [api.example.nl]\n    backends: [203.0.113.7]\n`,
    [
      ["routes[0].hostname", 5, 5, 'did you mean "hostnames"?'],
      ["routes[0].hostnames", 5, 5, 'required field "hostnames" is missing'],
    ],
  ],
  ["routes as a mapping", `${BASE}routes: {}\n`, [["routes", 4, 9, "must be a list of routes, not a mapping"]]],
  ["proxy protocol v3", `${BASE}proxyProtocol: v3\n`, [["proxyProtocol", 4, 16, 'must be one of "none", "v1", "v2"']]],
];

const SSH: ErrorRow[] = [
  [
    "IPv4 range with host bits",
    ssh("198.51.100.1/24"),
    [["ssh.allowFrom[0]", 5, 15, 'has host bits set (did you mean "198.51.100.0/24"?)']],
  ],
  [
    "IPv6 range with host bits",
    ssh('"2001:db8:1234::1/48"'),
    [["ssh.allowFrom[0]", 5, 15, 'has host bits set (did you mean "2001:db8:1234::/48"?)']],
  ],
  [
    "IPv4 prefix above 32",
    ssh("198.51.100.0/33"),
    [["ssh.allowFrom[0]", 5, 15, "the prefix length must be a number from 0 to 32"]],
  ],
  ["IPv6 prefix above 128", ssh('"2001:db8::/129"'), [["ssh.allowFrom[0]", 5, 15, "from 0 to 128"]]],
  [
    "prefix with a leading zero",
    ssh("198.51.100.0/024"),
    [["ssh.allowFrom[0]", 5, 15, "the prefix length must be a number"]],
  ],
  ["address without prefix", ssh("198.51.100.7"), [["ssh.allowFrom[0]", 5, 15, "is not a CIDR range (expected"]]],
  ["IPv6 with a zone id", ssh('"fe80::%eth0/64"'), [["ssh.allowFrom[0]", 5, 15, "is not an IPv4 or IPv6 address"]]],
  ["range listed twice", ssh("198.51.100.0/24, 198.51.100.0/24"), [["ssh.allowFrom[1]", 5, 32, "is listed twice"]]],
  [
    "DSA key",
    ssh("198.51.100.0/24", "ssh-dss AAAAB3NzaC1kc3M="),
    [["ssh.publicKeys[0]", 6, 16, "does not start with a supported key type (ssh-ed25519, ssh-rsa)"]],
  ],
  ...AZURE_REJECTED_KEYS.map(
    ([type, key]): ErrorRow => [
      `${type} key, which Azure refuses`,
      ssh("198.51.100.0/24", key),
      [["ssh.publicKeys[0]", 6, 16, azureRejects(type)]],
    ],
  ),
  // The second key starts after `  publicKeys: [` (15 characters), the first key in quotes, and ", ".
  [
    "ecdsa key after a good one",
    `${BASE}ssh:\n  allowFrom: [198.51.100.0/24]\n  publicKeys: ["${ED25519_KEY}", "${AZURE_REJECTED_KEYS[0]?.[1]}"]\n`,
    [["ssh.publicKeys[1]", 6, 16 + ED25519_KEY.length + 4, azureRejects("ecdsa-sha2-nistp256")]],
  ],
  [
    "RSA body labelled ed25519",
    ssh("198.51.100.0/24", "ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQAB"),
    [["ssh.publicKeys[0]", 6, 16, "is not a valid ssh-ed25519 key"]],
  ],
  [
    "body that is not base64",
    ssh("198.51.100.0/24", "ssh-ed25519 not*base64"),
    [["ssh.publicKeys[0]", 6, 16, "has no base64 key body"]],
  ],
  [
    "control character in comment",
    ssh("198.51.100.0/24", `${ED25519_KEY} admin\u0007bell`),
    [["ssh.publicKeys[0]", 6, 16, "contains a control character"]],
  ],
  [
    "empty ssh mapping",
    `${BASE}ssh: {}\n`,
    [
      ["ssh.allowFrom", 4, 6, 'required field "allowFrom" is missing'],
      ["ssh.publicKeys", 4, 6, 'required field "publicKeys" is missing'],
    ],
  ],
];

/** limits' first field is at line 5, column 3; its value at column 25 for connectionsPerClient. */
const limits = (lines: string): string => `${BASE}limits:\n${lines}`;

const LIMITS: ErrorRow[] = [
  [
    "no connections at all",
    limits("  connectionsPerClient: 0\n"),
    [["limits.connectionsPerClient", 5, 25, "0 is out of range (1 to 8000)"]],
  ],
  [
    "more connections per client than the proxy takes",
    limits("  connectionsPerClient: 8001\n"),
    [["limits.connectionsPerClient", 5, 25, "8001 is out of range (1 to 8000)"]],
  ],
  [
    "a rate as a fraction",
    limits("  newConnectionsPerClient: 0.5\n"),
    [["limits.newConnectionsPerClient", 5, 28, "must be a whole number from 1 to 10000"]],
  ],
  [
    "an idle timeout as a duration string",
    limits("  idleTimeoutSeconds: 5m\n"),
    [["limits.idleTimeoutSeconds", 5, 23, 'must be a whole number from 10 to 3600, not the string "5m"']],
  ],
  [
    "an idle timeout of an hour and a second",
    limits("  idleTimeoutSeconds: 3601\n"),
    [["limits.idleTimeoutSeconds", 5, 23, "3601 is out of range (10 to 3600)"]],
  ],
  [
    "a misspelled limit",
    limits("  connectionPerClient: 10\n"),
    [["limits.connectionPerClient", 5, 3, 'did you mean "connectionsPerClient"?']],
  ],
];

describe("parseProxyFile rejects", () => {
  for (const [group, rows] of Object.entries({ DNS, TAGS, ROUTES, SSH, LIMITS })) {
    describe(group.toLowerCase(), () => {
      it.each(rows)("%s", (_title, text, expected, file) => expectErrors(text, expected, file));
    });
  }
});

describe("a key type Azure refuses", () => {
  it("is reported with file, line, column, field, the key and the types to use instead", () => {
    const [type, key] = AZURE_REJECTED_KEYS[0] ?? ["", ""];
    const { errors } = parseProxyFile("proxies/www.yaml", ssh("198.51.100.0/24", `${key} admin@example.nl`));
    expect(errors.map(formatSpecError)).toEqual([
      `proxies/www.yaml:6:16 ssh.publicKeys[0]: "${key.slice(0, 76)}..." cannot be used: ${azureRejects(type)}`,
    ]);
  });
});

describe("a file with many mistakes", () => {
  const text = [
    "name: Www", //                                   1
    "location: westeurope", //                        2
    "backends: [10.0.0.300, 192.0.2.10, 192.0.2.10]", // 3
    "ports: [80, 70000]", //                          4
    "dns:", //                                        5
    "  zone: example.nl", //                          6
    "  records: [www, www]", //                       7
    "tags: {owner: 'a b'}", //                        8
    "routes:", //                                     9
    "  - hostnames: [api.example.nl]", //            10
    "    backend: [203.0.113.7]", //                 11
    "proxyProtocol: v9", //                          12
    "",
  ].join("\n");

  it("reports every error at once, in file order, formatted with file, line, column and field", () => {
    const { proxy, errors } = parseProxyFile("proxies/www.yaml", text);
    expect(proxy).toBeUndefined();
    expect(errors.map(formatSpecError)).toEqual([
      'proxies/www.yaml:1:1 resourceGroup: required field "resourceGroup" is missing',
      'proxies/www.yaml:1:7 name: "Www" may only contain lowercase letters, digits and hyphens',
      'proxies/www.yaml:3:12 backends[0]: "10.0.0.300" is not an IPv4 address',
      'proxies/www.yaml:3:36 backends[2]: "192.0.2.10" is listed twice (first as backends[1])',
      "proxies/www.yaml:4:13 ports[1]: 70000 is out of range (1 to 65535)",
      'proxies/www.yaml:7:18 dns.records[1]: "www" is listed twice (first as dns.records[0])',
      'proxies/www.yaml:8:15 tags.owner: "a b" must not contain " " (no whitespace, quotes, control characters or < > % & \\ ? /)',
      'proxies/www.yaml:10:5 routes[0].backends: required field "backends" is missing',
      'proxies/www.yaml:11:5 routes[0].backend: unknown field "backend" (did you mean "backends"?)',
      'proxies/www.yaml:12:16 proxyProtocol: "v9" must be one of "none", "v1", "v2"',
    ]);
  });
});
