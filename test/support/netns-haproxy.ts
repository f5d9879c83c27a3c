/**
 * Real HAProxy inside the proxy namespace, run the way the VM's systemd unit
 * runs it: master-worker mode with a master CLI socket, reloaded by USR2 to the
 * master (`ExecReload=/bin/kill -USR2 $MAINPID`).
 *
 * Each instance gets a private mount namespace with its own tmpfs over the
 * stats socket's directory (/run/haproxy in the rendered config). Without it,
 * parallel instances would share /run/haproxy/admin.sock, and a seamless reload
 * (`expose-fd listeners`) could fetch another instance's listening sockets.
 */

import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { dirname, join } from "node:path";
import { type NsProcess, nsRun, nsSpawn, type Topology } from "./netns.js";
import { HAPROXY } from "./requirements.js";

export interface MasterState {
  reloads: number;
  failedReloads: number;
  workers: number[];
}

export interface HaproxyInstance {
  cfgPath: string;
  pidFile: string;
  masterSocket: string;
  process: NsProcess;
  /** Shell command that reloads this instance, for IPV6_PROXY_RELOAD_CMD. */
  reloadCommand: string;
  masterPid(): number;
  masterState(): Promise<MasterState>;
  /** Waits until the master has completed `reloads` reloads and runs a worker of that generation. */
  waitForReloads(reloads: number, timeoutMs?: number): Promise<MasterState>;
  /** Writes `cfgText` (if given), sends USR2 and waits for the new worker. */
  reload(cfgText?: string): Promise<MasterState>;
  /** HAProxy's own log output (stderr of the master and workers). */
  output(): string;
  stop(): Promise<void>;
}

/** Sends one command to the master CLI and returns its answer. */
export function masterCommand(socketPath: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    let out = "";
    // The master CLI answers and closes once the client half-closes.
    s.on("connect", () => s.end(`${command}\n`));
    s.on("data", (d: Buffer) => (out += d.toString()));
    s.on("end", () => resolve(out));
    s.on("error", reject);
    s.setTimeout(3000, () => s.destroy(new Error(`master CLI timeout: ${command}`)));
  });
}

/** Parses `show proc`: the master's reload counters and the current (not old) workers. */
export function parseShowProc(text: string): MasterState {
  const master = /^\d+\s+master\s+(\d+)\s+\[failed:\s*(\d+)\]/m.exec(text);
  const current = text.split("# old workers")[0]?.split("# workers")[1] ?? "";
  const workers = [...current.matchAll(/^(\d+)\s+worker\s+/gm)].map((m) => Number(m[1]));
  return { reloads: Number(master?.[1] ?? -1), failedReloads: Number(master?.[2] ?? -1), workers };
}

function statsSocketDirs(cfgText: string): string[] {
  const dirs = [...cfgText.matchAll(/^\s*stats\s+socket\s+(\/\S+)/gm)].map((m) => dirname(m[1] ?? "/"));
  return [...new Set(dirs)].filter((d) => d !== "/" && /^\/[\w./-]+$/.test(d));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where an instance keeps its files; known before it starts, so a boot-time apply can install its config. */
export function haproxyPaths(topology: Topology, name = "haproxy") {
  const pidFile = join(topology.dir, `${name}.pid`);
  return {
    cfgPath: join(topology.dir, `${name}.cfg`),
    pidFile,
    masterSocket: join(topology.dir, `${name}-master.sock`),
    reloadCommand: `kill -USR2 "$(cat ${pidFile})"`,
    activeCommand: `kill -0 "$(cat ${pidFile})"`,
  };
}

export async function startHaproxy(topology: Topology, cfgText: string, name = "haproxy"): Promise<HaproxyInstance> {
  const { cfgPath, pidFile, masterSocket, reloadCommand } = haproxyPaths(topology, name);
  writeFileSync(cfgPath, cfgText);
  const mounts = statsSocketDirs(cfgText)
    .map((d) => `mkdir -p ${d} && mount -t tmpfs -o mode=0755 ${name} ${d} && `)
    .join("");
  const script = `${mounts}exec ${HAPROXY.path()} -W -S ${masterSocket} -f ${cfgPath} -p ${pidFile}`;
  const proc = await nsSpawn(topology.proxy, "unshare", ["--mount", "--propagation", "private", "sh", "-c", script]);
  const masterPid = () => Number(readFileSync(pidFile, "utf8").trim());
  const masterState = async () => parseShowProc(await masterCommand(masterSocket, "show proc"));
  const instance: HaproxyInstance = {
    cfgPath,
    pidFile,
    masterSocket,
    process: proc,
    reloadCommand,
    masterPid,
    masterState,
    async waitForReloads(reloads, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      let last: MasterState | undefined;
      let lastError = "";
      while (Date.now() < deadline) {
        if (proc.child.exitCode !== null) throw new Error(`haproxy exited:\n${proc.output()}`);
        try {
          last = await masterState();
          if (last.reloads + last.failedReloads >= reloads && last.workers.length > 0) return last;
        } catch (e) {
          lastError = (e as Error).message;
        }
        await sleep(50);
      }
      throw new Error(`haproxy not at reload ${reloads}: ${JSON.stringify(last)} ${lastError}\n${proc.output()}`);
    },
    async reload(text) {
      if (text !== undefined) writeFileSync(cfgPath, text);
      const before = await masterState();
      process.kill(masterPid(), "SIGUSR2");
      return instance.waitForReloads(before.reloads + before.failedReloads + 1);
    },
    output: () => proc.output(),
    stop: () => proc.stop(),
  };
  try {
    await instance.waitForReloads(0);
    await waitForListeners(topology, listenPorts(cfgText), proc);
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return instance;
}

export interface HealthCheckTiming {
  interMs: number;
  fastinterMs: number;
  fall: number;
  rise: number;
}

/** Check timing from the config's `default-server` line, with HAProxy's defaults for what it leaves out. */
export function healthCheckTiming(cfgText: string): HealthCheckTiming {
  const line = /^\s*default-server\s+(.*)$/m.exec(cfgText)?.[1] ?? "";
  const ms = (key: string, fallback: number) => {
    const m = new RegExp(`\\b${key}\\s+(\\d+)(ms|s)?\\b`).exec(line);
    return m ? Number(m[1]) * (m[2] === "ms" ? 1 : 1000) : fallback;
  };
  const count = (key: string, fallback: number) =>
    Number(new RegExp(`\\b${key}\\s+(\\d+)\\b`).exec(line)?.[1] ?? fallback);
  const interMs = ms("inter", 2000);
  return { interMs, fastinterMs: ms("fastinter", interMs), fall: count("fall", 3), rise: count("rise", 2) };
}

/** The TCP ports the config binds. */
export function listenPorts(cfgText: string): number[] {
  const ports = [...cfgText.matchAll(/^\s*bind\s+\S*:(\d+)/gm)].map((m) => Number(m[1]));
  return [...new Set(ports)];
}

async function waitForListeners(topology: Topology, ports: number[], proc: NsProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const out = await nsRun(topology.proxy, "ss", ["-Hltn"]);
    const listening = new Set([...out.matchAll(/:(\d+)\s/g)].map((m) => Number(m[1])));
    if (ports.every((p) => listening.has(p))) return;
    await sleep(50);
  }
  throw new Error(`haproxy does not listen on ${ports.join(", ")}:\n${proc.output()}`);
}

/** `haproxy -c` on a config text: exit status and HAProxy's own messages. */
export async function checkConfig(topology: Topology, cfgText: string): Promise<{ ok: boolean; output: string }> {
  const path = join(topology.dir, `check-${Date.now()}.cfg`);
  writeFileSync(path, cfgText);
  try {
    const out = await nsRun(topology.proxy, HAPROXY.path(), ["-c", "-f", path]);
    return { ok: true, output: out };
  } catch (e) {
    return { ok: false, output: (e as Error).message };
  }
}
