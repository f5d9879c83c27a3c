/**
 * Run Command on a proxy VM, and the "is it serving?" check built on it.
 * What the output means is decided in src/dataplane/serving.ts (pure); this
 * module only sends the script and hands back the two streams.
 */
import {
  judgeServing,
  parseRunCommandMessage,
  type RunCommandOutput,
  type ServingVerdict,
  servingCheckScript,
} from "../dataplane/serving.js";
import type { Logger } from "../log.js";
import type { AzureClients } from "./clients.js";
import { statusOf } from "./ids.js";
import { armErrorCode, retryWhile, type WaitPolicy } from "./retry.js";

export interface RunCommandContext {
  compute: AzureClients["compute"];
  resourceGroup: string;
  vmName: string;
  log: Logger;
  waits: WaitPolicy;
}

/**
 * Azure runs one command per VM at a time and answers 409 Conflict "Run
 * command extension execution is in progress" meanwhile, sometimes even right
 * after the previous one returned (Azure/azure-cli#19137, MicrosoftDocs/azure-docs#43356).
 */
function runCommandBusy(e: unknown): string | undefined {
  return statusOf(e) === 409 && armErrorCode(e) === "Conflict" ? "the VM's previous Run Command to finish" : undefined;
}

/**
 * Runs a shell script (RunShellScript) and returns its stdout and stderr as
 * RunCommandLinux relays them: the last 4,096 bytes of each, and no exit status.
 */
export async function runShellScript(ctx: RunCommandContext, script: string[]): Promise<RunCommandOutput> {
  const result = await retryWhile(
    () =>
      ctx.compute.virtualMachines.runCommand(ctx.resourceGroup, ctx.vmName, { commandId: "RunShellScript", script }),
    { policy: ctx.waits, log: ctx.log, waitingFor: runCommandBusy },
  );
  const message = (result.value ?? []).map((s) => s.message ?? "").join("\n");
  return parseRunCommandMessage(message);
}

/**
 * Waits until the VM has finished its first boot, makes sure it runs the
 * config with this hash (installing it if needed) and that HAProxy runs. The
 * same check serves a new VM and a config pushed to a running one.
 */
export async function checkServing(ctx: RunCommandContext, expectedSha256: string): Promise<ServingVerdict> {
  const output = await runShellScript(ctx, servingCheckScript(expectedSha256));
  return judgeServing(output, expectedSha256);
}
