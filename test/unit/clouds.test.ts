/**
 * The known-cloud table and what resolveCloud derives from a partial
 * configuration: one given endpoint fills in the other, the GitHub ID-token
 * audience follows the sign-in cloud, and mixed clouds are refused.
 */
import { describe, expect, it } from "vitest";
import {
  CloudConfigError,
  cloudByAuthorityHost,
  cloudByResourceManager,
  describeCloud,
  KNOWN_CLOUDS,
  resolveCloud,
} from "../../src/model/clouds.js";

const cloud = (name: string) => KNOWN_CLOUDS.find((c) => c.name === name)!;

describe("the known clouds", () => {
  it.each([
    ["AzureCloud", "https://management.azure.com", "https://login.microsoftonline.com", "api://AzureADTokenExchange"],
    [
      "AzureUSGovernment",
      "https://management.usgovcloudapi.net",
      "https://login.microsoftonline.us",
      "api://AzureADTokenExchangeUSGov",
    ],
    [
      "AzureChinaCloud",
      "https://management.chinacloudapi.cn",
      "https://login.chinacloudapi.cn",
      "api://AzureADTokenExchangeChina",
    ],
  ])("%s: %s, %s, %s", (name, arm, authority, audience) => {
    expect(cloud(name)).toMatchObject({
      resourceManagerEndpoint: arm,
      authorityHost: authority,
      armScope: `${arm}/.default`,
      oidcAudience: audience,
    });
  });

  it("finds a cloud by either endpoint, whatever the case or trailing slash", () => {
    expect(cloudByResourceManager("https://Management.UsGovCloudApi.net/")?.name).toBe("AzureUSGovernment");
    expect(cloudByAuthorityHost("https://login.partner.microsoftonline.cn")?.name).toBe("AzureChinaCloud");
    expect(cloudByAuthorityHost("https://login.usgovcloudapi.net/")?.name).toBe("AzureUSGovernment");
    expect(cloudByResourceManager("https://127.0.0.1:8443")).toBeUndefined();
    expect(cloudByResourceManager("https://management.azure.com/some/path")).toBeUndefined();
    expect(cloudByResourceManager("not a url")).toBeUndefined();
  });
});

describe("resolveCloud", () => {
  it("defaults to the public cloud when nothing is given", () => {
    expect(resolveCloud({})).toEqual({
      resourceManagerEndpoint: "https://management.azure.com",
      authorityHost: "https://login.microsoftonline.com",
      armScope: "https://management.azure.com/.default",
      oidcAudience: "api://AzureADTokenExchange",
      cloud: cloud("AzureCloud"),
      derived: ["resource-manager-endpoint", "authority-host", "oidc-audience"],
    });
  });

  it.each(KNOWN_CLOUDS.map((c) => [c.name, c] as const))(
    "%s: the authority host and audience follow the Resource Manager endpoint",
    (_name, c) => {
      const r = resolveCloud({ resourceManagerEndpoint: `${c.resourceManagerEndpoint}/` });
      expect(r).toMatchObject({
        resourceManagerEndpoint: c.resourceManagerEndpoint,
        authorityHost: c.authorityHost,
        armScope: c.armScope,
        oidcAudience: c.oidcAudience,
        derived: ["authority-host", "oidc-audience"],
      });
      expect(r.cloud).toBe(c);
    },
  );

  it.each(KNOWN_CLOUDS.map((c) => [c.name, c] as const))(
    "%s: the Resource Manager endpoint follows the authority host",
    (_name, c) => {
      expect(resolveCloud({ authorityHost: c.authorityHost })).toMatchObject({
        resourceManagerEndpoint: c.resourceManagerEndpoint,
        armScope: c.armScope,
        oidcAudience: c.oidcAudience,
        derived: ["resource-manager-endpoint", "oidc-audience"],
      });
    },
  );

  it("derives from an alias of the authority host too", () => {
    expect(resolveCloud({ authorityHost: "https://login.partner.microsoftonline.cn" })).toMatchObject({
      resourceManagerEndpoint: "https://management.chinacloudapi.cn",
      authorityHost: "https://login.partner.microsoftonline.cn",
      oidcAudience: "api://AzureADTokenExchangeChina",
    });
  });

  it("leaves endpoints of no known cloud alone, with public-cloud tokens", () => {
    const r = resolveCloud({
      resourceManagerEndpoint: "https://127.0.0.1:8443",
      authorityHost: "https://127.0.0.1:8443",
    });
    expect(r).toEqual({
      resourceManagerEndpoint: "https://127.0.0.1:8443",
      authorityHost: "https://127.0.0.1:8443",
      armScope: "https://management.azure.com/.default",
      oidcAudience: "api://AzureADTokenExchange",
      derived: ["oidc-audience"],
    });
  });

  it("gives an unknown ARM endpoint the token scope and audience of the cloud it signs in to", () => {
    const r = resolveCloud({
      resourceManagerEndpoint: "https://arm.contoso.example",
      authorityHost: "https://login.microsoftonline.us",
    });
    expect(r).toMatchObject({
      armScope: "https://management.usgovcloudapi.net/.default",
      oidcAudience: "api://AzureADTokenExchangeUSGov",
    });
    expect(r.cloud).toBeUndefined();
  });

  it("keeps an explicit audience", () => {
    const r = resolveCloud({
      resourceManagerEndpoint: "https://management.usgovcloudapi.net",
      oidcAudience: "api://x",
    });
    expect(r.oidcAudience).toBe("api://x");
    expect(r.derived).toEqual(["authority-host"]);
  });

  it("refuses endpoints of two different clouds, naming the authority host to use", () => {
    const err = (() => {
      try {
        resolveCloud({
          resourceManagerEndpoint: "https://management.chinacloudapi.cn",
          authorityHost: "https://login.microsoftonline.us",
        });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CloudConfigError);
    expect(err).toMatchObject({ field: "authority-host" });
    expect((err as Error).message).toMatch(
      /Azure Government.*Azure operated by 21Vianet.*https:\/\/login\.chinacloudapi\.cn/,
    );
  });

  it.each(["api://with space", "x".repeat(601), "api://tab\there", "api://ünïcode"])(
    "refuses the audience %j",
    (audience) => {
      expect(() => resolveCloud({ oidcAudience: audience })).toThrow(CloudConfigError);
    },
  );

  it("treats an empty audience as not given", () => {
    expect(resolveCloud({ oidcAudience: "  " })).toMatchObject({ oidcAudience: "api://AzureADTokenExchange" });
  });

  it("describes the result in one line, marking what was derived", () => {
    const line = describeCloud(resolveCloud({ resourceManagerEndpoint: "https://management.usgovcloudapi.net" }), {
      oidc: true,
    });
    expect(line).toBe(
      "Azure Government: resource manager https://management.usgovcloudapi.net, sign-in https://login.microsoftonline.us (derived), " +
        "token scope https://management.usgovcloudapi.net/.default, GitHub ID token audience api://AzureADTokenExchangeUSGov (derived)",
    );
  });
});
