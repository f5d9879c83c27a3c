/**
 * Azure credentials for the action and the CLI: a client secret, a federated
 * client assertion (GitHub OIDC, no stored secret), or DefaultAzureCredential.
 * All honour a custom authority host (sovereign clouds, Azure Stack, the
 * emulator) and an extra CA certificate to trust for both token and ARM calls.
 */
import * as tls from "node:tls";
import type { TokenCredential } from "@azure/core-auth";
import { ClientAssertionCredential, ClientSecretCredential, DefaultAzureCredential } from "@azure/identity";
import { PUBLIC_CLOUD } from "../model/clouds.js";

interface CommonCredentialOptions {
  /** Entra ID host, e.g. https://login.microsoftonline.us; the public cloud's when omitted. */
  authorityHost?: string | undefined;
  /** Extra CA certificate (PEM) to trust besides the usual ones. */
  ca?: string | undefined;
}

export type CredentialOptions = CommonCredentialOptions &
  (
    | { kind: "clientSecret"; tenantId: string; clientId: string; clientSecret: string }
    /** A federated credential: `getAssertion` returns a JWT, e.g. the GitHub OIDC token for api://AzureADTokenExchange. */
    | { kind: "clientAssertion"; tenantId: string; clientId: string; getAssertion: () => Promise<string> }
    /** Environment variables, workload identity, managed identity, or an Azure CLI login (azure/login). */
    | { kind: "default"; tenantId?: string; managedIdentityClientId?: string }
  );

/**
 * TLS options that trust `ca` on top of Node's default CAs. The SDK pipelines
 * hand `tlsOptions` to their HTTPS agent, where a `ca` list replaces the
 * defaults; so the defaults are repeated. Plain-HTTP calls (the managed
 * identity endpoint) are left alone, unlike with a custom https.Agent.
 */
function tlsOptionsFor(ca: string | undefined): { tlsOptions?: { ca: string[] } } {
  return ca ? { tlsOptions: { ca: trustedCas(ca) } } : {};
}

/** Node's default CAs plus `ca`: a `ca` list replaces the defaults, so they are repeated. */
export function trustedCas(ca: string): string[] {
  // getCACertificates (Node >= 22.15) includes NODE_EXTRA_CA_CERTS and system CAs when enabled.
  const defaults =
    typeof tls.getCACertificates === "function" ? tls.getCACertificates("default") : [...tls.rootCertificates];
  return [...defaults, ca];
}

/** Options every credential gets: the authority, instance discovery, TLS. */
export function identityOptions(o: CommonCredentialOptions): {
  authorityHost?: string;
  disableInstanceDiscovery?: boolean;
  tlsOptions?: { ca: string[] };
} {
  const host = o.authorityHost?.replace(/\/+$/, "");
  const custom = host !== undefined && host.toLowerCase() !== PUBLIC_CLOUD.authorityHost;
  return {
    ...(host ? { authorityHost: host } : {}),
    // MSAL asks login.microsoftonline.com to vouch for any other authority; an
    // isolated cloud (or the emulator) cannot be vouched for that way.
    ...(custom ? { disableInstanceDiscovery: true } : {}),
    ...tlsOptionsFor(o.ca),
  };
}

export function createCredential(opts: CredentialOptions): TokenCredential {
  const common = identityOptions(opts);
  switch (opts.kind) {
    case "clientSecret":
      return new ClientSecretCredential(opts.tenantId, opts.clientId, opts.clientSecret, common);
    case "clientAssertion":
      return new ClientAssertionCredential(opts.tenantId, opts.clientId, opts.getAssertion, common);
    case "default":
      return new DefaultAzureCredential({
        ...common,
        ...(opts.tenantId ? { tenantId: opts.tenantId } : {}),
        ...(opts.managedIdentityClientId ? { managedIdentityClientId: opts.managedIdentityClientId } : {}),
      });
  }
}
