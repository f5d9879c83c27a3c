/**
 * Input validation and event interpretation of the action, without a build:
 * every bad value names its input and what is allowed.
 */
import { describe, expect, it } from "vitest";
import { describeEvent, planRun } from "../../src/action/event.js";
import { InputError, readInputs } from "../../src/action/inputs.js";
import { pullRequestEvent, pushEvent } from "../support/action-runner.js";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";

function read(values: Record<string, string>) {
  return readInputs((name) => values[name] ?? "");
}

function inputError(values: Record<string, string>): InputError {
  try {
    read(values);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("expected an InputError");
}

describe("readInputs", () => {
  it("applies the action.yml defaults when the runner leaves inputs empty", () => {
    const inputs = read({ "github-token": "t" });
    expect(inputs).toMatchObject({
      mode: "auto",
      path: "proxies",
      allowDestroy: false,
      cloud: {
        resourceManagerEndpoint: "https://management.azure.com",
        authorityHost: "https://login.microsoftonline.com",
        armScope: "https://management.azure.com/.default",
        oidcAudience: "api://AzureADTokenExchange",
      },
    });
    expect(inputs.owner).toBeUndefined();
    expect(inputs.tenantId).toBeUndefined();
  });

  it("reads a full OIDC configuration", () => {
    const inputs = read({
      mode: "plan",
      path: "infra/proxies/",
      "subscription-id": "00000000-0000-0000-0000-000000000001",
      "tenant-id": TENANT,
      "client-id": CLIENT,
      "github-token": "t",
      "allow-destroy": "TRUE",
      owner: "acme/edge",
      "resource-manager-endpoint": "https://127.0.0.1:8443/",
      "authority-host": "https://127.0.0.1:8443",
      "allow-custom-endpoints": "true",
    });
    expect(inputs).toMatchObject({
      mode: "plan",
      tenantId: TENANT,
      clientId: CLIENT,
      allowDestroy: true,
      owner: "acme/edge",
    });
    expect(inputs.cloud.resourceManagerEndpoint).toBe("https://127.0.0.1:8443");
    expect(inputs.cloud.cloud).toBeUndefined();
  });

  it.each([
    [{ mode: "destroy" }, "mode", "auto, plan, apply"],
    [{ "allow-destroy": "yes" }, "allow-destroy", "true, false"],
    [{ "subscription-id": "my-sub" }, "subscription-id", "GUID"],
    [{ "tenant-id": "not a tenant", "client-id": CLIENT }, "tenant-id", "GUID"],
    [{ "tenant-id": TENANT, "client-id": "app" }, "client-id", "GUID"],
    [{ "tenant-id": TENANT }, "client-id", "both tenant-id and client-id"],
    [{ "client-id": CLIENT }, "tenant-id", "both tenant-id and client-id"],
    [{ "resource-manager-endpoint": "http://management.azure.com" }, "resource-manager-endpoint", "https://"],
    [{ "authority-host": "login.microsoftonline.com" }, "authority-host", "https://"],
    [
      {
        "resource-manager-endpoint": "https://management.usgovcloudapi.net",
        "authority-host": "https://login.microsoftonline.com",
      },
      "authority-host",
      "https://login.microsoftonline.us",
    ],
    [{ "oidc-audience": "api://Azure AD" }, "oidc-audience", "api://AzureADTokenExchange"],
    [{ owner: "acme web" }, "owner", "letters, digits"],
    [{ path: "../elsewhere" }, "path", "inside the repository"],
  ])("rejects %j naming %s", (values, input, allowed) => {
    const err = inputError({ "github-token": "t", ...values });
    expect(err.input).toBe(input);
    expect(err.message).toContain(`Input '${input}'`);
    expect(err.message).toContain(allowed);
  });

  it.each([
    [{ "resource-manager-endpoint": "https://management.attacker.example" }, "resource-manager-endpoint"],
    [{ "authority-host": "https://login.attacker.example" }, "authority-host"],
    // Derived endpoints count too: an unknown authority makes the Resource Manager the public one, but it is still unknown.
    [
      { "resource-manager-endpoint": "https://management.azure.com", "authority-host": "https://127.0.0.1:8443" },
      "authority-host",
    ],
  ])("refuses %j, an endpoint of no known cloud, without allow-custom-endpoints", (values, input) => {
    const err = inputError({ "github-token": "t", ...values });
    expect(err.input).toBe(input);
    expect(err.message).toContain("belongs to none of the known Azure clouds");
    expect(err.message).toContain("Azure access tokens would be sent to it");
    expect(err.message).toContain("allow-custom-endpoints: true");
    const given = values as Record<string, string>;
    const opted = read({ "github-token": "t", ...values, "allow-custom-endpoints": "true" }).cloud;
    expect(opted[input === "authority-host" ? "authorityHost" : "resourceManagerEndpoint"]).toBe(given[input]);
  });

  it("refuses plain http even with allow-custom-endpoints, and needs no opt-in for the known clouds", () => {
    const err = inputError({
      "github-token": "t",
      "resource-manager-endpoint": "http://127.0.0.1:8080",
      "allow-custom-endpoints": "true",
    });
    expect(err.input).toBe("resource-manager-endpoint");
    expect(err.message).toContain("never travel over plain http");
    for (const arm of [
      "https://management.azure.com",
      "https://management.usgovcloudapi.net",
      "https://management.chinacloudapi.cn",
    ])
      expect(read({ "github-token": "t", "resource-manager-endpoint": arm }).cloud.cloud).toBeDefined();
  });

  it("requires a GitHub token", () => {
    expect(inputError({}).input).toBe("github-token");
  });
});

describe("planRun", () => {
  const repo = "acme/web";
  it("plans a pull request and knows a fork", () => {
    const own = planRun("auto", {
      eventName: "pull_request",
      payload: pullRequestEvent({ repository: repo, number: 7, headSha: "a".repeat(40) }),
      sha: "m",
      ref: "refs/pull/7/merge",
    });
    expect(own).toEqual({
      kind: "plan-pull-request",
      pullRequest: { number: 7, headSha: "a".repeat(40), fromFork: false },
    });
    const fork = planRun("auto", {
      eventName: "pull_request",
      payload: pullRequestEvent({
        repository: repo,
        number: 8,
        headSha: "b".repeat(40),
        headRepository: "someone/web",
      }),
      sha: "m",
      ref: "r",
    });
    expect(fork).toMatchObject({ kind: "plan-pull-request", pullRequest: { fromFork: true } });
  });

  it("applies a push to the default branch only", () => {
    const sha = "c".repeat(40);
    expect(
      planRun("auto", {
        eventName: "push",
        payload: pushEvent({ repository: repo, sha }),
        sha,
        ref: "refs/heads/main",
      }),
    ).toEqual({ kind: "apply", sha });
    const other = planRun("auto", {
      eventName: "push",
      payload: pushEvent({ repository: repo, sha, ref: "refs/heads/dev" }),
      sha,
      ref: "refs/heads/dev",
    });
    expect(other.kind).toBe("plan-summary");
    expect(
      planRun("plan", { eventName: "push", payload: pushEvent({ repository: repo, sha }), sha, ref: "refs/heads/main" })
        .kind,
    ).toBe("plan-summary");
    expect(planRun("auto", { eventName: "workflow_dispatch", payload: {}, sha, ref: "refs/heads/main" }).kind).toBe(
      "plan-summary",
    );
  });

  it("says in words that there is no workflow event when GITHUB_EVENT_NAME is unset", () => {
    // @actions/github's context leaves eventName undefined then, whatever its type says.
    const missing = undefined as unknown as string;
    expect(describeEvent(missing)).toBe("with no workflow event (GITHUB_EVENT_NAME is not set)");
    expect(describeEvent("push")).toBe("on the push event");
    for (const mode of ["auto", "plan"] as const) {
      const plan = planRun(mode, { eventName: missing, payload: {}, sha: "c".repeat(40), ref: "" });
      expect(plan.kind).toBe("plan-summary");
      const reason = plan.kind === "plan-summary" ? plan.reason : "";
      expect(reason).toContain("no workflow event (GITHUB_EVENT_NAME is not set)");
      expect(reason).not.toMatch(/undefined|unknown/);
    }
  });
});

describe("sovereign clouds through the inputs", () => {
  it("derives sign-in, token scope and OIDC audience from resource-manager-endpoint alone", () => {
    const gov = read({ "github-token": "t", "resource-manager-endpoint": "https://management.usgovcloudapi.net/" });
    expect(gov.cloud).toMatchObject({
      resourceManagerEndpoint: "https://management.usgovcloudapi.net",
      authorityHost: "https://login.microsoftonline.us",
      armScope: "https://management.usgovcloudapi.net/.default",
      oidcAudience: "api://AzureADTokenExchangeUSGov",
      derived: ["authority-host", "oidc-audience"],
    });
    const china = read({ "github-token": "t", "authority-host": "https://login.chinacloudapi.cn" });
    expect(china.cloud).toMatchObject({
      resourceManagerEndpoint: "https://management.chinacloudapi.cn",
      oidcAudience: "api://AzureADTokenExchangeChina",
      derived: ["resource-manager-endpoint", "oidc-audience"],
    });
  });
  it("takes an explicit oidc-audience over the cloud's", () => {
    const inputs = read({
      "github-token": "t",
      "resource-manager-endpoint": "https://management.chinacloudapi.cn",
      "oidc-audience": "api://custom-exchange",
    });
    expect(inputs.cloud.oidcAudience).toBe("api://custom-exchange");
    expect(inputs.cloud.derived).toEqual(["authority-host"]);
  });
});
