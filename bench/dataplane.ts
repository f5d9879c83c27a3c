/**
 * Data-plane benchmark: real HAProxy, rendered by renderHaproxyConfig, between
 * an IPv6 client and an IPv4 backend in network namespaces (see
 * test/support/netns.ts), against the same client talking to the same backend
 * directly over IPv4 (routed by the proxy namespace's kernel, so both paths
 * cross the same veth links; only HAProxy's relay differs).
 *
 *   npm run bench:dataplane     (root; env BENCH_ROUNDS=3 BENCH_MIB=1024 BENCH_LATENCY_REQUESTS=1000)
 *   BENCH_ONLY=failover npm run bench:dataplane    (only the failover of replicas, dataplane-failover.ts)
 *
 * The machine is small and shared, so every proxy number is compared with a
 * direct number measured right next to it, variants are interleaved, and each
 * figure is the median over rounds. Prints a Markdown section for BENCHMARKS.md
 * on stdout, progress on stderr.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus, release } from "node:os";
import { promisify } from "node:util";
import { type HaproxyOptions, renderHaproxyConfig } from "../src/dataplane/haproxy.js";
import { ADDR, run } from "../test/support/netns.js";
import { masterCommand } from "../test/support/netns-haproxy.js";
import { HAPROXY } from "../test/support/requirements.js";
import { type Lab, labProblem, sleep, startLab, trafficSpec } from "../test/support/traffic-lab.js";
import type { Probe } from "../test/support/traffic-protocol.js";
import { failoverProblem, measureFailover } from "./dataplane-failover.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MIB = Number(process.env.BENCH_MIB ?? 1024);
const LATENCY_REQUESTS = Number(process.env.BENCH_LATENCY_REQUESTS ?? 1000);
const RATE_MS = 2000;
/** "failover" runs only the replicas' failover; unset runs everything. */
const ONLY = process.env.BENCH_ONLY;
const NAME = "bench.example.test";
const B1 = ADDR.backendV4[0];

type Splice = "auto" | "off" | "forced";
interface Variant {
  name: string;
  splice: Splice;
  nbthread: number;
}
const VARIANTS: Variant[] = [
  { name: "splice-auto, nbthread 2", splice: "auto", nbthread: 2 },
  { name: "splice-auto, nbthread 1", splice: "auto", nbthread: 1 },
  { name: "no splice, nbthread 2", splice: "off", nbthread: 2 },
  { name: "splice-request/response, nbthread 2 (renderer default)", splice: "forced", nbthread: 2 },
  { name: "splice-request/response, nbthread 1", splice: "forced", nbthread: 1 },
];

/** One route, so the proxy inspects SNI (443) and Host (80) as in production. */
function config(splice: Splice, nbthread?: number): string {
  const opts: HaproxyOptions = { splice, nbthread };
  return renderHaproxyConfig(trafficSpec({ backends: [B1], routes: [{ hostnames: [NAME], backends: [B1] }] }), opts);
}

type Side = "proxy" | "direct";
const address: Record<Side, string> = { proxy: `[${ADDR.proxyV6}]`, direct: B1 };
const probe = (side: Side, tls: boolean): Probe => ({
  host: side === "proxy" ? ADDR.proxyV6 : B1,
  port: tls ? 443 : 80,
  tls,
  servername: NAME,
  timeoutMs: 10_000,
});

/** A large download with curl (C, not Node) in the client namespace, so the client is not the bottleneck. */
async function download(lab: Lab, side: Side, tls: boolean): Promise<number> {
  const port = tls ? 443 : 80;
  const out = await run("ip", [
    "netns",
    "exec",
    lab.topology.client,
    "curl",
    "-sSfk",
    "-o",
    "/dev/null",
    "-w",
    "%{size_download} %{speed_download}",
    "--resolve",
    `${NAME}:${port}:${address[side]}`,
    `${tls ? "https" : "http"}://${NAME}:${port}/bytes?n=${MIB * 2 ** 20}`,
  ]);
  const [size, speed] = out.split(" ").map(Number);
  if (size !== MIB * 2 ** 20) throw new Error(`download (${side}) got ${size} bytes`);
  return (speed ?? 0) / 2 ** 20;
}

/** CPU seconds of HAProxy's current workers, all threads (schedstat: nanosecond resolution). */
async function workerCpuSeconds(lab: Lab): Promise<number> {
  const { workers } = await lab.haproxy!.masterState();
  let ns = 0;
  for (const pid of workers) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    }
  }
  return ns / 1e9;
}

/** Per round, per metric: the proxy's value and the direct value measured next to it. */
type Sample = Record<string, { proxy: number; direct: number }>;

async function measure(lab: Lab, round: number): Promise<Sample> {
  const sample: Sample = {};
  const put = (metric: string, side: Side, value: number) => {
    sample[metric] ??= { proxy: NaN, direct: NaN };
    sample[metric][side] = value;
  };
  // Alternate who goes first, so warm-up or a noisy neighbour doesn't always hit the same side.
  const sides: Side[] = round % 2 ? ["proxy", "direct"] : ["direct", "proxy"];
  for (const tls of [false, true]) {
    const proto = tls ? "https" : "http";
    for (const side of sides) {
      const cpuBefore = await workerCpuSeconds(lab);
      put(`${proto} MiB/s`, side, await download(lab, side, tls));
      if (side === "proxy") put(`${proto} cpu s/GiB`, side, ((await workerCpuSeconds(lab)) - cpuBefore) / (MIB / 1024));
    }
    for (const side of sides) {
      const r = await lab.agent.latency({
        probe: probe(side, tls),
        count: tls ? LATENCY_REQUESTS / 2 : LATENCY_REQUESTS,
        warmup: 20,
      });
      if (r.failed) throw new Error(`${r.failed} failed ${proto} latency requests (${side})`);
      put(`${proto} p50`, side, r.p50Micros);
      put(`${proto} p99`, side, r.p99Micros);
    }
    for (const side of sides) {
      const cpuBefore = await workerCpuSeconds(lab);
      const r = await lab.agent.load({ probes: [probe(side, tls)], durationMs: RATE_MS, concurrency: 8 });
      if (r.failed) throw new Error(`${r.failed} failed ${proto} requests (${side}): ${JSON.stringify(r.errors)}`);
      put(`${proto} conn/s`, side, r.requestsPerSecond);
      if (side === "proxy")
        put(`${proto} cpu µs/conn`, side, (((await workerCpuSeconds(lab)) - cpuBefore) * 1e6) / r.total);
    }
  }
  return sample;
}

interface ReloadResult {
  total: number;
  failed: number;
  reloads: number;
  errors: Record<string, number>;
}

/** Reloads (USR2 to the master, as systemd does) every second while 8 clients keep connecting. */
async function reloadUnderLoad(lab: Lab): Promise<ReloadResult> {
  const cfg = config("auto");
  await lab.haproxy!.reload(cfg);
  const load = lab.agent.load({
    probes: [probe("proxy", true), probe("proxy", false)],
    durationMs: 9000,
    concurrency: 8,
  });
  let reloads = 0;
  await sleep(1000);
  for (; reloads < 6; reloads++) {
    await lab.haproxy!.reload(cfg);
    await sleep(1000);
  }
  const r = await load;
  return { total: r.total, failed: r.failed, reloads, errors: r.errors };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fmt = (n: number, digits = 0) => n.toFixed(digits);

function report(samples: Map<string, Sample[]>, reload: ReloadResult, haproxyVersion: string): string {
  const rows = [
    "| HAProxy settings | HTTP MiB/s proxy / direct (ratio) | HTTPS MiB/s proxy / direct (ratio) | HAProxy CPU s per GiB, HTTP / HTTPS " +
      "| HTTP p50 µs proxy / direct (added) | HTTPS p50 µs proxy / direct (added) | HTTP p99 µs proxy / direct " +
      "| HTTP conn/s proxy / direct | HTTPS conn/s proxy / direct | HAProxy CPU µs per connection, HTTP / HTTPS |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const [name, list] of samples) {
    const m = (key: string, side: Side) => median(list.map((s) => s[key]![side]));
    const ratio = (key: string) => fmt(median(list.map((s) => s[key]!.proxy / s[key]!.direct)), 2);
    const added = (key: string) => fmt(median(list.map((s) => s[key]!.proxy - s[key]!.direct)));
    const pd = (key: string) => `${fmt(m(key, "proxy"))} / ${fmt(m(key, "direct"))}`;
    rows.push(
      `| ${name} | ${pd("http MiB/s")} (${ratio("http MiB/s")}) | ${pd("https MiB/s")} (${ratio("https MiB/s")}) ` +
        `| ${fmt(m("http cpu s/GiB", "proxy"), 2)} / ${fmt(m("https cpu s/GiB", "proxy"), 2)} ` +
        `| ${pd("http p50")} (+${added("http p50")}) | ${pd("https p50")} (+${added("https p50")}) | ${pd("http p99")} ` +
        `| ${pd("http conn/s")} | ${pd("https conn/s")} ` +
        `| ${fmt(m("http cpu µs/conn", "proxy"))} / ${fmt(m("https cpu µs/conn", "proxy"))} |`,
    );
  }
  return [
    `Measured ${new Date().toISOString().slice(0, 10)}: ${ROUNDS} rounds, medians (ratios and added latency are medians of ` +
      `per-round differences); ${MIB} MiB per download (curl); ${LATENCY_REQUESTS} HTTP / ${LATENCY_REQUESTS / 2} HTTPS ` +
      `sequential requests per latency sample; connection rate with 8 concurrent clients for ${RATE_MS / 1000} s. ` +
      `Every request opens a new TCP (and TLS) connection.`,
    "",
    ...rows,
    "",
    `Reload under load (renderer defaults): ${reload.reloads} reloads during ${reload.total} requests ` +
      `(HTTPS + HTTP, 8 concurrent clients, new connection each): **${reload.failed} failed**` +
      (reload.failed ? ` ${JSON.stringify(reload.errors)}` : "") +
      ".",
    "",
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? "?"} (shared with other work while measuring), Linux ${release()}, ` +
      `${haproxyVersion}, Node ${process.version}, curl for downloads.`,
  ].join("\n");
}

async function main(): Promise<void> {
  const problem = (await labProblem()) ?? (await failoverProblem());
  if (problem) {
    console.error(`bench:dataplane needs network namespaces: ${problem}`);
    process.exitCode = 1;
    return;
  }
  if (ONLY === "failover") {
    console.log(await measureFailover(ROUNDS));
    return;
  }
  const haproxyVersion = (await promisify(execFile)(HAPROXY.path(), ["-v"])).stdout.split("\n")[0] ?? "";
  const lab = await startLab({ tag: "bench", clientIpv4Baseline: true });
  try {
    await lab.startHaproxy(config("auto"));
    const samples = new Map<string, Sample[]>(VARIANTS.map((v) => [v.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the variant order per round to spread slow phases of the machine over all of them.
      for (let i = 0; i < VARIANTS.length; i++) {
        const v = VARIANTS[(i + round) % VARIANTS.length]!;
        await lab.haproxy!.reload(config(v.splice, v.nbthread));
        await sleep(300);
        const s = await measure(lab, round);
        samples.get(v.name)!.push(s);
        const spliced = /TotalSplic\w*BytesOut: (\d+)/.exec(
          await masterCommand(lab.haproxy!.masterSocket, "@1 show info"),
        )?.[1];
        console.error(`round ${round + 1}/${ROUNDS} ${v.name} (spliced ${spliced} bytes): ${JSON.stringify(s)}`);
      }
    }
    console.log(report(samples, await reloadUnderLoad(lab), haproxyVersion));
  } finally {
    await lab.stop();
  }
  console.log(`\n${await measureFailover(ROUNDS)}`);
}

await main();
