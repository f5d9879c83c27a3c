/**
 * Bad proxy files, part 1: YAML structure, fields, backends, ports, names.
 * Each row asserts the exact field, line and column of every error.
 */
import { describe, expect, it } from "vitest";
import { parseProxyFile } from "../../src/proxyfile/load.js";
import { BASE, ED25519_KEY, type ErrorRow, expectErrors } from "./proxyfile-fixtures.js";

/** A valid file whose second backend (line 5, column 5) is `value`. */
const secondBackend = (value: string): string =>
  `location: westeurope\nresourceGroup: rg-ipv6-proxy\nbackends:\n  - 192.0.2.10\n  - ${value}\n`;

const STRUCTURE: ErrorRow[] = [
  ["YAML syntax error", `${BASE}ports: [80, 443]]\n`, [["", 4, 17, "Unexpected flow-seq-end"]]],
  [
    "duplicate key",
    `${BASE}location: northeurope\n`,
    [["location", 4, 1, 'duplicate key "location" (first set on line 1)']],
  ],
  ["document is a list", "- 192.0.2.10\n", [["", 1, 1, "a proxy file must be a mapping, not a list"]]],
  ["document is a scalar", "just text\n", [["", 1, 1, 'a proxy file must be a mapping, not the string "just text"']]],
  ["two documents", `${BASE}---\n${BASE}`, [["", 4, 1, "found a second YAML document"]]],
  ["only comments", "# nothing here\n", [["", 1, 1, "file is empty"]]],
  ["alias", `${BASE}ports: &p [80, 443]\ntlsPorts: *p\n`, [["tlsPorts", 5, 11, "YAML aliases (*p) are not supported"]]],
  ["unknown YAML tag", `${BASE}vmSize: !custom Standard_B2s\n`, [["", 4, 9, "Unresolved tag: !custom"]]],
  ["non-string key", `${BASE}80: open\n`, [["", 4, 1, "keys must be plain names, not the number 80"]]],
  [
    "unknown field, did you mean",
    "location: westeurope\nresourceGroup: rg-ipv6-proxy\nbackend: [192.0.2.10]\n",
    [
      ["backends", 1, 1, 'required field "backends" is missing'],
      ["backend", 3, 1, 'unknown field "backend" (did you mean "backends"?)'],
    ],
  ],
  [
    "unknown nested field",
    `${BASE}dns:\n  zone: example.nl\n  record: [www]\n`,
    [
      ["dns.records", 5, 3, 'required field "records" is missing'],
      ["dns.record", 6, 3, 'unknown field "record" (did you mean "records"?)'],
    ],
  ],
  ["snake_case field", `${BASE}proxy_protocol: v2\n`, [["proxy_protocol", 4, 1, 'did you mean "proxyProtocol"?']]],
  ["unknown field, no close match", `${BASE}colour: blue\n`, [["colour", 4, 1, "known fields: name, location"]]],
  [
    "missing required field",
    "location: westeurope\nbackends: [192.0.2.10]\n",
    [["resourceGroup", 1, 1, 'required field "resourceGroup" is missing']],
  ],
  [
    "list given as string",
    `${BASE}ports: "80"\n`,
    [["ports", 4, 8, 'must be a list of TCP ports, not the string "80"']],
  ],
  [
    "number given as string",
    `${BASE}ports: [80, "443"]\n`,
    [["ports[1]", 4, 13, 'must be a whole number from 1 to 65535, not the string "443"']],
  ],
  ["fraction as port", `${BASE}ports: [80, 443.5]\n`, [["ports[1]", 4, 13, "not the number 443.5"]]],
  [
    "mapping given as string",
    `${BASE}dns: example.nl\n`,
    [["dns", 4, 6, 'must be a mapping, not the string "example.nl"']],
  ],
  ["empty value", `${BASE}ssh:\n`, [["ssh", 4, 5, "must be a mapping, not empty"]]],
  [
    "string given as boolean",
    `${BASE}proxyProtocol: true\n`,
    [["proxyProtocol", 4, 16, "must be a string, not the boolean true"]],
  ],
];

const BACKENDS: ErrorRow[] = [
  ["octet above 255", secondBackend("10.0.0.300"), [["backends[1]", 5, 5, '"10.0.0.300" is not an IPv4 address']]],
  ["leading zero", secondBackend("1.2.3.04"), [["backends[1]", 5, 5, '"1.2.3.04" is not an IPv4 address']]],
  ["three octets", secondBackend("1.2.3"), [["backends[1]", 5, 5, '"1.2.3" is not an IPv4 address']]],
  ["leading space", secondBackend('" 1.2.3.4"'), [["backends[1]", 5, 5, '" 1.2.3.4" is not an IPv4 address']]],
  ["IPv6 as backend", secondBackend('"2001:db8::1"'), [["backends[1]", 5, 5, "is not an IPv4 address"]]],
  ["host name as backend", secondBackend("web.example.nl"), [["backends[1]", 5, 5, "is not an IPv4 address"]]],
  ["loopback", secondBackend("127.0.0.1"), [["backends[1]", 5, 5, "loopback"]]],
  ["link-local (IMDS)", secondBackend("169.254.169.254"), [["backends[1]", 5, 5, "link-local"]]],
  ["multicast", secondBackend("224.0.0.1"), [["backends[1]", 5, 5, "multicast"]]],
  ["broadcast", secondBackend("255.255.255.255"), [["backends[1]", 5, 5, "reserved or broadcast"]]],
  ["this network", secondBackend("0.0.0.0"), [["backends[1]", 5, 5, '"this network"']]],
  ...(
    [
      ["private 10/8", "10.20.30.40", '"10.20.30.40" is a private address (10.0.0.0/8, RFC 1918)'],
      ["private 172.16/12", "172.20.0.5", '"172.20.0.5" is a private address (172.16.0.0/12, RFC 1918)'],
      ["private 192.168/16", "192.168.10.5", '"192.168.10.5" is a private address (192.168.0.0/16, RFC 1918)'],
      ["carrier-grade NAT", "100.100.1.1", "shared address space for carrier-grade NAT (100.64.0.0/10, RFC 6598)"],
      ["the proxy's own subnet", "10.64.0.4", "is in the proxy's own virtual network (10.64.0.0/24)"],
      ["Azure platform address", "168.63.129.16", "is Azure's platform address"],
      ["IETF protocol assignments", "192.0.0.170", "192.0.0.0/24, RFC 6890"],
      ["benchmarking", "198.18.0.1", "198.18.0.0/15, RFC 2544"],
      ["6to4 relay anycast", "192.88.99.1", "192.88.99.0/24, RFC 7526"],
    ] as const
  ).map(([title, address, why]): ErrorRow => [title, secondBackend(address), [["backends[1]", 5, 5, why]]]),
  [
    "private backend says why",
    secondBackend("10.1.2.3"),
    [
      [
        "backends[1]",
        5,
        5,
        "the proxy reaches backends over the internet from its public IPv4 address and its virtual network is isolated",
      ],
    ],
  ],
  [
    "private route backend",
    `${BASE}routes:\n  - hostnames: [api.example.nl]\n    backends: [203.0.113.7, 172.16.5.4]\n`,
    [["routes[0].backends[1]", 6, 29, '"172.16.5.4" is a private address (172.16.0.0/12, RFC 1918)']],
  ],
  [
    "loopback route backend",
    `${BASE}routes:\n  - hostnames: [api.example.nl]\n    backends:\n      - 127.0.0.1\n`,
    [["routes[0].backends[0]", 7, 9, "loopback"]],
  ],
  [
    "duplicate backend",
    secondBackend("192.0.2.10"),
    [["backends[1]", 5, 5, '"192.0.2.10" is listed twice (first as backends[0])']],
  ],
  [
    "no backends",
    "location: westeurope\nresourceGroup: rg-ipv6-proxy\nbackends: []\n",
    [["backends", 3, 11, "must list 1 to 16 IPv4 addresses, not 0"]],
  ],
  [
    "17 backends",
    `location: westeurope\nresourceGroup: rg-ipv6-proxy\nbackends: [${Array.from({ length: 17 }, (_, i) => `192.0.2.${i + 1}`).join(", ")}]\n`,
    [["backends", 3, 11, "must list 1 to 16 IPv4 addresses, not 17"]],
  ],
];

const PORTS: ErrorRow[] = [
  ["port 0", `${BASE}ports: [0, 443]\n`, [["ports[0]", 4, 9, "0 is out of range (1 to 65535)"]]],
  ["port 65536", `${BASE}ports: [80, 65536]\n`, [["ports[1]", 4, 13, "65536 is out of range (1 to 65535)"]]],
  ["duplicate port", `${BASE}ports: [80, 80]\n`, [["ports[1]", 4, 13, "80 is listed twice (first as ports[0])"]]],
  ["no ports", `${BASE}ports: []\n`, [["ports", 4, 8, "must list 1 to 32 TCP ports, not 0"]]],
  [
    "tlsPort not in ports",
    `${BASE}ports: [80, 443]\ntlsPorts: [443, 8443]\n`,
    [["tlsPorts[1]", 5, 17, "port 8443 is not in ports"]],
  ],
  ["tlsPort not in default ports", `${BASE}tlsPorts: [8443]\n`, [["tlsPorts[0]", 4, 12, "port 8443 is not in ports"]]],
  [
    "port 22 with ssh",
    `${BASE}ports: [22, 443]\nssh:\n  allowFrom: [198.51.100.0/24]\n  publicKeys: ["${ED25519_KEY}"]\n`,
    [["ports[0]", 4, 9, 'port 22 is taken by SSH because "ssh" is set']],
  ],
];

const NAMES: ErrorRow[] = [
  [
    "name with capitals and underscore",
    `${BASE}name: Www_Example\n`,
    [["name", 4, 7, '"Www_Example" may only contain lowercase letters, digits and hyphens']],
  ],
  ["name starts with a digit", `${BASE}name: 1www\n`, [["name", 4, 7, "must start with a lowercase letter"]]],
  ["name ends with a hyphen", `${BASE}name: www-\n`, [["name", 4, 7, "must not end with a hyphen"]]],
  ["name with double hyphen", `${BASE}name: www--x\n`, [["name", 4, 7, "must not contain two hyphens in a row"]]],
  ["name of 41 characters", `${BASE}name: ${"a".repeat(41)}\n`, [["name", 4, 7, "must be 1 to 40 characters long"]]],
  [
    "name from a bad file name",
    BASE,
    [["name", 1, 1, 'the file name makes the proxy name "My Proxy", which may only contain']],
    "proxies/My Proxy.yaml",
  ],
  [
    "region with a space",
    "location: West Europe\nresourceGroup: rg-ipv6-proxy\nbackends: [192.0.2.10]\n",
    [["location", 1, 11, "is not an Azure region name"]],
  ],
  [
    "resource group ending in a period",
    "location: westeurope\nresourceGroup: rg-proxy.\nbackends: [192.0.2.10]\n",
    [["resourceGroup", 2, 16, "must not end with a period"]],
  ],
  [
    "resource group with a quote",
    `location: westeurope\nresourceGroup: 'rg"; rm -rf /'\nbackends: [192.0.2.10]\n`,
    [["resourceGroup", 2, 16, "may only contain letters, digits, and _ - . ( )"]],
  ],
  [
    "resource group of 91 characters",
    `location: westeurope\nresourceGroup: ${"r".repeat(91)}\nbackends: [192.0.2.10]\n`,
    [["resourceGroup", 2, 16, "must be 1 to 90 characters long"]],
  ],
  ["subscription id", `${BASE}subscriptionId: not-a-guid\n`, [["subscriptionId", 4, 17, "is not a subscription id"]]],
  ["VM size without Standard_", `${BASE}vmSize: B2ats_v2\n`, [["vmSize", 4, 9, '"B2ats_v2" is not a VM size']]],
  [
    "VM size with a newline",
    `${BASE}vmSize: "Standard_B2s\\nruncmd: [reboot]"\n`,
    [["vmSize", 4, 9, "is not a VM size"]],
  ],
  ["file over 256 KiB", `${BASE}# ${"x".repeat(300_000)}\n`, [["", 1, 1, "a proxy file may be at most 262144 bytes"]]],
];

describe("parseProxyFile rejects", () => {
  for (const [group, rows] of Object.entries({ STRUCTURE, BACKENDS, PORTS, NAMES })) {
    describe(group.toLowerCase(), () => {
      it.each(rows)("%s", (_title, text, expected, file) => expectErrors(text, expected, file));
    });
  }
});

describe("hostile files", () => {
  it("caps the errors of one file and says how many were left out", () => {
    const text = `${BASE}tags:\n${Array.from({ length: 80 }, (_, i) => `  "k ${i}": v\n`).join("")}`;
    const { errors } = parseProxyFile("proxies/www.yaml", text);
    expect(errors).toHaveLength(51);
    // 81 errors: "has 80 tags" at line 5, then one per key on lines 5 to 84.
    expect(errors[0]).toMatchObject({
      line: 5,
      column: 3,
      field: "tags",
      message: expect.stringContaining("has 80 tags"),
    });
    expect(errors[49]).toMatchObject({ line: 53, column: 3, field: 'tags["k 48"]' });
    expect(errors[50]).toMatchObject({
      line: 54,
      column: 3,
      field: "",
      message: "31 more error(s) in this file, from here on, not shown",
    });
  });
  it("refuses bidirectional and zero-width characters anywhere, comments included, at their line and column", () => {
    // A "Trojan Source" line: shown to a reviewer as one thing, read by the tool as another.
    const text =
      `${BASE}tags: { team: "web\u202e" }\n` + // line 4: RIGHT-TO-LEFT OVERRIDE in a value
      "# \u2067 an isolate in a comment\n" + // line 5
      "routes:\n  - hostnames: [api\u200b.example.nl]\n    backends: [203.0.113.7]\n"; // line 7: ZERO WIDTH SPACE
    const { proxy, errors } = parseProxyFile("proxies/www.yaml", text);
    expect(proxy).toBeUndefined();
    expect(errors.map((e) => [e.line, e.column, e.message.split(";")[0]])).toEqual([
      [4, 19, "contains the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)"],
      [5, 3, "contains the invisible character U+2067 (RIGHT-TO-LEFT ISOLATE)"],
      [7, 20, "contains the invisible character U+200B (ZERO WIDTH SPACE)"],
    ]);
  });
  it("accepts plain non-ASCII text", () => {
    const { errors } = parseProxyFile("proxies/www.yaml", `${BASE}tags: { team: gemeente-één }\n# Grüße\n`);
    expect(errors).toEqual([]);
  });
  it("reports deep nesting as a YAML error instead of crashing", () => {
    const { errors } = parseProxyFile("proxies/www.yaml", `backends: ${"[".repeat(50_000)}${"]".repeat(50_000)}\n`);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ file: "proxies/www.yaml", field: "" });
    expect(errors[0]?.message).toMatch(/^YAML: /);
  });
});

describe("parseProxyFile accepts", () => {
  it("public backends and the boundary ports", () => {
    const { proxy, errors } = parseProxyFile(
      "proxies/www.yaml",
      secondBackend("20.8.247.255").replace("\n", "\nports: [1, 65535]\n"),
    );
    expect(errors).toEqual([]);
    expect(proxy?.backends).toEqual(["192.0.2.10", "20.8.247.255"]);
    expect(proxy?.ports).toEqual([1, 65535]);
    expect(proxy?.tlsPorts).toEqual([]);
  });
  it("a 40-character name and a name from a .yml file", () => {
    expect(parseProxyFile("proxies/x.yaml", `${BASE}name: ${"a".repeat(40)}\n`).proxy?.name).toBe("a".repeat(40));
    expect(parseProxyFile("proxies/shop-2.yml", BASE).proxy?.name).toBe("shop-2");
  });
});
