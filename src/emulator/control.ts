/**
 * Test control over HTTPS, for a process that reaches the emulator only over
 * the network (an action run as a child process, or `azure-ipv6-proxy
 * emulator` in another terminal):
 *   GET    /_emulator/requests  request log, token log, write count
 *   POST   /_emulator/reset     clear the logs and faults
 *   POST   /_emulator/faults    add a fault; pathPattern is a RegExp source, flags optional
 *   DELETE /_emulator/faults    clear faults
 *   POST   /_emulator/backends  {address, state: "up"|"down", port?, failure?: "refused"|"timeout"}:
 *                               how the simulated VMs' HAProxy sees a backend
 *   DELETE /_emulator/backends  every backend UP again
 */
import type { Emulator } from "./emulator.js";
import type { EmuRequest, EmuResponse } from "./http.js";
import { isObject } from "./http.js";

export async function controlApi(emulator: Emulator, req: EmuRequest): Promise<EmuResponse | undefined> {
  const route = `${req.method} ${req.url.pathname}`;
  switch (route) {
    case "GET /_emulator/requests":
      return {
        status: 200,
        body: { requests: emulator.requests, tokenRequests: emulator.tokenRequests, writeCount: emulator.writeCount() },
      };
    case "POST /_emulator/reset":
      emulator.resetRequests();
      emulator.clearFaults();
      return { status: 204 };
    case "DELETE /_emulator/faults":
      emulator.clearFaults();
      return { status: 204 };
    case "POST /_emulator/backends": {
      const b = req.body;
      if (!isObject(b) || typeof b.address !== "string" || (b.state !== "up" && b.state !== "down")) {
        return {
          status: 400,
          body: { error: { code: "InvalidBackend", message: 'A backend needs address and state ("up" or "down").' } },
        };
      }
      emulator.setBackendHealth(b.address, b.state, {
        ...(typeof b.port === "number" ? { port: b.port } : {}),
        ...(b.failure === "refused" || b.failure === "timeout" ? { failure: b.failure } : {}),
      });
      return { status: 204 };
    }
    case "DELETE /_emulator/backends":
      emulator.resetVmHealth();
      return { status: 204 };
    case "POST /_emulator/faults": {
      const f = req.body;
      if (!isObject(f) || typeof f.pathPattern !== "string") {
        return {
          status: 400,
          body: { error: { code: "InvalidFault", message: "A fault needs pathPattern (a RegExp source string)." } },
        };
      }
      emulator.addFault({ ...f, pathPattern: new RegExp(f.pathPattern, typeof f.flags === "string" ? f.flags : "i") });
      return { status: 204 };
    }
    default:
      return undefined;
  }
}
