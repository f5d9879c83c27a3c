/**
 * The makespan of applying a config change to a proxy with 1, 2 and 3
 * replicas, against the emulator with 50 ms added to every request. A proxy
 * with replicas changes one replica at a time (new userData, the apply script
 * through Run Command, then its health endpoint), so the makespan grows with
 * the replicas by design; this measures by how much.
 *
 *   BENCH_ONLY=rollout npm run bench      (BENCH_REPS=3); also the last part of `npm run bench`
 *
 * Writes the "## Engine: rolling a config change over replicas" section of BENCHMARKS.md.
 */
import { randomUUID } from "node:crypto";
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { emulatorConnection } from "../src/azure/emulator-connection.js";
import { startEmulator } from "../src/emulator/server.js";
import { applyPlan, type OperationContext, type PlannedRun, type PlanOutcome, planFromDir } from "../src/operations.js";
import { silentLogger } from "../test/support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../test/support/proxy-files.js";
import { median, writeSection } from "./report.js";

export const ROLLOUT_HEADING = "Engine: rolling a config change over replicas";
const REPLICAS = [1, 2, 3];
const LATENCY_MS = 50;
const ZONE = "example.nl";

function planned(outcome: PlanOutcome): PlannedRun {
  if (!outcome.plan) throw new Error(`spec errors ${JSON.stringify(outcome.specErrors)}`);
  return outcome;
}

interface RolloutSample {
  ms: number;
  requests: number;
  runCommands: number;
}

export async function rolloutBench(reps: number, progress: (line: string) => void): Promise<string> {
  const em = await startEmulator({ cloudInitMs: 0 });
  const connection = emulatorConnection(em, { pollIntervalMs: 10 });
  const samples = new Map<number, RolloutSample[]>(REPLICAS.map((n) => [n, []]));
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const replicas of REPLICAS) {
        const sub = randomUUID();
        em.seedDnsZone(sub, "rg-dns", ZONE);
        const ctx: OperationContext = {
          connection,
          owner: "bench/rollout",
          defaultSubscriptionId: sub,
          log: silentLogger,
        };
        const files = new ProxyDir();
        const write = (backend: string) =>
          files.write(
            "roll",
            proxyYaml({
              name: "roll",
              resourceGroup: "rg-roll",
              zone: ZONE,
              records: ["roll"],
              replicas,
              backends: [backend],
            }),
          );
        em.setLatencyMs(0);
        write("203.0.113.20");
        await applyPlan(planned(await planFromDir(files.dir, ctx)), ctx, { allowDestroy: false });
        write("203.0.113.21");
        const change = planned(await planFromDir(files.dir, ctx));
        const configs = change.plan.changes.filter((c) => c.kind === "vmConfig" && c.action === "update");
        if (configs.length !== replicas) throw new Error(`expected ${replicas} config changes, got ${configs.length}`);

        em.setLatencyMs(LATENCY_MS);
        em.resetRequests();
        const runsBefore = em.runCommands.length;
        const start = performance.now();
        const out = await applyPlan(change, ctx, { allowDestroy: false });
        const ms = performance.now() - start;
        if (out.proxies[0]?.status !== "updated") throw new Error(`apply did not update: ${JSON.stringify(out)}`);
        samples.get(replicas)!.push({
          ms,
          requests: em.requests.filter((r) => r.kind === "arm").length,
          runCommands: em.runCommands.length - runsBefore,
        });
        em.setLatencyMs(0);
        const after = await planFromDir(files.dir, ctx);
        if (after.plan?.changes.some((c) => c.action !== "noop")) throw new Error("the change did not converge");
        files.cleanup();
      }
      progress(`rollout round ${rep + 1}/${reps} done`);
    }
  } finally {
    await em.close();
  }
  return rolloutSection(reps, samples);
}

function rolloutSection(reps: number, samples: Map<number, RolloutSample[]>): string {
  const ms = (n: number) => median(samples.get(n)!.map((s) => s.ms));
  const fmt = (x: number) => `${Math.round(x).toLocaleString("en-US")} ms`;
  const rows = REPLICAS.map((n) => {
    const list = samples.get(n)!;
    return (
      `| ${n === 1 ? "1 (a single VM)" : n} | ${fmt(ms(n))} (${list.map((s) => Math.round(s.ms)).join(", ")}) ` +
      `| ${(ms(n) / ms(1)).toFixed(2)}× | ${median(list.map((s) => s.requests))} | ${median(list.map((s) => s.runCommands))} |`
    );
  });
  const perReplica = ms(3) - ms(2);
  return [
    `## ${ROLLOUT_HEADING}`,
    "",
    `\`bench/engine-rollout.ts\`, ${new Date().toISOString().slice(0, 10)}, ${reps} runs per row, medians; ` +
      `${cpus().length} × ${cpus()[0]?.model.trim() ?? "CPU"}, Node ${process.versions.node}. One proxy whose ` +
      `backend changes, applied against the in-process emulator with ${LATENCY_MS} ms added to every request ` +
      "(created at latency 0). Each replica in turn: its userData is updated, the apply script runs through Run " +
      "Command and must report the new config served, then the health script must report the health endpoint up; " +
      "only then the next replica.",
    "",
    "| Replicas | Apply makespan, median (runs) | vs 1 | ARM requests | Run Commands |",
    "|---|---|---|---|---|",
    ...rows,
    "",
    `Each more replica adds about ${fmt(perReplica)} here (3 replicas minus 2): the rollout is sequential by ` +
      "design, so the makespan is the sum of the replicas' steps. On Azure a replica's step is dominated by what the " +
      "emulator does not take time for: the userData update (an LRO) and two Run Commands, one at a time per VM " +
      "(learn.microsoft.com/azure/virtual-machines/linux/run-command), so expect a multiple of the single VM's " +
      "config change, replica by replica, not the emulator's milliseconds.",
  ].join("\n");
}

/** Run on its own: `BENCH_ONLY=rollout npm run bench`. */
export async function writeRolloutSection(reps: number, progress: (line: string) => void): Promise<string> {
  const text = await rolloutBench(reps, progress);
  writeSection(ROLLOUT_HEADING, text);
  return text;
}
