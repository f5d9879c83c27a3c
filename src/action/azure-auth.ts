/**
 * How the action signs in to Azure. With tenant-id and client-id it uses
 * GitHub's OIDC token (no secret stored anywhere); otherwise
 * DefaultAzureCredential (environment variables, or the CLI login that
 * azure/login leaves behind).
 */
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { type AzureConnection, defaultScope } from "../azure/clients.js";
import { createCredential } from "../azure/credentials.js";
import type { ActionInputs } from "./inputs.js";

const OIDC_AUDIENCE = "api://AzureADTokenExchange";

export const MISSING_ID_TOKEN_ADVICE =
  "Azure sign-in with OIDC needs an ID token from GitHub, and this job has none (ACTIONS_ID_TOKEN_REQUEST_URL is not set). " +
  "Give the workflow `permissions: id-token: write` (next to `contents: read` and `pull-requests: write`). " +
  "Pull requests from forks never get an ID token, so their plans cannot read Azure.";

export class IdTokenUnavailableError extends Error {
  constructor() {
    super(MISSING_ID_TOKEN_ADVICE);
    this.name = "IdTokenUnavailableError";
  }
}

function usesOidc(inputs: ActionInputs): boolean {
  return Boolean(inputs.tenantId && inputs.clientId);
}

/**
 * The Azure connection for this run. `getIdToken` is core.getIDToken; `ca`
 * an extra CA to trust (in-process tests; see ActionIO.azureCa). When
 * OIDC is configured but the job has no ID token, this throws
 * IdTokenUnavailableError, unless `deferMissingIdToken` is set (fork pull
 * requests): then the credential fails only when a token is actually needed,
 * so proxy files are still validated.
 */
export function azureConnection(
  inputs: ActionInputs,
  env: Readonly<Record<string, string | undefined>>,
  getIdToken: (audience: string) => Promise<string>,
  deferMissingIdToken = false,
  ca?: string,
): AzureConnection {
  let credential: TokenCredential;
  if (usesOidc(inputs)) {
    if (!env.ACTIONS_ID_TOKEN_REQUEST_URL || !env.ACTIONS_ID_TOKEN_REQUEST_TOKEN) {
      if (!deferMissingIdToken) throw new IdTokenUnavailableError();
      credential = unavailableCredential();
    } else {
      credential = createCredential({
        kind: "clientAssertion",
        tenantId: inputs.tenantId!,
        clientId: inputs.clientId!,
        getAssertion: () => getIdToken(OIDC_AUDIENCE),
        authorityHost: inputs.authorityHost,
        ca,
      });
    }
  } else {
    credential = createCredential({ kind: "default", authorityHost: inputs.authorityHost, ca });
  }
  return {
    resourceManagerEndpoint: inputs.resourceManagerEndpoint,
    credential,
    scope: defaultScope(inputs.resourceManagerEndpoint),
    ca,
  };
}

/** A credential that refuses: Azure is never contacted without a token, so nothing is read or written. */
function unavailableCredential(): TokenCredential {
  return {
    getToken(): Promise<AccessToken | null> {
      return Promise.reject(new IdTokenUnavailableError());
    },
  };
}

/** Sign-in failures that mean "no usable Azure identity here", as opposed to a bug or an Azure error. */
export function isSignInUnavailable(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return (
    err instanceof IdTokenUnavailableError ||
    name === "IdTokenUnavailableError" ||
    name === "CredentialUnavailableError" ||
    name === "AggregateAuthenticationError" ||
    name === "AuthenticationError"
  );
}
