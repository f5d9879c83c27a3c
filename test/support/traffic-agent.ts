/**
 * Client agent, run inside the client namespace:
 *
 *   node --import tsx traffic-agent.ts <control.sock>
 *
 * A Node process can't switch network namespaces, so the test process (in the
 * root namespace) drives this agent over a Unix socket (filesystem paths are
 * shared across network namespaces). Each endpoint takes and returns JSON:
 * POST /probe, /probes, /load (for a time), /load/start, /load/progress and
 * /load/stop (until stopped), /latency, and /hold, /held, /release for
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
  OpenLoadRequest,
  Probe,
  ProbeResult,
} from "./traffic-protocol.js";
import { probe } from "./traffic-requests.js";

const socketPath = process.argv[2] ?? "";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * Runs `req` until `done()` says so; `onAnswer` sees the result so far after
 * every answer. `result` fills in as it runs.
 */
function runLoad(
  req: { probes: Probe[]; concurrency: number },
  done: () => boolean,
  onAnswer: (result: LoadResult) => void = () => {},
): { result: LoadResult; finished: Promise<LoadResult> } {
  const result: LoadResult = {
    total: 0,
    ok: 0,
    failed: 0,
    errors: {},
    byBackend: {},
    byRoute: {},
    requestsPerSecond: 0,
    failureTimes: [],
    lastFailureAt: 0,
    lastFailedStartAt: 0,
  };
  const start = Date.now();
  let next = 0;
  const record = (p: Probe, r: ProbeResult, startedAt: number) => {
    result.total++;
    if (r.ok && r.whoami) {
      result.ok++;
      const backend = r.whoami.backend;
      result.byBackend[backend] = (result.byBackend[backend] ?? 0) + 1;
      const route = `${p.servername ?? p.hostHeader ?? p.host} → ${backend}`;
      result.byRoute[route] = (result.byRoute[route] ?? 0) + 1;
    } else {
      result.failed++;
      result.lastFailureAt = Date.now();
      result.lastFailedStartAt = Math.max(result.lastFailedStartAt, startedAt);
      if (result.failureTimes.length < 500) result.failureTimes.push(result.lastFailureAt);
      const msg = r.error ?? `HTTP ${r.status}`;
      if (msg in result.errors || Object.keys(result.errors).length < 20)
        result.errors[msg] = (result.errors[msg] ?? 0) + 1;
    }
  };
  const worker = async () => {
    while (!done()) {
      const p = req.probes[next++ % req.probes.length];
      if (!p) throw new Error("load: no probes");
      const startedAt = Date.now();
      record(p, await probe(p), startedAt);
      onAnswer(result);
    }
  };
  const finished = Promise.all(Array.from({ length: req.concurrency }, worker)).then(() => {
    result.requestsPerSecond = result.total / ((Date.now() - start) / 1000);
    return result;
  });
  return { result, finished };
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
const heldGroups = new Map<number, { sockets: net.Socket[]; closed: Set<net.Socket>; changed: (() => void)[] }>();
let nextHeld = 1;

/** Opens the connections one after another and resolves once each has connected (or failed to). */
async function hold(req: HoldRequest): Promise<HeldState> {
  const group = { sockets: [] as net.Socket[], closed: new Set<net.Socket>(), changed: [] as (() => void)[] };
  const id = nextHeld++;
  heldGroups.set(id, group);
  for (let i = 0; i < req.count; i++) {
    const socket = net.connect({
      host: req.probe.host,
      port: req.probe.port,
      ...(req.probe.localAddress ? { localAddress: req.probe.localAddress } : {}),
    });
    group.sockets.push(socket);
    const gone = () => {
      if (group.closed.has(socket)) return;
      group.closed.add(socket);
      for (const notify of group.changed.splice(0)) notify();
    };
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

/** Resolves once at least `closed` of the group's connections were closed by the other side: an event, not a poll. */
async function heldWait(id: number, closed: number): Promise<HeldState> {
  const group = heldGroups.get(id);
  if (!group) throw new Error(`no held group ${id}`);
  while (group.closed.size < closed) await new Promise<void>((resolve) => group.changed.push(resolve));
  return heldState(id);
}

function heldState(id: number): HeldState {
  const group = heldGroups.get(id);
  if (!group) throw new Error(`no held group ${id}`);
  return { id, open: group.sockets.length - group.closed.size, closed: group.closed.size };
}

function load(req: LoadRequest): Promise<LoadResult> {
  const start = Date.now();
  return runLoad(req, () => Date.now() - start >= req.durationMs).finished;
}

/** Loads that run until stopped, by id, with the conditions waiting on their progress. */
const openLoads = new Map<
  number,
  { result: LoadResult; finished: Promise<LoadResult>; stop: () => void; waiters: Set<() => void> }
>();
let nextLoad = 1;

/** Resolves once `holds` is true of the load's result so far (checked after every answer). */
function whenLoad(id: number, holds: (r: LoadResult) => boolean): Promise<void> {
  const open = openLoads.get(id);
  if (!open) throw new Error(`no load ${id}`);
  return new Promise((resolve) => {
    const check = () => {
      if (!holds(open.result)) return;
      open.waiters.delete(check);
      resolve();
    };
    open.waiters.add(check);
    check();
  });
}

/** Starts load and answers once its first request has been answered: from then on, traffic is flowing. */
async function startLoad(req: OpenLoadRequest): Promise<{ id: number }> {
  const id = nextLoad++;
  let stopped = false;
  const waiters = new Set<() => void>();
  const run = runLoad(
    req,
    () => stopped,
    () => {
      for (const w of [...waiters]) w();
    },
  );
  openLoads.set(id, { ...run, stop: () => (stopped = true), waiters });
  await whenLoad(id, (r) => r.total > 0);
  return { id };
}

type LoadGoal = { route?: string; total?: number };

/** `route` answered at least once and `total` answers in all (each when given). */
const reached =
  ({ route, total = 0 }: LoadGoal) =>
  (r: LoadResult): boolean =>
    r.total >= total && (route === undefined || (r.byRoute[route] ?? 0) > 0);

/** The load's result so far, once it has seen `until.route` answered and `until.total` answers (at once without them). */
async function loadProgress(id: number, until: LoadGoal = {}): Promise<LoadResult> {
  await whenLoad(id, reached(until));
  const open = openLoads.get(id);
  if (!open) throw new Error(`no load ${id}`);
  return structuredClone(open.result);
}

/**
 * Stops a load once it has seen `until.route` answered (e.g. "a.example → backend2")
 * and `until.total` answers in all (at once without them); returns its result.
 */
async function stopLoad(id: number, until: LoadGoal = {}): Promise<LoadResult> {
  await whenLoad(id, reached(until));
  const open = openLoads.get(id);
  if (!open) throw new Error(`no load ${id}`);
  openLoads.delete(id);
  open.stop();
  return open.finished;
}

const handlers: Record<string, (body: unknown) => Promise<unknown>> = {
  "/hold": (b) => hold(b as HoldRequest),
  "/held": async (b) => heldState((b as { id: number }).id),
  "/held-wait": (b) => heldWait((b as { id: number }).id, (b as { closed: number }).closed),
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
  "/load/start": (b) => startLoad(b as OpenLoadRequest),
  "/load/progress": (b) => {
    const { id, until } = b as { id: number; until?: { route?: string; total?: number } };
    return loadProgress(id, until);
  },
  "/load/stop": (b) => {
    const { id, until } = b as { id: number; until?: { route?: string; total?: number } };
    return stopLoad(id, until);
  },
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
