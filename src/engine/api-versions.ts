/**
 * Does the cloud offer the api-versions this release sends? Pure: the table
 * of requests (model/arm-operations.ts) against the resource types a
 * provider read returned (GET /subscriptions/{id}/providers/{namespace},
 * resourceTypes[].apiVersions). Sovereign clouds get new api-versions months
 * after the public cloud (Azure/azure-cli#23985), and a request with a version
 * the cloud lacks fails with NoRegisteredProviderFound: checked at plan time,
 * that is an error before anything is written instead of a failed apply.
 */
import type { ArmOperation } from "../model/arm-operations.js";

/** `namespace/resourceType` in lower case → the api-versions offered, as the provider lists them (newest first). */
export type OfferedApiVersions = ReadonlyMap<string, readonly string[]>;

export const offeredKey = (namespace: string, resourceType: string): string =>
  `${namespace}/${resourceType}`.toLowerCase();

export interface MissingApiVersion {
  provider: string;
  resourceType: string;
  apiVersion: string;
  /** What the cloud offers for the type; undefined when it has no such resource type at all. */
  offered?: readonly string[];
}

/**
 * Every (resource type, api-version) the table needs and `offered` lacks, once
 * each. Types of providers that were not read are not judged; neither are the
 * status URLs Azure hands out (apiVersion "service").
 */
export function missingApiVersions(
  operations: readonly ArmOperation[],
  offered: OfferedApiVersions,
  readProviders: ReadonlySet<string>,
): MissingApiVersion[] {
  const missing = new Map<string, MissingApiVersion>();
  for (const op of operations) {
    if (op.apiVersion === "service" || !readProviders.has(op.provider.toLowerCase())) continue;
    const versions = offered.get(offeredKey(op.provider, op.resourceType));
    if (versions?.some((v) => v.toLowerCase() === op.apiVersion.toLowerCase())) continue;
    const key = `${offeredKey(op.provider, op.resourceType)}@${op.apiVersion}`;
    if (!missing.has(key)) {
      missing.set(key, {
        provider: op.provider,
        resourceType: op.resourceType,
        apiVersion: op.apiVersion,
        ...(versions ? { offered: versions } : {}),
      });
    }
  }
  return [...missing.values()];
}

/** At most this many offered versions are named: the newest, which are the ones that matter. */
const SHOWN_VERSIONS = 8;

/** "Microsoft.Network/publicIPAddresses: this release sends api-version 2026-01-01, which the cloud does not offer; it offers 2025-05-01, 2025-03-01" */
export function describeMissing(m: MissingApiVersion): string {
  const type = `${m.provider}/${m.resourceType}`;
  if (!m.offered)
    return `${type}: the cloud has no such resource type (this release sends api-version ${m.apiVersion})`;
  const newest = newestFirst(m.offered);
  const shown = newest.slice(0, SHOWN_VERSIONS).join(", ");
  const more = newest.length > SHOWN_VERSIONS ? ` and ${newest.length - SHOWN_VERSIONS} older` : "";
  return `${type}: this release sends api-version ${m.apiVersion}, which the cloud does not offer; it offers ${shown || "none"}${more}`;
}

/** Newest date first: the versions are ISO dates (some with a "-preview" suffix), which sort as text. */
function newestFirst(versions: readonly string[]): string[] {
  return [...versions].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
}
