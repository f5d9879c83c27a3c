/**
 * `azure-ipv6-proxy emulator`: the Azure emulator on its own, until Ctrl-C.
 * Prints the endpoint, where the CA certificate was written, and credentials,
 * as environment variables another process (the action, the CLI, the Azure
 * SDK) can use.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { EmulatorOptions } from "./emulator.js";
import { ARM_SCOPE, startEmulator } from "./emulator.js";

export interface StandaloneOptions extends EmulatorOptions {
  /** Stops the emulator when aborted (default: on SIGINT or SIGTERM). */
  signal?: AbortSignal;
}

export async function runStandalone(
  out: NodeJS.WritableStream = process.stdout,
  opts: StandaloneOptions = {},
): Promise<void> {
  const port = opts.port ?? (process.env.EMULATOR_PORT ? Number(process.env.EMULATOR_PORT) : 0);
  const emulator = await startEmulator({ ...opts, port });
  const dir = mkdtempSync(join(tmpdir(), "azure-emulator-"));
  const caFile = join(dir, "ca.pem");
  writeFileSync(caFile, emulator.ca);
  out.write(
    [
      `Azure emulator listening on ${emulator.endpoint}`,
      `CA certificate: ${caFile}`,
      "",
      "# For another process:",
      `export NODE_EXTRA_CA_CERTS=${caFile}`,
      `export AZURE_AUTHORITY_HOST=${emulator.authorityHost}`,
      `export AZURE_TENANT_ID=${emulator.tenantId}`,
      `export AZURE_CLIENT_ID=${emulator.clientId}`,
      `export AZURE_CLIENT_SECRET=${emulator.clientSecret}`,
      `export AZURE_SUBSCRIPTION_ID=${emulator.subscriptionId}`,
      `export AZURE_RESOURCE_MANAGER_ENDPOINT=${emulator.endpoint}`,
      `export AZURE_DNS_NAME_SERVER_ADDRESS=${emulator.dnsAddress}`,
      `# token scope: ${ARM_SCOPE}`,
      `# DNS zones over DNS (UDP and TCP): ${emulator.dnsAddress}`,
      `# test control: GET ${emulator.endpoint}/_emulator/requests; POST /_emulator/reset, /_emulator/faults, /_emulator/backends`,
      "",
      "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );

  await new Promise<void>((resolve) => {
    if (opts.signal) {
      if (opts.signal.aborted) return resolve();
      opts.signal.addEventListener("abort", () => resolve(), { once: true });
      return;
    }
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
  out.write("Azure emulator stopped.\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  runStandalone().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
