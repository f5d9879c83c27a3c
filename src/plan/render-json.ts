/**
 * The plan as a JSON artifact, so a later job (apply after merge) or another
 * tool can read exactly what was reviewed. Keys are sorted at every level so
 * equal plans serialise to equal bytes.
 */
import { canonicalJson } from "../model/canonical-json.js";
import { ACTIONS, KIND_ORDER, type Plan, PROXY_STATUSES, WARNING_CODES } from "./types.js";

export function renderPlanJson(plan: Plan): string {
  return `${canonicalJson(plan, 2)}\n`;
}

export class PlanFormatError extends Error {
  override name = "PlanFormatError";
}

/** Reads a plan written by renderPlanJson; throws PlanFormatError naming the first field that is wrong. */
export function parsePlanJson(text: string): Plan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new PlanFormatError(`Plan JSON is not valid JSON: ${(e as Error).message}`);
  }
  const plan = object(data, "plan");
  if (plan["formatVersion"] !== 1) {
    throw new PlanFormatError(
      `Plan JSON has formatVersion ${JSON.stringify(plan["formatVersion"])}; this version reads formatVersion 1 only`,
    );
  }
  string(plan, "owner", "plan");
  string(plan, "createdAt", "plan");
  string(plan, "fingerprint", "plan");
  const counts = object(plan["counts"], "plan.counts");
  for (const key of ["add", "change", "destroy"]) number(counts, key, "plan.counts");

  array(plan, "changes", "plan").forEach((item, i) => {
    const at = `plan.changes[${i}]`;
    const change = object(item, at);
    for (const key of ["address", "proxy", "id", "subscriptionId", "resourceGroup", "name", "reason"])
      string(change, key, at);
    oneOf(change, "action", ACTIONS, at);
    oneOf(change, "kind", KIND_ORDER, at);
    for (const key of ["before", "after"]) if (change[key] !== undefined) object(change[key], `${at}.${key}`);
    array(change, "diffs", at).forEach((d, j) => string(object(d, `${at}.diffs[${j}]`), "path", `${at}.diffs[${j}]`));
  });
  array(plan, "proxies", "plan").forEach((item, i) => {
    const at = `plan.proxies[${i}]`;
    const proxy = object(item, at);
    string(proxy, "name", at);
    oneOf(proxy, "status", PROXY_STATUSES, at);
    array(proxy, "dnsNames", at).forEach((n, j) => {
      if (typeof n !== "string") throw new PlanFormatError(`${at}.dnsNames[${j}] must be a string`);
    });
  });
  array(plan, "configDiffs", "plan").forEach((item, i) => {
    const at = `plan.configDiffs[${i}]`;
    const diff = object(item, at);
    string(diff, "proxy", at);
    string(diff, "diff", at);
  });
  array(plan, "warnings", "plan").forEach((item, i) => {
    const at = `plan.warnings[${i}]`;
    const warning = object(item, at);
    oneOf(warning, "code", WARNING_CODES, at);
    string(warning, "proxy", at);
    string(warning, "message", at);
  });
  array(plan, "errors", "plan").forEach((item, i) => {
    const at = `plan.errors[${i}]`;
    const error = object(item, at);
    string(error, "proxy", at);
    string(error, "message", at);
  });
  return plan as unknown as Plan;
}

function object(value: unknown, at: string): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new PlanFormatError(`${at} must be an object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function array(parent: Record<string, unknown>, key: string, at: string): unknown[] {
  const value = parent[key];
  if (!Array.isArray(value)) throw new PlanFormatError(`${at}.${key} must be an array, got ${describe(value)}`);
  return value;
}

function string(parent: Record<string, unknown>, key: string, at: string): void {
  if (typeof parent[key] !== "string")
    throw new PlanFormatError(`${at}.${key} must be a string, got ${describe(parent[key])}`);
}

function number(parent: Record<string, unknown>, key: string, at: string): void {
  const value = parent[key];
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
    throw new PlanFormatError(`${at}.${key} must be a non-negative integer, got ${describe(value)}`);
  }
}

function oneOf(parent: Record<string, unknown>, key: string, allowed: readonly string[], at: string): void {
  const value = parent[key];
  if (typeof value !== "string" || !allowed.includes(value)) {
    throw new PlanFormatError(`${at}.${key} must be one of ${allowed.join(", ")}, got ${describe(value)}`);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 60)}…` : json;
}
