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
