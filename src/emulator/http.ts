/**
 * Shapes shared by every emulator handler: the parsed request, the response a
 * handler returns, and the ARM error that turns into `{error: {code, message}}`.
 */
import { randomUUID } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { CloudError } from "@azure/arm-network";

/**
 * A JSON object as a client sent it. Request parsing is where the emulator
 * reads untrusted, any-shaped JSON field by field (and answers ARM's 400s), so
 * this is the one place `any` is allowed (biome.json: noExplicitAny;
 * test/unit/lint-boundaries.test.ts holds the suppressions to this file). The
 * store keeps what the rules made of a request in this form; what handlers
 * answer with is typed by the SDKs' models (wire.ts).
 */
// biome-ignore lint/suspicious/noExplicitAny: request parsing reads client JSON of any shape, field by field.
export type Json = Record<string, any>;

export interface EmuRequest {
  method: string;
  url: URL;
  /** Origin clients reach the emulator on, e.g. https://127.0.0.1:4443 */
  origin: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or the raw text for form posts (token endpoint). */
  // biome-ignore lint/suspicious/noExplicitAny: request parsing, as Json above.
  body: any;
  rawBody: string;
  /** Values captured by the matched route template, e.g. {rg: "demo"}. */
  params: Record<string, string>;
  /** The caller (its client id), once the bearer token was checked. */
  principal?: string;
  /** Set when a fault asked this request's long-running operation to fail. */
  lroFailure?: { code: string; message: string };
}

export interface EmuResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** An ARM error response: thrown by handlers, rendered by the server. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: string,
  ) {
    super(message);
    this.name = "ArmError";
  }

  toBody(): CloudError {
    return { error: { code: this.code, message: this.message, ...(this.target ? { target: this.target } : {}) } };
  }
}

export const badRequest = (code: string, message: string, target?: string) => new ArmError(400, code, message, target);

/** Azure compute's wording for a missing required property. */
export const missingParameter = (path: string) =>
  new ArmError(400, "InvalidParameter", `Required parameter '${path}' is missing (null).`, path);

export const newGuid = (): string => randomUUID();

/** Network resources carry weak etags; a new one on every write. */
export const weakEtag = (): string => `W/"${randomUUID()}"`;

export function deepCopy<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** ARM lower-cases and strips spaces from locations ("West Europe" -> "westeurope"). */
export const normalizeLocation = (location: string): string => location.replace(/\s+/g, "").toLowerCase();

/** Header value as a single string (node gives string | string[] | undefined). */
export function header(req: EmuRequest, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}
