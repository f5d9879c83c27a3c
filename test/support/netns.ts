/**
 * Linux network namespaces for data-plane tests: an IPv6-only client, a
 * dual-stack proxy and IPv4-only backends, wired with veth pairs and a bridge.
 *
 *   client  fd00:beef::2/64 ── veth ── fd00:beef::1/64  proxy  198.51.100.1/24 (bridge)
 *           fd00:beef::3/64             fd00:cafe::1/64
 *           fd00:cafe::2/64  (a second client network, for per-client limits)
 *                                                          ├── veth ── 198.51.100.11  backend 1
 *                                                          ├── veth ── 198.51.100.12  backend 2
 *                                                          └── veth ── 198.51.100.13  backend 3 (optional)
 *
 * The backends stand for public IPv4 addresses, the only kind a proxy file
 * accepts; the documentation range (RFC 5737) names no real host.
 *
 * Every namespace name starts with `v6px-<pid>-`, so parallel test files never
 * share a namespace (addresses may repeat: each topology is its own world), and
 * a later run can recognise and remove what a crashed run left behind.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);
export const NAMESPACE_PREFIX = "v6px-";

export const ADDR = {
  clientV6: "fd00:beef::2",
  /** A second address of the client, in the same /64: HAProxy counts it as the same client. */
  clientV6SameNetwork: "fd00:beef::3",
  /** A different client network (another /64), on the same link. */
  otherClientV6: "fd00:cafe::2",
  proxyTowardsOtherClientV6: "fd00:cafe::1",
  proxyV6: "fd00:beef::1",
  proxyV4: "198.51.100.1",
  backendV4: ["198.51.100.11", "198.51.100.12", "198.51.100.13"] as const,
  /** Only with `clientIpv4Baseline`: lets the client reach backends directly for benchmarks. */
  clientV4: "10.98.0.2",
  proxyTowardsClientV4: "10.98.0.1",
} as const;

export interface Topology {
  /** Unique prefix of this topology's namespace names. */
  prefix: string;
  client: string;
  proxy: string;
  backends: string[];
  /** Private scratch directory (configs, sockets, certificates). */
  dir: string;
  destroy(): Promise<void>;
}

export async function run(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync(cmd, args, { maxBuffer: 16 << 20 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(" ")} failed: ${err.stderr?.trim() || err.message}`);
  }
}

/** Runs a command inside a namespace and returns its stdout. */
export function nsRun(ns: string, cmd: string, args: string[]): Promise<string> {
  return run("ip", ["netns", "exec", ns, cmd, ...args]);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function killNamespaceProcesses(ns: string): Promise<void> {
  const pids = (await run("ip", ["netns", "pids", ns]).catch(() => "")).split(/\s+/).filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/**
 * Takes ownership of namespaces (and a scratch directory): `destroy()` removes
 * them, and if the process ends without it (a crashed or timed-out test), an
 * exit handler still takes everything down.
 */
export function ownNamespaces(names: string[], dir: string): { destroy(): Promise<void> } {
  const onExit = () => {
    for (const ns of names) {
      try {
        const pids = execFileSync("ip", ["netns", "pids", ns], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        });
        for (const pid of pids.split(/\s+/).filter(Boolean)) process.kill(Number(pid), "SIGKILL");
        execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
      } catch {
        // already gone
      }
    }
  };
  process.once("exit", onExit);
  return {
    async destroy() {
      process.off("exit", onExit);
      for (const ns of names) await deleteNamespace(ns);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function deleteNamespace(ns: string): Promise<void> {
  await killNamespaceProcesses(ns);
  await run("ip", ["netns", "del", ns]).catch(() => undefined);
}

/** True for our names (`v6px-<pid>-…`) whose owning process is gone. */
function isStale(name: string): boolean {
  const pid = Number(/^v6px-(\d+)-/.exec(name)?.[1]);
  return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !pidAlive(pid);
}

/** Removes namespaces and scratch directories a crashed earlier run left behind. */
export async function removeStaleNamespaces(): Promise<string[]> {
  const names = (await run("ip", ["netns", "list"])).split("\n").map((l) => l.split(" ")[0] ?? "");
  const stale = names.filter(isStale);
  for (const ns of stale) await deleteNamespace(ns);
  for (const entry of readdirSync(tmpdir()).filter(isStale))
    rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  return stale;
}

export interface TopologyOptions {
  /** Distinguishes several topologies in one process. */
  tag?: string;
  /** 2 (default) or 3: a third backend makes "served by the default backends" distinguishable from any route. */
  backendCount?: 2 | 3;
  /** Give the client IPv4 and route it to the backends through the proxy namespace's kernel (benchmark baseline). */
  clientIpv4Baseline?: boolean;
}

export async function createTopology(opts: TopologyOptions = {}): Promise<Topology> {
  await removeStaleNamespaces();
  const prefix = `${NAMESPACE_PREFIX}${process.pid}-${opts.tag ?? "t"}`;
  const client = `${prefix}-client`;
  const proxy = `${prefix}-proxy`;
  const backends = ADDR.backendV4.slice(0, opts.backendCount ?? 2).map((_, i) => `${prefix}-b${i + 1}`);
  const all = [client, proxy, ...backends];
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const owned = ownNamespaces(all, dir);
  const topology: Topology = { prefix, client, proxy, backends, dir, destroy: owned.destroy };
  const ip = (ns: string, ...args: string[]) => run("ip", ["-n", ns, ...args]);
  const sysctl = (ns: string, kv: string) => nsRun(ns, "sysctl", ["-qw", kv]);
  try {
    for (const ns of all) {
      await run("ip", ["netns", "add", ns]);
      await ip(ns, "link", "set", "lo", "up");
    }
    // Client ↔ proxy: IPv6 only (the client has no IPv4 except in benchmark mode).
    await run("ip", ["link", "add", "c0", "netns", client, "type", "veth", "peer", "name", "p0", "netns", proxy]);
    await sysctl(client, "net.ipv6.conf.all.accept_dad=0");
    await sysctl(proxy, "net.ipv6.conf.all.accept_dad=0");
    await ip(client, "addr", "add", `${ADDR.clientV6}/64`, "dev", "c0", "nodad");
    // Deprecated (preferred_lft 0): used only when a test binds to them, never picked as the default source.
    for (const extra of [ADDR.clientV6SameNetwork, ADDR.otherClientV6])
      await ip(client, "addr", "add", `${extra}/64`, "dev", "c0", "nodad", "preferred_lft", "0");
    await ip(proxy, "addr", "add", `${ADDR.proxyV6}/64`, "dev", "p0", "nodad");
    await ip(proxy, "addr", "add", `${ADDR.proxyTowardsOtherClientV6}/64`, "dev", "p0", "nodad");
    await ip(client, "link", "set", "c0", "up");
    await ip(proxy, "link", "set", "p0", "up");
    if (opts.clientIpv4Baseline) {
      await ip(client, "addr", "add", `${ADDR.clientV4}/24`, "dev", "c0");
      await ip(proxy, "addr", "add", `${ADDR.proxyTowardsClientV4}/24`, "dev", "p0");
      await ip(client, "route", "add", "198.51.100.0/24", "via", ADDR.proxyTowardsClientV4);
      await sysctl(proxy, "net.ipv4.ip_forward=1");
    }
    // Proxy ↔ backends: one bridge in the proxy namespace, IPv4 only on the backend side.
    await ip(proxy, "link", "add", "br0", "type", "bridge");
    await ip(proxy, "addr", "add", `${ADDR.proxyV4}/24`, "dev", "br0");
    await ip(proxy, "link", "set", "br0", "up");
    for (const [i, ns] of backends.entries()) {
      const port = `pb${i + 1}`;
      await run("ip", ["link", "add", "b0", "netns", ns, "type", "veth", "peer", "name", port, "netns", proxy]);
      await ip(proxy, "link", "set", port, "master", "br0");
      await ip(proxy, "link", "set", port, "up");
      await sysctl(ns, "net.ipv6.conf.all.disable_ipv6=1");
      await ip(ns, "addr", "add", `${ADDR.backendV4[i]}/24`, "dev", "b0");
      await ip(ns, "link", "set", "b0", "up");
      await ip(ns, "route", "add", "default", "via", ADDR.proxyV4);
    }
  } catch (e) {
    await topology.destroy();
    throw e;
  }
  return topology;
}

export interface NsProcess {
  child: ChildProcess;
  pid: number;
  /** Output so far, for error messages. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * Starts a long-running process in a namespace and waits until it prints
 * `readyLine` (or exits, which is an error). `ip netns exec` execs the command
 * in place, so the child's pid is the command's own pid.
 */
export function nsSpawn(
  ns: string,
  cmd: string,
  args: string[],
  opts: { readyLine?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<NsProcess> {
  const child = spawn("ip", ["netns", "exec", ns, cmd, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    cwd: opts.cwd,
  });
  let out = "";
  const onData = (d: Buffer) => {
    out += d.toString();
    if (out.length > 64_000) out = out.slice(-32_000);
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const handle: NsProcess = {
    child,
    pid: child.pid ?? -1,
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    },
  };
  const readyLine = opts.readyLine;
  if (!readyLine) return Promise.resolve(handle);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void handle.stop("SIGKILL");
      reject(new Error(`${cmd} in ${ns} not ready after ${opts.timeoutMs ?? 15000} ms:\n${out}`));
    }, opts.timeoutMs ?? 15000);
    const check = () => {
      if (out.includes(readyLine)) {
        clearTimeout(timer);
        child.stdout?.off("data", check);
        resolve(handle);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} in ${ns} exited (${code ?? signal}) before ready:\n${out}`));
    });
  });
}

/** Node with TypeScript support, for helper scripts that run inside namespaces. */
export function nodeTsArgs(script: string, ...args: string[]): [string, string[]] {
  return [process.execPath, ["--import", "tsx", script, ...args]];
}
