/**
 * A proxy with replicas, in network namespaces: an IPv6-only client, a Linux
 * load balancer (nftables DNAT driven by a health prober, see ha-prober.ts)
 * in front of two replicas running the real HAProxy with the rendered config,
 * and IPv4-only backends behind the load balancer's outbound SNAT:
 *
 *   client fd00:beef::2 ── lb: VIP fd00:beef::80 ──┬── br-px ── r1 fd00:64:64::11, 10.64.0.11
 *                          (nft DNAT, IPv6)        │           r2 fd00:64:64::12, 10.64.0.12
 *                                                  └── br-be ── b1 10.99.0.11, b2 10.99.0.12
 *                          10.99.0.1 (outbound SNAT of 10.64.0.0/26, the "outbound IPv4")
 *
 * This is the shape Azure gives a proxy with replicas: the load balancer keeps
 * the client's IPv6 source (no SNAT inbound), answers flows through conntrack,
 * and the replicas reach the IPv4 backends through the load balancer's
 * outbound rule, so backends see its IPv4 address.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProberConfig } from "./ha-prober.js";
import {
  ADDR,
  NAMESPACE_PREFIX,
  type NsProcess,
  nodeTsArgs,
  nsRun,
  nsSpawn,
  ownNamespaces,
  removeStaleNamespaces,
  run,
  type Topology,
} from "./netns.js";
import { type HaproxyInstance, startHaproxy } from "./netns-haproxy.js";
import { CURL, NFT, NSENTER, PYTHON3, type Requirement } from "./requirements.js";
import { type ApplyRunner, applyRunner } from "./traffic-apply.js";
import { type Backend, ClientAgent, type FakeImds, makeBackend, REPO_ROOT, startFakeImds } from "./traffic-fixtures.js";
import { LAB_REQUIREMENTS } from "./traffic-lab.js";

const SUPPORT_DIR = dirname(fileURLToPath(import.meta.url));

export const HA_ADDR = {
  vip: "fd00:beef::80",
  lbTowardsClient: "fd00:beef::1",
  lbV6: "fd00:64:64::1",
  lbV4: "10.64.0.1",
  /** The load balancer's outbound IPv4: what backends see as the source. */
  outboundV4: ADDR.proxyV4,
  replicaV6: ["fd00:64:64::11", "fd00:64:64::12"] as const,
  replicaV4: ["10.64.0.11", "10.64.0.12"] as const,
} as const;

export interface ProbeSettings {
  intervalMs: number;
  threshold: number;
}

export interface Replica {
  name: string;
  ns: string;
  /** A Topology whose `proxy` is this replica, for the HAProxy, IMDS and apply-script helpers. */
  view: Topology;
  imds: FakeImds;
  apply: ApplyRunner;
  haproxy: HaproxyInstance | undefined;
  /** Starts HAProxy with this config (the replica's first boot). */
  start(cfgText: string): Promise<HaproxyInstance>;
  /** Every process in the replica dies at once, as when its host fails. */
  crash(): Promise<void>;
  /** Runs a Run Command script (the lines the engine sends) inside the replica, next to its HAProxy. */
  runScript(lines: string[], env?: Record<string, string>): Promise<{ code: number | null; stdout: string }>;
}

export interface ProberMark {
  /** The mark's number in the prober's output. */
  seq: number;
  /** The first probe round that starts after the mark. */
  round: number;
}

export interface StateChange {
  at: number;
  round: number;
}

export interface HaLab {
  client: string;
  lb: string;
  replicas: Replica[];
  backends: Backend[];
  agent: ClientAgent;
  prober: NsProcess;
  probe: ProbeSettings;
  /**
   * A point in the prober's sequence of events (ha-prober.ts, SIGUSR2): every probe from `round` on is sent after
   * it, so after whatever the test did before asking for it.
   */
  mark(): Promise<ProberMark>;
  /**
   * Resolves when the prober has put `replica` `state` after `since` (the first such change after that mark):
   * `at`, when the data plane acted on it (epoch ms), and the probe round that decided it.
   */
  waitForState(replica: string, state: "up" | "down", since: ProberMark, timeoutMs?: number): Promise<StateChange>;
  stop(): Promise<void>;
}

/** What the lab needs: the single-proxy lab's tools, nftables for the load balancer, and what the Run Command scripts use. */
export const HA_LAB_REQUIREMENTS: Requirement[] = [...new Set([...LAB_REQUIREMENTS, NFT, NSENTER, PYTHON3, CURL])];

export async function startHaLab(opts: { tag?: string; probe: ProbeSettings; ports?: number[] }): Promise<HaLab> {
  await removeStaleNamespaces();
  const prefix = `${NAMESPACE_PREFIX}${process.pid}-${opts.tag ?? "ha"}`;
  const client = `${prefix}-client`;
  const lb = `${prefix}-lb`;
  const replicaNs = [`${prefix}-r1`, `${prefix}-r2`];
  const backendNs = [`${prefix}-b1`, `${prefix}-b2`];
  const all = [client, lb, ...replicaNs, ...backendNs];
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const owned = ownNamespaces(all, dir);
  const ip = (ns: string, ...args: string[]) => run("ip", ["-n", ns, ...args]);
  const sysctl = (ns: string, kv: string) => nsRun(ns, "sysctl", ["-qw", kv]);
  const started: { stop(): Promise<void> }[] = [];
  const lab = { replicas: [] as Replica[], backends: [] as Backend[] } as unknown as HaLab;
  lab.stop = async () => {
    for (const p of started.reverse()) await p.stop().catch(() => undefined);
    for (const r of lab.replicas) await r.haproxy?.stop().catch(() => undefined);
    for (const b of lab.backends) await b.kill().catch(() => undefined);
    await owned.destroy();
  };
  try {
    for (const ns of all) {
      await run("ip", ["netns", "add", ns]);
      await ip(ns, "link", "set", "lo", "up");
      await sysctl(ns, "net.ipv6.conf.all.accept_dad=0");
    }
    await sysctl(lb, "net.ipv6.conf.all.forwarding=1");
    await sysctl(lb, "net.ipv4.ip_forward=1");
    // Client ↔ load balancer: IPv6 only; the VIP is the proxy's public IPv6 address.
    await run("ip", ["link", "add", "c0", "netns", client, "type", "veth", "peer", "name", "lc0", "netns", lb]);
    await ip(client, "addr", "add", "fd00:beef::2/64", "dev", "c0", "nodad");
    await ip(lb, "addr", "add", `${HA_ADDR.lbTowardsClient}/64`, "dev", "lc0", "nodad");
    await ip(lb, "addr", "add", `${HA_ADDR.vip}/64`, "dev", "lc0", "nodad");
    await ip(client, "link", "set", "c0", "up");
    await ip(lb, "link", "set", "lc0", "up");
    // Load balancer ↔ replicas: the proxy subnet, dual-stack; the load balancer is their router.
    await ip(lb, "link", "add", "br-px", "type", "bridge");
    await ip(lb, "addr", "add", `${HA_ADDR.lbV6}/64`, "dev", "br-px", "nodad");
    await ip(lb, "addr", "add", `${HA_ADDR.lbV4}/26`, "dev", "br-px");
    await ip(lb, "link", "set", "br-px", "up");
    for (const [i, ns] of replicaNs.entries()) {
      await run("ip", ["link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", `lr${i + 1}`, "netns", lb]);
      await ip(lb, "link", "set", `lr${i + 1}`, "master", "br-px");
      await ip(lb, "link", "set", `lr${i + 1}`, "up");
      await ip(ns, "addr", "add", `${HA_ADDR.replicaV6[i]}/64`, "dev", "eth0", "nodad");
      await ip(ns, "addr", "add", `${HA_ADDR.replicaV4[i]}/26`, "dev", "eth0");
      await ip(ns, "link", "set", "eth0", "up");
      await ip(ns, "-6", "route", "add", "default", "via", HA_ADDR.lbV6);
      await ip(ns, "route", "add", "default", "via", HA_ADDR.lbV4);
    }
    // Load balancer ↔ backends: IPv4 only, "the internet" side.
    await ip(lb, "link", "add", "br-be", "type", "bridge");
    await ip(lb, "addr", "add", `${HA_ADDR.outboundV4}/24`, "dev", "br-be");
    await ip(lb, "link", "set", "br-be", "up");
    for (const [i, ns] of backendNs.entries()) {
      await run("ip", ["link", "add", "b0", "netns", ns, "type", "veth", "peer", "name", `lb${i + 1}`, "netns", lb]);
      await ip(lb, "link", "set", `lb${i + 1}`, "master", "br-be");
      await ip(lb, "link", "set", `lb${i + 1}`, "up");
      await sysctl(ns, "net.ipv6.conf.all.disable_ipv6=1");
      await ip(ns, "addr", "add", `${ADDR.backendV4[i]}/24`, "dev", "b0");
      await ip(ns, "link", "set", "b0", "up");
      await ip(ns, "route", "add", "default", "via", HA_ADDR.outboundV4);
    }
    // The outbound rule: replicas reach the backends from the load balancer's IPv4.
    await run("sh", [
      "-c",
      `ip netns exec ${lb} nft -f - <<'NFT'
table ip azlb-out {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 10.64.0.0/26 oifname "br-be" masquerade
  }
}
NFT`,
    ]);

    // Backends and the client need a Topology; the replica views point `proxy` at each replica.
    const shared: Topology = { prefix, client, proxy: lb, backends: backendNs, dir, destroy: owned.destroy };
    lab.backends = await Promise.all(backendNs.map((_, i) => makeBackend(shared, i)));
    lab.agent = await ClientAgent.start(shared);
    started.push(lab.agent);
    for (const [i, ns] of replicaNs.entries()) lab.replicas.push(await makeReplica(`r${i + 1}`, ns, shared, started));

    const config: ProberConfig = {
      vip: HA_ADDR.vip,
      ports: opts.ports ?? [80, 443],
      targets: replicaNs.map((_, i) => ({ name: `r${i + 1}`, address: HA_ADDR.replicaV6[i]! })),
      probePort: 8405,
      probePath: "/healthz",
      ...opts.probe,
    };
    const [node, args] = nodeTsArgs(join(SUPPORT_DIR, "ha-prober.ts"), JSON.stringify(config));
    lab.prober = await nsSpawn(lb, node, args, { readyLine: "READY", cwd: REPO_ROOT });
    started.push(lab.prober);
  } catch (e) {
    await lab.stop();
    throw e;
  }
  Object.assign(lab, { client, lb, probe: opts.probe });
  let marks = 0;
  /** Waits for the first line matching `pattern` after the mark line `seq` (0: from the start) of the prober's output. */
  const nextLine = async (pattern: RegExp, seq: number, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    const markLine = new RegExp(`^MARK ${seq} round=\\d+$`, "m");
    while (Date.now() < deadline) {
      const out = lab.prober.output();
      const from = seq === 0 ? 0 : (markLine.exec(out)?.index ?? -1);
      const hit = from < 0 ? null : new RegExp(pattern.source, "m").exec(out.slice(from));
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`the load balancer never printed ${what}:\n${lab.prober.output()}`);
  };
  lab.mark = async () => {
    const seq = ++marks;
    lab.prober.child.kill("SIGUSR2");
    const hit = await nextLine(new RegExp(`^MARK ${seq} round=(\\d+)$`), 0, `mark ${seq}`, 30_000);
    return { seq, round: Number(hit[1]) };
  };
  lab.waitForState = async (replica, state, since, timeoutMs = 30_000) => {
    const pattern = new RegExp(`^STATE ${replica} ${state} (\\d+) round=(\\d+)$`);
    const hit = await nextLine(pattern, since.seq, `${replica} ${state} after mark ${since.seq}`, timeoutMs);
    return { at: Number(hit[1]), round: Number(hit[2]) };
  };
  return lab;
}

async function makeReplica(
  name: string,
  ns: string,
  shared: Topology,
  started: { stop(): Promise<void> }[],
): Promise<Replica> {
  const dir = join(shared.dir, name);
  mkdirSync(dir);
  const view: Topology = { ...shared, proxy: ns, dir };
  const imds = await startFakeImds(view);
  started.push(imds);
  const replica: Replica = {
    name,
    ns,
    view,
    imds,
    apply: applyRunner(view, imds),
    haproxy: undefined,
    async start(cfgText) {
      await replica.haproxy?.stop();
      replica.haproxy = await startHaproxy(view, cfgText);
      return replica.haproxy;
    },
    async crash() {
      const pids = (await run("ip", ["netns", "pids", ns])).split(/\s+/).filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), "SIGKILL");
        } catch {
          // already gone
        }
      }
      await replica.haproxy?.stop().catch(() => undefined);
      replica.haproxy = undefined;
    },
    async runScript(lines, env = {}) {
      const master = replica.haproxy?.masterPid();
      if (!master) throw new Error(`${name} runs no HAProxy`);
      // Enter HAProxy's own mount namespace, where its admin socket lives (see netns-haproxy.ts).
      const script = join(dir, `script-${Date.now()}.sh`);
      writeFileSync(script, `${lines.join("\n")}\n`);
      const exports = Object.entries(env).map(([k, v]) => `${k}='${v}'`);
      try {
        const stdout = await run("nsenter", ["-t", String(master), "-m", "-n", "env", ...exports, "bash", script]);
        return { code: 0, stdout };
      } catch (e) {
        return { code: 1, stdout: (e as Error).message };
      }
    },
  };
  return replica;
}
