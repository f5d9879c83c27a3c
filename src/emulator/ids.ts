/**
 * ARM resource ids inside the emulator. ARM treats ids case-insensitively, so
 * the store is keyed by `idKey(id)` while bodies keep the casing the resource
 * was created with.
 */
import { ArmError } from "./http.js";

export interface ParsedId {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. Microsoft.Network */
  namespace: string;
  /** e.g. Microsoft.Network/virtualNetworks or Microsoft.Network/dnszones/AAAA */
  type: string;
  name: string;
}

export const idKey = (id: string): string => id.toLowerCase().replace(/\/+$/, "");

export const rgId = (subscriptionId: string, resourceGroup: string): string =>
  `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`;

export function resourceId(subscriptionId: string, resourceGroup: string, type: string, ...names: string[]): string {
  const [namespace, ...types] = type.split("/");
  const pairs = types.map((t, i) => `${t}/${names[i] ?? ""}`).join("/");
  return `${rgId(subscriptionId, resourceGroup)}/providers/${namespace}/${pairs}`;
}

/** Parses /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}/{name}[/{child}/{name}]. */
export function parseResourceId(id: string): ParsedId {
  const parts = id.split("/").filter(Boolean);
  const bad = () =>
    new ArmError(
      400,
      "LinkedInvalidPropertyId",
      `Property id '${id}' at path 'id' is invalid. Expect fully qualified resource Id that start with '/subscriptions/{subscriptionId}' or '/providers/{resourceProviderNamespace}/'.`,
    );
  if (
    parts.length < 8 ||
    parts[0]?.toLowerCase() !== "subscriptions" ||
    parts[2]?.toLowerCase() !== "resourcegroups" ||
    parts[4]?.toLowerCase() !== "providers" ||
    parts.length % 2 !== 0
  )
    throw bad();
  const typeParts = [parts[5]!];
  const names: string[] = [];
  for (let i = 6; i < parts.length; i += 2) {
    typeParts.push(parts[i]!);
    names.push(parts[i + 1]!);
  }
  return {
    subscriptionId: parts[1]!,
    resourceGroup: parts[3]!,
    namespace: parts[5]!,
    type: typeParts.join("/"),
    name: names[names.length - 1]!,
  };
}

/** Same id? ARM compares ids without regard to case. */
export const sameId = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && idKey(a) === idKey(b);

/** The parent resource id of a child id (…/virtualNetworks/v/subnets/s -> …/virtualNetworks/v). */
export const parentId = (id: string): string => id.split("/").slice(0, -2).join("/");
