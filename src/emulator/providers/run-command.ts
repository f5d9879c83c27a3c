/**
 * Classic Run Command (POST …/virtualMachines/{vm}/runCommand): a
 * long-running action whose result holds the script's output in the VM agent
 * extension's words. One command at a time per VM; output is cut to its last
 * 4096 bytes per stream (`maxTailLen` in main/cmds.go), as Azure does.
 */
import type { InstanceViewStatus, RunCommandResult } from "@azure/arm-compute";
import type { EmuRequest, EmuResponse, Json } from "../http.js";
import { ArmError, isObject } from "../http.js";
import type { Router } from "../router.js";
import type { RunCommandResult as ScriptResult, World } from "../world.js";
import { acceptAsync, notFound, requireGroup, routeId } from "../world.js";
import { assertRunning } from "./compute-capacity.js";
import { TYPES } from "./network-refs.js";

const RUN_COMMAND_OUTPUT_LIMIT = 4096;

/**
 * The last `limit` bytes of a stream, cut at a byte as the extension's
 * `tailFile` does (main/logtail.go); a character split at the cut becomes U+FFFD
 * once the status is JSON.
 */
function lastBytes(text: string, limit = RUN_COMMAND_OUTPUT_LIMIT): string {
  const bytes = Buffer.from(text, "utf8");
  return bytes.length <= limit ? text : bytes.subarray(bytes.length - limit).toString("utf8");
}

/**
 * The instance-view status the Linux run-command extension reports. Its
 * `enable` never fails because of the script: "Always report nil for error
 * because extension should not fail if script throws error" (Azure/run-command-extension-linux
 * main/cmds.go), so the status is "Enable succeeded" with both streams and no
 * exit status, whatever the script's exit code (Azure/azure-cli#14425).
 */
export function runCommandStatus(r: ScriptResult): InstanceViewStatus {
  return {
    code: "ProvisioningState/succeeded",
    level: "Info",
    displayStatus: "Provisioning succeeded",
    message: `Enable succeeded: \n[stdout]\n${lastBytes(r.stdout)}\n[stderr]\n${lastBytes(r.stderr)}`,
  };
}

export function registerRunCommand(router: Router, world: World): void {
  router.add("POST", `/subscriptions/{sub}/resourceGroups/{rg}/providers/${TYPES.vm}/{name}/runCommand`, (req) =>
    runCommand(world, req),
  );
}

function runCommand(world: World, req: EmuRequest): EmuResponse {
  requireGroup(world, req);
  const vm = world.store.get(routeId(req, TYPES.vm));
  if (!vm) throw notFound(TYPES.vm, req.params.name!, req.params.rg!);
  assertRunning(world, vm);
  const input: Json = isObject(req.body) ? req.body : {};
  if (String(input.commandId ?? "").toLowerCase() !== "runshellscript") {
    throw new ArmError(
      400,
      "InvalidParameter",
      `The value '${String(input.commandId)}' of parameter 'commandId' is not valid for a Linux virtual machine; use RunShellScript.`,
      "commandId",
    );
  }
  const script = input.script;
  if (!Array.isArray(script) || script.length === 0 || !script.every((l) => typeof l === "string")) {
    throw new ArmError(
      400,
      "InvalidParameter",
      "Required parameter 'script' is missing or is not a list of strings.",
      "script",
    );
  }
  const key = `${vm.id}/runCommand`;
  // One command at a time per VM: 409 Conflict meanwhile (MicrosoftDocs/azure-docs#43356, Azure/azure-cli#32305).
  if (world.ops.running(key)) {
    throw new ArmError(
      409,
      "Conflict",
      "Run command extension execution is in progress. Please wait for completion before invoking a run command.",
    );
  }
  world.runCommands.push({ vmId: vm.id, script: [...script], at: new Date() });
  const result = Promise.resolve()
    .then(() => world.runCommandHandler()(vm.id, [...script]))
    .then((r): RunCommandResult => ({ value: [runCommandStatus(r)] }));
  return acceptAsync(
    world,
    req,
    { location: vm.body.location, namespace: "Microsoft.Compute", resourceId: key, result },
    { status: 202, withLocation: true },
  );
}
