/**
 * The routing rules of a rendered config, exercised by a real haproxy on
 * loopback. Backends are 127.0.0.x listeners; only the listen addresses and
 * ports and the stats socket path are swapped (asserted one by one), every
 * rule stays as rendered. Full IPv6 paths are covered by the traffic tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connect as tlsConnect } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import { proxySpec } from "../support/dataplane-fixtures.js";
import { HAPROXY, LOOPBACK_RANGE, requirements } from "../support/requirements.js";

const needs = await requirements("data-plane", HAPROXY, LOOPBACK_RANGE);

const BACKENDS = { "default-a": "127.0.0.2", "default-b": "127.0.0.3", api: "127.0.0.4", wild: "127.0.0.6" };
const DOWN = "127.0.0.5"; // nothing listens here

const spec = proxySpec({
  backends: [BACKENDS["default-a"], BACKENDS["default-b"]],
  routes: [
    { hostnames: ["*.example.nl"], backends: [BACKENDS.wild] },
    { hostnames: ["api.example.nl", "*.api.example.nl"], backends: [BACKENDS.api] },
    { hostnames: ["down.example.nl"], backends: [DOWN] },
  ],
});

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

/** Answers `name:sha256(request)` once the request is complete: a TLS record, HTTP headers, or a line. */
function isComplete(data: Buffer): boolean {
  if (data[0] === 0x16) return data.length >= 5 && data.length >= 5 + data.readUInt16BE(3);
  const text = data.toString("latin1");
  return text.includes(" HTTP/1.1\r\n") ? text.includes("\r\n\r\n") : text.endsWith("\n");
}

async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function backend(name: string): Server {
  return createServer((sock) => {
    let data = Buffer.alloc(0);
    sock.on("error", () => {});
    sock.on("data", (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (isComplete(data)) sock.end(`${name}:${sha(data)}`);
    });
  });
}

/** The admin socket of the HAProxy under test (set in beforeAll). */
let adminSocket = "";

/** One command on HAProxy's admin socket; its whole answer. */
function adminCommand(command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(adminSocket, () => s.end(`${command}\n`));
    let text = "";
    s.on("data", (d) => (text += d.toString()));
    s.on("end", () => resolve(text));
    s.on("error", reject);
  });
}

/**
 * Resolves once HAProxy has read `bytes` bytes of the request of the client
 * on `clientPort` (`show sess all`: the session's `req=... total=N`). Sending
 * the next chunk only then makes the split real: HAProxy got the first part on
 * its own, whatever the timing of the machine.
 */
async function haproxyHasRead(clientPort: number, bytes: number): Promise<void> {
  for (;;) {
    const sessions = (await adminCommand("show sess all")).split(/\n(?=0x)/);
    const mine = sessions.find((b) => new RegExp(`source=127\\.0\\.0\\.1:${clientPort}\\b`).test(b));
    const total = Number(/\n\s*req=\S+ \([^)]*\btotal=(\d+)\)/.exec(mine ?? "")?.[1] ?? -1);
    if (total >= bytes) return;
    await sleep(5); // looking again at HAProxy's state, not waiting for time to pass
  }
}

/**
 * Sends the chunks as separate reads of HAProxy: each next chunk only once
 * HAProxy has read everything before it. Resolves with everything the server
 * sent before closing.
 */
function exchange(port: number, chunks: Buffer[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, "127.0.0.1");
    let reply = "";
    const timer = setTimeout(() => reject(new Error("no answer in 15 s")), 15_000);
    sock.on("data", (d) => (reply += d.toString()));
    sock.on("error", () => {}); // a reset is an answer too: an empty one
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(reply);
    });
    sock.on("connect", async () => {
      let sent = 0;
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0) await haproxyHasRead(sock.localPort!, sent);
        if (sock.destroyed) return;
        sock.write(chunk);
        sent += chunk.length;
      }
    });
  });
}

/** The real ClientHello Node's TLS client sends for `servername`. */
async function clientHello(servername: string): Promise<Buffer> {
  const capture = createServer();
  const port = await listen(capture, "127.0.0.1", 0);
  try {
    return await new Promise<Buffer>((resolve) => {
      capture.on("connection", (sock) => {
        let data = Buffer.alloc(0);
        sock.on("data", (chunk) => {
          data = Buffer.concat([data, chunk]);
          if (isComplete(data)) {
            resolve(data);
            sock.destroy();
          }
        });
      });
      tlsConnect({ host: "127.0.0.1", port, servername, rejectUnauthorized: false }).on("error", () => {});
    });
  } finally {
    capture.close();
  }
}

function split(b: Buffer): Buffer[] {
  const half = Math.floor(b.length / 2);
  return [b.subarray(0, half), b.subarray(half)];
}

function swapOnce(text: string, from: string | RegExp, to: string, times = 1): string {
  const count = text.split(from).length - 1;
  if (count !== times) throw new Error(`expected ${times} × ${String(from)} in the rendered config, found ${count}`);
  return text.split(from).join(to);
}

describe("a rendered config routes real connections", needs, () => {
  const servers: Server[] = [];
  const frontend = { 80: 0, 443: 0 };
  let haproxy: ChildProcess | undefined;
  let haproxyLog = "";
  let dir = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "dataplane-routing-"));
    let config = renderHaproxyConfig(spec, { nbthread: 1 });
    for (const port of [80, 443] as const) {
      // The same backend port on every 127.0.0.x address.
      const first = backend("default-a");
      servers.push(first);
      const backendPort = await listen(first, BACKENDS["default-a"], 0);
      for (const name of ["default-b", "api", "wild"] as const) {
        const s = backend(name);
        servers.push(s);
        await listen(s, BACKENDS[name], backendPort);
      }
      const probe = createServer();
      frontend[port] = await listen(probe, "127.0.0.1", 0);
      await new Promise((r) => probe.close(r));
      config = swapOnce(config, `bind :::${port} v4v6`, `bind 127.0.0.1:${frontend[port]}`);
      // 2 defaults + 1 server in each of the 3 routes.
      config = config.replace(new RegExp(`(127\\.0\\.0\\.\\d):${port} check`, "g"), `$1:${backendPort} check`);
      expect(config.match(new RegExp(`:${backendPort} check`, "g"))).toHaveLength(5);
    }
    config = swapOnce(
      config,
      "stats socket /run/haproxy/admin.sock mode 660 level admin expose-fd listeners",
      `stats socket ${dir}/admin.sock mode 600 level admin`,
    );
    adminSocket = join(dir, "admin.sock");
    // An inspect delay longer than any exchange may wait (15 s): traffic that HAProxy held back for it would
    // never be answered, so "answered" below means "routed at once", without timing anything.
    const delays = config.match(/tcp-request inspect-delay 5s/g)?.length ?? 0;
    expect(delays).toBeGreaterThan(0);
    config = config.replaceAll("tcp-request inspect-delay 5s", "tcp-request inspect-delay 60s");
    writeFileSync(join(dir, "haproxy.cfg"), config);
    haproxy = spawn(HAPROXY.path(), ["-db", "-f", join(dir, "haproxy.cfg")], { stdio: ["ignore", "pipe", "pipe"] });
    haproxy.stdout?.on("data", (d) => (haproxyLog += d));
    haproxy.stderr?.on("data", (d) => (haproxyLog += d));
    // Until HAProxy listens, or has exited; the hook's timeout bounds a start that hangs.
    for (;;) {
      const up = await new Promise<boolean>((resolve) => {
        const s = connect(frontend[443], "127.0.0.1", () => {
          s.destroy();
          resolve(true);
        }).on("error", () => resolve(false));
      });
      if (up) break;
      if (haproxy.exitCode !== null) throw new Error(`haproxy did not start:\n${haproxyLog}`);
      await sleep(50);
    }
  });

  afterAll(async () => {
    if (haproxy?.pid && haproxy.exitCode === null) haproxy.kill("SIGTERM");
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, string][] = [
    ["api.example.nl", "api"], // exact name beats the earlier *.example.nl route
    ["x.api.example.nl", "api"], // more specific wildcard wins
    ["deep.x.api.example.nl", "api"],
    ["www.example.nl", "wild"],
    ["example.nl", "default"], // a wildcard never matches its own suffix
    ["example.org", "default"],
  ];

  for (const [name, expected] of cases) {
    it(`SNI ${name} (ClientHello split over two segments) → ${expected}`, async () => {
      const hello = await clientHello(name);
      const reply = await exchange(frontend[443], split(hello));
      expect(reply.split(":")[0]).toMatch(expected === "default" ? /^default-[ab]$/ : new RegExp(`^${expected}$`));
      expect(reply.split(":")[1]).toBe(sha(hello)); // passed through byte for byte
    });

    it(`HTTP Host ${name} (headers split over two segments) → ${expected}`, async () => {
      const request = `GET / HTTP/1.1\r\nHost: ${name.toUpperCase()}:80\r\nUser-Agent: routing-test\r\n\r\n`;
      const half = request.indexOf("User-Agent");
      const reply = await exchange(frontend[80], [
        Buffer.from(request.slice(0, half)),
        Buffer.from(request.slice(half)),
      ]);
      expect(reply.split(":")[0]).toMatch(expected === "default" ? /^default-[ab]$/ : new RegExp(`^${expected}$`));
      expect(reply.split(":")[1]).toBe(sha(request));
    });
  }

  it("closes a route whose servers are all down instead of using the default backends", async () => {
    expect(await exchange(frontend[443], [await clientHello("down.example.nl")])).toBe("");
    expect(await exchange(frontend[80], [Buffer.from("GET / HTTP/1.1\r\nHost: down.example.nl\r\n\r\n")])).toBe("");
  });

  it("sends data that is neither TLS nor HTTP to the default backends at once, not after the inspect delay", async () => {
    for (const port of [443, 80] as const) {
      const reply = await exchange(frontend[port], [Buffer.from("HELO mail.example.nl\n")]);
      expect(reply).toMatch(/^default-[ab]:/);
    }
  });

  it("balances unmatched names round-robin over the default backends", async () => {
    const hello = await clientHello("example.org");
    const names: string[] = [];
    for (let i = 0; i < 4; i++) names.push((await exchange(frontend[443], [hello])).split(":")[0] ?? "");
    expect(names.sort()).toEqual(["default-a", "default-a", "default-b", "default-b"]);
  });
});
