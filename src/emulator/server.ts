/** The emulator's public entry point: start it, drive it from tests, point SDK clients at it. */

export { FEDERATED_AUDIENCE } from "./auth.js";
export type {
  EmulatorOptions,
  Fault,
  RequestLogEntry,
  RunCommandHandler,
  TokenRequestEntry,
  WorkCounters,
} from "./emulator.js";
export { ARM_SCOPE, Emulator, startEmulator } from "./emulator.js";
export type { RunCommandResult } from "./world.js";
