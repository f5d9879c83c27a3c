/**
 * How the action signs in to Azure. With tenant-id and client-id it uses
 * GitHub's OIDC token (no secret stored anywhere); otherwise
 * DefaultAzureCredential (environment variables, or the CLI login that
 * azure/login leaves behind).
 */
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { AzureConnection } from "../azure/clients.js";
import { createCredential } from "../azure/credentials.js";
import type { ActionInputs } from "./inputs.js";

export const MISSING_ID_TOKEN_ADVICE =
  "Azure sign-in with OIDC needs an ID token from GitHub, and this job has none (ACTIONS_ID_TOKEN_REQUEST_URL is not set). " +
  "Give the workflow `permissions: id-token: write` (next to `contents: read` and `pull-requests: write`). " +
  "Pull requests from forks never get an ID token, so their plans cannot read Azure.";

class IdTokenUnavailableError extends Error {
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
      const audience = inputs.cloud.oidcAudience;
      credential = explainingAudienceMismatch(
        createCredential({
          kind: "clientAssertion",
          tenantId: inputs.tenantId!,
          clientId: inputs.clientId!,
          // The audience the federated credential expects: the cloud's own unless oidc-audience says otherwise.
          getAssertion: () => getIdToken(audience),
          authorityHost: inputs.cloud.authorityHost,
          ca,
        }),
        audience,
      );
    }
  } else {
    credential = createCredential({ kind: "default", authorityHost: inputs.cloud.authorityHost, ca });
  }
  return {
    resourceManagerEndpoint: inputs.cloud.resourceManagerEndpoint,
    credential,
    scope: inputs.cloud.armScope,
    ca,
    // Health checks ask the DNS zones' own name servers; the emulator serves them at one local address.
    ...(env.AZURE_DNS_NAME_SERVER_ADDRESS ? { nameServerAddress: env.AZURE_DNS_NAME_SERVER_ADDRESS } : {}),
  };
}

/**
 * Entra answers AADSTS700212 when no federated credential of the app has the
 * audience of the presented token (Microsoft Entra error codes reference); say
 * which audience was sent and how to line the two up.
 */
function explainingAudienceMismatch(credential: TokenCredential, audience: string): TokenCredential {
  return {
    async getToken(scopes, options) {
      try {
        return await credential.getToken(scopes, options);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.includes("AADSTS700212")) throw err;
        const explained = new Error(
          `${err.message}\nThe GitHub ID token was requested for audience ${audience}, and no federated credential ` +
            "of the app accepts it. Give the federated credential that audience, or set oidc-audience to the " +
            "credential's (Azure Government uses api://AzureADTokenExchangeUSGov, Azure operated by 21Vianet " +
            "api://AzureADTokenExchangeChina).",
          { cause: err },
        );
        explained.name = err.name;
        throw explained;
      }
    },
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
