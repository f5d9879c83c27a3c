/**
 * Client agent, run inside the client namespace:
 *
 *   node --import tsx traffic-agent.ts <control.sock>
 *
 * A Node process can't switch network namespaces, so the test process (in the
 * root namespace) drives this agent over a Unix socket (filesystem paths are
 * shared across network namespaces). Each endpoint takes and returns JSON:
 * POST /probe, /probes, /load, /latency, and /hold, /held, /release for
 * connections kept open on purpose (an abusive client). Prints "READY".
 */

import { rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import type {
  HeldState,
  HoldRequest,
  LatencyRequest,
  LatencyResult,
  LoadRequest,
  LoadResult,
  Probe,
  ProbeResult,
} from "./traffic-protocol.js";
import { probe } from "./traffic-requests.js";

const socketPath = process.argv[2] ?? "";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function load(req: LoadRequest): Promise<LoadResult> {
  const result: LoadResult = {
    total: 0,
    ok: 0,
    failed: 0,
    errors: {},
    byBackend: {},
    byRoute: {},
    requestsPerSecond: 0,
    failureTimes: [],
  };
  const start = Date.now();
  let next = 0;
  const record = (p: Probe, r: ProbeResult) => {
    result.total++;
    if (r.ok && r.whoami) {
      result.ok++;
      const backend = r.whoami.backend;
      result.byBackend[backend] = (result.byBackend[backend] ?? 0) + 1;
      const route = `${p.servername ?? p.hostHeader ?? p.host} → ${backend}`;
      result.byRoute[route] = (result.byRoute[route] ?? 0) + 1;
    } else {
      result.failed++;
      if (result.failureTimes.length < 500) result.failureTimes.push(Date.now());
      const msg = r.error ?? `HTTP ${r.status}`;
      if (msg in result.errors || Object.keys(result.errors).length < 20)
        result.errors[msg] = (result.errors[msg] ?? 0) + 1;
    }
  };
  const worker = async () => {
    while (Date.now() - start < req.durationMs) {
      const p = req.probes[next++ % req.probes.length];
      if (!p) throw new Error("load: no probes");
      record(p, await probe(p));
    }
  };
  await Promise.all(Array.from({ length: req.concurrency }, worker));
  result.requestsPerSecond = result.total / ((Date.now() - start) / 1000);
  return result;
}

async function latency(req: LatencyRequest): Promise<LatencyResult> {
  for (let i = 0; i < req.warmup; i++) await probe(req.probe);
  const samples: number[] = [];
  let failed = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < req.count; i++) {
    const r = await probe(req.probe);
    if (r.ok) samples.push(r.micros);
    else failed++;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  samples.sort((a, b) => a - b);
  return {
    count: samples.length,
    failed,
    p50Micros: percentile(samples, 50),
    p90Micros: percentile(samples, 90),
    p99Micros: percentile(samples, 99),
    requestsPerSecond: req.count / seconds,
  };
}

/** Held connection groups by id: each socket is open until the other side closes or resets it. */
const heldGroups = new Map<number, { sockets: net.Socket[]; closed: Set<net.Socket> }>();
let nextHeld = 1;

/** Opens the connections one after another and resolves once each has connected (or failed to). */
async function hold(req: HoldRequest): Promise<HeldState> {
  const group = { sockets: [] as net.Socket[], closed: new Set<net.Socket>() };
  const id = nextHeld++;
  heldGroups.set(id, group);
  for (let i = 0; i < req.count; i++) {
    const socket = net.connect({
      host: req.probe.host,
      port: req.probe.port,
      ...(req.probe.localAddress ? { localAddress: req.probe.localAddress } : {}),
    });
    group.sockets.push(socket);
    const gone = () => group.closed.add(socket);
    socket.on("error", gone);
    socket.on("close", gone);
    socket.on("end", gone);
    socket.resume();
    await new Promise<void>((resolve) => {
      socket.once("connect", () => resolve());
      socket.once("close", () => resolve());
    });
  }
  return heldState(id);
}

function heldState(id: number): HeldState {
  const group = heldGroups.get(id);
  if (!group) throw new Error(`no held group ${id}`);
  return { id, open: group.sockets.length - group.closed.size, closed: group.closed.size };
}

const handlers: Record<string, (body: unknown) => Promise<unknown>> = {
  "/hold": (b) => hold(b as HoldRequest),
  "/held": async (b) => heldState((b as { id: number }).id),
  "/release": async (b) => {
    const { id } = b as { id: number };
    for (const socket of heldGroups.get(id)?.sockets ?? []) socket.destroy();
    heldGroups.delete(id);
    return { id, released: true };
  },
  "/probe": (b) => probe(b as Probe),
  "/probes": async (b) => {
    const out: ProbeResult[] = [];
    for (const p of b as Probe[]) out.push(await probe(p));
    return out;
  },
  "/load": (b) => load(b as LoadRequest),
  "/latency": (b) => latency(b as LatencyRequest),
};

const server = http.createServer((req, res) => {
  let body = "";
  req.on("data", (d: Buffer) => (body += d.toString()));
  req.on("end", () => {
    const handler = handlers[req.url ?? ""];
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    handler(JSON.parse(body || "null")).then(
      (out) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out)),
      (e: Error) => res.writeHead(500).end(e.stack ?? e.message),
    );
  });
});
server.requestTimeout = 0;
server.headersTimeout = 0;
rmSync(socketPath, { force: true });
server.listen(socketPath, () => process.stdout.write("READY\n"));
