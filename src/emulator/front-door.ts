/**
 * The HTTPS front door: reads the request, logs it, applies latency and
 * faults, answers Entra token traffic, checks the bearer token and
 * api-version of ARM traffic, and dispatches to the route table. Every answer
 * carries x-ms-request-id, and errors use ARM's `{error: {code, message}}`.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { Entra } from "./auth.js";
import type { Faults } from "./faults.js";
import type { EmuRequest, EmuResponse } from "./http.js";
import { ArmError, newGuid } from "./http.js";
import type { ProviderRegistry } from "./providers/provider-registry.js";
import type { Rbac } from "./rbac.js";
import type { Router } from "./router.js";
import type { TlsIdentity } from "./tls.js";

export interface RequestLogEntry {
  method: string;
  /** URL path without the query string. */
  path: string;
  /** The query string, with its leading "?" (empty when none). */
  query: string;
  /** HTTP status of the answer (0 while the request is still being handled). */
  status: number;
  at: Date;
  /** "arm" for management requests, "token" for Entra ID traffic. */
  kind: "arm" | "token";
  /** The answer came from an injected fault, not from the emulated service. */
  faulted?: boolean;
  /** Latency added before answering (the emulator's, plus a fault's), in ms. */
  delayMs?: number;
}

export interface FrontDoor {
  router: Router;
  entra: Entra;
  rbac: Rbac;
  faults: Faults;
  log: RequestLogEntry[];
  /** Called when a request has been logged, before it is answered. */
  onLogged: () => void;
  latencyMs: () => number;
  /** Test-control endpoints under /_emulator/; answered before faults, auth and logging. */
  control: (req: EmuRequest) => Promise<EmuResponse | undefined>;
  origin: () => string;
  /** Resource types and the api-versions they offer (ARM refuses the others). */
  providers: () => ProviderRegistry | undefined;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function createFrontDoor(tls: TlsIdentity, door: FrontDoor): Server {
  return createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    handle(door, req, res).catch((e: unknown) => {
      process.stderr.write(`emulator: internal error: ${e instanceof Error ? e.stack : String(e)}\n`);
      if (!res.headersSent)
        send(res, { status: 500, body: { error: { code: "InternalServerError", message: String(e) } } }, "");
    });
  });
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ArmError(413, "RequestEntityTooLarge", "The request content is too large.");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function handle(door: FrontDoor, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const origin = door.origin();
  const url = new URL(req.url ?? "/", origin);
  const method = (req.method ?? "GET").toUpperCase();
  const rawBody = await readBody(req);
  const request: EmuRequest = { method, url, origin, headers: req.headers, body: undefined, rawBody, params: {} };
  const clientRequestId = [req.headers["x-ms-client-request-id"]].flat()[0] ?? "";

  if (url.pathname.startsWith("/_emulator/")) {
    try {
      request.body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      return send(
        res,
        { status: 400, body: { error: { code: "InvalidRequestContent", message: "The body is not JSON." } } },
        clientRequestId,
      );
    }
    const answer = await door.control(request);
    return send(
      res,
      answer ?? { status: 404, body: { error: { code: "NotFound", message: "Unknown control endpoint." } } },
      clientRequestId,
    );
  }

  const kind = Entra.isEntraPath(url.pathname) ? "token" : "arm";
  const entry: RequestLogEntry = { method, path: url.pathname, query: url.search, status: 0, at: new Date(), kind };
  door.log.push(entry);
  door.onLogged();
  const answer = await respond(door, request, kind, entry);
  entry.status = answer.status;
  send(res, answer, clientRequestId, method === "HEAD");
}

async function respond(
  door: FrontDoor,
  req: EmuRequest,
  kind: "arm" | "token",
  entry: RequestLogEntry,
): Promise<EmuResponse> {
  try {
    const fault = door.faults.take(req.method, req.url.pathname);
    const delay = door.latencyMs() + (fault?.latencyMs ?? 0);
    entry.delayMs = delay;
    if (delay > 0) await sleep(delay);
    if (fault?.response) {
      entry.faulted = true;
      return fault.response;
    }
    if (fault?.lroFailure) req.lroFailure = fault.lroFailure;
    if (kind === "token") return door.entra.handle(req);

    req.principal = door.entra.authenticate(req);
    if (!req.url.searchParams.get("api-version")) {
      throw new ArmError(
        400,
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
      );
    }
    door.providers()?.check(req);
    if (req.rawBody) {
      try {
        req.body = JSON.parse(req.rawBody);
      } catch {
        throw new ArmError(
          400,
          "InvalidRequestContent",
          "The request content was invalid and could not be deserialized.",
        );
      }
    }
    // ARM checks RBAC before the provider looks for the resource: a missing resource can still answer 403.
    door.rbac.authorize(req.principal, req.method, req.url.pathname);
    const match = door.router.match(req.method, req.url.pathname);
    if (match.kind === "method-not-allowed") {
      throw new ArmError(
        405,
        "MethodNotAllowed",
        `The requested resource does not support http method '${req.method}'.`,
      );
    }
    if (match.kind === "not-found") {
      // Not 404: a 404 would read as "resource absent" and hide a gap in the emulator.
      throw new ArmError(
        501,
        "NotImplementedInEmulator",
        `The Azure emulator does not implement ${req.method} ${req.url.pathname}.`,
      );
    }
    req.params = match.params;
    return await match.handler(req);
  } catch (e) {
    if (e instanceof ArmError) return { status: e.status, body: e.toBody() };
    throw e;
  }
}

function send(res: ServerResponse, answer: EmuResponse, clientRequestId: string, headOnly = false): void {
  const requestId = newGuid();
  const headers: Record<string, string> = {
    "x-ms-request-id": requestId,
    "x-ms-correlation-request-id": requestId,
    ...(clientRequestId ? { "x-ms-client-request-id": clientRequestId } : {}),
    ...answer.headers,
  };
  if (answer.body === undefined || headOnly) {
    res.writeHead(answer.status, { ...headers, "content-length": "0" });
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
  });
  res.end(text);
}
