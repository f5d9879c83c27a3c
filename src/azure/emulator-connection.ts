/**
 * How the engine reaches an Azure emulator (src/emulator/): the same SDK
 * clients and client-secret credential as for Azure, trusting the emulator's
 * CA. It lives in the Azure layer so the emulator itself depends on nothing
 * of the product: it only tells where it is and who may sign in.
 */
import { PUBLIC_CLOUD } from "../model/clouds.js";
import type { AzureConnection } from "./clients.js";
import { createCredential } from "./credentials.js";

/** What an emulator publishes about itself (src/emulator/emulator.ts `Emulator`). */
export interface EmulatorCoordinates {
  endpoint: string;
  authorityHost: string;
  /** The emulator's CA certificate (PEM). */
  ca: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Its DNS zones over real DNS, "127.0.0.1:PORT": every zone's name servers are reached there. */
  dnsAddress?: string;
}

/**
 * A client-secret connection to an emulator, as the CLI's --emulator mode, the
 * tests and the benchmarks use it; signed in as another app of the emulator's
 * tenant (Emulator.addApplication) when `as` is given.
 */
export function emulatorConnection(
  emulator: EmulatorCoordinates,
  opts: { pollIntervalMs?: number; as?: { clientId: string; clientSecret: string } } = {},
): AzureConnection {
  return {
    resourceManagerEndpoint: emulator.endpoint,
    credential: createCredential({
      kind: "clientSecret",
      tenantId: emulator.tenantId,
      clientId: opts.as?.clientId ?? emulator.clientId,
      clientSecret: opts.as?.clientSecret ?? emulator.clientSecret,
      authorityHost: emulator.authorityHost,
      ca: emulator.ca,
    }),
    // The emulator plays Azure's public cloud, so its tokens carry that cloud's ARM audience.
    scope: PUBLIC_CLOUD.armScope,
    ca: emulator.ca,
    pollIntervalMs: opts.pollIntervalMs ?? 10,
    // The emulator's temporary refusals (NIC reservations) last as long as a test sets.
    waits: { firstDelayMs: 25, maxDelayMs: 250, budgetMs: 30_000 },
    ...(emulator.dnsAddress ? { nameServerAddress: emulator.dnsAddress } : {}),
  };
}
