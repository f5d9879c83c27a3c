/**
 * The emulator's stand-in for a proxy VM answering Run Command: it behaves
 * like the apply script's contract (src/dataplane/vmscripts.ts) without
 * running HAProxy — it reads the VM's current userData, checks the hash the
 * caller expects, and reports "applied config sha256=…" or a refusal.
 * Tests that need the real script and a real `haproxy -c` plug in their own
 * handler with emulator.onRunCommand().
 */
import { createHash } from "node:crypto";
import type { RunCommandHandler } from "./world.js";

type Json = Record<string, unknown>;

export function simulatedVm(getResource: (id: string) => Json | undefined): RunCommandHandler {
  return async (vmId, script) => {
    const expected = /--expect-sha256\s+([0-9a-f]{64})/.exec(script.join("\n"))?.[1];
    const userData = (getResource(vmId)?.properties as Json | undefined)?.userData;
    if (typeof userData !== "string")
      return { exitCode: 3, stdout: "", stderr: "ipv6-proxy-apply: the VM has no userData" };
    const config = Buffer.from(userData, "base64");
    const sha = createHash("sha256").update(config).digest("hex");
    if (expected && expected !== sha) {
      return { exitCode: 3, stdout: "", stderr: `ipv6-proxy-apply: userData has sha256=${sha}, expected ${expected}` };
    }
    return {
      exitCode: 0,
      stdout: `applied config sha256=${sha} bytes=${config.length} path=/etc/haproxy/haproxy.cfg changed=yes reload=yes`,
      stderr: "",
    };
  };
}
