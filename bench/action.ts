/**
 * Action benchmark: from spawning `node dist/index.js` (a cold process, as on
 * a runner) to the plan comment being posted, for 1 and 100 proxies, with
 * every Azure request delayed by 50 ms in the emulator (closer to real ARM
 * round trips than loopback). Also the bundle size and the bare start-up cost
 * (a run that stops at input validation).
 *
 *   npm run bench:action          (BENCH_ROUNDS=5 by default)
 *
 * Writes the "## Action" section of BENCHMARKS.md (other sections are kept).
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { ensureDistBuilt, ROOT } from "../test/support/action-runner.js";
import { type ActionWorld, startActionWorld, stickyComments } from "../test/support/action-world.js";
import { proxyYaml } from "../test/support/proxy-files.js";
import { median, writeSection } from "./report.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
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

async function startupRounds(world: ActionWorld): Promise<Row> {
  const row: Row = { label: "start-up only (stops at an invalid input)", toComment: [], total: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const run = await world.plan(1, { inputs: { mode: "invalid" } });
    if (run.code !== 1) throw new Error("expected the invalid mode to fail");
    row.total.push(run.durationMs);
  }
  return row;
}

function distSize(): { bundle: number; total: number } {
  const dir = join(ROOT, "dist");
  const total = readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  return { bundle: statSync(join(dir, "index.js")).size, total };
}

function section(rows: Row[], size: { bundle: number; total: number }): string {
  const mib = (b: number): string => `${(b / 1024 / 1024).toFixed(2)} MiB`;
  const lines = [
    "## Action",
    "",
    `\`npm run bench:action\`: \`node dist/index.js\` spawned cold, as the runner starts it, planning a pull request against the emulator with ${LATENCY_MS} ms added to every Azure request; ` +
      `median (min) of ${ROUNDS} runs on ${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, Node ${process.versions.node}.`,
    "",
    "| Run | Spawn → plan comment posted | Spawn → process exit | Comment size |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => {
      const toComment = r.toComment.length ? `${ms(median(r.toComment))} (${ms(Math.min(...r.toComment))})` : "—";
      return `| ${r.label} | ${toComment} | ${ms(median(r.total))} (${ms(Math.min(...r.total))}) | ${r.commentChars ? `${r.commentChars.toLocaleString("en-US")} chars` : "—"} |`;
    }),
    "",
    `Bundle: \`dist/index.js\` ${mib(size.bundle)} (${mib(size.total)} for all of \`dist/\`), one file that Node parses on every start.`,
    "",
  ];
  return lines.join("\n");
}

ensureDistBuilt();
const world = await startActionWorld();
try {
  world.emulator.seedDnsZone(world.emulator.subscriptionId, "rg-dns", "example.nl");
  world.emulator.setLatencyMs(LATENCY_MS);
  const rows = [await startupRounds(world)];
  for (const [i, n] of SIZES.entries()) rows.push(await planRounds(world, n, 100 + i));
  const text = section(rows, distSize());
  writeSection("Action", text);
  process.stdout.write(`${text}\nWritten to BENCHMARKS.md.\n`);
} finally {
  await world.close();
}
