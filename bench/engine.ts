/**
 * Engine benchmark, against the emulator with 50 ms added to every request:
 *  1. a plan of 1..500 existing proxies (1 and 5 resource groups): ARM
 *     requests and wall time of the engine's list-based observer, next to a
 *     per-resource-GET observer (baseline-observer.ts) in the same run;
 *  2. the makespan of applying 20 new proxies against applying 1.
 * Medians of BENCH_REPS runs (default 3); engine and baseline alternate, so
 * the machine's noise hits both alike.
 *
 *   npm run bench          (BENCH_REPS=3, BENCH_SIZES=1,10,100,500)
 *
 * Writes the "## Engine" section of BENCHMARKS.md (other sections are kept).
 */
import * as tls from "node:tls";
import { randomUUID } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { ARM_SCOPE, startEmulator, type Emulator, type EmulatorOptions, type RequestLogEntry } from "../src/emulator/server.js";
import { createAzureClients, type AzureClients, type AzureConnection } from "../src/azure/clients.js";
import { createCredential } from "../src/azure/credentials.js";
import { applyPlan, planFromDir, type OperationContext } from "../src/operations.js";
import { loadProxyDir } from "../src/spec/load.js";
import { desiredProxy } from "../src/engine/desired.js";
import { buildPlan } from "../src/engine/diff.js";
import type { Plan } from "../src/plan/types.js";
import { silentLogger } from "../src/log.js";
import { ProxyDir, proxyYaml } from "../test/support/proxy-files.js";
import { observeByGet } from "./baseline-observer.js";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const REPS = Number(process.env.BENCH_REPS ?? 3);
const SIZES = (process.env.BENCH_SIZES ?? "1,10,100,500").split(",").map(Number);
const LATENCY_MS = 50;
const PAGE_SIZE = 20; // the emulator's default, passed explicitly so the report states what was measured
const LARGE_PAGE_SIZE = 1000;
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
  plans: { proxies: number; layout: number; groups: number; engine: Sample[]; baseline: Sample[]; populateMs: number }[];
  breakdown: { layout: number; label: string; requests: number; pages: number }[];
  pageSizes: { proxies: number; layout: number; small: Sample[]; large?: Sample[] }[];
  applies: { key: string; label: string; proxies: number; groups: number; concurrency: number; samples: Sample[] }[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const med = (samples: Sample[], key: "ms" | "requests" | "pages") => median(samples.map((s) => s[key]));
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

/** The per-resource-GET design, from the same files to a Plan, so both sides do the same work around the reads. */
async function baselinePlan(dir: string, connection: AzureConnection, subscriptionId: string): Promise<Plan> {
  const loaded = await loadProxyDir(dir);
  const desired = loaded.proxies.map((s) => desiredProxy(s, s.subscriptionId ?? subscriptionId, OWNER));
  const clients = new Map<string, AzureClients>();
  const clientsFor = (sub: string) => clients.get(sub) ?? clients.set(sub, createAzureClients(connection, sub)).get(sub)!;
  const observed = await observeByGet({ desired, clientsFor, concurrency: PLAN_CONCURRENCY });
  return buildPlan({ owner: OWNER, desired, observed });
}

/** Adds proxies until the directory holds `target`, applied at latency 0, and checks a re-plan is clean. */
async function populate(em: Emulator, files: ProxyDir, ctx: OperationContext, from: number, target: number, groups: number): Promise<number> {
  for (let i = from; i < target; i++) {
    const name = `p${String(i).padStart(3, "0")}`;
    files.write(name, proxyYaml({ name, resourceGroup: groups === 1 ? "rg-bench" : `rg-bench-${i % groups}`, zone: ZONE, dnsResourceGroup: "rg-dns", records: [name] }));
  }
  em.setLatencyMs(0);
  const start = performance.now();
  const planned = await planFromDir(files.dir, { ...ctx, concurrency: POPULATE_CONCURRENCY });
  if (!planned.plan) throw new Error(`populate: spec errors ${JSON.stringify(planned.specErrors)}`);
  await applyPlan(planned.plan, { ...ctx, concurrency: POPULATE_CONCURRENCY }, { allowDestroy: false });
  mustBeNoop((await planFromDir(files.dir, ctx)).plan, `re-plan after populating ${target}`);
  return performance.now() - start;
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

async function planCells(layout: number, report: Report): Promise<void> {
  const { em, options, connection } = await startBenchEmulator();
  const sub = em.subscriptionId;
  em.seedDnsZone(sub, "rg-dns", ZONE);
  const files = new ProxyDir();
  const ctx = context(connection, sub, PLAN_CONCURRENCY);
  try {
    let have = 0;
    for (const n of SIZES) {
      const populateMs = await populate(em, files, ctx, have, n, layout);
      have = n;
      em.setLatencyMs(LATENCY_MS);
      const engine: Sample[] = [];
      const baseline: Sample[] = [];
      let last: RequestLogEntry[] = [];
      for (let rep = 0; rep < REPS; rep++) {
        const runEngine = async () => {
          const s = await measure(em, async () => mustBeNoop((await planFromDir(files.dir, ctx)).plan, "engine plan"));
          engine.push(s);
          last = s.log;
        };
        const runBaseline = async () => baseline.push(await measure(em, async () => mustBeNoop(await baselinePlan(files.dir, connection, sub), "baseline plan")));
        // Alternate who goes first, so a slow spell on the shared machine does not always hit the same side.
        if (rep % 2 === 0) { await runEngine(); await runBaseline(); } else { await runBaseline(); await runEngine(); }
      }
      report.plans.push({ proxies: n, layout, groups: Math.min(layout, n), engine, baseline, populateMs });
      if (n === Math.max(...SIZES)) report.breakdown.push(...breakdown(last).map((b) => ({ ...b, layout })));
      progress(`plan ${n} proxies / ${layout} group(s): engine ${ms(median(engine.map((s) => s.ms)))}, baseline ${ms(median(baseline.map((s) => s.ms)))} (populate ${ms(populateMs)})`);
    }

    // The same plan with larger list pages: how much of the engine's time is the emulator's small page size.
    options.pageSize = LARGE_PAGE_SIZE;
    const large: Sample[] = [];
    for (let rep = 0; rep < REPS; rep++) large.push(await measure(em, async () => mustBeNoop((await planFromDir(files.dir, ctx)).plan, "engine plan")));
    const small = report.plans.find((p) => p.proxies === have && p.layout === layout)!.engine;
    // The emulator reads its page size per request; if that ever changes, say so instead of reporting a non-result.
    const took = median(large.map((s) => s.pages)) < median(small.map((s) => s.pages)) || median(small.map((s) => s.pages)) === 0;
    report.pageSizes.push({ proxies: have, layout, small, large: took ? large : undefined });
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
  const biggest = Math.max(...SIZES);
  const groupsWord = (g: number) => `${g} group${g > 1 ? "s" : ""}`;
  // Proxies fill every group of the layout from `layout` proxies on; below that fewer groups exist to list.
  const filled = (layout: number) => r.plans.filter((p) => p.layout === layout && p.groups === layout);
  const nonPage = (layout: number) => [...new Set(filled(layout).map((p) => med(p.engine, "requests") - med(p.engine, "pages")))];
  const constant = LAYOUTS.every((l) => nonPage(l).length <= 1);
  const big = r.plans.filter((p) => p.proxies === biggest);
  const fast = big.every((p) => med(p.engine, "ms") < 3000);
  const applyRatio = (c: number, label: string) => {
    const one = r.applies.find((a) => a.key === `1 proxy@${c}`)!;
    const many = r.applies.find((a) => a.key === `${label}@${c}`)!;
    return med(many.samples, "ms") / med(one.samples, "ms");
  };
  const shapes = ["20 proxies, 1 group", "20 proxies, 20 groups"];
  const meeting = APPLY_CONCURRENCIES.filter((c) => shapes.every((sh) => applyRatio(c, sh) < 2));
  const lines = [
    "## Engine",
    "",
    `\`npm run bench\` (bench/engine.ts, bench/baseline-observer.ts), ${r.date}: the engine against the in-process emulator with ${LATENCY_MS} ms added to every request; ` +
      `median of ${REPS} runs per cell, all in one run of ${ms(r.totalMs)}. Machine: ${r.machine}; the cores are shared with other work ` +
      `(1-minute load average ${r.loadAtStart.toFixed(1)} at the start, ${r.loadAtEnd.toFixed(1)} at the end), so compare numbers side by side, not across runs. ` +
      `Emulator list page size: ${PAGE_SIZE} items (its default). Requests are ARM requests only (token requests excluded); ` +
      "*pages* are list continuation pages (`$skiptoken`).",
    "",
    "### Plan of existing proxies (read-only)",
    "",
    `Each world is populated first at latency 0 (apply, concurrency ${POPULATE_CONCURRENCY}; then a re-plan must show no changes), then planned at ${LATENCY_MS} ms with concurrency ${PLAN_CONCURRENCY} (the default). ` +
      "*Engine*: `planFromDir` (list-based observer, src/azure/observe.ts). *Baseline*: the same files → `observeByGet` (one GET per resource by name: NSG, VNet, both public IPs, NIC, VM with `$expand=userData`, the AAAA record; " +
      "plus one existence check per resource group and DNS zone; same SDK clients, " +
      `${PLAN_CONCURRENCY} proxies at once with their GETs in parallel) → \`buildPlan\`. Both plans must show no changes. Layout: the groups proxies are spread over (proxy *i* in group *i* mod 5); *groups* is how many they fill.`,
    "",
    "| Layout | Proxies | Groups | Engine requests (pages) | Engine wall | Baseline requests | Baseline wall | Requests baseline / engine | Wall baseline / engine |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...r.plans.map((p) => {
      const [e, b] = [p.engine, p.baseline];
      return `| ${groupsWord(p.layout)} | ${p.proxies} | ${p.groups} | ${num(med(e, "requests"))} (${num(med(e, "pages"))}) | ${ms(med(e, "ms"))} | ${num(med(b, "requests"))} | ${ms(med(b, "ms"))} | ` +
        `${times(med(b, "requests") / med(e, "requests"))} | ${times(med(b, "ms") / med(e, "ms"))} |`;
    }),
    "",
    `Where the engine's requests go at ${biggest} proxies (one run):`,
    "",
    "| Layout | List | Requests | of which pages |",
    "| --- | --- | ---: | ---: |",
    ...r.breakdown.map((b) => `| ${groupsWord(b.layout)} | ${b.label} | ${num(b.requests)} | ${num(b.pages)} |`),
    "",
    "Each list's pages are fetched one after another (each page's `nextLink` comes with the page before), so the longest list sets the plan's wall time: " +
      `at ${LATENCY_MS} ms a request, every ${PAGE_SIZE} items of it cost ${LATENCY_MS} ms. The same plans with ${LARGE_PAGE_SIZE}-item pages (the emulator's page size raised in the same process):`,
    "",
    `| Layout | Proxies | Page size ${PAGE_SIZE}: requests (pages), wall | Page size ${LARGE_PAGE_SIZE}: requests (pages), wall |`,
    "| --- | ---: | ---: | ---: |",
    ...r.pageSizes.map((p) => `| ${groupsWord(p.layout)} | ${p.proxies} | ${num(med(p.small, "requests"))} (${num(med(p.small, "pages"))}), ${ms(med(p.small, "ms"))} | ` +
      (p.large ? `${num(med(p.large, "requests"))} (${num(med(p.large, "pages"))}), ${ms(med(p.large, "ms"))} |` : "not measured: the page size did not change |")),
    "",
    "### Apply: 20 new proxies vs 1",
    "",
    `Each apply goes into a fresh subscription (new resource groups; the DNS zone is seeded), planned at latency 0, applied at ${LATENCY_MS} ms. Makespan = \`applyPlan\` wall time.`,
    "",
    "| Engine concurrency | 1 proxy | 20 proxies, 1 group | ratio | 20 proxies, 20 groups | ratio | of which creating the 20 groups |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...APPLY_CONCURRENCIES.map((c) => {
      const samples = (label: string) => r.applies.find((a) => a.key === `${label}@${c}`)!.samples;
      const cell = (label: string) => ms(med(samples(label), "ms"));
      return `| ${c}${c === 8 ? " (default)" : ""} | ${cell("1 proxy")} | ${cell(shapes[0]!)} | ${times(applyRatio(c, shapes[0]!))} | ` +
        `${cell(shapes[1]!)} | ${times(applyRatio(c, shapes[1]!))} | ${ms(median(samples(shapes[1]!).map((x) => x.groupsMs ?? 0)))} |`;
    }),
    "",
    "*Of which creating the 20 groups*: from the start of `applyPlan` to its first request that is not a resource group PUT: `applyChanges` creates new groups one after another before any proxy starts.",
    "",
    "### Verdicts",
    "",
    `- **Requests constant in the number of proxies per resource group** (apart from pages): **${constant ? "met" : "missed"}**. Requests besides pages: ` +
      LAYOUTS.map((l) => `${groupsWord(l)}: ${nonPage(l).join(" / ")} at ${filled(l).map((p) => p.proxies).join(", ")} proxies`).join("; ") +
      ` (2 per subscription + 5 per group + 1 per DNS zone). Pages grow with the items listed (${PAGE_SIZE} per page): ${big.map((p) => `${num(med(p.engine, "pages"))} at ${p.proxies} proxies in ${groupsWord(p.groups)}`).join(", ")}. ` +
      `The baseline's requests grow with the proxies: ${big.map((p) => num(med(p.baseline, "requests"))).join(" and ")} at ${biggest} (${big.map((p) => times(med(p.baseline, "requests") / med(p.engine, "requests"))).join(" and ")} the engine's).`,
    `- **Plan of ${biggest} proxies under 3 s**: **${fast ? "met" : "missed"}**: ${big.map((p) => `${ms(med(p.engine, "ms"))} (${groupsWord(p.groups)})`).join(", ")} ` +
      `at page size ${PAGE_SIZE}; ${r.pageSizes.filter((p) => p.large).map((p) => `${ms(med(p.large!, "ms"))} (${groupsWord(p.layout)})`).join(", ")} at page size ${LARGE_PAGE_SIZE}. ` +
      `Baseline: ${big.map((p) => `${ms(med(p.baseline, "ms"))} (${groupsWord(p.groups)})`).join(", ")}.`,
    `- **Apply of 20 new proxies under 2× the makespan of 1**: at the default concurrency 8: **${shapes.every((sh) => applyRatio(8, sh) < 2) ? "met" : "missed"}** ` +
      `(${shapes.map((sh) => `${times(applyRatio(8, sh))} for ${sh}`).join(", ")}). ` +
      (meeting.length ? `Met in both shapes from concurrency ${meeting[0]} (of ${APPLY_CONCURRENCIES.join(", ")} measured).` : `Missed at every concurrency measured (${APPLY_CONCURRENCIES.join(", ")}).`),
    "",
    "Notes: the emulators are trusted through Node's default CA store (`tls.setDefaultCACertificates`), as production trusts Azure. " +
      "The connection's own `ca` option (what the CLI's emulator mode and the tests use) hands the SDK ~150 root certificates per request, and Node re-reads them for every TLS connection " +
      "and keys its connection pool on them; that client-CPU cost would swamp the per-request comparison here and does not exist against Azure.",
    "",
  ];
  return lines.join("\n");
}

/** Replaces the "## Engine" section, or appends it; other sections belong to other benchmarks. */
function writeSection(text: string): void {
  const file = new URL("../BENCHMARKS.md", import.meta.url);
  const current = existsSync(file) ? readFileSync(file, "utf8") : "# Benchmarks\n\n";
  const start = current.search(/^## Engine\s*$/m);
  let next: string;
  if (start < 0) {
    next = `${current.replace(/\n*$/, "\n\n")}${text}`;
  } else {
    const rest = current.slice(start + 1);
    const end = rest.search(/^## /m);
    next = `${current.slice(0, start)}${text}${end < 0 ? "" : `\n${rest.slice(end)}`}`;
  }
  writeFileSync(file, next);
}

const started = performance.now();
const report: Report = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, Node ${process.versions.node}`,
  loadAtStart: loadavg()[0]!, loadAtEnd: 0, totalMs: 0,
  plans: [], breakdown: [], pageSizes: [], applies: [],
};
for (const layout of LAYOUTS) await planCells(layout, report);
await applyCells(report);
report.totalMs = performance.now() - started;
report.loadAtEnd = loadavg()[0]!;
const text = section(report);
writeSection(text);
process.stdout.write(`${text}\nWritten to BENCHMARKS.md.\n`);
