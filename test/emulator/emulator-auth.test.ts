/**
 * Signing in to the emulator's Entra ID with the real @azure/identity
 * credentials over HTTPS (client secret and federated client assertion), and
 * ARM refusing requests without a token it issued.
 */

import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAzureClients } from "../../src/azure/clients.js";
import { createCredential, identityOptions } from "../../src/azure/credentials.js";
import { emulatorConnection } from "../../src/azure/emulator-connection.js";
import type { Json } from "../../src/emulator/http.js";
import { ARM_SCOPE, type Emulator, FEDERATED_AUDIENCE, startEmulator } from "../../src/emulator/server.js";
import { resolveCloud } from "../../src/model/clouds.js";
import { failure } from "../support/emulator-fixtures.js";

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ federatedSubjects: ["repo:acme/web:ref:refs/heads/main", "repo:acme/web:pull_request"] });
});
afterAll(() => emu.close());

/** An unsigned JWT shaped like a GitHub Actions OIDC token. */
function githubToken(claims: Record<string, unknown>): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  return `${enc({ alg: "RS256", typ: "JWT" })}.${enc({ iss: "https://token.actions.githubusercontent.com", iat: now, exp: now + 300, ...claims })}.c2ln`;
}

/** A raw HTTPS GET trusting the emulator's CA, to see what the SDK would not show. */
function rawGet(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Json; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emu.endpoint}${path}`, { ca: emu.ca, headers }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () =>
        resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined, headers: res.headers }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("Entra ID", () => {
  it("issues a token for a client secret, over HTTPS at the authority host", async () => {
    const cred = createCredential({
      kind: "clientSecret",
      tenantId: emu.tenantId,
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      authorityHost: emu.authorityHost,
      ca: emu.ca,
    });
    const token = await cred.getToken(ARM_SCOPE);
    expect(token?.token.split(".")).toHaveLength(3);
    expect(token!.expiresOnTimestamp).toBeGreaterThan(Date.now() + 3000_000);
    expect(emu.tokenRequests.at(-1)).toMatchObject({ clientId: emu.clientId, grant: "secret", scope: ARM_SCOPE });
  });

  it("refuses a wrong client secret", async () => {
    const cred = createCredential({
      kind: "clientSecret",
      tenantId: emu.tenantId,
      clientId: emu.clientId,
      clientSecret: "wrong",
      authorityHost: emu.authorityHost,
      ca: emu.ca,
    });
    await expect(cred.getToken(ARM_SCOPE)).rejects.toThrow(/AADSTS7000215/);
  });

  it("exchanges a federated client assertion (GitHub OIDC) and records its subject", async () => {
    const subject = "repo:acme/web:ref:refs/heads/main";
    const cred = createCredential({
      kind: "clientAssertion",
      tenantId: emu.tenantId,
      clientId: emu.clientId,
      authorityHost: emu.authorityHost,
      ca: emu.ca,
      getAssertion: async () => githubToken({ aud: FEDERATED_AUDIENCE, sub: subject }),
    });
    const clients = createAzureClients(
      { resourceManagerEndpoint: emu.endpoint, credential: cred, scope: ARM_SCOPE, ca: emu.ca },
      emu.subscriptionId,
    );
    await clients.resources.resourceGroups.createOrUpdate("rg-oidc", { location: "westeurope" });
    expect(emu.tokenRequests.filter((t) => t.grant === "assertion")).toEqual([
      expect.objectContaining({
        clientId: emu.clientId,
        subject,
        issuer: "https://token.actions.githubusercontent.com",
      }),
    ]);
  });

  it("refuses an assertion without the federated audience, or from an unknown subject", async () => {
    const make = (claims: Record<string, unknown>) =>
      createCredential({
        kind: "clientAssertion",
        tenantId: emu.tenantId,
        clientId: emu.clientId,
        authorityHost: emu.authorityHost,
        ca: emu.ca,
        getAssertion: async () => githubToken(claims),
      });
    await expect(
      make({ aud: "https://github.com/acme", sub: "repo:acme/web:pull_request" }).getToken(ARM_SCOPE),
    ).rejects.toThrow(/AADSTS700212/);
    await expect(
      make({ aud: [FEDERATED_AUDIENCE], sub: "repo:evil/fork:pull_request" }).getToken(ARM_SCOPE),
    ).rejects.toThrow(/AADSTS700213/);
  });

  it("signs in through DefaultAzureCredential from environment variables, as after azure/login with a secret", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AZURE_TENANT_ID: emu.tenantId,
      AZURE_CLIENT_ID: emu.clientId,
      AZURE_CLIENT_SECRET: emu.clientSecret,
    });
    try {
      const cred = createCredential({ kind: "default", authorityHost: emu.authorityHost, ca: emu.ca });
      const token = await cred.getToken(ARM_SCOPE);
      expect(token?.token).toBeTruthy();
      expect(emu.tokenRequests.at(-1)).toMatchObject({ grant: "secret", clientId: emu.clientId });
    } finally {
      for (const k of ["AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"])
        if (saved[k] === undefined) delete process.env[k];
      Object.assign(process.env, saved);
    }
  });

  it("refuses an unknown tenant", async () => {
    const cred = createCredential({
      kind: "clientSecret",
      tenantId: "11111111-2222-3333-4444-555555555555",
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      authorityHost: emu.authorityHost,
      ca: emu.ca,
    });
    await expect(cred.getToken(ARM_SCOPE)).rejects.toThrow();
  });

  it("cannot be reached without trusting its CA, for tokens or for ARM", async () => {
    const before = emu.requests.length;
    const untrusting = createCredential({
      kind: "clientSecret",
      tenantId: emu.tenantId,
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      authorityHost: emu.authorityHost,
    });
    // MSAL reports the failed TLS handshake as an endpoint resolution error; no request got through.
    await expect(untrusting.getToken(ARM_SCOPE)).rejects.toThrow();
    const trusting = emulatorConnection(emu).credential;
    const noCa = createAzureClients(
      { resourceManagerEndpoint: emu.endpoint, credential: trusting, scope: ARM_SCOPE },
      emu.subscriptionId,
    );
    await expect(noCa.resources.resourceGroups.get("rg-oidc")).rejects.toThrow(/certificate/i);
    expect(emu.requests.slice(before).filter((r) => r.kind === "arm")).toEqual([]);
    expect(emu.requests.slice(before).filter((r) => r.kind === "token").length).toBeGreaterThan(0); // only the trusting credential's
  });
});

describe("ARM authorization", () => {
  it("answers 401 to a request without a token, and to a token it did not issue", async () => {
    const none = await rawGet(`/subscriptions/${emu.subscriptionId}/resourcegroups?api-version=2025-04-01`);
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe("AuthenticationFailed");
    expect(none.headers["x-ms-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await rawGet(`/subscriptions/${emu.subscriptionId}/resourcegroups?api-version=2025-04-01`, {
      authorization: "Bearer eyJhbGciOiJub25lIn0.e30.",
    });
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe("InvalidAuthenticationToken");
  });

  it("refuses a token minted for another audience", async () => {
    const cred = createCredential({
      kind: "clientSecret",
      tenantId: emu.tenantId,
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      authorityHost: emu.authorityHost,
      ca: emu.ca,
    });
    const clients = createAzureClients(
      {
        resourceManagerEndpoint: emu.endpoint,
        credential: cred,
        scope: "https://vault.azure.net/.default",
        ca: emu.ca,
      },
      emu.subscriptionId,
    );
    const err = await failure(clients.resources.resourceGroups.get("rg-oidc"));
    expect(err.statusCode).toBe(401);
    expect(err.code).toBe("InvalidAuthenticationTokenAudience");
  });

  it("needs an api-version on every ARM request", async () => {
    const token = await emulatorConnection(emu).credential.getToken(ARM_SCOPE);
    const res = await rawGet(`/subscriptions/${emu.subscriptionId}/resourcegroups`, {
      authorization: `Bearer ${token!.token}`,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("MissingApiVersionParameter");
  });

  it("serves the OpenID metadata MSAL reads, with every endpoint on its own origin", async () => {
    const res = await rawGet(`/${emu.tenantId}/v2.0/.well-known/openid-configuration`);
    for (const key of ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"]) {
      expect(new URL(res.body[key]).origin).toBe(emu.endpoint);
    }
  });
});

describe("scopes and authority options", () => {
  it("keeps the public audience for the emulator and disables instance discovery only off the public cloud", () => {
    expect(resolveCloud({ resourceManagerEndpoint: emu.endpoint, authorityHost: emu.authorityHost }).armScope).toBe(
      "https://management.azure.com/.default",
    );
    expect(identityOptions({ authorityHost: "https://login.microsoftonline.com/" })).toEqual({
      authorityHost: "https://login.microsoftonline.com",
    });
    expect(identityOptions({ authorityHost: emu.authorityHost })).toMatchObject({ disableInstanceDiscovery: true });
    expect(identityOptions({ ca: emu.ca }).tlsOptions!.ca).toContain(emu.ca);
    expect(identityOptions({ ca: emu.ca }).tlsOptions!.ca.length).toBeGreaterThan(50); // the usual CAs stay trusted
  });
});
