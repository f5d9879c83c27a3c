/**
 * What runs inside the namespaces besides HAProxy: the two test backends with
 * their own certificates, the client agent, and the fake IMDS.
 */

import { X509Certificate } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ADDR, type NsProcess, nodeTsArgs, nsSpawn, run, type Topology } from "./netns.js";
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

const SUPPORT_DIR = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = join(SUPPORT_DIR, "..", "..");

export interface Certificate {
  certPath: string;
  keyPath: string;
  /** Same format as tls getPeerCertificate().fingerprint256. */
  fingerprint256: string;
}

/** A self-signed P-256 certificate made with the openssl CLI. */
export async function makeCertificate(dir: string, commonName: string): Promise<Certificate> {
  const certPath = join(dir, `${commonName}.crt`);
  const keyPath = join(dir, `${commonName}.key`);
  await run("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    keyPath,
    "-out",
    certPath,
    "-days",
    "2",
    "-subj",
    `/CN=${commonName}`,
  ]);
  return { certPath, keyPath, fingerprint256: new X509Certificate(readFileSync(certPath)).fingerprint256 };
}

export interface Backend {
  name: string;
  address: string;
  certificate: Certificate;
  process: NsProcess | undefined;
  start(): Promise<void>;
  /** Kills the server (SIGKILL: like a crash, its listening sockets vanish at once). */
  kill(): Promise<void>;
}

/** Backend i (0-based) of the topology, named "backend1", "backend2". */
export async function makeBackend(topology: Topology, index: number): Promise<Backend> {
  const name = `backend${index + 1}`;
  const ns = topology.backends[index];
  const address = ADDR.backendV4[index];
  if (!ns || !address) throw new Error(`no backend ${index}`);
  const certificate = await makeCertificate(topology.dir, name);
  const backend: Backend = {
    name,
    address,
    certificate,
    process: undefined,
    async start() {
      const [node, args] = nodeTsArgs(
        join(SUPPORT_DIR, "traffic-backend.ts"),
        name,
        certificate.certPath,
        certificate.keyPath,
      );
      backend.process = await nsSpawn(ns, node, args, { readyLine: "READY", cwd: REPO_ROOT });
    },
    async kill() {
      await backend.process?.stop("SIGKILL");
      backend.process = undefined;
    },
  };
  await backend.start();
  return backend;
}

export class ClientAgent {
  private constructor(
    readonly process: NsProcess,
    private readonly socketPath: string,
  ) {}

  static async start(topology: Topology): Promise<ClientAgent> {
    const socketPath = join(topology.dir, "client-agent.sock");
    const [node, args] = nodeTsArgs(join(SUPPORT_DIR, "traffic-agent.ts"), socketPath);
    const proc = await nsSpawn(topology.client, node, args, { readyLine: "READY", cwd: REPO_ROOT });
    return new ClientAgent(proc, socketPath);
  }

  private call<T>(path: string, body: unknown): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          socketPath: this.socketPath,
          path,
          method: "POST",
          agent: false,
          headers: { "content-type": "application/json" },
        },
        (res) => {
          let text = "";
          res.on("data", (d: Buffer) => (text += d.toString()));
          res.on("end", () =>
            res.statusCode === 200 ? resolve(JSON.parse(text) as T) : reject(new Error(`agent ${path}: ${text}`)),
          );
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(body));
    });
  }

  probe(p: Probe): Promise<ProbeResult> {
    return this.call("/probe", p);
  }
  probes(p: Probe[]): Promise<ProbeResult[]> {
    return this.call("/probes", p);
  }
  load(r: LoadRequest): Promise<LoadResult> {
    return this.call("/load", r);
  }
  /** Starts load that runs until stopLoad; resolves once traffic flows (its first request was answered). */
  startLoad(r: OpenLoadRequest): Promise<{ id: number }> {
    return this.call("/load/start", r);
  }
  /** The load's result so far, once it has seen `until.route` answered and `until.total` answers (the load goes on). */
  loadProgress(id: number, until: { route?: string; total?: number } = {}): Promise<LoadResult> {
    return this.call("/load/progress", { id, until });
  }
  /** Stops the load once it has seen `until.route` answered and `until.total` answers (when given). */
  stopLoad(id: number, until: { route?: string; total?: number } = {}): Promise<LoadResult> {
    return this.call("/load/stop", { id, until });
  }
  latency(r: LatencyRequest): Promise<LatencyResult> {
    return this.call("/latency", r);
  }
  /** Opens connections and keeps them open without sending anything. */
  hold(r: HoldRequest): Promise<HeldState> {
    return this.call("/hold", r);
  }
  held(id: number): Promise<HeldState> {
    return this.call("/held", { id });
  }
  /** Resolves when at least `closed` of the held connections have been closed by the other side. */
  heldClosed(id: number, closed: number): Promise<HeldState> {
    return this.call("/held-wait", { id, closed });
  }
  release(id: number): Promise<void> {
    return this.call("/release", { id });
  }
  stop(): Promise<void> {
    return this.process.stop();
  }
}

export interface FakeImds {
  /** Base URL for IPV6_PROXY_IMDS_URL (reachable from inside the proxy namespace). */
  url: string;
  /** Sets the VM's userData (already base64-encoded, as Azure stores it). */
  setUserData(base64: string): void;
  /** Request log lines so far. */
  log(): string;
  stop(): Promise<void>;
}

export async function startFakeImds(topology: Topology, port = 8169): Promise<FakeImds> {
  const file = join(topology.dir, "imds-userdata.txt");
  writeFileSync(file, "");
  const [node, args] = nodeTsArgs(join(SUPPORT_DIR, "traffic-imds.ts"), String(port), file);
  const proc = await nsSpawn(topology.proxy, node, args, { readyLine: "READY", cwd: REPO_ROOT });
  return {
    url: `http://127.0.0.1:${port}`,
    setUserData: (b64) => writeFileSync(file, b64),
    log: () => proc.output(),
    stop: () => proc.stop(),
  };
}
