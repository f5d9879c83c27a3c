/**
 * The check from outside, on the wire: one TCP connection per probe of
 * src/verify/outside-in.ts to the proxy's public address, all of a proxy's at
 * once. It needs no Azure permission at all, so the read-only plan identity's
 * drift run can tell a dead backend from a live one. It sends what a client
 * sends first (a ClientHello, an HTTP HEAD) and reads nothing beyond the
 * first bytes of the answer: the backend sees one aborted handshake or one
 * HEAD request per check.
 */
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { CLIENT_HELLO_RANDOM_BYTES, clientHello } from "../verify/client-hello.js";
import type { OutsideCheck, OutsideProbe, ProbeOutcome, ProbeResult } from "../verify/types.js";

export interface OutsideProbeOptions {
  /** How long a TCP connection may take to open. */
  connectTimeoutMs?: number;
  /**
   * How long to wait for the first byte of an answer. Above HAProxy's own
   * give-up time towards a backend that drops packets (`timeout connect 5s`,
   * `retries 2`: three attempts), so a slow failure is seen as HAProxy's close.
   */
  answerTimeoutMs?: number;
  /** How long a plain TCP connection must stay open to count as connected to a backend. */
  tcpHoldMs?: number;
}

export const OUTSIDE_DEFAULTS: Required<OutsideProbeOptions> = {
  connectTimeoutMs: 5_000,
  answerTimeoutMs: 20_000,
  tcpHoldMs: 3_000,
};

/** Errors that mean "this runner has no route to that address family", not "the proxy is down". */
const NO_ROUTE = new Set(["ENETUNREACH", "EADDRNOTAVAIL", "EAFNOSUPPORT"]);

export async function probeOutside(
  address: { address: string; family: 4 | 6 },
  probes: OutsideProbe[],
  opts: OutsideProbeOptions = {},
): Promise<OutsideCheck> {
  const o = { ...OUTSIDE_DEFAULTS, ...opts };
  const results = await Promise.all(probes.map((p) => probeOnce(address.address, p, o)));
  return { ...address, probes: results };
}

function payload(probe: OutsideProbe): Buffer | undefined {
  switch (probe.protocol) {
    case "tls":
      return clientHello(probe.name, randomBytes(CLIENT_HELLO_RANDOM_BYTES));
    case "http":
      return Buffer.from(
        `HEAD / HTTP/1.1\r\nHost: ${probe.name}\r\nUser-Agent: azure-ipv6-proxy-health\r\nConnection: close\r\n\r\n`,
        "ascii",
      );
    case "tcp":
      return undefined;
  }
}

function probeOnce(host: string, probe: OutsideProbe, o: Required<OutsideProbeOptions>): Promise<ProbeResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let socket: Socket | undefined;
    let connected = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: ProbeOutcome, detail?: string) => {
      if (timer) clearTimeout(timer);
      socket?.removeAllListeners();
      socket?.on("error", () => undefined);
      socket?.destroy();
      resolve({ ...probe, outcome, ...(detail ? { detail } : {}), durationMs: Date.now() - started });
    };
    const wait = (ms: number, onTimeout: () => void) => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(onTimeout, ms);
    };
    try {
      socket = connect({ host, port: probe.port });
    } catch (e) {
      finish("error", (e as Error).message);
      return;
    }
    wait(o.connectTimeoutMs, () => finish("timeout", `no connection within ${o.connectTimeoutMs / 1000} s`));
    socket.on("connect", () => {
      connected = true;
      const data = payload(probe);
      if (data) {
        socket!.write(data);
        wait(o.answerTimeoutMs, () => finish("timeout", `connected, no answer within ${o.answerTimeoutMs / 1000} s`));
      } else {
        wait(o.tcpHoldMs, () => finish("open"));
      }
    });
    socket.once("data", (chunk: Buffer) => finish("answered", describeAnswer(chunk)));
    socket.on("end", () => finish("closed"));
    socket.on("close", () => finish(connected ? "closed" : "error", connected ? undefined : "connection closed"));
    socket.on("error", (e: NodeJS.ErrnoException) => {
      const code = e.code ?? "";
      if (code === "ECONNREFUSED") finish("refused");
      else if (NO_ROUTE.has(code)) finish("unreachable", `no route from this runner (${code})`);
      else if (connected && code === "ECONNRESET") finish("closed");
      else if (code === "EHOSTUNREACH" || code === "ETIMEDOUT") finish("timeout", `host unreachable (${code})`);
      else finish("error", `${code || e.message}`);
    });
  });
}

/** What the first bytes were: TLS handshake (ServerHello), TLS alert, an HTTP status line, or other bytes. */
function describeAnswer(chunk: Buffer): string {
  if (chunk[0] === 0x16) return "TLS handshake";
  if (chunk[0] === 0x15) return "TLS alert";
  const line = chunk.toString("latin1").split("\r\n")[0] ?? "";
  const status = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(line);
  if (status) return `HTTP ${status[1]}`;
  return `${chunk.length} byte(s)`;
}
