/**
 * A minimal Entra ID: the OpenID metadata and token endpoint MSAL uses for
 * the client-credentials flow (client secret, or a federated client assertion
 * such as a GitHub OIDC token), and the bearer-token check every ARM request
 * goes through.
 */
import { randomBytes } from "node:crypto";
import type { EmuRequest, EmuResponse, Json } from "./http.js";
import { ArmError, header, newGuid } from "./http.js";

/** The audience GitHub OIDC tokens carry for the public cloud's federated credentials. */
export const FEDERATED_AUDIENCE = "api://AzureADTokenExchange";

export interface TokenRequestEntry {
  tenantId: string;
  clientId: string;
  grant: "secret" | "assertion";
  /** `sub` of the client assertion (e.g. repo:owner/name:ref:refs/heads/main). */
  subject?: string;
  issuer?: string;
  scope: string;
  at: Date;
}

/** An app registration: its secret, and the subjects its federated credentials accept. */
export interface EntraApplication {
  clientId: string;
  clientSecret?: string;
  /** When set, only assertions whose `sub` is listed are accepted, like federated credentials in Entra. */
  federatedSubjects?: string[];
}

export interface EntraConfig {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** When set, only assertions whose `sub` is listed are accepted, like federated credentials in Entra. */
  federatedSubjects?: string[];
  /**
   * The audience of the federated credentials (default FEDERATED_AUDIENCE). A
   * sovereign cloud's are api://AzureADTokenExchangeUSGov or …China, and the
   * assertion's `aud` must match it (Microsoft Entra, "Configure an app to trust
   * a managed identity": the audience "must match the value of the aud claim").
   */
  federatedAudience?: string;
}

const ARM_AUDIENCES = ["https://management.azure.com", "https://management.core.windows.net"];
const TOKEN_LIFETIME_S = 3599;

const aadError = (status: number, error: string, code: number, description: string): EmuResponse => ({
  status,
  body: {
    error,
    error_description: `AADSTS${code}: ${description}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: newGuid(),
    correlation_id: newGuid(),
  },
});

const ENTRA_PATH =
  /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/instance|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token)$/;

export class Entra {
  readonly tokenRequests: TokenRequestEntry[] = [];
  private readonly tokens = new Map<string, { expiresAt: number; audience: string; clientId: string }>();
  /** Every app registration of the tenant by client id, the configured one first. */
  private readonly applications = new Map<string, EntraApplication>();

  constructor(private readonly config: EntraConfig) {
    this.addApplication(config);
  }

  /** Registers another app (e.g. a second identity for plans); tokens name it as their principal. */
  addApplication(app: EntraApplication): void {
    this.applications.set(app.clientId, { ...app });
  }

  static isEntraPath(path: string): boolean {
    return ENTRA_PATH.test(path);
  }

  handle(req: EmuRequest): EmuResponse {
    const [, tenant = "", what] = ENTRA_PATH.exec(req.url.pathname) ?? [];
    const base = `${req.origin}/${tenant}`;
    if (what === "discovery/instance") {
      const host = new URL(req.origin).host;
      return {
        status: 200,
        body: {
          tenant_discovery_endpoint: `${req.origin}/${this.config.tenantId}/v2.0/.well-known/openid-configuration`,
          "api-version": "1.1",
          metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
        },
      };
    }
    if (tenant.toLowerCase() !== this.config.tenantId.toLowerCase()) {
      return aadError(
        400,
        "invalid_request",
        90002,
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
      );
    }
    if (what === "discovery/v2.0/keys") return { status: 200, body: { keys: [] } };
    if (what === "v2.0/.well-known/openid-configuration") {
      return {
        status: 200,
        body: {
          issuer: `${base}/v2.0`,
          authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
          token_endpoint: `${base}/oauth2/v2.0/token`,
          device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
          end_session_endpoint: `${base}/oauth2/v2.0/logout`,
          jwks_uri: `${base}/discovery/v2.0/keys`,
          token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
          response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
          scopes_supported: ["openid", "profile", "email", "offline_access"],
          subject_types_supported: ["pairwise"],
          id_token_signing_alg_values_supported: ["RS256"],
          tenant_region_scope: null,
          cloud_instance_name: new URL(req.origin).host,
        },
      };
    }
    if (req.method !== "POST")
      return aadError(405, "invalid_request", 900561, "The endpoint only accepts POST requests.");
    return this.token(req);
  }

  private token(req: EmuRequest): EmuResponse {
    const form = new URLSearchParams(req.rawBody);
    const clientId = form.get("client_id") ?? "";
    const scope = form.get("scope") ?? "";
    if (form.get("grant_type") !== "client_credentials") {
      return aadError(
        400,
        "unsupported_grant_type",
        70003,
        `The app requested an unsupported grant type '${form.get("grant_type")}'.`,
      );
    }
    const app = this.applications.get(clientId);
    if (!app) {
      return aadError(
        400,
        "unauthorized_client",
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${this.config.tenantId}'.`,
      );
    }
    const resource = scope
      .split(" ")
      .find((s) => s.endsWith("/.default"))
      ?.slice(0, -"/.default".length);
    if (!resource) {
      return aadError(
        400,
        "invalid_scope",
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
      );
    }
    let entry: TokenRequestEntry;
    const assertion = form.get("client_assertion");
    if (assertion !== null) {
      const checked = this.checkAssertion(assertion, form.get("client_assertion_type"), app);
      if ("status" in checked) return checked;
      entry = { tenantId: this.config.tenantId, clientId, grant: "assertion", ...checked, scope, at: new Date() };
    } else if (app.clientSecret !== undefined && form.get("client_secret") === app.clientSecret) {
      entry = { tenantId: this.config.tenantId, clientId, grant: "secret", scope, at: new Date() };
    } else {
      return aadError(
        401,
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
      );
    }
    this.tokenRequests.push(entry);
    return {
      status: 200,
      body: {
        token_type: "Bearer",
        expires_in: TOKEN_LIFETIME_S,
        ext_expires_in: TOKEN_LIFETIME_S,
        access_token: this.issue(req.origin, resource, clientId),
      },
    };
  }

  /** Checks what Entra checks of a federated assertion, except the signature: the emulator has no issuer keys. */
  private checkAssertion(
    assertion: string,
    type: string | null,
    app: EntraApplication,
  ): { subject?: string; issuer?: string } | EmuResponse {
    if (type !== "urn:ietf:params:oauth:client-assertion-type:jwt-bearer") {
      return aadError(
        400,
        "invalid_request",
        9002313,
        `Invalid request. client_assertion_type '${type}' is not supported.`,
      );
    }
    const claims = decodeJwtPayload(assertion);
    if (!claims) return aadError(400, "invalid_client", 50027, "JWT token is invalid or malformed.");
    const audiences = ([] as unknown[]).concat(claims.aud ?? []);
    if (!audiences.includes(this.config.federatedAudience ?? FEDERATED_AUDIENCE)) {
      return aadError(
        400,
        "invalid_client",
        700212,
        `No matching federated identity record found for presented assertion audience '${audiences.join(",")}'.`,
      );
    }
    if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) {
      return aadError(400, "invalid_client", 700024, "Client assertion is not within its valid time range.");
    }
    const subject = typeof claims.sub === "string" ? claims.sub : undefined;
    const allowed = app.federatedSubjects;
    if (allowed && (!subject || !allowed.includes(subject))) {
      return aadError(
        400,
        "invalid_client",
        700213,
        `No matching federated identity record found for presented assertion subject '${subject}'.`,
      );
    }
    return { ...(subject ? { subject } : {}), ...(typeof claims.iss === "string" ? { issuer: claims.iss } : {}) };
  }

  /** An unsigned JWT: readable like a real token, but good only here (it is also looked up). */
  private issue(origin: string, resource: string, clientId: string): string {
    const now = Math.floor(Date.now() / 1000);
    const enc = (o: Json) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const token = `${enc({ alg: "none", typ: "JWT" })}.${enc({
      aud: resource,
      iss: `${origin}/${this.config.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + TOKEN_LIFETIME_S,
      appid: clientId,
      tid: this.config.tenantId,
      sub: clientId,
      idtyp: "app",
      jti: randomBytes(8).toString("hex"),
    })}.`;
    this.tokens.set(token, { expiresAt: (now + TOKEN_LIFETIME_S) * 1000, audience: resource, clientId });
    return token;
  }

  /** ARM's check of the bearer token; throws the 401 ARM would send, else returns the principal (client id). */
  authenticate(req: EmuRequest): string {
    const auth = header(req, "authorization");
    if (!auth)
      throw new ArmError(401, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.");
    const token = /^Bearer (.+)$/i.exec(auth)?.[1];
    const known = token ? this.tokens.get(token) : undefined;
    if (!known) throw new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.");
    if (known.expiresAt < Date.now()) {
      throw new ArmError(
        401,
        "ExpiredAuthenticationToken",
        "The access token expiry UTC time is earlier than current UTC time.",
      );
    }
    const audience = known.audience.replace(/\/+$/, "");
    if (!ARM_AUDIENCES.includes(audience) && audience !== req.origin) {
      throw new ArmError(
        401,
        "InvalidAuthenticationTokenAudience",
        `The access token has been obtained for wrong audience or resource '${known.audience}'. It should exactly match with one of the allowed audiences ${ARM_AUDIENCES.map((a) => `'${a}/'`).join(",")}.`,
      );
    }
    return known.clientId;
  }
}

function decodeJwtPayload(jwt: string): Json | undefined {
  const parts = jwt.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as unknown;
    return typeof payload === "object" && payload !== null ? (payload as Json) : undefined;
  } catch {
    return undefined;
  }
}
