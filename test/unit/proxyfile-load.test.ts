/** Loading a proxies/ directory: samples, defaults, locations, directory rules and cross-file checks. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkAcrossFiles, loadProxyDir, parseProxyFile } from "../../src/proxyfile/load.js";
import { DEFAULT_LIMITS, DEFAULT_VM_SIZE, formatSpecError, type ProxySpec } from "../../src/proxyfile/types.js";
import { BASE, ED25519_KEY } from "./proxyfile-fixtures.js";

describe("the samples in proxies/", () => {
  it("load with zero errors and the values their comments describe", async () => {
    const { proxies, errors } = await loadProxyDir("proxies");
    expect(errors.map(formatSpecError)).toEqual([]);
    expect(proxies.map((p) => [p.file, p.name])).toEqual([
      ["proxies/portal-gemeente.yaml", "portal-gemeente"],
      ["proxies/www-example-nl.yaml", "www-example-nl"],
    ]);
    const [portal, www] = proxies as [ProxySpec, ProxySpec];
    expect(www.dns).toEqual({ zone: "example.nl", resourceGroup: "rg-dns", records: ["@", "www"], ttl: 300 });
    expect(www.backends).toEqual(["192.0.2.10", "192.0.2.11"]);
    expect(portal.routes).toEqual([
      {
        hostnames: ["afspraken.gemeente-voorbeeld.nl", "*.afspraken.gemeente-voorbeeld.nl"],
        backends: ["203.0.113.7"],
      },
    ]);
    expect(portal.proxyProtocol).toBe("v2");
    expect(portal.ssh).toBeUndefined();
    for (const proxy of proxies) {
      expect([proxy.location, proxy.resourceGroup, proxy.dns?.resourceGroup]).toEqual([
        "westeurope",
        "rg-ipv6-proxy",
        "rg-dns",
      ]);
    }
  });
});

describe("defaults and locations", () => {
  it("fills every default", () => {
    const { proxy } = parseProxyFile("proxies/www.yaml", `${BASE}dns:\n  zone: example.nl\n  records: ["@"]\n`);
    expect(proxy).toEqual({
      name: "www",
      file: "proxies/www.yaml",
      location: "westeurope",
      resourceGroup: "rg-ipv6-proxy",
      backends: ["192.0.2.10"],
      ports: [80, 443],
      tlsPorts: [443],
      vmSize: DEFAULT_VM_SIZE,
      dns: { zone: "example.nl", resourceGroup: "rg-ipv6-proxy", records: ["@"], ttl: 300 },
      tags: {},
      routes: [],
      proxyProtocol: "none",
      limits: { connectionsPerClient: 100, newConnectionsPerClient: 20, idleTimeoutSeconds: 300 },
      replicas: 1,
      zones: [],
      ipv4: false,
      locations: expect.any(Object),
    });
  });
  it("uses no TLS ports when 443 is not forwarded, and keeps an explicit empty list", () => {
    expect(parseProxyFile("proxies/a.yaml", `${BASE}ports: [80, 8080]\n`).proxy?.tlsPorts).toEqual([]);
    expect(parseProxyFile("proxies/a.yaml", `${BASE}ports: [80, 443]\ntlsPorts: []\n`).proxy?.tlsPorts).toEqual([]);
  });
  it("keeps SSH, subscription, tags and explicit values", () => {
    const text =
      `${BASE}subscriptionId: 12345678-aaaa-bbbb-cccc-1234567890ab\nvmSize: Standard_D2as_v5\nports: [443, 8443]\ntlsPorts: [8443, 443]\n` +
      `tags: {team: web, cost.center: cc-1}\nssh:\n  allowFrom: ["2001:db8:1234::/48", 0.0.0.0/0]\n  publicKeys: ["${ED25519_KEY} admin@example.nl"]\n`;
    const { proxy, errors } = parseProxyFile("proxies/a.yaml", text);
    expect(errors).toEqual([]);
    expect(proxy).toMatchObject({
      subscriptionId: "12345678-aaaa-bbbb-cccc-1234567890ab",
      vmSize: "Standard_D2as_v5",
      ports: [443, 8443],
      tlsPorts: [8443, 443],
      tags: { team: "web", "cost.center": "cc-1" },
      ssh: { allowFrom: ["2001:db8:1234::/48", "0.0.0.0/0"], publicKeys: [`${ED25519_KEY} admin@example.nl`] },
    });
  });
  it("records where each value sits, for later plan errors", () => {
    const text = `# comment\n${BASE}dns:\n  zone: example.nl\n  records: [www, shop]\nroutes:\n  - hostnames: [api.example.nl]\n    backends: [203.0.113.7]\n`;
    const { proxy } = parseProxyFile("proxies/www.yaml", text);
    const at = (field: string): [number, number] | undefined => {
      const l = proxy?.locations[field];
      return l && [l.line, l.column];
    };
    expect(at("location")).toEqual([2, 11]);
    expect(at("backends")).toEqual([4, 11]);
    expect(at("dns")).toEqual([6, 3]);
    expect(at("dns.records[1]")).toEqual([7, 18]);
    expect(at("routes[0].hostnames[0]")).toEqual([9, 17]);
    expect(at("name")).toBeUndefined(); // from the file name: nothing in the file to point at
    expect(proxy?.locations.location?.file).toBe("proxies/www.yaml");
  });
});

describe("loadProxyDir", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "spec-load-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string | Buffer): Promise<void> => writeFile(path.join(dir, name), text);

  it("reports a missing directory at line 1 column 1, naming it", async () => {
    const missing = path.join(dir, "nope");
    const { proxies, errors } = await loadProxyDir(missing);
    expect(proxies).toEqual([]);
    expect(errors).toEqual([
      { file: missing, line: 1, column: 1, field: "", message: `proxy directory "${missing}" does not exist` },
    ]);
  });
  it("reports a file given as the directory", async () => {
    await write("file", "x");
    const { errors } = await loadProxyDir(path.join(dir, "file"));
    expect(errors[0]?.message).toContain("is not a directory");
  });
  it("accepts an empty directory as zero proxies", async () => {
    expect(await loadProxyDir(dir)).toEqual({ proxies: [], errors: [] });
  });
  it("reads *.yaml and *.yml directly in the directory, sorted by name, and nothing else", async () => {
    await write("b.yml", BASE);
    await write("a.yaml", BASE);
    await write("C.YAML", `name: c\n${BASE}`);
    await write("README.md", "not a proxy");
    await write("notes.yaml.bak", "not a proxy");
    await mkdir(path.join(dir, "sub"));
    await write(path.join("sub", "d.yaml"), BASE);
    const { proxies, errors } = await loadProxyDir(dir);
    expect(errors).toEqual([]);
    expect(proxies.map((p) => [p.file, p.name])).toEqual([
      [path.join(dir, "C.YAML"), "c"],
      [path.join(dir, "a.yaml"), "a"],
      [path.join(dir, "b.yml"), "b"],
    ]);
  });
  it("keeps the good proxies and reports the bad files", async () => {
    await write("good.yaml", BASE);
    await write("bad.yaml", "location: westeurope\n");
    const { proxies, errors } = await loadProxyDir(dir);
    expect(proxies.map((p) => p.name)).toEqual(["good"]);
    expect(errors.map((e) => [path.basename(e.file), e.field])).toEqual([
      ["bad.yaml", "resourceGroup"],
      ["bad.yaml", "backends"],
    ]);
  });
  it("rejects a directory named like a proxy file, an oversized file and a file that is not UTF-8", async () => {
    await mkdir(path.join(dir, "a.yaml"));
    await write("b.yaml", `${BASE}# ${"x".repeat(300 * 1024)}\n`);
    await write("c.yaml", Buffer.concat([Buffer.from(BASE), Buffer.from([0x23, 0xff, 0xfe, 0x0a])]));
    const { errors } = await loadProxyDir(dir);
    expect(errors.map((e) => [path.basename(e.file), e.line, e.column])).toEqual([
      ["a.yaml", 1, 1],
      ["b.yaml", 1, 1],
      ["c.yaml", 1, 1],
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      "is not a regular file; a proxy file must be a regular file directly in the proxy directory",
      expect.stringContaining("a proxy file may be at most 262144 bytes"),
      "is not valid UTF-8 text",
    ]);
  });
  it("accepts a byte-order mark at the start of a file, but not one inside it", async () => {
    await write("a.yaml", `\ufeff${BASE}`);
    await write("b.yaml", `${BASE}# \ufeff\n`);
    const { proxies, errors } = await loadProxyDir(dir);
    expect(proxies.map((p) => p.name)).toEqual(["a"]);
    expect(errors.map((e) => [path.basename(e.file), e.line, e.column])).toEqual([["b.yaml", 4, 3]]);
    expect(errors[0]?.message).toContain("U+FEFF (ZERO WIDTH NO-BREAK SPACE)");
  });
  it("refuses a symbolic link, to a file inside or outside the directory, without reading it", async () => {
    const secret = path.join(dir, "..", `${path.basename(dir)}-secret.txt`);
    await writeFile(secret, "location: westeurope\nresourceGroup: TOKEN-abc123\n");
    try {
      await write("real.yaml", BASE);
      await symlink(secret, path.join(dir, "outside.yaml"));
      await symlink(path.join(dir, "real.yaml"), path.join(dir, "inside.yaml"));
      await symlink(path.join(dir, "gone"), path.join(dir, "dangling.yaml"));
      const { proxies, errors } = await loadProxyDir(dir);
      expect(proxies.map((p) => p.name)).toEqual(["real"]);
      expect(errors.map(formatSpecError)).toEqual(
        ["dangling.yaml", "inside.yaml", "outside.yaml"].map(
          (name) =>
            `${dir}/${name}:1:1 is a symbolic link; a proxy file must be a regular file directly in the proxy directory`,
        ),
      );
      // Nothing of the target's content surfaces anywhere.
      expect(JSON.stringify(errors)).not.toContain("TOKEN-abc123");
    } finally {
      await rm(secret, { force: true });
    }
  });
  it("refuses a file name that could carry a line break, a workflow command or hidden characters", async () => {
    await write("ok_name-1.yaml", BASE.replace("location", "name: ok\nlocation"));
    await write("www\n::add-mask::x.yaml", `name: a\n${BASE}`);
    await write("www\u202egpj.yaml", `name: b\n${BASE}`);
    await write("with space.yaml", `name: c\n${BASE}`);
    const { proxies, errors } = await loadProxyDir(dir);
    expect(proxies.map((p) => p.name)).toEqual(["ok"]);
    expect(errors).toHaveLength(3);
    for (const e of errors) {
      expect(e.message).toBe("file name may only contain letters, digits, '.', '_' and '-'; rename the file");
      // The name as shown is one line with the hidden characters made visible.
      expect(e.file).not.toMatch(/[\n\r\u202e]/);
    }
  });
  it("with a root, refuses a proxy directory outside it or reached through a symbolic link", async () => {
    const workspace = path.join(dir, "ws");
    await mkdir(path.join(workspace, "proxies"), { recursive: true });
    await writeFile(path.join(workspace, "proxies", "a.yaml"), BASE);
    await mkdir(path.join(dir, "elsewhere"));
    await writeFile(path.join(dir, "elsewhere", "b.yaml"), BASE);
    await symlink(path.join(dir, "elsewhere"), path.join(workspace, "linked"));
    await mkdir(path.join(workspace, "nested"));
    await symlink(path.join(dir, "elsewhere"), path.join(workspace, "nested", "deeper"));

    expect((await loadProxyDir("proxies", workspace)).proxies.map((p) => p.file)).toEqual(["proxies/a.yaml"]);
    for (const [given, why] of [
      ["linked", "is, or is inside, a symbolic link"],
      ["nested/deeper", "is, or is inside, a symbolic link"],
      ["../elsewhere", "is outside the workspace"],
      [path.join(dir, "elsewhere"), "is outside the workspace"],
    ] as const) {
      const { proxies, errors } = await loadProxyDir(given, workspace);
      expect(proxies).toEqual([]);
      expect(errors).toEqual([expect.objectContaining({ file: given, line: 1, column: 1 })]);
      expect(errors[0]?.message).toContain(why);
    }
  });
  it("reports a proxy name used twice, at the second file, naming the first", async () => {
    await write("a.yaml", `${BASE}name: shared\n`);
    await write("b.yaml", `# b\n${BASE}name: shared\n`);
    await write("www.yaml", BASE);
    await write("other.yaml", `name: www\n${BASE}`);
    const { proxies, errors } = await loadProxyDir(dir);
    expect(proxies).toHaveLength(4);
    expect(errors.map(formatSpecError)).toEqual([
      `${dir}/b.yaml:5:7 name: proxy name "shared" is already used by ${dir}/a.yaml:4:7; names must be unique across files`,
      `${dir}/www.yaml:1:1 name: proxy name "www" (from the file name) is already used by ${dir}/other.yaml:1:7; names must be unique across files`,
    ]);
  });
  it("reports a DNS record claimed by two proxies at the second claim", async () => {
    await write("a.yaml", `${BASE}dns: {zone: example.nl, records: [www, "@"]}\n`);
    await write("b.yaml", `${BASE}dns:\n  zone: example.nl\n  records: [shop, www]\n`);
    await write("c.yaml", `${BASE}dns: {zone: example.org, records: [www, "@"]}\n`);
    const { errors } = await loadProxyDir(dir);
    expect(errors.map(formatSpecError)).toEqual([
      `${dir}/b.yaml:6:19 dns.records[1]: record "www" in zone "example.nl" is already claimed by proxy "a" (${dir}/a.yaml:4:35); each DNS record belongs to one proxy`,
    ]);
  });
});

describe("checkAcrossFiles", () => {
  const spec = (name: string, file: string, zone: string, records: string[]): ProxySpec => ({
    name,
    file,
    location: "westeurope",
    resourceGroup: "rg",
    backends: ["192.0.2.1"],
    ports: [80],
    tlsPorts: [],
    vmSize: DEFAULT_VM_SIZE,
    dns: { zone, resourceGroup: "rg", records, ttl: 300 },
    tags: {},
    routes: [],
    proxyProtocol: "none",
    limits: { ...DEFAULT_LIMITS },
    replicas: 1,
    zones: [],
    ipv4: false,
    locations: {},
  });
  it("compares DNS names case-insensitively and falls back to line 1 without locations", () => {
    const errors = checkAcrossFiles([
      spec("a", "a.yaml", "Example.NL", ["WWW"]),
      spec("b", "b.yaml", "example.nl", ["www", "api"]),
    ]);
    expect(errors).toEqual([
      {
        file: "b.yaml",
        line: 1,
        column: 1,
        field: "dns.records[0]",
        message: expect.stringContaining('already claimed by proxy "a" (a.yaml:1:1)'),
      },
    ]);
  });
  it("finds nothing in distinct proxies", () => {
    expect(
      checkAcrossFiles([spec("a", "a.yaml", "example.nl", ["www"]), spec("b", "b.yaml", "example.nl", ["api"])]),
    ).toEqual([]);
  });
});
