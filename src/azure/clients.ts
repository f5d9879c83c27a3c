/**
 * The Azure SDK clients the engine uses, pointed at an ARM endpoint: Azure's
 * own, a sovereign cloud's, Azure Stack's or the emulator's. The token scope
 * stays the cloud's real audience wherever the endpoint points.
 */

import { Agent } from "node:https";
import { createSecureContext } from "node:tls";
import { ComputeManagementClient } from "@azure/arm-compute";
import { DnsManagementClient } from "@azure/arm-dns";
import { NetworkManagementClient } from "@azure/arm-network";
import { ResourceManagementClient } from "@azure/arm-resources";
import type { TokenCredential } from "@azure/core-auth";
import { trustedCas } from "./credentials.js";
import type { WaitPolicy } from "./retry.js";

export interface AzureConnection {
  /** Default https://management.azure.com */
  resourceManagerEndpoint: string;
  credential: TokenCredential;
  /** Token scope, e.g. https://management.azure.com/.default: the real audience even when the endpoint points elsewhere. */
  scope: string;
  /** Extra CA (PEM) to trust, for the emulator or Azure Stack; production leaves it undefined. */
  ca?: string | undefined;
  /** Long-running operation poll interval; undefined = SDK default (or the service's Retry-After). */
  pollIntervalMs?: number;
  /** How long to wait out Azure's temporary refusals; undefined = AZURE_WAITS (about 200 s). */
  waits?: Partial<WaitPolicy>;
  /**
   * Where the DNS zones' name servers are asked (HOST:PORT, all of them at
   * this one address): the emulator's DNS listener. Undefined: each name
   * server at its own addresses, port 53, as on the internet.
   */
  nameServerAddress?: string;
}

export interface AzureClients {
  compute: ComputeManagementClient;
  network: NetworkManagementClient;
  dns: DnsManagementClient;
  resources: ResourceManagementClient;
}

export function createAzureClients(conn: AzureConnection, subscriptionId: string): AzureClients {
  const endpoint = conn.resourceManagerEndpoint.replace(/\/+$/, "");
  const common = { endpoint, ...armTransport(conn.ca), userAgentOptions: { userAgentPrefix: "azure-ipv6-proxy" } };
  // The TypeSpec-generated clients take `credentials.scopes`; the older DNS client takes `credentialScopes`.
  const modular = { ...common, credentials: { scopes: [conn.scope] } };
  return {
    compute: withPollInterval(
      new ComputeManagementClient(conn.credential, subscriptionId, modular),
      conn.pollIntervalMs,
    ),
    network: withPollInterval(
      new NetworkManagementClient(conn.credential, subscriptionId, modular),
      conn.pollIntervalMs,
    ),
    resources: withPollInterval(
      new ResourceManagementClient(conn.credential, subscriptionId, modular),
      conn.pollIntervalMs,
    ),
    dns: new DnsManagementClient(conn.credential, subscriptionId, { ...common, credentialScopes: [conn.scope] }),
  };
}

/**
 * The SDKs take the poll interval per call (`updateIntervalInMs`), not per
 * client. To apply the connection's interval to every call without every call
 * site passing it, each operation group's methods get it as a default in their
 * options argument, which is always their last parameter. Calls that are not
 * long-running ignore it.
 */
function withPollInterval<T extends object>(client: T, intervalMs: number | undefined): T {
  if (intervalMs === undefined) return client;
  const groups = new Map<PropertyKey, unknown>();
  return new Proxy(client, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "object" || value === null || prop === "pipeline") return value;
      if (!groups.has(prop)) groups.set(prop, wrapGroup(value, intervalMs));
      return groups.get(prop);
    },
  });
}

function wrapGroup(group: object, intervalMs: number): object {
  return new Proxy(group, {
    get(target, prop, receiver) {
      const fn: unknown = Reflect.get(target, prop, receiver);
      if (typeof fn !== "function") return fn;
      return (...args: unknown[]) => {
        const optionsIndex = fn.length - 1;
        if (optionsIndex >= 0 && args.length <= optionsIndex + 1) {
          const given = args[optionsIndex];
          args[optionsIndex] = {
            updateIntervalInMs: intervalMs,
            ...(typeof given === "object" && given !== null ? given : {}),
          };
        }
        return (fn as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

const agents = new Map<string, Agent>();

/**
 * With an extra CA (the emulator, Azure Stack), ARM calls share one keep-alive
 * agent whose TLS context is built once: the SDK's tlsOptions would parse the
 * whole CA list again for every new connection, which costs more than the
 * request itself when many run at once. Without one, Node's defaults apply.
 */
function armTransport(ca: string | undefined): { agent?: Agent } {
  if (!ca) return {};
  let agent = agents.get(ca);
  if (!agent) {
    agent = new Agent({ keepAlive: true, secureContext: createSecureContext({ ca: trustedCas(ca) }) });
    agents.set(ca, agent);
  }
  return { agent };
}
