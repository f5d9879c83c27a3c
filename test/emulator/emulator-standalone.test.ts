/**
 * `azure-ipv6-proxy emulator`: the standalone emulator prints what another
 * process needs, and such a process (trusting the CA only through
 * NODE_EXTRA_CA_CERTS) signs in and reads ARM with it.
 */

import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { PassThrough } from "node:stream";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { runStandalone } from "../../src/emulator/main.js";

const run = promisify(execFile);

/** What the other process does: client-credentials token, then a resource group list, with plain node:https. */
const CHILD = `
import { request } from "node:https";
const env = process.env;
const call = (url, opts, body) => new Promise((resolve, reject) => {
  const req = request(url, opts, (res) => { let t = ""; res.on("data", (d) => (t += d)); res.on("end", () => resolve({ status: res.statusCode, body: t })); });
  req.on("error", reject);
  req.end(body);
});
const form = new URLSearchParams({ grant_type: "client_credentials", client_id: env.AZURE_CLIENT_ID, client_secret: env.AZURE_CLIENT_SECRET, scope: "https://management.azure.com/.default" });
const token = await call(env.AZURE_AUTHORITY_HOST + "/" + env.AZURE_TENANT_ID + "/oauth2/v2.0/token", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" } }, form.toString());
const access = JSON.parse(token.body).access_token;
const groups = await call(env.AZURE_RESOURCE_MANAGER_ENDPOINT + "/subscriptions/" + env.AZURE_SUBSCRIPTION_ID + "/resourcegroups?api-version=2025-04-01", { headers: { authorization: "Bearer " + access } });
console.log(JSON.stringify({ token: token.status, groups: groups.status, body: JSON.parse(groups.body) }));
`;

/** Resolves once `stream` has written `needle`: the emulator's own signal that it is ready. */
function printed(stream: PassThrough, needle: string): Promise<string> {
  let text = "";
  return new Promise((resolve) => {
    const onData = (d: unknown): void => {
      text += String(d);
      if (!text.includes(needle)) return;
      stream.off("data", onData);
      resolve(text);
    };
    stream.on("data", onData);
  });
}

describe("the standalone emulator", () => {
  it("prints endpoint, CA file and credentials that another process can use", async () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (d) => (text += String(d)));
    const ready = printed(out, "Ctrl-C");
    const stop = new AbortController();
    const running = runStandalone(out, { signal: stop.signal });
    await ready;

    const env = Object.fromEntries([...text.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(Object.keys(env).sort()).toEqual([
      "AZURE_AUTHORITY_HOST",
      "AZURE_CLIENT_ID",
      "AZURE_CLIENT_SECRET",
      "AZURE_DNS_NAME_SERVER_ADDRESS",
      "AZURE_RESOURCE_MANAGER_ENDPOINT",
      "AZURE_SUBSCRIPTION_ID",
      "AZURE_TENANT_ID",
      "NODE_EXTRA_CA_CERTS",
    ]);
    expect(existsSync(env.NODE_EXTRA_CA_CERTS!)).toBe(true);
    expect(env.AZURE_DNS_NAME_SERVER_ADDRESS).toMatch(/^127\.0\.0\.1:\d+$/);

    const child = await run(process.execPath, ["--input-type=module", "-e", CHILD], {
      env: { ...process.env, ...env },
      timeout: 20_000,
    });
    expect(JSON.parse(child.stdout)).toEqual({ token: 200, groups: 200, body: { value: [] } });

    stop.abort();
    await running;
    expect(text).toContain("Azure emulator stopped.");
    expect(existsSync(env.NODE_EXTRA_CA_CERTS!)).toBe(false);
  });
});
