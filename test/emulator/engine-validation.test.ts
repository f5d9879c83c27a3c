/** Bad proxy files never reach Azure: located errors, and not one request (not even a token). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { planFromDir } from "../../src/operations.js";
import { formatSpecError } from "../../src/proxyfile/types.js";
import { type Harness, startHarness } from "../support/engine-harness.js";
import { ProxyDir } from "../support/proxy-files.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const valid = "name: ok\nlocation: westeurope\nresourceGroup: rg\nbackends: [203.0.113.1]\n";

describe("invalid files", () => {
  it.each([
    [
      "bad-ip",
      "location: westeurope\nresourceGroup: rg\nbackends: [203.0.113.1, 10.0.0.300]\n",
      /bad-ip\.yaml:3:\d+ backends\[1\]/,
    ],
    [
      "typo",
      "location: westeurope\nresourceGroup: rg\nbackend: [203.0.113.1]\n",
      /typo\.yaml:3:1 .*backend.*did you mean "backends"/,
    ],
    [
      "port",
      "location: westeurope\nresourceGroup: rg\nbackends: [203.0.113.1]\nports: [80, 70000]\n",
      /port\.yaml:4:\d+ ports\[1\]/,
    ],
    ["syntax", "location: westeurope\nresourceGroup: [rg\nbackends: [203.0.113.1]\n", /syntax\.yaml:\d+:\d+/],
    [
      "inject",
      'location: westeurope\nresourceGroup: rg\nbackends: [203.0.113.1]\ntags: {team: "a b"}\n',
      /inject\.yaml:4:\d+ tags\.team/,
    ],
  ])("%s: located error, zero Azure requests", async (name, yaml, expected) => {
    const files = new ProxyDir();
    files.write("good", valid);
    files.write(name, yaml);
    h.emulator.resetRequests();
    const outcome = await planFromDir(files.dir, h.ctx());
    expect(outcome.plan).toBeUndefined();
    expect(outcome.specErrors.map(formatSpecError).join("\n")).toMatch(expected);
    expect(h.emulator.requests.length).toBe(0);
    files.cleanup();
  });

  // Issue: every proxy VNet is isolated, so these backends never answer; refused before Azure is asked anything.
  it.each([
    ["10.20.30.40", "private address (10.0.0.0/8, RFC 1918)"],
    ["172.20.0.5", "private address (172.16.0.0/12, RFC 1918)"],
    ["192.168.10.5", "private address (192.168.0.0/16, RFC 1918)"],
    ["100.100.1.1", "carrier-grade NAT (100.64.0.0/10, RFC 6598)"],
    ["127.0.0.1", "loopback"],
    ["169.254.10.1", "link-local"],
    ["168.63.129.16", "168.63.129.16"],
    ["224.0.0.5", "multicast"],
    ["10.64.0.4", "the proxy's own virtual network"],
  ])("an unreachable backend %s: refused with file:line and why, zero Azure requests", async (address, why) => {
    const files = new ProxyDir();
    files.write("far", `location: westeurope\nresourceGroup: rg\nbackends: [203.0.113.1, ${address}]\n`);
    h.emulator.resetRequests();
    const outcome = await planFromDir(files.dir, h.ctx());
    expect(outcome.plan).toBeUndefined();
    const text = outcome.specErrors.map(formatSpecError).join("\n");
    expect(text).toMatch(/far\.yaml:3:\d+ backends\[1\]/);
    expect(text).toContain(why);
    expect(h.emulator.requests.length).toBe(0);
    files.cleanup();
  });

  it("reports errors of every file at once", async () => {
    const files = new ProxyDir();
    files.write("a", "location: westeurope\nresourceGroup: rg\nbackends: [1.2.3]\n");
    files.write("b", "location: westeurope\nbackends: [203.0.113.1]\n");
    const outcome = await planFromDir(files.dir, h.ctx());
    const text = outcome.specErrors.map(formatSpecError).join("\n");
    expect(text).toMatch(/a\.yaml:3/);
    expect(text).toMatch(/b\.yaml:\d+:\d+ .*resourceGroup/);
    files.cleanup();
  });
});
