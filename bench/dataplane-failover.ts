/**
 * Failover of a proxy with replicas, measured in the HA lab (test/support/ha-lab.ts):
 * an IPv6 client, an nftables load balancer whose prober behaves like Azure's
 * health probe with the settings the engine gives it (every 5 s, 2 failures
 * to take a replica out), two replicas running real HAProxy with the rendered
 * config, IPv4 backends.
 *
 * Per round, under load (6 clients, a new TLS connection per request):
 * - host lost: replica 2 stops answering anything (its packets are dropped,
 *   as when its host fails: clients wait for their connect timeout, 3 s here,
 *   instead of getting a reset) and its processes die; how long until the
 *   load balancer stops sending it new flows, how many requests failed
 *   meanwhile and when the last one failed;
 * - drain: replica 1's health endpoint is set to fail (the script the engine
 *   runs before it replaces a replica); how long until it is out of rotation,
 *   and how many requests failed (none should).
 */

import { renderHaproxyConfig } from "../src/dataplane/haproxy.js";
import { healthScript } from "../src/dataplane/health.js";
import { PROBE_INTERVAL_SECONDS, PROBE_THRESHOLD, PROBE_WINDOW_SECONDS } from "../src/model/replicas.js";
import {
  HA_ADDR,
  HA_LAB_REQUIREMENTS,
  type HaLab,
  type ProberMark,
  type Replica,
  startHaLab,
} from "../test/support/ha-lab.js";
import { ADDR, run } from "../test/support/netns.js";
import { sleep, trafficSpec } from "../test/support/traffic-lab.js";
import type { Probe } from "../test/support/traffic-protocol.js";

const NAME = "bench.example.test";
const PROBE = { intervalMs: PROBE_INTERVAL_SECONDS * 1000, threshold: PROBE_THRESHOLD };
const WINDOW_MS = PROBE_WINDOW_SECONDS * 1000;
const CONCURRENCY = 6;

const CONFIG = renderHaproxyConfig(
  trafficSpec({
    replicas: 2,
    zones: ["1", "2"],
    proxyProtocol: "v2",
    backends: [ADDR.backendV4[0]],
    routes: [{ hostnames: [NAME], backends: [ADDR.backendV4[1]] }],
  }),
);
const viaLb = (servername: string): Probe => ({
  host: HA_ADDR.vip,
  port: 443,
  tls: true,
  servername,
  timeoutMs: 3000,
});
const PROBES = [viaLb(NAME), viaLb("other.example.test")];

interface FailoverSample {
  /** From the event to the load balancer taking the replica out of rotation. */
  outMs: number;
  total: number;
  failed: number;
  /** From the event to the end of the last failed request (0 when none failed). */
  lastFailureMs: number;
  /** From the event to the start of the latest-started failed request (0 when none failed). */
  lastFailedStartMs: number;
}

/** A host that fails answers nothing: every packet into the replica is dropped, then its processes die. */
async function loseHost(replica: Replica): Promise<void> {
  await run("ip", ["netns", "exec", replica.ns, "nft", "add table inet hostdown"]);
  await run("ip", [
    "netns",
    "exec",
    replica.ns,
    "nft",
    "add chain inet hostdown input { type filter hook input priority -300; policy drop; }",
  ]);
  await replica.crash();
}

async function restoreHost(replica: Replica): Promise<void> {
  await run("ip", ["netns", "exec", replica.ns, "nft", "delete table inet hostdown"]);
  await replica.start(CONFIG);
}

export async function failoverProblem(): Promise<string | undefined> {
  for (const r of HA_LAB_REQUIREMENTS) {
    const problem = await r.problem();
    if (problem) return `${problem} (${r.fix})`;
  }
  return undefined;
}

async function bothUp(lab: HaLab, since: ProberMark): Promise<void> {
  await Promise.all(lab.replicas.map((r) => lab.waitForState(r.name, "up", since, 60_000)));
}

/** Load for as long as the probe window plus some, with `event` fired one second in. */
async function underLoad(lab: HaLab, replica: Replica, event: () => Promise<void>): Promise<FailoverSample> {
  const load = lab.agent.load({ probes: PROBES, durationMs: WINDOW_MS + 6000, concurrency: CONCURRENCY });
  await sleep(1000);
  const mark = await lab.mark();
  const at = Date.now();
  await event();
  const { at: outAt } = await lab.waitForState(replica.name, "down", mark, WINDOW_MS + 15_000);
  const result = await load;
  return {
    outMs: outAt - at,
    total: result.total,
    failed: result.failed,
    lastFailureMs: result.lastFailureAt ? result.lastFailureAt - at : 0,
    lastFailedStartMs: result.lastFailedStartAt ? result.lastFailedStartAt - at : 0,
  };
}

export async function measureFailover(rounds: number): Promise<string> {
  const crash: FailoverSample[] = [];
  const drain: FailoverSample[] = [];
  const lab = await startHaLab({ tag: "bench-ha", probe: PROBE });
  try {
    const [r1, r2] = lab.replicas as [Replica, Replica];
    let since = await lab.mark();
    for (const r of lab.replicas) await r.start(CONFIG);
    await bothUp(lab, since);
    for (let round = 0; round < rounds; round++) {
      crash.push(await underLoad(lab, r2, () => loseHost(r2)));
      console.error(`failover round ${round + 1}/${rounds} host lost: ${JSON.stringify(crash.at(-1))}`);
      since = await lab.mark();
      await restoreHost(r2);
      await lab.waitForState(r2.name, "up", since, 60_000);

      drain.push(
        await underLoad(lab, r1, async () => {
          const out = await r1.runScript(healthScript("drain"));
          if (!out.stdout.includes("health endpoint: http=503")) throw new Error(`drain failed: ${out.stdout}`);
        }),
      );
      console.error(`failover round ${round + 1}/${rounds} drain: ${JSON.stringify(drain.at(-1))}`);
      since = await lab.mark();
      await r1.runScript(healthScript("serve"));
      await lab.waitForState(r1.name, "up", since, 60_000);
    }
  } finally {
    await lab.stop();
  }
  return failoverReport(rounds, crash, drain);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const secs = (ms: number) => (ms / 1000).toFixed(1);

function failoverReport(rounds: number, crash: FailoverSample[], drain: FailoverSample[]): string {
  const row = (what: string, xs: FailoverSample[]) => {
    const out = xs.map((x) => x.outMs);
    const failed = xs.map((x) => x.failed);
    const total = xs.map((x) => x.total);
    return (
      `| ${what} | ${secs(median(out))} s (${secs(Math.min(...out))}–${secs(Math.max(...out))} s) ` +
      `| ${median(failed)} of ${median(total)} (${failed.join(", ")}) ` +
      `| ${secs(median(xs.map((x) => x.lastFailedStartMs)))} s (at most ${secs(Math.max(...xs.map((x) => x.lastFailedStartMs)))} s) ` +
      `| ${secs(median(xs.map((x) => x.lastFailureMs)))} s (at most ${secs(Math.max(...xs.map((x) => x.lastFailureMs)))} s) |`
    );
  };
  return [
    `Failover (\`bench/dataplane-failover.ts\`, the HA lab of \`test/dataplane/traffic-ha.test.ts\`): ${rounds} rounds; ` +
      `the load balancer's probe runs every ${PROBE_INTERVAL_SECONDS} s and takes a replica out after ${PROBE_THRESHOLD} ` +
      `failures, as the engine configures Azure's (probe window ${PROBE_WINDOW_SECONDS} s); ${CONCURRENCY} clients, ` +
      "a new TLS connection per request (3 s connect timeout), half of them to each replica while both serve.",
    "",
    "| Event | Out of rotation after, median (range) | Failed requests, median (per round) | Last failed request started after the event, median | It ended, median |",
    "|---|---|---|---|---|",
    row("replica's host lost (no answer at all)", crash),
    row("replica drained (health endpoint fails)", drain),
  ].join("\n");
}
