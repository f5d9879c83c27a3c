/**
 * The "## Engine" section of BENCHMARKS.md, rendered from what bench/engine.ts
 * measured. Verdicts are computed from the numbers, never written by hand.
 */
import type { RequestLogEntry } from "../src/emulator/server.js";
import { median } from "./report.js";

/** What a run was set up with, so the text states what was measured. */
export interface EngineSettings {
  reps: number;
  latencyMs: number;
  sizes: number[];
  layouts: number[];
  /** The emulator's default page size; every world is planned at it. */
  pageSize: number;
  /** A second page size, planned from `largePageFrom` proxies on. */
  largePageSize: number;
  largePageFrom: number;
  defaultConcurrency: number;
  populateConcurrency: number;
  applyPopulateMax: number;
  applyConcurrencies: number[];
}

export interface Sample {
  /** Wall time, and the CPU time of the whole process (engine and emulator) meanwhile. */
  ms: number;
  cpuMs: number;
  requests: number;
  pages: number;
  /** Apply only: from the start until the first request that is not a resource group PUT (groups are created first). */
  groupsMs?: number;
}

export interface Report {
  settings: EngineSettings;
  date: string;
  machine: string;
  loadAtStart: number;
  loadAtEnd: number;
  totalMs: number;
  /** layout: the groups proxies are spread over; groups: how many they fill (1 proxy fills 1). */
  plans: { proxies: number; layout: number; groups: number; pageSize: number; engine: Sample[]; baseline: Sample[] }[];
  /** One engine plan of the biggest world at the default page size, by the kind of list. */
  breakdown: { layout: number; proxies: number; label: string; requests: number; pages: number }[];
  /** The same plan's longest list (or lists, if tied): its pages come one after another, a floor under the wall time. */
  longest: { layout: number; proxies: number; lists: string[]; requests: number }[];
  profiles: { layout: number; proxies: number; pageSize: number; ms: number; busyMs: number; emulatorMs: number }[];
  applies: { key: string; label: string; proxies: number; groups: number; concurrency: number; samples: Sample[] }[];
}

/** A list continuation page. */
export const isPage = (r: RequestLogEntry) => /[?&](\$|%24)skiptoken=/i.test(r.query);

/** What the engine's requests were spent on, by the kind of list. */
export function breakdown(log: RequestLogEntry[]): { label: string; requests: number; pages: number }[] {
  const kinds: [string, RegExp][] = [
    ["resource groups (per subscription)", /\/subscriptions\/[^/]+\/resourcegroups$/i],
    ["owned NSGs, index tag filter (per subscription)", /\/subscriptions\/[^/]+\/resources$/i],
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

/** The list that took the most requests: each list is one path, its pages repeat the path with a `$skiptoken`. */
export function longestList(log: RequestLogEntry[]): { lists: string[]; requests: number } {
  const chains = new Map<string, number>();
  for (const r of log) if (r.method === "GET") chains.set(r.path, (chains.get(r.path) ?? 0) + 1);
  const requests = Math.max(0, ...chains.values());
  return {
    lists: [...chains]
      .filter(([, n]) => n === requests)
      .map(([path]) => path.replace(/^\/subscriptions\/[^/]+\/?/i, "")),
    requests,
  };
}

export const med = (samples: Sample[], key: "ms" | "cpuMs" | "requests" | "pages") =>
  median(samples.map((s) => s[key]));
/** Wall time as "median (fastest)": the spread on a shared machine is part of the result. */
const wall = (samples: Sample[]) => `${ms(med(samples, "ms"))} (${ms(Math.min(...samples.map((s) => s.ms)))})`;
export const ms = (x: number): string => `${Math.round(x).toLocaleString("en-US")} ms`;
const num = (x: number): string => Math.round(x).toLocaleString("en-US");
const times = (x: number): string => `${x.toFixed(x < 10 ? 2 : 1)}×`;
const word = (g: number) => `${g} group${g > 1 ? "s" : ""}`;
const verdict = (ok: boolean) => (ok ? "**met**" : "**missed**");

export function engineSection(r: Report): string {
  return [
    "## Engine",
    "",
    ...header(r),
    "",
    ...planPart(r),
    "",
    ...applyPart(r),
    "",
    "### Verdicts",
    "",
    ...verdicts(r),
    "",
    ...notes(),
    "",
  ].join("\n");
}

function header(r: Report): string[] {
  const s = r.settings;
  return [
    `\`npm run bench\` (bench/engine.ts, bench/baseline-observer.ts), ${r.date}, one run of ${ms(r.totalMs)}: the engine against the in-process emulator with ${s.latencyMs} ms added to every request; ` +
      `median of ${s.reps} runs per cell. Machine: ${r.machine}, shared with other work (1-minute load average ${r.loadAtStart.toFixed(1)} at the start, ${r.loadAtEnd.toFixed(1)} at the end): ` +
      "compare numbers side by side, not across runs. Requests: ARM only (token requests excluded); *pages*: list continuation pages (`$skiptoken`). " +
      `Every world is planned with the emulator's default list page size, ${s.pageSize} items, and from ${s.largePageFrom} proxies on also with ${s.largePageSize}-item pages. ` +
      `${s.pageSize} shows the floor that sequential pages put under a plan; ${s.largePageSize} is closer to Azure, whose subscription-wide resources list ` +
      "(the engine's tag-filtered list of owned NSGs) returns up to 1,000 items a page and rejects a larger `$top` (Azure/azure-sdk-for-js#18535); " +
      "the page sizes of the per-group network and compute lists are not documented.",
  ];
}

function planPart(r: Report): string[] {
  const s = r.settings;
  const biggest = Math.max(...s.sizes);
  return [
    "### Plan of existing proxies (read-only)",
    "",
    `Worlds are populated at latency 0 (up to ${s.applyPopulateMax} proxies by apply, concurrency ${s.populateConcurrency}; beyond, by copies of applied proxies' stored resources under new names, ` +
      `to keep the run short), then planned at ${s.latencyMs} ms with concurrency ${s.defaultConcurrency} (the engine's default, \`DEFAULT_CONCURRENCY\`). ` +
      "*Engine*: `planFromDir` (list-based observer, src/azure/observe.ts). *Baseline*: the same files → `observeByGet` (one GET per resource by name: NSG, VNet, both public IPs, NIC, " +
      `VM with \`$expand=userData\`, the AAAA record; plus one existence check per resource group and DNS zone; same SDK clients; ${s.defaultConcurrency} proxies at once, each with its GETs in parallel) → \`buildPlan\`. ` +
      "Every plan must show no changes. *Layout*: groups the proxies are spread over (proxy *i* in group *i* mod 5); *groups*: how many they fill. " +
      "The baseline lists nothing, so the page size does not touch it: it runs once per world, and a world's rows show the same baseline runs. " +
      "*CPU*: the process's CPU time (user + system) during the plan, engine and emulator together, median; near the wall time means the plan waited on CPU, not on latency.",
    "",
    "| Layout | Proxies | Groups | Page size | Engine requests (pages) | Engine wall, median (fastest) | Engine CPU | Baseline requests | Baseline wall, median (fastest) | Baseline CPU | Requests baseline / engine | Wall baseline / engine (medians) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...r.plans.map((p) => {
      const [e, b] = [p.engine, p.baseline];
      return (
        `| ${word(p.layout)} | ${p.proxies} | ${p.groups} | ${p.pageSize} | ${num(med(e, "requests"))} (${num(med(e, "pages"))}) | ${wall(e)} | ${ms(med(e, "cpuMs"))} | ` +
        `${num(med(b, "requests"))} | ${wall(b)} | ${ms(med(b, "cpuMs"))} | ${times(med(b, "requests") / med(e, "requests"))} | ${times(med(b, "ms") / med(e, "ms"))} |`
      );
    }),
    "",
    `Where the engine's requests go (one run of ${biggest} proxies, page size ${s.pageSize}):`,
    "",
    "| Layout | Proxies | List | Requests | of which pages |",
    "| --- | ---: | --- | ---: | ---: |",
    ...r.breakdown.map(
      (b) => `| ${word(b.layout)} | ${b.proxies} | ${b.label} | ${num(b.requests)} | ${num(b.pages)} |`,
    ),
    "",
    "All lists start at once (src/azure/observe.ts step 1), but a list's own pages come one after another (each page's `nextLink` arrives with the page before), " +
      `so the longest list is a floor under the wall time: ${s.latencyMs} ms per page. At page size ${s.pageSize} and ${biggest} proxies the longest took ` +
      `${r.longest.map((l) => `${num(l.requests)} requests = ${ms(l.requests * s.latencyMs)} with ${word(l.layout)} (${l.lists.map((x) => `\`${x}\``).join(", ")})`).join("; ")}. ` +
      "The page size is raised on the running emulator; the run checks that the pages went down.",
    "",
    `CPU during one more engine plan of ${biggest} proxies at page size ${s.largePageSize} (profiled; emulator = frames under src/emulator/, a lower bound):`,
    "",
    "| Layout | Wall | CPU busy | of which emulator | Wall minus emulator CPU (rough) |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...r.profiles.map(
      (p) => `| ${word(p.layout)} | ${ms(p.ms)} | ${ms(p.busyMs)} | ${ms(p.emulatorMs)} | ${ms(p.ms - p.emulatorMs)} |`,
    ),
  ];
}

const [ONE_PROXY, ONE_GROUP, MANY_GROUPS] = ["1 proxy", "20 proxies, 1 group", "20 proxies, 20 groups"] as const;
export const APPLY_SHAPES = [
  { label: ONE_PROXY, proxies: 1, groups: 1 },
  { label: ONE_GROUP, proxies: 20, groups: 1 },
  { label: MANY_GROUPS, proxies: 20, groups: 20 },
];

const applyStats = (r: Report) => {
  const applyMs = (c: number, label: string) => med(r.applies.find((a) => a.key === `${label}@${c}`)!.samples, "ms");
  const ratio = (c: number, label: string) => applyMs(c, label) / applyMs(c, ONE_PROXY);
  return { applyMs, ratio };
};

function applyPart(r: Report): string[] {
  const s = r.settings;
  const { applyMs, ratio } = applyStats(r);
  return [
    "### Apply: 20 new proxies vs 1",
    "",
    `Each apply goes into a fresh subscription (new resource groups; the DNS zone is seeded), planned at latency 0, applied at ${s.latencyMs} ms. Makespan = \`applyPlan\` wall time. ` +
      "*Creating the groups*: from the start of `applyPlan` to its first request that is not a resource group PUT (`applyChanges` creates the new groups, " +
      "up to the concurrency at once, before any proxy starts).",
    "",
    `| Engine concurrency | ${ONE_PROXY} | ${ONE_GROUP} | ratio | ${MANY_GROUPS} | ratio | of which creating the groups |`,
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...s.applyConcurrencies.map((c) => {
      const groupsMs = median(
        r.applies.find((a) => a.key === `${MANY_GROUPS}@${c}`)!.samples.map((x) => x.groupsMs ?? 0),
      );
      return (
        `| ${c}${c === s.defaultConcurrency ? " (default)" : ""} | ${ms(applyMs(c, ONE_PROXY))} | ${ms(applyMs(c, ONE_GROUP))} | ${times(ratio(c, ONE_GROUP))} | ` +
        `${ms(applyMs(c, MANY_GROUPS))} | ${times(ratio(c, MANY_GROUPS))} | ${ms(groupsMs)} |`
      );
    }),
  ];
}

function verdicts(r: Report): string[] {
  const s = r.settings;
  const biggest = Math.max(...s.sizes);
  // Requests besides pages, over the worlds whose proxies fill every group of their layout.
  const nonPage = (l: number) => [
    ...new Set(
      r.plans
        .filter((p) => p.layout === l && p.groups === l)
        .map((p) => med(p.engine, "requests") - med(p.engine, "pages")),
    ),
  ];
  const at = (pageSize: number) => r.plans.filter((p) => p.proxies === biggest && p.pageSize === pageSize);
  const [large, small] = [at(s.largePageSize), at(s.pageSize)];
  const under3s = (ps: typeof large) => ps.length > 0 && ps.every((p) => med(p.engine, "ms") < 3000);
  const walls = (ps: typeof large) =>
    ps.map((p) => `${ms(med(p.engine, "ms"))} in ${word(p.groups)} (CPU ${ms(med(p.engine, "cpuMs"))})`).join(", ");
  const baselines = large
    .map((p) => `${ms(med(p.baseline, "ms"))} wall, ${ms(med(p.baseline, "cpuMs"))} CPU in ${word(p.groups)}`)
    .join("; ");
  const floors = r.longest.map((l) => `${ms(l.requests * s.latencyMs)} (${word(l.layout)})`).join(", ");
  const cpu = (pageSize: number) =>
    r.profiles
      .filter((p) => p.pageSize === pageSize)
      .map((p) => `${ms(p.ms - p.emulatorMs)} (${word(p.layout)})`)
      .join(", ");
  const { ratio } = applyStats(r);
  const d = s.defaultConcurrency;
  const meets = (label: string) => s.applyConcurrencies.filter((c) => ratio(c, label) < 2);
  const from = (cs: number[]) => (cs.length ? `met from concurrency ${cs[0]}` : "missed at every concurrency measured");
  return [
    `- **Requests constant in the number of proxies per resource group** (apart from pages): ${verdict(s.layouts.every((l) => nonPage(l).length <= 1))}. ` +
      `Requests besides pages: ${s.layouts.map((l) => `${nonPage(l).join(" / ")} with ${word(l)}`).join(", ")} (2 per subscription, 5 per group, 1 per DNS zone), ` +
      "at every size and page size whose proxies fill the layout's groups. " +
      `Pages grow with the items listed: ${small.map((p) => `${num(med(p.engine, "pages"))} at ${p.proxies} proxies in ${word(p.groups)}`).join(", ")} (page size ${s.pageSize}). ` +
      `The baseline's requests grow with the proxies: ${large.map((p) => `${num(med(p.baseline, "requests"))} at ${p.proxies} in ${word(p.groups)}, ${times(med(p.baseline, "requests") / med(p.engine, "requests"))} the engine's at page size ${s.largePageSize}`).join("; ")}.`,
    `- **Plan of ${biggest} proxies under 3 s**: at page size ${s.largePageSize} ${verdict(under3s(large))}: ${walls(large)}; ` +
      `without the emulator's CPU roughly ${cpu(s.largePageSize)} (profiled run above). ` +
      `At page size ${s.pageSize} ${verdict(under3s(small))}: ${walls(small)}; the longest list alone is ${floors} of latency, a floor under any plan that reads it at this page size. ` +
      `The baseline, at any page size: ${baselines}${large.every((p) => med(p.baseline, "cpuMs") > 0.8 * med(p.baseline, "ms")) ? "; its time goes to CPU (engine and emulator share the process), not to waiting on latency" : ""}. ` +
      `The engine's runs at ${biggest} proxies, in order: ${[...large, ...small].map((p) => `${p.engine.map((x) => (x.ms / 1000).toFixed(1)).join(", ")} s (${word(p.groups)}, page size ${p.pageSize})`).join("; ")}.`,
    `- **Apply of 20 new proxies under 2× the makespan of 1**: at the default concurrency ${d} ${verdict([ONE_GROUP, MANY_GROUPS].every((l) => ratio(d, l) < 2))} ` +
      `(${times(ratio(d, ONE_GROUP))} with 1 group, ${times(ratio(d, MANY_GROUPS))} with 20 groups). ` +
      `Over the concurrencies measured (${s.applyConcurrencies.join(", ")}): with 1 group ${from(meets(ONE_GROUP))}; with 20 groups ${from(meets(MANY_GROUPS))}.`,
  ];
}

function notes(): string[] {
  return [
    "Notes: the SDK clients trust the emulator through the connection's `ca` (`emulatorConnection(em)`, as the CLI's emulator mode and the tests do); " +
      "ARM calls then share one keep-alive agent whose TLS context is built once (src/azure/clients.ts), so trusting the emulator costs no more per request than trusting Azure. " +
      "Emulator and engine share one Node process, so the emulator's CPU, which grows with the number of stored resources, is in every wall time here; " +
      "repeated runs in one process tend to get faster (JIT, heap growth), while a plan in the action runs once in a fresh process.",
  ];
}
