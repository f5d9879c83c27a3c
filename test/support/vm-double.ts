/**
 * A proxy VM on this machine, for the emulator's Run Command: it serves the
 * VM's userData the way IMDS does and runs the real apply script
 * (src/dataplane/vmscripts.ts) and the real serving check (serving.ts) with the
 * real `haproxy -c`, installing into a temp dir instead of /etc/haproxy;
 * `cloud-init` and `systemctl` are stand-ins whose answers a test sets. What
 * it prints is what Azure would relay.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APPLY_SCRIPT } from "../../src/dataplane/vm-files.js";
import { APPLY_SCRIPT_PATH } from "../../src/dataplane/vmscripts.js";
import { HAPROXY } from "./requirements.js";

type Json = Record<string, unknown>;

export class VmDouble {
  readonly dir = mkdtempSync(join(tmpdir(), "ipv6px-vm-"));
  readonly cfg = join(this.dir, "haproxy.cfg");
  readonly reloads = join(this.dir, "reloads");
  private readonly script = join(this.dir, "ipv6-proxy-apply");
  private imds?: Server;
  private userData = "";
  /** The haproxy binary the script validates with. */
  haproxy = HAPROXY.path();
  /** What `cloud-init status --wait` answers: its exit code (0 done, 1 error) and `--long` text. */
  cloudInit = { exitCode: 0, long: "status: done\n" };
  /** Whether `systemctl is-active haproxy` says HAProxy runs. */
  haproxyActive = true;
  /** Stand-ins for the VM's cloud-init and systemctl, first on PATH. */
  private readonly bin = join(this.dir, "bin");

  constructor(private readonly getResource: (id: string) => Json | undefined) {
    writeFileSync(this.script, APPLY_SCRIPT);
    chmodSync(this.script, 0o755);
    mkdirSync(this.bin);
    const tool = (name: string, body: string) => {
      writeFileSync(join(this.bin, name), `#!/bin/bash\n${body}`);
      chmodSync(join(this.bin, name), 0o755);
    };
    tool(
      "cloud-init",
      `if [ "$2" = "--long" ]; then cat "${join(this.dir, "ci-long")}"; fi\nexit "$(cat "${join(this.dir, "ci-exit")}")"\n`,
    );
    tool(
      "systemctl",
      `[ "$1" = "is-active" ] && exit "$(cat "${join(this.dir, "active")}")"\necho "haproxy.service: inactive (dead)"\nexit 3\n`,
    );
  }

  async start(): Promise<void> {
    this.imds = createServer((req, res) => {
      const ok = req.headers.metadata === "true" && req.url?.startsWith("/metadata/instance/compute/userData");
      res.writeHead(ok ? 200 : 400).end(ok ? this.userData : "bad request");
    });
    await new Promise<void>((resolve) => this.imds!.listen(0, "127.0.0.1", resolve));
  }

  /** The handler for emulator.onRunCommand. */
  readonly runCommand = async (vmId: string, lines: string[]) => {
    this.userData = String((this.getResource(vmId)?.properties as Json | undefined)?.userData ?? "");
    const port = (this.imds!.address() as AddressInfo).port;
    const script = lines.map((l) => l.replaceAll(APPLY_SCRIPT_PATH, this.script)).join("\n");
    writeFileSync(join(this.dir, "ci-exit"), String(this.cloudInit.exitCode));
    writeFileSync(join(this.dir, "ci-long"), this.cloudInit.long);
    writeFileSync(join(this.dir, "active"), this.haproxyActive ? "0" : "3");
    return new Promise<{ exitCode: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn("bash", ["-c", script], {
        env: {
          PATH: `${this.bin}:${process.env.PATH}`,
          IPV6_PROXY_IMDS_URL: `http://127.0.0.1:${port}`,
          IPV6_PROXY_CFG: this.cfg,
          IPV6_PROXY_RELOAD_CMD: `echo reload >> ${this.reloads}`,
          IPV6_PROXY_ACTIVE_CMD: "true",
          IPV6_PROXY_HAPROXY: this.haproxy,
          IPV6_PROXY_LOCK: join(this.dir, "lock"),
          IPV6_PROXY_ATTEMPTS: "2",
          IPV6_PROXY_RETRY_DELAY: "0",
        },
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d));
      child.stderr.on("data", (d: Buffer) => (stderr += d));
      child.on("close", (code) => resolve({ exitCode: code ?? 1, stdout, stderr }));
    });
  };

  installed(): string | undefined {
    return existsSync(this.cfg) ? readFileSync(this.cfg, "utf8") : undefined;
  }

  reloadCount(): number {
    return existsSync(this.reloads) ? readFileSync(this.reloads, "utf8").trim().split("\n").length : 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.imds ? this.imds.close(() => resolve()) : resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
