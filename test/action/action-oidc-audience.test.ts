/**
 * The GitHub ID token's audience follows the cloud when `oidc-audience` is not
 * given (issue 8 §7): run() asks the GitHub double's OIDC endpoint
 * (ACTIONS_ID_TOKEN_REQUEST_URL, as core.getIDToken does) for the audience of
 * the cloud that `resource-manager-endpoint` names. The sovereign clouds'
 * sign-in hosts must not be reached from a test: the bundle runs with
 * HTTPS_PROXY pointing at a closed local port (the Azure SDKs honour it; the
 * GitHub double is in NO_PROXY). MSAL knows those hosts' metadata, so it asks
 * for the client assertion (the ID token) first and then fails to reach the
 * token endpoint. What is asserted is the audience GitHub was asked for.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ActionWorld, startActionWorld } from "../support/action-world.js";
import { proxyYaml } from "../support/proxy-files.js";

let world: ActionWorld;
let nextPr = 1;
/** A port nothing listens on (TCP port 9, "discard", is not served on this machine or a CI runner). */
const CLOSED_PORT = 9;

beforeAll(async () => {
  world = await startActionWorld({}, "in-process");
  world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-audience" }));
}, 120_000);
afterAll(async () => {
  await world?.close();
});
beforeEach(() => {
  world.emulator.resetRequests();
  world.github.idTokens.length = 0;
});

describe("the ID token audience derived from resource-manager-endpoint", () => {
  it.each([
    ["Azure Government", "https://management.usgovcloudapi.net", "api://AzureADTokenExchangeUSGov"],
    ["Azure operated by 21Vianet", "https://management.chinacloudapi.cn", "api://AzureADTokenExchangeChina"],
  ])("is %s's own", async (_cloud, endpoint, audience) => {
    const pr = nextPr++;
    world.openPullRequest(pr);
    // Only the Resource Manager endpoint is given: sign-in host and audience follow it.
    const run = await world.plan(pr, {
      runner: "dist",
      inputs: { "resource-manager-endpoint": endpoint, "authority-host": "", "allow-custom-endpoints": "false" },
      env: { HTTPS_PROXY: `http://127.0.0.1:${CLOSED_PORT}`, NO_PROXY: "127.0.0.1,localhost" },
    });
    expect(run.stdout).toContain(`GitHub ID token audience ${audience} (derived)`);
    expect(world.github.idTokens.length).toBeGreaterThan(0);
    expect(world.github.idTokens.map((c) => c.aud)).toEqual(world.github.idTokens.map(() => audience));
    // That cloud's sign-in host is not reached: the run fails on it, and nothing reached the emulator.
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/network_error|endpoints_resolution_error/);
    expect(world.emulator.requests).toEqual([]);
  });
});
