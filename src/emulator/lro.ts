/**
 * Long-running operations, the way ARM runs them: the write answers 201/202
 * with an `Azure-AsyncOperation` status URL (and `Location` for deletes and
 * actions); the status URL answers `InProgress` for `lroPolls` polls and then
 * `Succeeded` or `Failed`. The resource changes state when the operation ends.
 *
 * With lroPolls = 0 the first poll is terminal: @azure/core-lro polls once
 * right after the initial response without waiting, so an SDK call finishes
 * in three requests and no sleep.
 */

import { armIdKey } from "../model/arm-id.js";
import type { EmuResponse, Json } from "./http.js";
import { ArmError, newGuid } from "./http.js";

export interface OperationSpec {
  subscriptionId: string;
  location: string;
  /** Resource provider that owns the status URL, e.g. Microsoft.Network. */
  namespace: string;
  /** The resource the operation works on; another write to it waits until this one ends. */
  resourceId: string;
  /** Other resources the operation holds until it ends (a NIC write holds its load balancers' pools). */
  locks?: string[];
  /** Set by a fault: the operation ends Failed with this error. */
  failure?: { code: string; message: string };
  onSucceeded?: () => void;
  onFailed?: () => void;
  /** For actions (run command): the result body, awaited by status polls. */
  result?: Promise<Json>;
}

interface Operation {
  id: string;
  spec: OperationSpec;
  polls: number;
  startTime: string;
  outcome?: { status: "Succeeded" | "Failed"; error?: { code: string; message: string }; body?: Json; endTime: string };
}

/** How long one status poll waits for an action's result before answering InProgress. */
const RESULT_WAIT_MS = 25_000;

export class Operations {
  private readonly ops = new Map<string, Operation>();

  constructor(private readonly pollsBeforeDone: () => number) {}

  start(spec: OperationSpec, origin: string, apiVersion: string): { statusUrl: string; resultUrl: string } {
    const id = newGuid();
    // Keep the result from an action's handler from becoming an unhandled rejection before anyone polls.
    spec.result?.catch(() => undefined);
    this.ops.set(id, { id, spec, polls: 0, startTime: new Date().toISOString() });
    const base = `${origin}/subscriptions/${spec.subscriptionId}/providers/${spec.namespace}/locations/${spec.location}`;
    const q = `?api-version=${encodeURIComponent(apiVersion)}`;
    // Compute's Location is its status URL with `monitor=true` (recorded Azure responses:
    // `Location: …/Microsoft.Compute/locations/westus/operations/{id}?monitor=true&api-version=…`,
    // azure-xplat-cli test recordings), so following it takes Microsoft.Compute/locations/operations/read
    // like the status polls. Network answers with …/operationResults/{id}.
    const resultUrl =
      spec.namespace.toLowerCase() === "microsoft.compute"
        ? `${base}/operations/${id}?monitor=true&api-version=${encodeURIComponent(apiVersion)}`
        : `${base}/operationResults/${id}${q}`;
    return { statusUrl: `${base}/operations/${id}${q}`, resultUrl };
  }

  /** Does an unfinished operation work on this resource? */
  running(resourceId: string): boolean {
    const key = armIdKey(resourceId);
    return [...this.ops.values()].some(
      (op) =>
        !op.outcome && (armIdKey(op.spec.resourceId) === key || (op.spec.locks ?? []).some((l) => armIdKey(l) === key)),
    );
  }

  /** Refuses a write while an earlier operation on the same resource runs, as ARM does. */
  assertIdle(resourceId: string): void {
    if (this.running(resourceId)) {
      throw new ArmError(
        409,
        "AnotherOperationInProgress",
        `Another operation on this or dependent resource is in progress. To retrieve status of the operation use uri: ${resourceId}.`,
      );
    }
  }

  async status(id: string): Promise<EmuResponse> {
    const op = await this.advance(id);
    const body: Json = { name: op.id, status: op.outcome?.status ?? "InProgress", startTime: op.startTime };
    if (op.outcome) body.endTime = op.outcome.endTime;
    if (op.outcome?.error) body.error = op.outcome.error;
    return { status: 200, body };
  }

  /** The `Location` URL: 202 while running, then 200 with the action's result, if it has one. */
  async result(id: string, selfUrl: string): Promise<EmuResponse> {
    const op = await this.advance(id);
    if (!op.outcome) return { status: 202, headers: { Location: selfUrl } };
    if (op.outcome.status === "Failed") return { status: 400, body: { error: op.outcome.error } };
    return op.outcome.body ? { status: 200, body: op.outcome.body } : { status: 200 };
  }

  /** Ends every unfinished operation now, as if each had been polled to completion. */
  async settleAll(): Promise<void> {
    for (const op of this.ops.values()) if (!op.outcome) await this.finish(op, Number.POSITIVE_INFINITY);
  }

  /** One poll of either URL (clients follow Location alone when there is no status URL, e.g. resource group deletes). */
  private async advance(id: string): Promise<Operation> {
    const op = this.find(id);
    if (op.outcome) return op;
    op.polls++;
    if (op.polls > this.pollsBeforeDone()) await this.finish(op, RESULT_WAIT_MS);
    return op;
  }

  private find(id: string): Operation {
    const op = this.ops.get(id);
    if (!op) throw new ArmError(404, "OperationNotFound", `The operation '${id}' was not found.`);
    return op;
  }

  private async finish(op: Operation, waitMs: number): Promise<void> {
    const { spec } = op;
    let body: Json | undefined;
    let error = spec.failure;
    if (!error && spec.result) {
      const settled = await withTimeout(spec.result, waitMs);
      if (settled === "pending") return;
      if (settled.ok) body = settled.value;
      else error = { code: "InternalExecutionError", message: `The operation failed: ${settled.error}` };
    }
    if (op.outcome) return; // another poll finished it while this one waited
    const endTime = new Date().toISOString();
    if (error) {
      op.outcome = { status: "Failed", error, endTime };
      spec.onFailed?.();
    } else {
      op.outcome = { status: "Succeeded", endTime, ...(body ? { body } : {}) };
      spec.onSucceeded?.();
    }
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: string };

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<Settled<T> | "pending"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"pending">((resolve) => {
    if (Number.isFinite(ms)) timer = setTimeout(() => resolve("pending"), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        (value): Settled<T> => ({ ok: true, value }),
        (e: unknown): Settled<T> => ({ ok: false, error: e instanceof Error ? e.message : String(e) }),
      ),
      timeout,
    ]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
