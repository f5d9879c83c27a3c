/**
 * Injected faults: throttling (429 + Retry-After), server errors, failed
 * long-running operations and latency, matched by method and URL path.
 */
import type { CloudError } from "@azure/arm-network";
import type { EmuResponse, Json } from "./http.js";

export interface Fault {
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** Tested against the URL path without the query string, e.g. /virtualMachines\/web-vm$/i. */
  pathPattern: RegExp;
  /** How many matching requests the fault applies to; every one until cleared when omitted. */
  times?: number;
  /** Answer with this status instead of handling the request. */
  status?: number;
  /** Sent as `Retry-After` with `status`. */
  retryAfterSeconds?: number;
  /** Handle the request, but end its long-running operation as Failed (the resource goes to provisioningState Failed). */
  failLro?: boolean;
  /** Delay before answering. */
  latencyMs?: number;
  /** Response body for `status`, or `{error: {code, message}}` for `failLro`. */
  body?: unknown;
}

export interface FaultAction {
  latencyMs: number;
  /** Answer right away with this response. */
  response?: EmuResponse;
  /** Let the request through but fail its operation. */
  lroFailure?: { code: string; message: string };
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

const defaultError = (status: number): CloudError => ({
  error:
    status === 429
      ? { code: "TooManyRequests", message: "The request is being throttled (fault injected by the emulator)." }
      : {
          code: status >= 500 ? "InternalServerError" : "BadRequest",
          message: `Fault injected by the emulator (HTTP ${status}).`,
        },
});

export class Faults {
  private active: ActiveFault[] = [];

  add(fault: Fault): void {
    this.active.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.active = [];
  }

  /** The first live fault for this request, consuming one of its uses. */
  take(method: string, path: string): FaultAction | undefined {
    const hit = this.active.find(
      ({ fault, remaining }) =>
        remaining > 0 &&
        (!fault.method || fault.method.toUpperCase() === method.toUpperCase()) &&
        testPattern(fault.pathPattern, path),
    );
    if (!hit) return undefined;
    hit.remaining--;
    const { fault } = hit;
    const action: FaultAction = { latencyMs: fault.latencyMs ?? 0 };
    if (fault.status !== undefined) {
      action.response = {
        status: fault.status,
        body: fault.body ?? defaultError(fault.status),
        headers: fault.retryAfterSeconds !== undefined ? { "Retry-After": String(fault.retryAfterSeconds) } : {},
      };
    } else if (fault.failLro) {
      const custom = (fault.body as Json | undefined)?.error as { code?: string; message?: string } | undefined;
      action.lroFailure = {
        code: custom?.code ?? "InternalOperationError",
        message: custom?.message ?? "The operation failed (fault injected by the emulator).",
      };
    }
    return action;
  }
}

/** A global or sticky RegExp keeps state between test() calls; reset it so every request is judged alike. */
function testPattern(pattern: RegExp, path: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(path);
}
