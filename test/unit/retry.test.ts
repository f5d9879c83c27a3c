/** Waiting out Azure's temporary refusals: the schedule, the budget, and the log line. */
import { describe, expect, it } from "vitest";
import { AZURE_WAITS, nicReservation, retryWhile } from "../../src/azure/retry.js";

const reserved = Object.assign(
  new Error("Nic(s) in request is reserved for another Virtual Machine for 180 seconds."),
  {
    statusCode: 400,
    code: "NicReservedForAnotherVm",
  },
);

function recorder() {
  const lines: string[] = [];
  const pauses: number[] = [];
  return {
    lines,
    pauses,
    log: {
      info: (m: string) => void lines.push(m),
      warn: () => {},
      group: <T>(_: string, fn: () => Promise<T>) => fn(),
    },
    sleep: async (ms: number) => void pauses.push(ms),
  };
}

describe("retryWhile", () => {
  it("waits with doubling pauses, says what for, and ends with the last try at the end of the budget", async () => {
    const r = recorder();
    let calls = 0;
    const result = await retryWhile(
      async () => {
        if (++calls < 9) throw reserved;
        return "deleted";
      },
      { policy: AZURE_WAITS, log: r.log, waitingFor: nicReservation, sleep: r.sleep },
    );
    expect(result).toBe("deleted");
    expect(r.pauses).toEqual([5_000, 10_000, 20_000, 30_000, 30_000, 30_000, 30_000, 30_000]);
    expect(r.lines[0]).toBe(
      "    waiting for Azure to release the network interface, which it reserves for 180 s after its VM is deleted; trying again in 5 s",
    );
  });

  it("gives up with Azure's error once the budget (about 200 s, past the 180 s reservation) is spent", async () => {
    const r = recorder();
    await expect(
      retryWhile(
        async () => {
          throw reserved;
        },
        { policy: AZURE_WAITS, log: r.log, waitingFor: nicReservation, sleep: r.sleep },
      ),
    ).rejects.toBe(reserved);
    const total = r.pauses.reduce((a, b) => a + b, 0);
    expect(total).toBe(AZURE_WAITS.budgetMs);
    expect(total).toBeGreaterThan(180_000);
  });

  it("does not retry other errors", async () => {
    const r = recorder();
    const other = Object.assign(new Error("bad"), { statusCode: 400, code: "InvalidParameter" });
    await expect(
      retryWhile(
        async () => {
          throw other;
        },
        { policy: AZURE_WAITS, log: r.log, waitingFor: nicReservation, sleep: r.sleep },
      ),
    ).rejects.toBe(other);
    expect(r.pauses).toEqual([]);
  });
});
