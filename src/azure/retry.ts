/**
 * Waiting out answers that Azure documents as temporary but the SDK does not
 * retry (it retries 429 and 5xx only): a NIC reserved for 180 s after its VM
 * was deleted, a Run Command while another one runs. Each wait is logged with
 * what it waits for, so a long apply never looks hung.
 */
import type { Logger } from "../log.js";
import { statusOf } from "./ids.js";

export interface WaitPolicy {
  /** The first pause; each next one doubles, up to maxDelayMs. */
  firstDelayMs: number;
  maxDelayMs: number;
  /** Total time to keep trying before the last error is thrown. */
  budgetMs: number;
}

/** About 200 s in all: NIC reservations last 180 s. */
export const AZURE_WAITS: WaitPolicy = { firstDelayMs: 5_000, maxDelayMs: 30_000, budgetMs: 200_000 };

/** The ARM error code of an SDK error (RestError keeps it in `code`, or in the body's `error.code`). */
export function armErrorCode(e: unknown): string | undefined {
  const err = e as { code?: unknown; details?: { error?: { code?: unknown }; code?: unknown } } | undefined;
  const code = err?.details?.error?.code ?? err?.details?.code ?? err?.code;
  return typeof code === "string" ? code : undefined;
}

export interface RetryOptions {
  policy: WaitPolicy;
  log: Logger;
  /** Says what is being waited for, given the error that Azure answered. */
  waitingFor(e: unknown): string | undefined;
  /** For tests: pauses are taken through this (default setTimeout). */
  sleep?: (ms: number) => Promise<void>;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `op`; while it fails with an error `waitingFor` recognises, waits
 * (doubling) and tries again, within the policy's budget.
 */
export async function retryWhile<T>(op: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const sleep = opts.sleep ?? pause;
  let waited = 0;
  let delay = opts.policy.firstDelayMs;
  for (;;) {
    try {
      return await op();
    } catch (e) {
      const what = opts.waitingFor(e);
      // The last pause is cut so that the last try falls at the end of the budget.
      const next = Math.min(delay, opts.policy.budgetMs - waited);
      if (what === undefined || next <= 0) throw e;
      opts.log.info(`    waiting for ${what}; trying again in ${formatSeconds(next)}`);
      await sleep(next);
      waited += next;
      delay = Math.min(delay * 2, opts.policy.maxDelayMs);
    }
  }
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** Azure's answer while a NIC is reserved for a deleted VM (gardenlinux#4133, microsoft/AzureTRE#4511, rancher/machine#359). */
export function nicReservation(e: unknown): string | undefined {
  if (statusOf(e) !== 400 || armErrorCode(e) !== "NicReservedForAnotherVm") return undefined;
  return "Azure to release the network interface, which it reserves for 180 s after its VM is deleted";
}
