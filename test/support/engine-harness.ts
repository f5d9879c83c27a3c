import { type AzureClients, createAzureClients } from "../../src/azure/clients.js";
import { emulatorConnection } from "../../src/azure/emulator-connection.js";
import { type Emulator, startEmulator } from "../../src/emulator/server.js";
import type { Logger } from "../../src/log.js";
import type { OperationContext, PlannedRun, PlanOutcome } from "../../src/operations.js";

/** A Logger that drops everything: tests assert on results, not on progress lines. */
export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  group: (_name, fn) => fn(),
};

export interface Harness {
  emulator: Emulator;
  ctx(owner?: string, concurrency?: number): OperationContext;
  clients(): AzureClients;
  close(): Promise<void>;
}

/** An emulator plus ready operation contexts: the real SDK clients, over HTTPS, with a client-secret token. */
export async function startHarness(opts: Parameters<typeof startEmulator>[0] = {}): Promise<Harness> {
  const emulator = await startEmulator(opts);
  return {
    emulator,
    ctx: (owner = "acme/web", concurrency = 8) => ({
      connection: emulatorConnection(emulator),
      owner,
      defaultSubscriptionId: emulator.subscriptionId,
      log: silentLogger,
      concurrency,
    }),
    clients: () => createAzureClients(emulatorConnection(emulator), emulator.subscriptionId),
    close: () => emulator.close(),
  };
}

/** The planned run of an outcome that must have no errors in the proxy files. */
export function planned(outcome: PlanOutcome): PlannedRun {
  if (!outcome.plan) throw new Error(`the proxy files have errors: ${JSON.stringify(outcome.specErrors)}`);
  return outcome;
}
