/**
 * Reads which api-versions the cloud offers: one GET
 * /subscriptions/{id}/providers/{namespace} per provider the engine calls and
 * per subscription (three requests, whatever the number of proxies), and turns
 * what the engine needs but the cloud lacks into one clear error before
 * anything else is read or written.
 */
import { describeMissing, missingApiVersions, type OfferedApiVersions, offeredKey } from "../engine/api-versions.js";
import type { Logger } from "../log.js";
import { ARM_OPERATIONS } from "../model/arm-operations.js";
import type { AzureClients } from "./clients.js";
import { statusOf } from "./ids.js";

export class ApiVersionsUnavailableError extends Error {
  constructor(
    readonly endpoint: string,
    readonly problems: string[],
  ) {
    super(
      `the Azure Resource Manager at ${endpoint} does not offer the api-versions this release of azure-ipv6-proxy uses, ` +
        `so nothing was planned or changed:\n${problems.map((p) => `  - ${p}`).join("\n")}\n` +
        "Sovereign clouds get new api-versions later than the public cloud: use a release built for this cloud's versions, or wait until the cloud offers them.",
    );
    this.name = "ApiVersionsUnavailableError";
  }
}

const NAMESPACES = [...new Set(ARM_OPERATIONS.map((op) => op.provider))].sort();

/** Throws ApiVersionsUnavailableError when a subscription's cloud lacks a version the engine sends. */
export async function checkApiVersions(input: {
  subscriptions: string[];
  clientsFor: (subscriptionId: string) => AzureClients;
  endpoint: string;
  log: Logger;
}): Promise<void> {
  const problems = new Set<string>();
  let checked = 0;
  await Promise.all(
    input.subscriptions.map(async (sub) => {
      const offered = new Map<string, readonly string[]>();
      const read = new Set<string>();
      await Promise.all(
        NAMESPACES.map(async (namespace) => {
          try {
            const provider = await input.clientsFor(sub).resources.providers.get(namespace);
            for (const t of provider.resourceTypes ?? []) {
              if (t.resourceType) offered.set(offeredKey(namespace, t.resourceType), t.apiVersions ?? []);
            }
            read.add(namespace.toLowerCase());
          } catch (err) {
            const code = (err as { code?: unknown }).code;
            if (statusOf(err) === 403) {
              // A role assigned only to resource groups cannot read providers, which live at subscription scope.
              input.log.warn(
                `api-versions of ${namespace} not checked in subscription ${sub}: reading resource providers needs ` +
                  "Microsoft.Resources/subscriptions/providers/read at subscription scope",
              );
            } else if (code === "NoRegisteredProviderFound") {
              // The provider read itself uses an api-version the cloud lacks; Azure's message lists what it offers.
              problems.add(`Microsoft.Resources/subscriptions/providers: ${(err as Error).message}`);
            } else {
              throw err;
            }
          }
        }),
      );
      const missing = missingApiVersions(ARM_OPERATIONS, offered as OfferedApiVersions, read);
      for (const m of missing) problems.add(describeMissing(m));
      checked += read.size;
    }),
  );
  if (problems.size > 0) throw new ApiVersionsUnavailableError(input.endpoint, [...problems].sort());
  const types = new Set(ARM_OPERATIONS.filter((op) => op.apiVersion !== "service").map((op) => op.resourceType));
  input.log.info(
    `the cloud offers the api-versions of all ${types.size} resource types this release uses (${checked} provider read(s))`,
  );
}
