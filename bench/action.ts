/**
 * Action benchmark: from spawning `node dist/index.js` (a cold process, as on
 * a runner) to the plan comment being posted, for 1 and 100 proxies, with
 * every Azure request delayed by 50 ms in the emulator (closer to real ARM
 * round trips than loopback). Also the bundle's size and its cold start next
 * to actions/checkout's bundle, a typical action: both spawned in turn, each
 * stopping at its first input check, medians of interleaved runs.
 *
 *   npm run bench:action          (BENCH_ROUNDS=5, BENCH_START_ROUNDS=21 by default)
 *
 * actions/checkout's dist/index.js is not part of this project: it is looked
 * up as shared/baselines/actions-checkout/index.js in this directory or one
 * above it, or given as CHECKOUT_BUNDLE=path.
 *
 * Writes the "## Action" section of BENCHMARKS.md (other sections are kept).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { ensureDistBuilt, ROOT } from "../test/support/action-runner.js";
import { type ActionWorld, startActionWorld, stickyComments } from "../test/support/action-world.js";
import { proxyYaml } from "../test/support/proxy-files.js";
import { median, writeSection } from "./report.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const START_ROUNDS = Number(process.env.BENCH_START_ROUNDS ?? 21);
const LATENCY_MS = 50;
const SIZES = [1, 100];

interface Row {
  label: string;
  toComment: number[];
  total: number[];
  commentChars?: number | undefined;
}

const ms = (x: number): string => `${Math.round(x).toLocaleString("en-US")} ms`;

function writeProxies(world: ActionWorld, n: number): string {
  const dir = join(world.files.root, `bench-${n}`);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const name = `site-${String(i).padStart(3, "0")}`;
    writeFileSync(
      join(dir, `${name}.yaml`),
      proxyYaml({ name, resourceGroup: `rg-bench-${i % 10}`, zone: "example.nl", records: [name] }),
    );
  }
  return `bench-${n}`;
}

async function planRounds(world: ActionWorld, n: number, pr: number): Promise<Row> {
  const path = writeProxies(world, n);
  world.openPullRequest(pr);
  const row: Row = { label: `${n} ${n === 1 ? "proxy" : "proxies"}`, toComment: [], total: [] };
  for (let round = 0; round < ROUNDS; round++) {
    world.github.requests.length = 0;
    const run = await world.plan(pr, { inputs: { path } });
    if (run.code !== 0) throw new Error(`plan of ${n} proxies failed:\n${run.stdout}\n${run.stderr}`);
    const posted = world.github.requests.find(
      (r) => (r.method === "POST" || r.method === "PATCH") && r.path.includes("/comments"),
    );
    // An unchanged comment is not written again; then the last comment read is when the result was known.
    const at = posted?.at ?? Math.max(...world.github.requests.map((r) => r.at));
    row.toComment.push(at - run.startedAt);
    row.total.push(run.durationMs);
  }
  row.commentChars = stickyComments(world, pr, "plan")[0]?.body.length;
  return row;
}

function checkoutBundle(): string {
  if (process.env.CHECKOUT_BUNDLE) return process.env.CHECKOUT_BUNDLE;
  for (let dir = ROOT; ; dir = dirname(dir)) {
    const candidate = join(dir, "shared", "baselines", "actions-checkout", "index.js");
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw new Error("actions/checkout's bundle not found: set CHECKOUT_BUNDLE=path/to/dist/index.js");
}

interface ColdStart {
  ours: number[];
  /** Ours, going on until the Azure sign-in: the SDK chunks loaded too. */
  oursWithAzure: number[];
  checkout: number[];
}

/** Valid inputs and OIDC configured, but no ID token: the run loads the Azure SDKs and stops at the sign-in. */
const UP_TO_SIGN_IN = {
  GITHUB_REPOSITORY: "acme/web",
  "INPUT_GITHUB-TOKEN": "ghs_bench",
  "INPUT_TENANT-ID": "00000000-0000-0000-0000-000000000001",
  "INPUT_CLIENT-ID": "00000000-0000-0000-0000-000000000002",
};

/**
 * Spawn → exit of each bundle, in turn, with the same bare environment: each
 * loads what it needs to start and stops at its first check (ours: an invalid
 * `mode` input; checkout: GITHUB_WORKSPACE not set). Interleaving keeps the
 * machine's load alike for both.
 */
function coldStarts(checkout: string): ColdStart {
  const cwd = mkdtempSync(join(tmpdir(), "ipv6px-cold-"));
  const spawnMs = (file: string, env: Record<string, string>): number => {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [file], { cwd, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
    if (r.status !== 1) throw new Error(`${file} should stop at its first check:\n${r.stdout}${r.stderr}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const result: ColdStart = { ours: [], oursWithAzure: [], checkout: [] };
  try {
    for (let round = 0; round < START_ROUNDS; round++) {
      result.ours.push(spawnMs(join(ROOT, "dist", "index.js"), { INPUT_MODE: "invalid" }));
      result.checkout.push(spawnMs(checkout, {}));
      result.oursWithAzure.push(spawnMs(join(ROOT, "dist", "index.js"), UP_TO_SIGN_IN));
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  return result;
}

interface Sizes {
  bundle: number;
  total: number;
  checkout: number;
}

function sizes(checkout: string): Sizes {
  const dir = join(ROOT, "dist");
  const total = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  return { bundle: statSync(join(dir, "index.js")).size, total, checkout: statSync(checkout).size };
}

function section(rows: Row[], cold: ColdStart, size: Sizes): string {
  const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(2)} MiB`;
  const ours = median(cold.ours);
  const theirs = median(cold.checkout);
  const lines = [
    "## Action",
    "",
    `\`npm run bench:action\` on ${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, Node ${process.versions.node}.`,
    "",
    `Cold start, next to actions/checkout's bundle: each spawned cold with a bare environment and stopping at its first check (ours: an invalid input; checkout: no GITHUB_WORKSPACE), in turn; median (min) of ${START_ROUNDS} runs each.`,
    "",
    "| Bundle | Size of dist/index.js | Spawn → exit |",
    "| --- | --- | --- |",
    `| azure-ipv6-proxy | ${mib(size.bundle)} (${mib(size.total)} for all of \`dist/\`, the Azure SDKs in chunks loaded when a run needs Azure) | ${ms(ours)} (${ms(Math.min(...cold.ours))}) |`,
    `| actions/checkout | ${mib(size.checkout)} | ${ms(theirs)} (${ms(Math.min(...cold.checkout))}) |`,
    `| ratio | ${(size.bundle / size.checkout).toFixed(2)} × | **${(ours / theirs).toFixed(2)} ×** |`,
    `| azure-ipv6-proxy up to the Azure sign-in (SDK chunks loaded; valid inputs, no ID token) | ${mib(size.total)} | ${ms(median(cold.oursWithAzure))} (${ms(Math.min(...cold.oursWithAzure))}), ${(median(cold.oursWithAzure) / theirs).toFixed(2)} × checkout |`,
    "",
    `Whole runs: \`node dist/index.js\` spawned as the runner starts it, planning a pull request against the emulator with ${LATENCY_MS} ms added to every Azure request; median (min) of ${ROUNDS} runs. These include loading the Azure SDKs.`,
    "",
    "| Run | Spawn → plan comment posted | Spawn → process exit | Comment size |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => {
      const toComment = r.toComment.length ? `${ms(median(r.toComment))} (${ms(Math.min(...r.toComment))})` : "—";
      return `| ${r.label} | ${toComment} | ${ms(median(r.total))} (${ms(Math.min(...r.total))}) | ${r.commentChars ? `${r.commentChars.toLocaleString("en-US")} chars` : "—"} |`;
    }),
    "",
  ];
  return lines.join("\n");
}

ensureDistBuilt();
const checkout = checkoutBundle();
const cold = coldStarts(checkout);
const world = await startActionWorld();
try {
  world.emulator.seedDnsZone(world.emulator.subscriptionId, "rg-dns", "example.nl");
  world.emulator.setLatencyMs(LATENCY_MS);
  const rows: Row[] = [];
  for (const [i, n] of SIZES.entries()) rows.push(await planRounds(world, n, 100 + i));
  const text = section(rows, cold, sizes(checkout));
  writeSection("Action", text);
  process.stdout.write(`${text}\nWritten to BENCHMARKS.md.\n`);
} finally {
  await world.close();
}
