/**
 * Sovereign-cloud sign-in, end to end: `node dist/index.js` asks GitHub for
 * an ID token with the audience the cloud's federated credentials expect, and
 * a mixed configuration fails before anything is read. The emulator plays a
 * cloud whose federated credential has the Azure Government audience.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureDistBuilt } from "../support/action-runner.js";
import { type ActionWorld, startActionWorld, stickyComments } from "../support/action-world.js";
import { proxyYaml } from "../support/proxy-files.js";

const USGOV_AUDIENCE = "api://AzureADTokenExchangeUSGov";
let world: ActionWorld;
let nextPr = 1;

beforeAll(async () => {
  ensureDistBuilt();
  world = await startActionWorld({ federatedAudience: USGOV_AUDIENCE });
  world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-clouds" }));
}, 240_000);
afterAll(async () => {
  await world?.close();
});
beforeEach(() => {
  world.emulator.resetRequests();
  world.github.idTokens.length = 0;
});

describe("the GitHub ID token's audience", () => {
  it("is the one oidc-audience names, and the cloud's federated credential accepts it", async () => {
    const pr = nextPr++;
    world.openPullRequest(pr);
    const run = await world.plan(pr, { inputs: { "oidc-audience": USGOV_AUDIENCE } });
    expect(run.code, run.stdout).toBe(0);
    expect(world.github.idTokens.map((c) => c.aud)).toEqual(expect.arrayContaining([USGOV_AUDIENCE]));
    expect(world.github.idTokens.every((c) => c.aud === USGOV_AUDIENCE)).toBe(true);
    expect(world.emulator.tokenRequests.length).toBeGreaterThan(0);
    expect(run.stdout).toContain(`GitHub ID token audience ${USGOV_AUDIENCE}`);
  });

  it("defaults to the public cloud's for endpoints of no known cloud, which this cloud refuses", async () => {
    const pr = nextPr++;
    world.openPullRequest(pr);
    const run = await world.plan(pr);
    expect(run.code).not.toBe(0);
    expect(world.github.idTokens.map((c) => c.aud)).toContain("api://AzureADTokenExchange");
    // Entra's own words for an audience no federated credential has.
    expect(run.stdout).toMatch(/AADSTS700212/);
    expect(run.stdout).toContain(
      "The GitHub ID token was requested for audience api://AzureADTokenExchange, and no federated credential of the app accepts it.",
    );
    expect(world.emulator.writeCount()).toBe(0);
  });
});

describe("a mixed cloud configuration", () => {
  it("fails on the inputs, naming the authority host to use, before any request", async () => {
    const pr = nextPr++;
    world.openPullRequest(pr);
    const run = await world.plan(pr, {
      inputs: {
        "resource-manager-endpoint": "https://management.usgovcloudapi.net",
        "authority-host": "https://login.chinacloudapi.cn",
      },
    });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(
      /::error::Input 'authority-host': https:\/\/login\.chinacloudapi\.cn signs in to Azure operated by 21Vianet, but https:\/\/management\.usgovcloudapi\.net is the Resource Manager of Azure Government; use https:\/\/login\.microsoftonline\.us/,
    );
    expect(world.github.idTokens).toEqual([]);
    expect(world.emulator.requests).toEqual([]);
  });
});

describe("a cloud that lacks an api-version this release sends", () => {
  it("gets a plan comment naming the resource type and the versions it offers, and a failed run, with no write", async () => {
    const pr = nextPr++;
    world.openPullRequest(pr);
    world.emulator.providers.offer("Microsoft.Network", "networkInterfaces", ["2025-05-01", "2025-03-01"]);
    try {
      const run = await world.plan(pr, { inputs: { "oidc-audience": USGOV_AUDIENCE } });
      expect(run.code).not.toBe(0);
      const [comment] = stickyComments(world, pr, "plan");
      expect(comment!.body).toContain("status=plan-errors");
      expect(comment!.body).toContain("Nothing could be planned");
      expect(comment!.body).toContain(
        "Microsoft.Network/networkInterfaces: this release sends api-version 2026-01-01, which the cloud does not offer; it offers 2025-05-01, 2025-03-01",
      );
      expect(run.stdout).toMatch(/^::error::the Azure Resource Manager at https:\/\/127\.0\.0\.1:\d+ does not offer/m);
      expect(world.emulator.writeCount()).toBe(0);
    } finally {
      world.emulator.providers.offer("Microsoft.Network", "networkInterfaces", ["2026-01-01"]);
    }
  });
});
