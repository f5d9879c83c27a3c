/**
 * `npm run test:unit`, the fast loop, side by side in one run with what it would
 * cost without its settings: the unit project as configured (threads, one module
 * graph), the same files each in a fresh fork (vitest's default isolation), and
 * the unit project together with the slow project, whose tests it used to hold.
 * Each variant is a whole `vitest run`, spawned cold, in turn; the machine is
 * shared, so the load average is recorded next to every number.
 * Writes its section of BENCHMARKS.md.
 */
import { spawnSync } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { median, writeSection } from "./report.js";

const ROOT = join(import.meta.dirname, "..");
const VITEST = join(ROOT, "node_modules", "vitest", "vitest.mjs");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const VARIANTS = [
  { name: "`unit` as configured (threads, `isolate: false`)", args: ["--project", "unit"] },
  {
    name: "`unit`, each file in a fresh fork (`--pool forks --isolate`)",
    args: ["--project", "unit", "--pool", "forks", "--isolate"],
  },
  { name: "`unit` + `slow` (the tests unit held before)", args: ["--project", "unit", "--project", "slow"] },
] as const;

interface Sample {
  wallMs: number;
  /** vitest's own summary: "Duration 12.14s (tests 89%, transform 6%, import 4%)". */
  summary: string;
  load: number;
  tests: string;
}

function runOnce(args: readonly string[]): Sample {
  const load = loadavg()[0]!;
  const started = performance.now();
  const r = spawnSync(process.execPath, [VITEST, "run", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", CI: "" },
    maxBuffer: 64 << 20,
  });
  const wallMs = performance.now() - started;
  const out = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`vitest run ${args.join(" ")} failed:\n${out.slice(-4000)}`);
  const duration = /Duration\s+([\d.]+m?s\s*\([^)]*\))/.exec(out)?.[1] ?? "?";
  const tests = /Tests\s+(\d+ passed[^\n]*)/.exec(out)?.[1]?.trim() ?? "?";
  return { wallMs, summary: duration, load, tests };
}

const samples = new Map<string, Sample[]>(VARIANTS.map((v) => [v.name, []]));
const loadAtStart = loadavg()[0]!;
for (let round = 0; round < ROUNDS; round++) {
  for (const v of VARIANTS) {
    const s = runOnce(v.args);
    samples.get(v.name)!.push(s);
    console.error(
      `round ${round + 1}/${ROUNDS} ${v.name}: ${Math.round(s.wallMs)} ms, ${s.summary}, load ${s.load.toFixed(1)}`,
    );
  }
}
const loadAtEnd = loadavg()[0]!;

const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const configured = median(samples.get(VARIANTS[0].name)!.map((x) => x.wallMs));
const rows = VARIANTS.map((v) => {
  const xs = samples.get(v.name)!;
  const walls = xs.map((x) => x.wallMs);
  const m = median(walls);
  return `| ${v.name} | ${xs[0]!.tests} | ${s(m)} (${s(Math.min(...walls))}) | ${(m / configured).toFixed(2)} × | ${xs.map((x) => `${x.summary} at load ${x.load.toFixed(1)}`).join("; ")} |`;
});

writeSection(
  "Unit tests",
  [
    "## Unit tests",
    "",
    `\`npm run bench:unit\` (bench/unit-tests.ts), ${new Date().toISOString().slice(0, 10)}: each variant a cold \`vitest run\`, in turn, ${ROUNDS} rounds; ${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, Node ${process.versions.node}, shared with other work: 1-minute load average ${loadAtStart.toFixed(1)} at the start, ${loadAtEnd.toFixed(1)} at the end. Target: \`npm run test:unit\` under 20 s. _Wall_: spawn to exit, median (fastest); _vitest_: its own summary of each run (how the time divides between running tests, collecting, transforming and importing) with the load average when the run started.`,
    "",
    "| Variant | Tests | Wall, median (fastest) | vs configured | vitest, per run |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n"),
);
