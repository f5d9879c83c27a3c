/**
 * The Azure clouds this tool knows: each one's Resource Manager endpoint,
 * Entra ID authority host, ARM token scope and the audience of the GitHub ID
 * token its federated credentials accept. The one home of these facts: the
 * action's inputs, the CLI and the credential code all read them from here.
 *
 * Sources:
 * - endpoints and authority hosts: `az cloud show` (AzureCloud,
 *   AzureUSGovernment, AzureChinaCloud); @azure/identity AzureAuthorityHosts;
 *   the host aliases of each Entra instance: msal-common
 *   src/authority/AuthorityMetadata.ts (instanceDiscoveryMetadata);
 * - federated-credential audiences: Microsoft Entra, "Configure an app to
 *   trust a managed identity" (audiences: api://AzureADTokenExchange for the
 *   public cloud, …USGov for Fairfax, …China for Mooncake), and MSAL.NET
 *   KnownCloudConfiguration (TokenExchangeAudience per authority host).
 *   azure/login's README gives api://AzureADTokenExchange as its `audience`
 *   default and lets users set another one, which is what a sovereign cloud
 *   needs.
 * Azure Germany (login.microsoftonline.de) closed in October 2021 and is left out.
 */

export interface KnownCloud {
  name: "AzureCloud" | "AzureUSGovernment" | "AzureChinaCloud";
  title: string;
  /** https origin, no trailing slash. */
  resourceManagerEndpoint: string;
  /** The authority host to sign in at, https origin. */
  authorityHost: string;
  /** Other hosts of the same Entra ID instance (accepted, never derived). */
  authorityHostAliases: readonly string[];
  /** OAuth scope of ARM tokens. */
  armScope: string;
  /** Audience of the GitHub ID token that the cloud's federated credentials accept. */
  oidcAudience: string;
}

export const PUBLIC_CLOUD: KnownCloud = {
  name: "AzureCloud",
  title: "Azure",
  resourceManagerEndpoint: "https://management.azure.com",
  authorityHost: "https://login.microsoftonline.com",
  authorityHostAliases: ["https://login.windows.net", "https://login.microsoft.com", "https://sts.windows.net"],
  armScope: "https://management.azure.com/.default",
  oidcAudience: "api://AzureADTokenExchange",
};

export const KNOWN_CLOUDS: readonly KnownCloud[] = [
  PUBLIC_CLOUD,
  {
    name: "AzureUSGovernment",
    title: "Azure Government",
    resourceManagerEndpoint: "https://management.usgovcloudapi.net",
    authorityHost: "https://login.microsoftonline.us",
    authorityHostAliases: ["https://login.usgovcloudapi.net"],
    armScope: "https://management.usgovcloudapi.net/.default",
    oidcAudience: "api://AzureADTokenExchangeUSGov",
  },
  {
    name: "AzureChinaCloud",
    title: "Azure operated by 21Vianet",
    resourceManagerEndpoint: "https://management.chinacloudapi.cn",
    authorityHost: "https://login.chinacloudapi.cn",
    authorityHostAliases: ["https://login.partner.microsoftonline.cn"],
    armScope: "https://management.chinacloudapi.cn/.default",
    oidcAudience: "api://AzureADTokenExchangeChina",
  },
];

/** "https://Management.Azure.com/" → "https://management.azure.com"; undefined for what is not an http(s) URL. */
function origin(url: string): string | undefined {
  try {
    const u = new URL(url.trim());
    if (u.protocol !== "https:" && u.protocol !== "http:") return undefined;
    // A path other than "/" is not an origin of a cloud (e.g. Azure Stack's ARM under a path).
    if (u.pathname.replace(/\/+$/, "") !== "" || u.search || u.hash) return undefined;
    return u.origin.toLowerCase();
  } catch {
    return undefined;
  }
}

export function cloudByResourceManager(url: string): KnownCloud | undefined {
  const o = origin(url);
  return KNOWN_CLOUDS.find((c) => c.resourceManagerEndpoint === o);
}

export function cloudByAuthorityHost(url: string): KnownCloud | undefined {
  const o = origin(url);
  return KNOWN_CLOUDS.find((c) => c.authorityHost === o || c.authorityHostAliases.includes(o ?? ""));
}

export type CloudSetting = "resource-manager-endpoint" | "authority-host" | "oidc-audience";

export class CloudConfigError extends Error {
  constructor(
    readonly field: CloudSetting,
    message: string,
  ) {
    super(message);
    this.name = "CloudConfigError";
  }
}

export interface ResolvedCloud {
  resourceManagerEndpoint: string;
  authorityHost: string;
  armScope: string;
  oidcAudience: string;
  /** The known cloud the endpoints belong to; undefined for any other endpoint (an emulator, Azure Stack). */
  cloud?: KnownCloud;
  /** Settings that were not given and were derived from the others. */
  derived: CloudSetting[];
}

/** What an audience may look like: GitHub puts it in a URL query and Entra compares it as a string of up to 600 characters. */
const AUDIENCE = /^[\x21-\x7e]{1,600}$/;

/**
 * Fills in what was not given from what was, for the known clouds:
 * - only `resourceManagerEndpoint` → that cloud's authority host (and the reverse);
 * - neither → the public cloud;
 * - `oidcAudience` not given → the audience of the cloud the authority host belongs to
 *   (the token goes to that Entra instance), else the public cloud's.
 * The ARM token scope follows the ARM endpoint's cloud; an endpoint no cloud
 * has takes the scope of the authority host's cloud (public when unknown too).
 * Endpoints of two different known clouds are refused: the tokens of one are
 * never accepted by the other.
 */
export function resolveCloud(given: {
  resourceManagerEndpoint?: string | undefined;
  authorityHost?: string | undefined;
  oidcAudience?: string | undefined;
}): ResolvedCloud {
  const arm = given.resourceManagerEndpoint?.trim() || undefined;
  const authority = given.authorityHost?.trim() || undefined;
  const audience = given.oidcAudience?.trim() || undefined;
  const derived: CloudSetting[] = [];

  const armCloud = arm === undefined ? undefined : cloudByResourceManager(arm);
  const authorityCloud = authority === undefined ? undefined : cloudByAuthorityHost(authority);
  if (armCloud && authorityCloud && armCloud !== authorityCloud) {
    throw new CloudConfigError(
      "authority-host",
      `${authority} signs in to ${authorityCloud.title}, but ${arm} is the Resource Manager of ${armCloud.title}; ` +
        `use ${armCloud.authorityHost} (or leave authority-host empty: it follows resource-manager-endpoint)`,
    );
  }

  let resourceManagerEndpoint: string;
  let authorityHost: string;
  if (arm !== undefined && authority !== undefined) {
    resourceManagerEndpoint = arm;
    authorityHost = authority;
  } else if (arm !== undefined) {
    resourceManagerEndpoint = arm;
    authorityHost = (armCloud ?? PUBLIC_CLOUD).authorityHost;
    derived.push("authority-host");
  } else if (authority !== undefined) {
    authorityHost = authority;
    resourceManagerEndpoint = (authorityCloud ?? PUBLIC_CLOUD).resourceManagerEndpoint;
    derived.push("resource-manager-endpoint");
  } else {
    resourceManagerEndpoint = PUBLIC_CLOUD.resourceManagerEndpoint;
    authorityHost = PUBLIC_CLOUD.authorityHost;
    derived.push("resource-manager-endpoint", "authority-host");
  }
  resourceManagerEndpoint = resourceManagerEndpoint.replace(/\/+$/, "");
  authorityHost = authorityHost.replace(/\/+$/, "");

  const cloud = cloudByResourceManager(resourceManagerEndpoint) ?? undefined;
  const signInCloud = cloudByAuthorityHost(authorityHost);
  if (audience !== undefined && !AUDIENCE.test(audience)) {
    throw new CloudConfigError(
      "oidc-audience",
      `"${audience}" is not a token audience: use 1 to 600 visible ASCII characters without spaces, e.g. ${(signInCloud ?? PUBLIC_CLOUD).oidcAudience}`,
    );
  }
  if (audience === undefined) derived.push("oidc-audience");
  return {
    resourceManagerEndpoint,
    authorityHost,
    armScope: (cloud ?? signInCloud ?? PUBLIC_CLOUD).armScope,
    oidcAudience: audience ?? (signInCloud ?? PUBLIC_CLOUD).oidcAudience,
    ...(cloud ? { cloud } : {}),
    derived,
  };
}

/**
 * The endpoints of `resolved` that belong to no known cloud. The action and
 * the CLI send Azure access tokens to the authority host (the federated
 * assertion, a client secret) and to the Resource Manager endpoint (every
 * request), so an endpoint outside the table needs the user's explicit
 * opt-in (`allow-custom-endpoints`): a typo or an edited workflow could
 * otherwise hand working tokens to someone else's server.
 */
export function unknownEndpoints(resolved: ResolvedCloud): ("resource-manager-endpoint" | "authority-host")[] {
  const unknown: ("resource-manager-endpoint" | "authority-host")[] = [];
  if (!cloudByResourceManager(resolved.resourceManagerEndpoint)) unknown.push("resource-manager-endpoint");
  if (!cloudByAuthorityHost(resolved.authorityHost)) unknown.push("authority-host");
  return unknown;
}

/** Why an unknown endpoint is refused, naming the setting that allows it (an input or a flag). */
export function unknownEndpointMessage(url: string, allowWith: string): string {
  const known = KNOWN_CLOUDS.map((c) => c.title).join(", ");
  return (
    `${url} belongs to none of the known Azure clouds (${known}), and Azure access tokens would be sent to it. ` +
    `If it is yours (Azure Stack Hub, a private endpoint, a test emulator), set ${allowWith}`
  );
}

/** One log line: which cloud, its endpoints, and which of them were derived. */
export function describeCloud(r: ResolvedCloud, opts: { oidc: boolean }): string {
  const mark = (setting: CloudSetting) => (r.derived.includes(setting) ? " (derived)" : "");
  const parts = [
    `resource manager ${r.resourceManagerEndpoint}${mark("resource-manager-endpoint")}`,
    `sign-in ${r.authorityHost}${mark("authority-host")}`,
    `token scope ${r.armScope}`,
    ...(opts.oidc ? [`GitHub ID token audience ${r.oidcAudience}${mark("oidc-audience")}`] : []),
  ];
  return `${r.cloud ? r.cloud.title : "endpoints of no known Azure cloud"}: ${parts.join(", ")}`;
}
