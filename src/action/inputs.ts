/**
 * Every input of action.yml, read once and validated into one typed object.
 * An invalid value fails the run before anything touches GitHub or Azure, with
 * a message that names the input and what it accepts.
 */
import {
  CloudConfigError,
  PUBLIC_CLOUD,
  type ResolvedCloud,
  resolveCloud,
  unknownEndpointMessage,
  unknownEndpoints,
} from "../model/clouds.js";
import { checkOwner } from "../model/owner.js";

export const MODES = ["auto", "plan", "apply", "drift", "status"] as const;
export type Mode = (typeof MODES)[number];

export interface ActionInputs {
  mode: Mode;
  /** Directory of proxy files, relative to the workspace. */
  path: string;
  subscriptionId?: string | undefined;
  tenantId?: string | undefined;
  clientId?: string | undefined;
  githubToken: string;
  allowDestroy: boolean;
  /**
   * The login of the identity behind github-token: only its comments count as
   * plan records and are ever edited. github-actions[bot] for the workflow's
   * GITHUB_TOKEN, `<app-slug>[bot]` for a GitHub App's installation token.
   */
  botLogin: string;
  /** Apply needs an approval of the merged head commit, after the plan, by someone with write access. */
  requireApproval: boolean;
  /** Undefined: the repository (`GITHUB_REPOSITORY`), resolved by the caller. */
  owner?: string | undefined;
  /** The endpoints, token scope and OIDC audience, with what was derived from what (model/clouds.ts). */
  cloud: ResolvedCloud;
}

export class InputError extends Error {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(`Input '${input}': ${message}`);
    this.name = "InputError";
  }
}

/** Reads one raw input; `core.getInput` in the action. */
export type InputReader = (name: string) => string;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A tenant is a GUID or a verified domain such as contoso.onmicrosoft.com. */
const TENANT_DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i;
/** The identity of the workflow's GITHUB_TOKEN. */
const DEFAULT_BOT_LOGIN = "github-actions[bot]";
/** A user login (alphanumerics and single hyphens, at most 39) or an app's bot login, `<slug>[bot]`. */
const LOGIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$/;
// The same spellings as core.getBooleanInput (YAML 1.2 core schema).
const TRUE_VALUES = ["true", "True", "TRUE"];
const FALSE_VALUES = ["false", "False", "FALSE"];

export function readInputs(read: InputReader): ActionInputs {
  const get = (name: string): string => read(name).trim();
  const optional = (name: string): string | undefined => get(name) || undefined;

  const mode = (get("mode") || "auto") as Mode;
  if (!MODES.includes(mode)) {
    throw new InputError("mode", `"${mode}" is not allowed; use one of: ${MODES.join(", ")}`);
  }

  const path = get("path") || "proxies";
  if (path.split(/[\\/]/).includes("..")) {
    throw new InputError(
      "path",
      `"${path}" leaves the workspace; give a directory inside the repository, e.g. proxies`,
    );
  }

  const subscriptionId = optional("subscription-id");
  if (subscriptionId && !GUID.test(subscriptionId)) {
    throw new InputError(
      "subscription-id",
      `"${subscriptionId}" is not a subscription GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)`,
    );
  }

  const tenantId = optional("tenant-id");
  if (tenantId && !GUID.test(tenantId) && !TENANT_DOMAIN.test(tenantId)) {
    throw new InputError(
      "tenant-id",
      `"${tenantId}" is neither a tenant GUID nor a domain such as contoso.onmicrosoft.com`,
    );
  }
  const clientId = optional("client-id");
  if (clientId && !GUID.test(clientId)) {
    throw new InputError("client-id", `"${clientId}" is not an application (client) GUID`);
  }
  if (Boolean(tenantId) !== Boolean(clientId)) {
    const missing = tenantId ? "client-id" : "tenant-id";
    throw new InputError(
      missing,
      "is empty; OIDC sign-in needs both tenant-id and client-id (leave both empty to use DefaultAzureCredential)",
    );
  }

  const githubToken = get("github-token");
  if (!githubToken) {
    throw new InputError(
      "github-token",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, written as the user writes it.
      "is empty; keep the default ${{ github.token }} or pass a token that may comment on pull requests",
    );
  }

  const allowDestroy = boolean(get, "allow-destroy");
  const requireApproval = boolean(get, "require-approval");

  const botLogin = get("bot-login") || DEFAULT_BOT_LOGIN;
  if (!LOGIN.test(botLogin)) {
    throw new InputError(
      "bot-login",
      `"${botLogin}" is not a GitHub login; use ${DEFAULT_BOT_LOGIN} for the workflow's token or <app-slug>[bot] for a GitHub App`,
    );
  }

  const owner = optional("owner");
  const ownerProblem = owner === undefined ? undefined : checkOwner(owner);
  if (ownerProblem) throw new InputError("owner", `"${owner}" ${ownerProblem}`);

  return {
    mode,
    path,
    subscriptionId,
    tenantId,
    clientId,
    githubToken,
    allowDestroy,
    botLogin,
    requireApproval,
    owner,
    cloud: readCloud(get, boolean(get, "allow-custom-endpoints")),
  };
}

/**
 * resource-manager-endpoint, authority-host and oidc-audience: each one left
 * empty follows the others for the known clouds (model/clouds.ts), so a
 * sovereign cloud needs only its Resource Manager endpoint.
 */
function readCloud(get: (name: string) => string, allowCustomEndpoints: boolean): ResolvedCloud {
  const resourceManagerEndpoint = httpsUrl("resource-manager-endpoint", get("resource-manager-endpoint"));
  const authorityHost = httpsUrl("authority-host", get("authority-host"));
  let cloud: ResolvedCloud;
  try {
    cloud = resolveCloud({ resourceManagerEndpoint, authorityHost, oidcAudience: get("oidc-audience") });
  } catch (err) {
    if (err instanceof CloudConfigError) throw new InputError(err.field, err.message);
    throw err;
  }
  const [unknown] = allowCustomEndpoints ? [] : unknownEndpoints(cloud);
  if (unknown) {
    const url = unknown === "authority-host" ? cloud.authorityHost : cloud.resourceManagerEndpoint;
    throw new InputError(unknown, unknownEndpointMessage(url, "the input allow-custom-endpoints: true"));
  }
  return cloud;
}

function boolean(get: (name: string) => string, name: string): boolean {
  const raw = get(name) || "false";
  if (!TRUE_VALUES.includes(raw) && !FALSE_VALUES.includes(raw)) {
    throw new InputError(name, `"${raw}" is not allowed; use one of: true, false`);
  }
  return TRUE_VALUES.includes(raw);
}

/**
 * Bearer tokens only travel over TLS, so both endpoints must be https, with or
 * without allow-custom-endpoints: the Azure SDK refuses to send a token to an
 * http URL ("Bearer token authentication is not permitted for non-TLS
 * protected (non-https) URLs", @azure/core-rest-pipeline bearerTokenAuthenticationPolicy)
 * and MSAL accepts only an https authority.
 */
function httpsUrl(input: string, value: string): string | undefined {
  if (!value) return undefined;
  const example = input === "authority-host" ? PUBLIC_CLOUD.authorityHost : PUBLIC_CLOUD.resourceManagerEndpoint;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(input, `"${value}" is not a URL; use an https:// URL such as ${example}`);
  }
  if (url.protocol !== "https:") {
    throw new InputError(
      input,
      `"${value}" must use https://: access tokens never travel over plain http, whatever allow-custom-endpoints says`,
    );
  }
  return value.replace(/\/+$/, "");
}
