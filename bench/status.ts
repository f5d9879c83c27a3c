/**
 * `status` for tens of proxies: Run Commands to every VM at once against one
 * at a time, side by side in one run, on the emulator. Each Run Command takes
 * RUN_COMMAND_MS on the simulated VM (Azure's take tens of seconds), so the
 * ratio, not the absolute time, is what carries over to Azure.
 * Writes its section of BENCHMARKS.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emulatorConnection } from "../src/azure/emulator-connection.js";
import { startEmulator } from "../src/emulator/server.js";
import type { Logger } from "../src/log.js";
import { applyPlan, type OperationContext, planFromDir, statusFromDir } from "../src/operations.js";
import { median, writeSection } from "./report.js";

const silentLogger: Logger = { info: () => {}, warn: () => {}, group: (_name, fn) => fn() };
const PROXIES = 30;
const RUN_COMMAND_MS = 400;
const ROUNDS = 3;

const emulator = await startEmulator();
const dir = mkdtempSync(join(tmpdir(), "bench-status-"));
try {
  emulator.seedDnsZone(emulator.subscriptionId, "rg-dns", "bench.example");
  for (let i = 0; i < PROXIES; i++) {
    writeFileSync(
      join(dir, `p${i}.yaml`),
      [
        `name: p${i}`,
        "location: westeurope",
        `resourceGroup: rg-bench-${i % 5}`,
        `backends: [203.0.113.${10 + (i % 50)}, 198.51.100.${10 + (i % 50)}]`,
        "dns:",
        "  zone: bench.example",
        "  resourceGroup: rg-dns",
        `  records: [p${i}]`,
        "",
      ].join("\n"),
    );
  }
  const ctx = (concurrency: number): OperationContext => ({
    connection: emulatorConnection(emulator),
    owner: "bench/status",
    defaultSubscriptionId: emulator.subscriptionId,
    log: silentLogger,
    concurrency,
  });
  const planned = await planFromDir(dir, ctx(20));
  if (!planned.plan) throw new Error("the benchmark's proxy files are invalid");
  await applyPlan(planned, ctx(20), { allowDestroy: false });

  // Every VM now takes RUN_COMMAND_MS to answer, as a VM's agent takes its time.
  const vm = emulator.currentRunCommandHandler();
  emulator.onRunCommand(async (id, script) => {
    await new Promise((r) => setTimeout(r, RUN_COMMAND_MS));
    return vm(id, script);
  });

  const measure = async (concurrency: number): Promise<number> => {
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const status = await statusFromDir(dir, ctx(concurrency));
      if (status.health?.verdict !== "healthy") throw new Error(`unexpected health: ${JSON.stringify(status.health)}`);
      times.push(status.health.durationMs);
    }
    return median(times);
  };
  const parallel = await measure(20);
  const serial = await measure(1);
  const text = [
    "## Status of many proxies",
    "",
    `\`npm run bench:status\`: health checks of ${PROXIES} proxies (one VM each, two backends, one DNS name) on the`,
    `emulator, each Run Command taking ${RUN_COMMAND_MS} ms on the VM; median of ${ROUNDS} rounds, same run.`,
    "",
    "| Run Commands at once | Health checks of all proxies |",
    "| --- | --- |",
    `| 20 (default) | ${(parallel / 1000).toFixed(2)} s |`,
    `| 1 | ${(serial / 1000).toFixed(2)} s |`,
    "",
    `At once is ${(serial / parallel).toFixed(1)}× faster. On Azure a Run Command takes tens of seconds, so`,
    "checking tens of proxies one at a time would take many minutes; at once it takes about one Run Command's time",
    "per 20 proxies.",
    "",
  ].join("\n");
  writeSection("Status of many proxies", text);
  process.stdout.write(text);
} finally {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
}
