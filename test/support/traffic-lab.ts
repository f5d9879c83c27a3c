/**
 * One ready-to-use data-plane lab: namespaces, backends, client agent and
 * (once given a config) HAProxy, torn down together. Shared by the traffic
 * tests and the data-plane benchmark.
 */
import { LIMIT_BOUNDS, type ProxySpec } from "../../src/proxyfile/types.js";
import { proxySpec } from "./dataplane-fixtures.js";
import { ADDR, createTopology, type Topology, type TopologyOptions } from "./netns.js";
import { type HaproxyInstance, masterCommand, startHaproxy } from "./netns-haproxy.js";
import {
  APPLY_SCRIPT_PROGRAMS,
  CURL,
  HAPROXY,
  NETWORK_NAMESPACES,
  OPENSSL,
  type Requirement,
  SS,
  SYSCTL,
} from "./requirements.js";
import { type Backend, ClientAgent, makeBackend } from "./traffic-fixtures.js";
import type { Probe } from "./traffic-protocol.js";

export interface Lab {
  topology: Topology;
  backends: Backend[];
  agent: ClientAgent;
  haproxy: HaproxyInstance | undefined;
  startHaproxy(cfgText: string): Promise<HaproxyInstance>;
  stop(): Promise<void>;
}

/** What the lab needs: namespaces, HAProxy, the tools that wire and probe them, and what the apply script runs. */
export const LAB_REQUIREMENTS: Requirement[] = [
  ...new Set([NETWORK_NAMESPACES, HAPROXY, OPENSSL, SS, SYSCTL, CURL, ...APPLY_SCRIPT_PROGRAMS]),
];

/** Why the lab can't run on this machine, or undefined (the benchmark's check; tests use requirements()). */
export async function labProblem(): Promise<string | undefined> {
  for (const r of LAB_REQUIREMENTS) {
    const problem = await r.problem();
    if (problem) return `${problem} (${r.fix})`;
  }
  return undefined;
}

export async function startLab(opts: TopologyOptions = {}): Promise<Lab> {
  const topology = await createTopology(opts);
  const lab: Lab = {
    topology,
    backends: [],
    agent: undefined as unknown as ClientAgent,
    haproxy: undefined,
    async startHaproxy(cfgText) {
      await lab.haproxy?.stop();
      lab.haproxy = await startHaproxy(topology, cfgText);
      return lab.haproxy;
    },
    async stop() {
      // Each step on its own: a failed stop must not leave the namespaces behind.
      await lab.haproxy?.stop().catch(() => undefined);
      await lab.agent?.stop().catch(() => undefined);
      for (const b of lab.backends) await b.kill().catch(() => undefined);
      await topology.destroy();
    },
  };
  try {
    lab.backends = await Promise.all(topology.backends.map((_, i) => makeBackend(topology, i)));
    lab.agent = await ClientAgent.start(topology);
  } catch (e) {
    await lab.stop();
    throw e;
  }
  return lab;
}

/**
 * A valid spec as the loader would produce it, for rendering, with the lab's
 * backends. The lab's one client stands in for many clients under load, so the
 * per-client limits are at their loosest here; traffic-limits.test.ts sets its own.
 */
export function trafficSpec(overrides: Partial<ProxySpec> = {}): ProxySpec {
  return proxySpec({
    name: "traffic",
    file: "proxies/traffic.yaml",
    resourceGroup: "rg-traffic",
    backends: [ADDR.backendV4[0], ADDR.backendV4[1]],
    limits: {
      connectionsPerClient: LIMIT_BOUNDS.connectionsPerClient[1],
      newConnectionsPerClient: LIMIT_BOUNDS.newConnectionsPerClient[1],
      idleTimeoutSeconds: LIMIT_BOUNDS.idleTimeoutSeconds[1],
    },
    ...overrides,
  });
}

/** Requests to the proxy's IPv6 address, as a client on the internet would make them. */
export const viaProxy = {
  https: (servername?: string, extra: Partial<Probe> = {}): Probe => ({
    host: ADDR.proxyV6,
    port: 443,
    tls: true,
    ...(servername ? { servername } : {}),
    ...extra,
  }),
  http: (hostHeader: string, extra: Partial<Probe> = {}): Probe => ({
    host: ADDR.proxyV6,
    port: 80,
    tls: false,
    hostHeader,
    ...extra,
  }),
};

export interface ServerState {
  backend: string;
  server: string;
  /** HAProxy's srv_op_state: 0 stopped, 1 starting, 2 running, 3 stopping. */
  operational: number;
}

/** `show servers state` of the current worker, through the master CLI (`@1`). */
export async function serverStates(haproxy: HaproxyInstance): Promise<ServerState[]> {
  const text = await masterCommand(haproxy.masterSocket, "@1 show servers state");
  return text
    .split("\n")
    .filter((l) => /^\d+ /.test(l))
    .map((l) => l.split(" "))
    .map((f) => ({ backend: f[1] ?? "", server: f[3] ?? "", operational: Number(f[5]) }));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves once `check` holds: for state a test waits on, such as HAProxy's
 * verdict on a server. It looks every 50 ms and gives up after 30 s, a guard
 * against waiting forever, not a measure of speed.
 */
export async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; !(await check()); waited += 50) {
    if (waited > 30_000) throw new Error(`gave up waiting: ${what}`);
    await sleep(50);
  }
}
