/**
 * Engine benchmark, against the emulator with 50 ms added to every request:
 *  1. a plan of 1..500 existing proxies (1 and 5 resource groups): ARM
 *     requests and wall time of the engine's list-based observer, next to a
 *     per-resource-GET observer (baseline-observer.ts) in the same run, at the
 *     emulator's page size (20) up to 100 proxies and at 1000 from 100 on;
 *  2. the makespan of applying 20 new proxies against applying 1, at engine
 *     concurrency 8, 20 and 32.
 * Medians of BENCH_REPS runs (default 3); engine and baseline alternate, so
 * the machine's noise hits both alike. About 4 minutes on 2 shared cores.
 *
 *   npm run bench          (BENCH_REPS=3, BENCH_SIZES=1,10,100,500)
 *
 * Writes the "## Engine" section of BENCHMARKS.md (other sections are kept).
 */
import * as tls from "node:tls";
import { randomUUID } from "node:crypto";
import { Session } from "node:inspector/promises";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { ARM_SCOPE, startEmulator, type Emulator, type EmulatorOptions, type RequestLogEntry } from "../src/emulator/server.js";
import type { AzureConnection } from "../src/azure/clients.js";
import { createCredential } from "../src/azure/credentials.js";
import { applyPlan, planFromDir, type OperationContext } from "../src/operations.js";
import { loadProxyDir } from "../src/spec/load.js";
import { desiredProxy } from "../src/engine/desired.js";
import type { Plan } from "../src/plan/types.js";
import { silentLogger } from "../src/log.js";
import { armId, TAG_CONFIG_HASH } from "../src/model/names.js";
import { encodeUserData } from "../src/dataplane/vmscripts.js";
import { ProxyDir, proxyYaml } from "../test/support/proxy-files.js";
import { baselinePlan } from "./baseline-observer.js";
import { median, writeSection } from "./report.js";

const REPS = Number(process.env.BENCH_REPS ?? 3);
const SIZES = (process.env.BENCH_SIZES ?? "1,10,100,500").split(",").map(Number);
const LATENCY_MS = 50;
const PAGE_SIZE = 20; // the emulator's default, passed explicitly so the report states what was measured
const LARGE_PAGE_SIZE = 1000;
/** Largest world planned at the emulator's page size: beyond it, its per-page cost swamps the measurement (see section()). */
const SMALL_PAGE_MAX = 100;
/** Largest world populated by apply; beyond it, by copies (see copyProxies). */
const APPLY_POPULATE_MAX = 100;
const pageSizesFor = (n: number) => [...(n <= SMALL_PAGE_MAX ? [PAGE_SIZE] : []), ...(n >= SMALL_PAGE_MAX ? [LARGE_PAGE_SIZE] : [])];
const PLAN_CONCURRENCY = 8; // OperationContext's default
const POPULATE_CONCURRENCY = 64;
const APPLY_CONCURRENCIES = [8, 20, 32];
const LAYOUTS = [1, 5]; // resource groups the proxies are spread over
const OWNER = "bench/engine";
const ZONE = "example.nl";

const progress = (line: string) => void process.stderr.write(`${line}\n`);

interface Sample {
  ms: number; requests: number; pages: number;
  /** Apply only: from the start until the first request that is not a resource group PUT (groups are created one by one first). */
  groupsMs?: number;
}
interface Report {
  date: string; machine: string; loadAtStart: number; loadAtEnd: number; totalMs: number;
  /** layout: the groups proxies are spread over; groups: how many they fill (1 proxy fills 1). */
  plans: { proxies: number; layout: number; groups: number; pageSize: number; engine: Sample[]; baseline: Sample[] }[];
  breakdown: { layout: number; proxies: number; label: string; requests: number; pages: number }[];
  profiles: { layout: number; proxies: number; ms: number; busyMs: number; emulatorMs: number }[];
  applies: { key: string; label: string; proxies: number; groups: number; concurrency: number; samples: Sample[] }[];
}

const med = (samples: Sample[], key: "ms" | "requests" | "pages") => median(samples.map((s) => s[key]));
/** Wall time as "median (fastest)": the spread on a shared machine is part of the result. */
const wall = (samples: Sample[]) => `${ms(med(samples, "ms"))} (${ms(Math.min(...samples.map((s) => s.ms)))})`;
const ms = (x: number): string => `${Math.round(x).toLocaleString("en-US")} ms`;
const num = (x: number): string => Math.round(x).toLocaleString("en-US");
const times = (x: number): string => `${x.toFixed(x < 10 ? 2 : 1)}×`;

// Trust the emulators through Node's default CA store, as production trusts Azure, rather than with a per-request
// `ca` list (the connection's `ca` option): that path re-reads ~150 root certificates per TLS connection and makes
// a client-CPU cost that real Azure does not have (see the notes in BENCHMARKS.md). One emulator at a time:
// their certificates share a subject name, so with several trusted, OpenSSL may check a chain against the wrong one.
const SYSTEM_CAS = tls.getCACertificates("default");

async function startBenchEmulator(): Promise<{ em: Emulator; options: EmulatorOptions; connection: AzureConnection }> {
  const options: EmulatorOptions = { pageSize: PAGE_SIZE };
  const em = await startEmulator(options);
  tls.setDefaultCACertificates([...SYSTEM_CAS, em.ca]);
  const credential = createCredential({ kind: "clientSecret", tenantId: em.tenantId, clientId: em.clientId, clientSecret: em.clientSecret, authorityHost: em.authorityHost });
  return { em, options, connection: { resourceManagerEndpoint: em.endpoint, credential, scope: ARM_SCOPE, pollIntervalMs: 10 } };
}

const context = (connection: AzureConnection, subscriptionId: string, concurrency: number): OperationContext =>
  ({ connection, owner: OWNER, defaultSubscriptionId: subscriptionId, log: silentLogger, concurrency });

const isPage = (r: RequestLogEntry) => /[?&](\$|%24)skiptoken=/i.test(r.query);

async function measure(em: Emulator, fn: () => Promise<unknown>): Promise<Sample & { log: RequestLogEntry[]; startedAt: number }> {
  em.resetRequests();
  const startedAt = Date.now();
  const start = performance.now();
  await fn();
  const elapsed = performance.now() - start;
  const log = em.requests.filter((r) => r.kind === "arm");
  return { ms: elapsed, requests: log.length, pages: log.filter(isPage).length, log, startedAt };
}

function mustBeNoop(plan: Plan | undefined, what: string): Plan {
  if (!plan || plan.changes.some((c) => c.action !== "noop") || plan.errors.length) {
    throw new Error(`${what}: expected a plan without changes, got ${JSON.stringify(plan?.counts ?? "no plan")}`);
  }
  return plan;
}

const proxyName = (i: number) => `p${String(i).padStart(3, "0")}`;

/** Adds proxy files until the directory holds `target`; returns the new ones' names. */
function addFiles(files: ProxyDir, from: number, target: number, layout: number): string[] {
  const names: string[] = [];
  for (let i = from; i < target; i++) {
    const name = proxyName(i);
    files.write(name, proxyYaml({ name, resourceGroup: `rg-bench-${i % layout}`, zone: ZONE, dnsResourceGroup: "rg-dns", records: [name] }));
    names.push(name);
  }
  return names;
}

/**
 * Beyond APPLY_POPULATE_MAX proxies, new proxies are copies of ones applied for real: the same stored
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
    const ids = [...from.resources.filter((r) => r.kind !== "resourceGroup").map((r) => r.id),
      armId(sub, from.spec.resourceGroup, "Microsoft.Compute", "disks", from.names.osDisk)];
    for (const id of ids) {
      const stored = em.getResource(id);
      if (!stored) throw new Error(`populate: template resource ${id} is missing`);
      const renamed = (text: string) => text.replace(new RegExp(`\\b${template}\\b`, "g"), name);
      const body = JSON.parse(renamed(JSON.stringify(stored))) as { type: string; properties: { userData?: string }; tags: Record<string, string> };
      if (String(body.type).toLowerCase() === "microsoft.compute/virtualmachines") {
        body.properties.userData = encodeUserData(to.config);
        body.tags[TAG_CONFIG_HASH] = to.configSha256;
      }
      em.seedResource(renamed(id), body);
    }
  }
}

/** Grows the world to `target` proxies at latency 0 and checks that a re-plan shows no changes. */
async function populate(em: Emulator, files: ProxyDir, ctx: OperationContext, from: number, target: number, layout: number): Promise<{ ms: number; by: string }> {
  em.setLatencyMs(0);
  const start = performance.now();
  let by = "none";
  if (target > from) {
    const appliedUpTo = Math.max(from, Math.min(target, APPLY_POPULATE_MAX));
    if (appliedUpTo > from) {
      addFiles(files, from, appliedUpTo, layout);
      const planned = await planFromDir(files.dir, { ...ctx, concurrency: POPULATE_CONCURRENCY });
      if (!planned.plan) throw new Error(`populate: spec errors ${JSON.stringify(planned.specErrors)}`);
      await applyPlan(planned.plan, { ...ctx, concurrency: POPULATE_CONCURRENCY }, { allowDestroy: false });
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
    if (!memo.has(id)) memo.set(id, nodes.get(id)!.callFrame.url.includes("/src/emulator/") || (parent.has(id) && inEmulator(parent.get(id)!)));
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

/** What the engine's requests were spent on, by the kind of list. */
function breakdown(log: RequestLogEntry[]): { label: string; requests: number; pages: number }[] {
  const kinds: [string, RegExp][] = [
    ["resource groups (per subscription)", /\/subscriptions\/[^/]+\/resourcegroups$/i],
    ["owned resources, tag filter (per subscription)", /\/subscriptions\/[^/]+\/resources$/i],
    ["NSG, VNet, public IP, NIC, VM lists (per group)", /\/providers\/microsoft\.(network|compute)\/[a-z]+$/i],
    ["AAAA record sets (per DNS zone)", /\/dnszones\/[^/]+\/aaaa$/i],
  ];
  const rows = kinds.map(([label, re]) => {
    const hits = log.filter((r) => re.test(r.path));
    return { label, requests: hits.length, pages: hits.filter(isPage).length };
  });
  const other = log.length - rows.reduce((s, r) => s + r.requests, 0);
  return other ? [...rows, { label: "other", requests: other, pages: 0 }] : rows;
}

/** Plans at 50 ms, engine and baseline alternating (so a slow spell on the shared machine hits both alike). */
async function planRow(em: Emulator, files: ProxyDir, ctx: OperationContext, connection: AzureConnection): Promise<{ engine: Sample[]; baseline: Sample[]; log: RequestLogEntry[] }> {
  const engine: Sample[] = [];
  const baseline: Sample[] = [];
  let log: RequestLogEntry[] = [];
  const sub = ctx.defaultSubscriptionId!;
  em.setLatencyMs(LATENCY_MS);
  for (let rep = 0; rep < REPS; rep++) {
    const runEngine = async () => {
      const s = await measure(em, async () => mustBeNoop((await planFromDir(files.dir, ctx)).plan, "engine plan"));
      engine.push(s);
      log = s.log;
    };
    const runBaseline = async () => baseline.push(await measure(em, async () => mustBeNoop(await baselinePlan(files.dir, { connection, subscriptionId: sub, owner: OWNER, concurrency: PLAN_CONCURRENCY }), "baseline plan")));
    if (rep % 2 === 0) { await runEngine(); await runBaseline(); } else { await runBaseline(); await runEngine(); }
  }
  em.setLatencyMs(0);
  return { engine, baseline, log };
}

async function planCells(layout: number, report: Report): Promise<void> {
  const { em, options, connection } = await startBenchEmulator();
  const sub = em.subscriptionId;
  em.seedDnsZone(sub, "rg-dns", ZONE);
  const files = new ProxyDir();
  const ctx = context(connection, sub, PLAN_CONCURRENCY);
  try {
    let have = 0;
    for (const n of SIZES) {
      const populated = await populate(em, files, ctx, have, n, layout);
      have = n;
      // The emulator reads its page size per request (options is live), so one world serves both sizes.
      for (const pageSize of pageSizesFor(n)) {
        options.pageSize = pageSize;
        const { engine, baseline, log } = await planRow(em, files, ctx, connection);
        if (pageSize === LARGE_PAGE_SIZE && med(engine, "pages") > 2 * Math.ceil((8 * n) / LARGE_PAGE_SIZE)) throw new Error("the emulator's page size did not change");
        report.plans.push({ proxies: n, layout, groups: Math.min(layout, n), pageSize, engine, baseline });
        if (pageSize === PAGE_SIZE && n === Math.max(...SIZES.filter((x) => x <= SMALL_PAGE_MAX))) report.breakdown.push(...breakdown(log).map((b) => ({ ...b, layout, proxies: n })));
        if (n === Math.max(...SIZES) && pageSize === LARGE_PAGE_SIZE) {
          em.setLatencyMs(LATENCY_MS);
          const cpu = await profiled(async () => mustBeNoop((await planFromDir(files.dir, ctx)).plan, "engine plan"));
          em.setLatencyMs(0);
          report.profiles.push({ layout, proxies: n, ...cpu });
        }
        const runs = (xs: Sample[]) => xs.map((x) => Math.round(x.ms)).join(", ");
        progress(`plan ${n} proxies / ${layout} group(s) / page size ${pageSize}: engine ${runs(engine)} ms, baseline ${runs(baseline)} ms ` +
          `(populate by ${populated.by} ${ms(populated.ms)})`);
      }
    }
  } finally {
    files.cleanup();
    await em.close();
  }
}

async function applyCells(report: Report): Promise<void> {
  const { em, connection } = await startBenchEmulator();
  const shapes = [
    { label: "1 proxy", proxies: 1, groups: 1 },
    { label: "20 proxies, 1 group", proxies: 20, groups: 1 },
    { label: "20 proxies, 20 groups", proxies: 20, groups: 20 },
  ];
  try {
    for (let rep = 0; rep < REPS; rep++) {
      for (const concurrency of APPLY_CONCURRENCIES) {
        for (const shape of shapes) {
          // A fresh subscription each time: new resource groups, nothing to find.
          const sub = randomUUID();
          em.seedDnsZone(sub, "rg-dns", ZONE);
          const files = new ProxyDir();
          for (let i = 0; i < shape.proxies; i++) {
            const name = `new${String(i).padStart(2, "0")}`;
            files.write(name, proxyYaml({ name, resourceGroup: `rg-new-${i % shape.groups}`, zone: ZONE, dnsResourceGroup: "rg-dns", records: [name] }));
          }
          const ctx = context(connection, sub, concurrency);
          em.setLatencyMs(0);
          const { plan } = await planFromDir(files.dir, ctx);
          em.setLatencyMs(LATENCY_MS);
          const s = await measure(em, async () => {
            const out = await applyPlan(plan!, ctx, { allowDestroy: false });
            if (out.proxies.length !== shape.proxies || out.proxies.some((p) => p.status !== "created")) throw new Error(`apply of ${shape.label} did not create every proxy`);
          });
          files.cleanup();
          const firstProxyRequest = s.log.find((r) => !(r.method === "PUT" && /\/resourcegroups\/[^/]+$/i.test(r.path)));
          const groupsMs = firstProxyRequest ? firstProxyRequest.at.getTime() - s.startedAt : s.ms;
          const key = `${shape.label}@${concurrency}`;
          let row = report.applies.find((a) => a.key === key);
          if (!row) report.applies.push((row = { key, label: shape.label, proxies: shape.proxies, groups: shape.groups, concurrency, samples: [] }));
          row.samples.push({ ms: s.ms, requests: s.requests, pages: s.pages, groupsMs });
        }
      }
      progress(`apply round ${rep + 1}/${REPS} done`);
    }
  } finally {
    await em.close();
  }
}

function section(r: Report): string {
  const word = (g: number) => `${g} group${g > 1 ? "s" : ""}`;
  const biggest = Math.max(...SIZES);
  // Requests besides pages, over the worlds whose proxies fill every group of their layout.
  const nonPage = (l: number) => [...new Set(r.plans.filter((p) => p.layout === l && p.groups === l).map((p) => med(p.engine, "requests") - med(p.engine, "pages")))];
  const big = r.plans.filter((p) => p.proxies === biggest && p.pageSize === LARGE_PAGE_SIZE);
  // The owned-resources list is one chain of pages: at PAGE_SIZE items a page, latency alone is a floor under the plan.
  const tagged = r.breakdown.find((b) => b.label.startsWith("owned"));
  const perProxy = tagged ? Math.round((tagged.requests * PAGE_SIZE) / tagged.proxies) : 0;
  const floorMs = Math.ceil((biggest * perProxy) / PAGE_SIZE) * LATENCY_MS;
  const applyMs = (c: number, label: string) => med(r.applies.find((a) => a.key === `${label}@${c}`)!.samples, "ms");
  const ratio = (c: number, label: string) => applyMs(c, label) / applyMs(c, "1 proxy");
  const [oneGroup, manyGroups] = ["20 proxies, 1 group", "20 proxies, 20 groups"] as const;
  const meets = (label: string) => APPLY_CONCURRENCIES.filter((c) => ratio(c, label) < 2);
  const from = (cs: number[]) => (cs.length ? `met from concurrency ${cs[0]}` : `missed at every concurrency measured (${APPLY_CONCURRENCIES.join(", ")})`);
  return [
    "## Engine",
    "",
    `\`npm run bench\` (bench/engine.ts, bench/baseline-observer.ts), ${r.date}, one run of ${ms(r.totalMs)}: the engine against the in-process emulator with ${LATENCY_MS} ms added to every request; ` +
      `median of ${REPS} runs per cell. Machine: ${r.machine}, shared with other work (1-minute load average ${r.loadAtStart.toFixed(1)} at the start, ${r.loadAtEnd.toFixed(1)} at the end): ` +
      "compare numbers side by side, not across runs. Requests: ARM only (token requests excluded); *pages*: list continuation pages (`$skiptoken`). " +
      `Emulator list page size: ${PAGE_SIZE} items (its default); worlds of ${SMALL_PAGE_MAX}+ proxies are also planned with ${LARGE_PAGE_SIZE}-item pages (see below).`,
    "",
    "### Plan of existing proxies (read-only)",
    "",
    `Worlds are populated at latency 0 (up to ${APPLY_POPULATE_MAX} proxies by apply, concurrency ${POPULATE_CONCURRENCY}; beyond, by copies of applied proxies' stored resources under new names, ` +
      `because applying 500 through the emulator takes minutes), then planned at ${LATENCY_MS} ms with concurrency ${PLAN_CONCURRENCY} (the default). ` +
      "*Engine*: `planFromDir` (list-based observer, src/azure/observe.ts). *Baseline*: the same files → `observeByGet` (one GET per resource by name: NSG, VNet, both public IPs, NIC, " +
      `VM with \`$expand=userData\`, the AAAA record; plus one existence check per resource group and DNS zone; same SDK clients; ${PLAN_CONCURRENCY} proxies at once, each with its GETs in parallel) → \`buildPlan\`. ` +
      "Every plan must show no changes. *Layout*: groups the proxies are spread over (proxy *i* in group *i* mod 5); *groups*: how many they fill.",
    "",
    "| Layout | Proxies | Groups | Page size | Engine requests (pages) | Engine wall, median (fastest) | Baseline requests | Baseline wall, median (fastest) | Requests baseline / engine | Wall baseline / engine (medians) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...r.plans.map((p) => {
      const [e, b] = [p.engine, p.baseline];
      return `| ${word(p.layout)} | ${p.proxies} | ${p.groups} | ${p.pageSize} | ${num(med(e, "requests"))} (${num(med(e, "pages"))}) | ${wall(e)} | ` +
        `${num(med(b, "requests"))} | ${wall(b)} | ${times(med(b, "requests") / med(e, "requests"))} | ${times(med(b, "ms") / med(e, "ms"))} |`;
    }),
    "",
    `Where the engine's requests go (one run, page size ${PAGE_SIZE}):`,
    "",
    "| Layout | Proxies | List | Requests | of which pages |",
    "| --- | ---: | --- | ---: | ---: |",
    ...r.breakdown.map((b) => `| ${word(b.layout)} | ${b.proxies} | ${b.label} | ${num(b.requests)} | ${num(b.pages)} |`),
    "",
    "A list's pages come one after another (each page's `nextLink` arrives with the page before), so the longest list is a floor under the wall time: " +
      `${LATENCY_MS} ms per ${PAGE_SIZE} items. The owned-resources list holds ${perProxy} items per proxy and must finish before the per-group lists start (src/azure/observe.ts step 1 → 2), ` +
      `so at page size ${PAGE_SIZE} a plan of ${biggest} proxies cannot take less than ${ms(floorMs)}. Above ${SMALL_PAGE_MAX} proxies nothing is planned at page size ${PAGE_SIZE} here: ` +
      "the emulator builds every item of a list for each page it serves (the page is cut afterwards), and each network item's back-references scan all stored resources, " +
      `so one page costs items × stored resources of CPU (a one-off engine plan of 500 proxies in 1 group at page size ${PAGE_SIZE} took over 3 minutes). ` +
      `The page size is raised on the running emulator; the run checks that the pages went down.`,
    "",
    `CPU during one more engine plan of ${biggest} proxies (page size ${LARGE_PAGE_SIZE}, profiled; emulator = frames under src/emulator/, a lower bound):`,
    "",
    "| Layout | Wall | CPU busy | of which emulator | Wall minus emulator CPU (rough) |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...r.profiles.map((p) => `| ${word(p.layout)} | ${ms(p.ms)} | ${ms(p.busyMs)} | ${ms(p.emulatorMs)} | ${ms(p.ms - p.emulatorMs)} |`),
    "",
    "### Apply: 20 new proxies vs 1",
    "",
    `Each apply goes into a fresh subscription (new resource groups; the DNS zone is seeded), planned at latency 0, applied at ${LATENCY_MS} ms. Makespan = \`applyPlan\` wall time. ` +
      "*Creating the groups*: from the start of `applyPlan` to its first request that is not a resource group PUT (`applyChanges` creates new groups one by one before any proxy starts).",
    "",
    `| Engine concurrency | 1 proxy | ${oneGroup} | ratio | ${manyGroups} | ratio | of which creating the groups |`,
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...APPLY_CONCURRENCIES.map((c) => {
      const groupsMs = median(r.applies.find((a) => a.key === `${manyGroups}@${c}`)!.samples.map((x) => x.groupsMs ?? 0));
      return `| ${c}${c === 8 ? " (default)" : ""} | ${ms(applyMs(c, "1 proxy"))} | ${ms(applyMs(c, oneGroup))} | ${times(ratio(c, oneGroup))} | ` +
        `${ms(applyMs(c, manyGroups))} | ${times(ratio(c, manyGroups))} | ${ms(groupsMs)} |`;
    }),
    "",
    "### Verdicts",
    "",
    `- **Requests constant in the number of proxies per resource group** (apart from pages): **${LAYOUTS.every((l) => nonPage(l).length <= 1) ? "met" : "missed"}**. ` +
      `Requests besides pages: ${LAYOUTS.map((l) => `${nonPage(l).join(" / ")} with ${word(l)}`).join(", ")} (2 per subscription, 5 per group, 1 per DNS zone), ` +
      "at every size whose proxies fill the layout's groups. " +
      `Pages grow with the items listed, ${PAGE_SIZE} a page: ${r.plans.filter((p) => p.proxies === SMALL_PAGE_MAX && p.pageSize === PAGE_SIZE).map((p) => `${num(med(p.engine, "pages"))} at ${p.proxies} proxies in ${word(p.groups)}`).join(", ")}. ` +
      `The baseline's grow with the proxies: ${big.map((p) => `${num(med(p.baseline, "requests"))} at ${p.proxies} in ${word(p.groups)}, ${times(med(p.baseline, "requests") / med(p.engine, "requests"))} the engine's`).join("; ")}.`,
    `- **Plan of ${biggest} proxies under 3 s**: **${big.length && big.every((p) => med(p.engine, "ms") < 3000) ? "met" : "missed"}** at page size ${LARGE_PAGE_SIZE}: ` +
      `${big.map((p) => `${ms(med(p.engine, "ms"))} in ${word(p.groups)} (baseline ${ms(med(p.baseline, "ms"))})`).join(", ")}; most of it is the emulator's CPU: ` +
      `without it roughly ${r.profiles.map((p) => `${ms(p.ms - p.emulatorMs)} (${word(p.layout)})`).join(", ")} (profiled run above). ` +
      `At page size ${PAGE_SIZE} it would be missed whatever the emulator's speed: the owned-resources list alone is ${ms(floorMs)} of latency. ` +
      `The engine's runs at ${biggest} proxies, in order: ${big.map((p) => `${p.engine.map((x) => (x.ms / 1000).toFixed(1)).join(", ")} s (${word(p.groups)})`).join("; ")}; ` +
      "repeated runs in one process tend to get faster (JIT, heap growth), and a plan in the action runs once in a fresh process.",
    `- **Apply of 20 new proxies under 2× the makespan of 1**: at the default concurrency 8 **${[oneGroup, manyGroups].every((l) => ratio(8, l) < 2) ? "met" : "missed"}** ` +
      `(${times(ratio(8, oneGroup))} with 1 group, ${times(ratio(8, manyGroups))} with 20 groups). With 1 group ${from(meets(oneGroup))}; with 20 groups ${from(meets(manyGroups))}.`,
    "",
    "Notes: the emulators are trusted through Node's default CA store (`tls.setDefaultCACertificates`), as production trusts Azure. The connection's `ca` option " +
      "(the CLI's emulator mode and the tests) hands the SDK ~150 root certificates per request, which Node re-reads for every TLS connection and keys its connection pool on: " +
      "a client-CPU cost that would swamp a per-request comparison and does not exist against Azure. Emulator and engine share one Node process, so the emulator's CPU, " +
      "which grows with the number of stored resources (for GETs too), is in every wall time here.",
    "",
  ].join("\n");
}


const started = performance.now();
const report: Report = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, Node ${process.versions.node}`,
  loadAtStart: loadavg()[0]!, loadAtEnd: 0, totalMs: 0,
  plans: [], breakdown: [], profiles: [], applies: [],
};
for (const layout of LAYOUTS) await planCells(layout, report);
await applyCells(report);
report.totalMs = performance.now() - started;
report.loadAtEnd = loadavg()[0]!;
const text = section(report);
writeSection("Engine", text);
process.stdout.write(`${text}\nWritten to BENCHMARKS.md.\n`);
