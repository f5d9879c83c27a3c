/**
 * Runs the VM's real apply script (`APPLY_SCRIPT`) inside the proxy
 * namespace, as Run Command would on the VM, against the fake IMDS and the
 * lab's HAProxy master.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { APPLY_SCRIPT } from "../../src/dataplane/vm-files.js";
import type { Topology } from "./netns.js";
import { haproxyPaths } from "./netns-haproxy.js";
import { HAPROXY } from "./requirements.js";
import type { FakeImds } from "./traffic-fixtures.js";

export interface ApplyRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ApplyRunner {
  scriptPath: string;
  run(args: string[], env?: Record<string, string>): Promise<ApplyRun>;
}

/** Targets the lab's (possibly not yet started) default HAProxy instance. */
export function applyRunner(topology: Topology, imds: FakeImds): ApplyRunner {
  const haproxy = haproxyPaths(topology);
  const scriptPath = join(topology.dir, "ipv6-proxy-apply");
  writeFileSync(scriptPath, APPLY_SCRIPT, { mode: 0o755 });
  return {
    scriptPath,
    run(args, env = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn("ip", ["netns", "exec", topology.proxy, "bash", scriptPath, ...args], {
          env: {
            PATH: process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
            IPV6_PROXY_IMDS_URL: imds.url,
            IPV6_PROXY_CFG: haproxy.cfgPath,
            // What `systemctl reload haproxy` does on the VM: USR2 to the master.
            IPV6_PROXY_RELOAD_CMD: haproxy.reloadCommand,
            IPV6_PROXY_ACTIVE_CMD: haproxy.activeCommand,
            IPV6_PROXY_HAPROXY: HAPROXY.path(),
            IPV6_PROXY_LOCK: join(topology.dir, "apply.lock"),
            IPV6_PROXY_RETRY_DELAY: "0.2",
            ...env,
          },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
    },
  };
}
