/**
 * Messages exchanged by the traffic helpers: what a test backend answers, and
 * what the client agent (running inside the client namespace) is asked to do.
 */
import type { ProxyHeader } from "./traffic-proxy-header.js";

/** Body of a backend's `GET /whoami` answer. */
export interface WhoAmI {
  backend: string;
  /** The TCP peer the backend saw (the proxy, when traffic went through it). */
  peer: { address: string; port: number };
  /** The PROXY protocol header that preceded the connection, if any. */
  proxyHeader: ProxyHeader | null;
  tls: boolean;
  /** SNI the backend's own TLS stack received (proves passthrough). */
  servername: string | null;
  hostHeader: string | null;
}

/** One request over a fresh TCP connection. */
export interface Probe {
  host: string;
  port: number;
  tls: boolean;
  /** TLS SNI; also the default Host header. */
  servername?: string;
  hostHeader?: string;
  path?: string;
  timeoutMs?: number;
  /** Source address to connect from (one of the client namespace's addresses). */
  localAddress?: string;
}

export interface ProbeResult {
  ok: boolean;
  error?: string;
  status?: number;
  whoami?: WhoAmI;
  /** SHA-256 fingerprint of the certificate the server presented ("AB:CD:…"). */
  peerFingerprint256?: string | undefined;
  /** The client's own port of the connection (what a PROXY header should carry as source port). */
  localPort?: number | undefined;
  /** Connect-to-last-byte time in microseconds. */
  micros: number;
}

export interface LoadRequest {
  /** Used round-robin. */
  probes: Probe[];
  durationMs: number;
  concurrency: number;
}

/** Load that runs until it is stopped (`/load/start`, then `/load/stop`). */
export interface OpenLoadRequest {
  probes: Probe[];
  concurrency: number;
}

export interface LoadResult {
  total: number;
  ok: number;
  failed: number;
  /** Up to 20 distinct error messages with their counts. */
  errors: Record<string, number>;
  /** Successful requests per answering backend. */
  byBackend: Record<string, number>;
  /** Per-probe-servername/Host counts per backend: "host → backend": n. */
  byRoute: Record<string, number>;
  requestsPerSecond: number;
  /** When each failed request ended (ms since the epoch), the first 500. */
  failureTimes: number[];
  /** When the last failed request ended (ms since the epoch), 0 when none failed; not capped like failureTimes. */
  lastFailureAt: number;
  /** When the latest-started failed request started (ms since the epoch), 0 when none failed. */
  lastFailedStartAt: number;
}

/** Opens `count` plain TCP connections to `probe` and keeps them open, sending nothing. */
export interface HoldRequest {
  probe: Probe;
  count: number;
}

export interface HeldState {
  id: number;
  /** Connections still open. */
  open: number;
  /** Connections the other side closed or reset. */
  closed: number;
}

export interface LatencyRequest {
  probe: Probe;
  count: number;
  warmup: number;
}

export interface LatencyResult {
  count: number;
  failed: number;
  p50Micros: number;
  p90Micros: number;
  p99Micros: number;
  requestsPerSecond: number;
}
