/**
 * Engine benchmark, against the emulator with 50 ms added to every request:
 *  1. a plan of 1..500 existing proxies (1 and 5 resource groups): ARM
 *     requests and wall time of the engine's list-based observer, next to a
 *     per-resource-GET observer (baseline-observer.ts) in the same run, both at
 *     the engine's default concurrency; at the emulator's page size (20) for
 *     every world and at 1000 from 100 proxies on;
 *  2. the makespan of applying 20 new proxies against applying 1, at engine
 *     concurrency 8, 20 (the default) and 32.
 * Medians of BENCH_REPS runs (default 3); engine and baseline alternate, so
 * the machine's noise hits both alike. About 5 minutes on 2 shared cores.
 *
 *  3. the makespan of a config change rolled over 1, 2 and 3 replicas (engine-rollout.ts).
 *
 *   npm run bench          (BENCH_REPS=3, BENCH_SIZES=1,10,100,500)
 *   BENCH_ONLY=rollout npm run bench      (part 3 only)
 *
 * Writes the "## Engine" section of BENCHMARKS.md (engine-report.ts; other sections are kept),
 * and part 3 its own section.
 */

import { randomUUID } from "node:crypto";
import { Session } from "node:inspector/promises";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import type { AzureConnection } from "../src/azure/clients.js";
import { emulatorConnection } from "../src/azure/emulator-connection.js";
import { encodeUserData } from "../src/dataplane/vmscripts.js";
import { type Emulator, type EmulatorOptions, type RequestLogEntry, startEmulator } from "../src/emulator/server.js";
import { desiredProxy } from "../src/engine/desired.js";
import { armId } from "../src/model/arm-id.js";
import { TAG_CONFIG_HASH } from "../src/model/names.js";
import { applyPlan, DEFAULT_CONCURRENCY, type OperationContext, planFromDir } from "../src/operations.js";
import { countChanges } from "../src/plan/counts.js";
import type { Plan } from "../src/plan/types.js";
import { loadProxyDir } from "../src/proxyfile/load.js";
import { silentLogger } from "../test/support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../test/support/proxy-files.js";
import { baselinePlan } from "./baseline-observer.js";
import {
  APPLY_SHAPES,
  breakdown,
  type EngineSettings,
  engineSection,
  isPage,
  longestList,
  med,
  ms,
  type Report,
  type Sample,
} from "./engine-report.js";
import { writeRolloutSection } from "./engine-rollout.js";
import { writeSection } from "./report.js";

const SETTINGS: EngineSettings = {
  reps: Number(process.env.BENCH_REPS ?? 3),
  latencyMs: 50,
  sizes: (process.env.BENCH_SIZES ?? "1,10,100,500").split(",").map(Number),
  layouts: [1, 5], // resource groups the proxies are spread over
  pageSize: 20, // the emulator's default, passed explicitly so the report states what was measured
  largePageSize: 1000,
  largePageFrom: 100,
  defaultConcurrency: DEFAULT_CONCURRENCY,
  populateConcurrency: 64,
  /** Largest world populated by apply; beyond it, by copies (see copyProxies). */
  applyPopulateMax: 100,
  applyConcurrencies: [8, DEFAULT_CONCURRENCY, 32],
};
const {
  reps: REPS,
  latencyMs: LATENCY_MS,
  sizes: SIZES,
  pageSize: PAGE_SIZE,
  largePageSize: LARGE_PAGE_SIZE,
} = SETTINGS;
const pageSizesFor = (n: number) => [PAGE_SIZE, ...(n >= SETTINGS.largePageFrom ? [LARGE_PAGE_SIZE] : [])];
const OWNER = "bench/engine";
const ZONE = "example.nl";

const progress = (line: string) => void process.stderr.write(`${line}\n`);

async function startBenchEmulator(): Promise<{ em: Emulator; options: EmulatorOptions; connection: AzureConnection }> {
  const options: EmulatorOptions = { pageSize: PAGE_SIZE };
  const em = await startEmulator(options);
  return { em, options, connection: emulatorConnection(em, { pollIntervalMs: 10 }) };
}

/** Without a concurrency, the engine's default (DEFAULT_CONCURRENCY) applies. */
const context = (connection: AzureConnection, subscriptionId: string, concurrency?: number): OperationContext => ({
  connection,
  owner: OWNER,
  defaultSubscriptionId: subscriptionId,
  log: silentLogger,
  ...(concurrency === undefined ? {} : { concurrency }),
});

async function measure(
  em: Emulator,
  fn: () => Promise<unknown>,
): Promise<Sample & { log: RequestLogEntry[]; startedAt: number }> {
  em.resetRequests();
  const startedAt = Date.now();
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  await fn();
  const elapsed = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  const log = em.requests.filter((r) => r.kind === "arm");
  return {
    ms: elapsed,
    cpuMs: (cpu.user + cpu.system) / 1000,
    requests: log.length,
    pages: log.filter(isPage).length,
    log,
    startedAt,
  };
}

/**
 * Waits until the emulator has had no request for 100 ms. A plan can return with requests still to come: when a
 * resource group does not exist, its first 404 ends its lists, and the group's other lists finish on their own.
 * Left running, they would land in the next measurement.
 */
async function quiet(em: Emulator): Promise<void> {
  for (let seen = -1; seen !== em.requests.length || em.requests.some((r) => r.status === 0); ) {
    seen = em.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function mustBeNoop(plan: Plan | undefined, what: string): Plan {
  if (!plan || plan.changes.some((c) => c.action !== "noop") || plan.errors.length) {
    throw new Error(
      `${what}: expected a plan without changes, got ${JSON.stringify(plan ? countChanges(plan.changes) : "no plan")}`,
    );
  }
  return plan;
}

const proxyName = (i: number) => `p${String(i).padStart(3, "0")}`;

/** Adds proxy files until the directory holds `target`; returns the new ones' names. */
function addFiles(files: ProxyDir, from: number, target: number, layout: number): string[] {
  const names: string[] = [];
  for (let i = from; i < target; i++) {
    const name = proxyName(i);
    files.write(
      name,
      proxyYaml({
        name,
        resourceGroup: `rg-bench-${i % layout}`,
        zone: ZONE,
        dnsResourceGroup: "rg-dns",
        records: [name],
      }),
    );
    names.push(name);
  }
  return names;
}

/**
 * Beyond SETTINGS.applyPopulateMax proxies, new proxies are copies of ones applied for real: the same stored
 * resources under the new names, with the new proxy's HAProxy config (which names the proxy). Applying
 * them for real would take minutes, as every emulator write looks through all stored resources for
 * references (500 proxies by apply took 334 s once). The copies' public IP addresses repeat their
 * template's; no plan reads them as unique. Both observers must then plan no changes.
 */
async function copyProxies(em: Emulator, files: ProxyDir, sub: string, names: string[], layout: number): Promise<void> {
  const specs = new Map((await loadProxyDir(files.dir)).proxies.map((p) => [p.name, p]));
  for (const name of names) {
    const template = proxyName(Number(name.slice(1)) % layout); // same resource group
    const from = desiredProxy(specs.get(template)!, sub, OWNER);
    const to = desiredProxy(specs.get(name)!, sub, OWNER);
    const ids = [
      ...from.resources.filter((r) => r.kind !== "resourceGroup").map((r) => r.id),
      armId(sub, from.spec.resourceGroup, "Microsoft.Compute", "disks", from.names.osDisk),
    ];
    for (const id of ids) {
      const stored = em.getResource(id);
      if (!stored) throw new Error(`populate: template resource ${id} is missing`);
      const renamed = (text: string) => text.replace(new RegExp(`\\b${template}\\b`, "g"), name);
      const body = JSON.parse(renamed(JSON.stringify(stored))) as {
        type: string;
        properties: { userData?: string };
        tags: Record<string, string>;
      };
      if (String(body.type).toLowerCase() === "microsoft.compute/virtualmachines") {
        body.properties.userData = encodeUserData(to.config);
        body.tags[TAG_CONFIG_HASH] = to.configSha256;
      }
      em.seedResource(renamed(id), body);
    }
  }
}

/** Grows the world to `target` proxies at latency 0 and checks that a re-plan shows no changes. */
async function populate(
  em: Emulator,
  files: ProxyDir,
  ctx: OperationContext,
  from: number,
  target: number,
  layout: number,
): Promise<{ ms: number; by: string }> {
  em.setLatencyMs(0);
  const start = performance.now();
  let by = "none";
  if (target > from) {
    const appliedUpTo = Math.max(from, Math.min(target, SETTINGS.applyPopulateMax));
    if (appliedUpTo > from) {
      addFiles(files, from, appliedUpTo, layout);
      const planned = await planFromDir(files.dir, { ...ctx, concurrency: SETTINGS.populateConcurrency });
      if (!planned.plan) throw new Error(`populate: spec errors ${JSON.stringify(planned.specErrors)}`);
      await applyPlan(planned, { ...ctx, concurrency: SETTINGS.populateConcurrency }, { allowDestroy: false });
      by = "apply";
    }
    if (target > appliedUpTo) {
      await copyProxies(em, files, ctx.defaultSubscriptionId!, addFiles(files, appliedUpTo, target, layout), layout);
      by = by === "apply" ? "apply + copies" : "copies";
    }
  }
  mustBeNoop((await planFromDir(files.dir, ctx)).plan, `re-plan after populating ${target}`);
  return { ms: performance.now() - start, by };
}

/**
 * One run under the CPU profiler: how much of the process's CPU went to frames under src/emulator/
 * (emulator and engine share the process). GC and Node internals called from the emulator without a
 * JS frame count as "other", so the emulator's share is a lower bound.
 */
async function profiled(fn: () => Promise<unknown>): Promise<{ ms: number; busyMs: number; emulatorMs: number }> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  // Profile timestamps are microseconds of the same monotonic clock as hrtime; only samples inside the run count.
  const from = Number(process.hrtime.bigint() / 1000n);
  await fn();
  const to = Number(process.hrtime.bigint() / 1000n);
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, boolean>();
  const inEmulator = (id: number): boolean => {
    if (!memo.has(id))
      memo.set(
        id,
        nodes.get(id)!.callFrame.url.includes("/src/emulator/") || (parent.has(id) && inEmulator(parent.get(id)!)),
      );
    return memo.get(id)!;
  };
  let busy = 0;
  let emulator = 0;
  let at = profile.startTime;
  (profile.samples ?? []).forEach((id, i) => {
    const dt = profile.timeDeltas?.[i] ?? 0;
    at += dt;
    if (at < from || at > to || nodes.get(id)!.callFrame.functionName === "(idle)") return;
    busy += dt;
    if (inEmulator(id)) emulator += dt;
  });
  return { ms: (to - from) / 1000, busyMs: busy / 1000, emulatorMs: emulator / 1000 };
}

/**
 * Plans one world at 50 ms: the engine at each page size, the baseline once (it lists nothing, so the page size
 * does not touch it). Engine and baseline alternate, so a slow spell on the shared machine hits both alike.
 */
async function planWorld(
  em: Emulator,
  options: EmulatorOptions,
  files: ProxyDir,
  ctx: OperationContext,
  pageSizes: number[],
): Promise<{ engine: Map<number, Sample[]>; baseline: Sample[]; logs: Map<number, RequestLogEntry[]> }> {
  const engine = new Map(pageSizes.map((ps) => [ps, [] as Sample[]]));
  const logs = new Map<number, RequestLogEntry[]>();
  const baseline: Sample[] = [];
  const baselineOpts = {
    connection: ctx.connection,
    subscriptionId: ctx.defaultSubscriptionId!,
    owner: OWNER,
    concurrency: DEFAULT_CONCURRENCY,
  };
  em.setLatencyMs(LATENCY_MS);
  for (let rep = 0; rep < REPS; rep++) {
    const runEngine = async () => {
      for (const pageSize of pageSizes) {
        options.pageSize = pageSize; // the emulator reads it per request
        const s = await measure(em, async () => mustBeNoop((await planFromDir(files.dir, ctx)).plan, "engine plan"));
        engine.get(pageSize)!.push(s);
        logs.set(pageSize, s.log);
      }
    };
    const runBaseline = async () =>
      baseline.push(
        await measure(em, async () => mustBeNoop(await baselinePlan(files.dir, baselineOpts), "baseline plan")),
      );
    if (rep % 2 === 0) {
      await runEngine();
      await runBaseline();
    } else {
      await runBaseline();
      await runEngine();
    }
  }
  em.setLatencyMs(0);
  options.pageSize = PAGE_SIZE;
  return { engine, baseline, logs };
}

async function planCells(layout: number, report: Report): Promise<void> {
  const { em, options, connection } = await startBenchEmulator();
  const sub = em.subscriptionId;
  em.seedDnsZone(sub, "rg-dns", ZONE);
  const files = new ProxyDir();
  const ctx = context(connection, sub);
  const biggest = Math.max(...SIZES);
  try {
    let have = 0;
    for (const n of SIZES) {
      const populated = await populate(em, files, ctx, have, n, layout);
      have = n;
      const { engine, baseline, logs } = await planWorld(em, options, files, ctx, pageSizesFor(n));
      const runs = (xs: Sample[]) => xs.map((x) => Math.round(x.ms)).join(", ");
      progress(
        `plan ${n} proxies / ${layout} group(s): baseline ${runs(baseline)} ms (populate by ${populated.by} ${ms(populated.ms)})`,
      );
      for (const [pageSize, samples] of engine) {
        if (pageSize === LARGE_PAGE_SIZE && med(samples, "pages") > 2 * Math.ceil((8 * n) / LARGE_PAGE_SIZE))
          throw new Error("the emulator's page size did not change");
        report.plans.push({ proxies: n, layout, groups: Math.min(layout, n), pageSize, engine: samples, baseline });
        progress(`  engine at page size ${pageSize}: ${runs(samples)} ms`);
      }
      if (n !== biggest) continue;
      report.breakdown.push(...breakdown(logs.get(PAGE_SIZE)!).map((b) => ({ ...b, layout, proxies: n })));
      report.longest.push({ layout, proxies: n, ...longestList(logs.get(PAGE_SIZE)!) });
      options.pageSize = LARGE_PAGE_SIZE;
      em.setLatencyMs(LATENCY_MS);
      const cpu = await profiled(async () => mustBeNoop((await planFromDir(files.dir, ctx)).plan, "engine plan"));
      em.setLatencyMs(0);
      options.pageSize = PAGE_SIZE;
      report.profiles.push({ layout, proxies: n, pageSize: LARGE_PAGE_SIZE, ...cpu });
    }
  } finally {
    files.cleanup();
    await em.close();
  }
}

async function applyCells(report: Report): Promise<void> {
  const { em, connection } = await startBenchEmulator();
  try {
    for (let rep = 0; rep < REPS; rep++) {
      for (const concurrency of SETTINGS.applyConcurrencies) {
        for (const shape of APPLY_SHAPES) {
          // A fresh subscription each time: new resource groups, nothing to find.
          const sub = randomUUID();
          em.seedDnsZone(sub, "rg-dns", ZONE);
          const files = new ProxyDir();
          for (let i = 0; i < shape.proxies; i++) {
            const name = `new${String(i).padStart(2, "0")}`;
            files.write(
              name,
              proxyYaml({
                name,
                resourceGroup: `rg-new-${i % shape.groups}`,
                zone: ZONE,
                dnsResourceGroup: "rg-dns",
                records: [name],
              }),
            );
          }
          const ctx = context(connection, sub, concurrency);
          em.setLatencyMs(0);
          const planned = await planFromDir(files.dir, ctx);
          if (!planned.plan) throw new Error(`spec errors ${JSON.stringify(planned.specErrors)}`);
          await quiet(em);
          em.setLatencyMs(LATENCY_MS);
          const s = await measure(em, async () => {
            const out = await applyPlan(planned, ctx, { allowDestroy: false });
            if (out.proxies.length !== shape.proxies || out.proxies.some((p) => p.status !== "created"))
              throw new Error(`apply of ${shape.label} did not create every proxy`);
          });
          files.cleanup();
          const firstProxyRequest = s.log.find(
            (r) => !(r.method === "PUT" && /\/resourcegroups\/[^/]+$/i.test(r.path)),
          );
          const groupsMs = firstProxyRequest ? firstProxyRequest.at.getTime() - s.startedAt : s.ms;
          const key = `${shape.label}@${concurrency}`;
          let row = report.applies.find((a) => a.key === key);
          if (!row) {
            row = {
              key,
              label: shape.label,
              proxies: shape.proxies,
              groups: shape.groups,
              concurrency,
              samples: [],
            };
            report.applies.push(row);
          }
          row.samples.push({ ms: s.ms, cpuMs: s.cpuMs, requests: s.requests, pages: s.pages, groupsMs });
        }
      }
      progress(`apply round ${rep + 1}/${REPS} done`);
    }
  } finally {
    await em.close();
  }
}

if (process.env.BENCH_ONLY === "rollout") {
  process.stdout.write(`${await writeRolloutSection(REPS, progress)}\nWritten to BENCHMARKS.md.\n`);
  process.exit(0);
}

const started = performance.now();
const report: Report = {
  settings: SETTINGS,
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, Node ${process.versions.node}`,
  loadAtStart: loadavg()[0]!,
  loadAtEnd: 0,
  totalMs: 0,
  plans: [],
  breakdown: [],
  longest: [],
  profiles: [],
  applies: [],
};
for (const layout of SETTINGS.layouts) await planCells(layout, report);
await applyCells(report);
report.totalMs = performance.now() - started;
report.loadAtEnd = loadavg()[0]!;
const text = engineSection(report);
writeSection("Engine", text);
process.stdout.write(`${text}\nWritten to BENCHMARKS.md.\n`);
process.stdout.write(`${await writeRolloutSection(REPS, progress)}\nWritten to BENCHMARKS.md.\n`);
