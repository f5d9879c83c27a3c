/**
 * A test backend, run inside a backend namespace:
 *
 *   node --import tsx traffic-backend.ts <name> <cert.pem> <key.pem> [httpPort] [httpsPort]
 *
 * Serves HTTP and HTTPS (its own certificate) on IPv4. A PROXY protocol v1/v2
 * header in front of a connection is detected, parsed and reported, the way a
 * backend configured for PROXY protocol would read the client's address.
 * `GET /whoami` answers a WhoAmI JSON, `GET /delay?ms=N` the same after N ms,
 * `GET /wait?until=<file>` the same once that file exists (printing `WAITING <file>`
 * when the request arrives, so a test knows its connection is established);
 * `GET /bytes?n=N` streams N bytes.
 * Prints "READY" once both ports listen.
 */
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import type { Duplex } from "node:stream";
import tls from "node:tls";
import type { WhoAmI } from "./traffic-protocol.js";
import { type ProxyHeader, parseProxyHeader } from "./traffic-proxy-header.js";

const [name = "backend", certPath = "", keyPath = "", httpPort = "80", httpsPort = "443"] = process.argv.slice(2);
const secureContext = tls.createSecureContext({ cert: readFileSync(certPath), key: readFileSync(keyPath) });
const MAX_HEAD = 16 * 1024;
const FILL = Buffer.alloc(1 << 20, 0x61);

interface ConnectionInfo {
  peer: { address: string; port: number };
  proxyHeader: ProxyHeader | null;
  tls: boolean;
  servername: string | null;
}

/** Reads the optional PROXY header, then hands the rest of the stream on. */
function acceptConnection(socket: net.Socket, useTls: boolean): void {
  socket.on("error", () => socket.destroy());
  let buffered = Buffer.alloc(0);
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const parsed = parseProxyHeader(buffered);
    if (parsed.status === "incomplete") return;
    socket.off("data", onData);
    socket.pause();
    if (parsed.status === "invalid") {
      socket.destroy();
      return;
    }
    const header = parsed.status === "ok" ? parsed.header : null;
    socket.unshift(parsed.status === "ok" ? buffered.subarray(parsed.length) : buffered);
    const info: ConnectionInfo = {
      peer: { address: socket.remoteAddress ?? "", port: socket.remotePort ?? 0 },
      proxyHeader: header,
      tls: useTls,
      servername: null,
    };
    if (!useTls) {
      serveHttp(socket, info);
      return;
    }
    // TLSSocket takes over bytes already unshifted into `socket`.
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext });
    secure.on("error", () => secure.destroy());
    secure.once("secure", () => {
      info.servername = (secure as tls.TLSSocket & { servername?: string | false }).servername || null;
    });
    serveHttp(secure, info);
  };
  socket.on("data", onData);
}

function serveHttp(stream: Duplex, info: ConnectionInfo): void {
  let head = "";
  const onData = (chunk: Buffer) => {
    head += chunk.toString("latin1");
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) {
      if (head.length > MAX_HEAD) stream.destroy();
      return;
    }
    stream.off("data", onData);
    const lines = head.slice(0, end).split("\r\n");
    const [, target = "/"] = (lines[0] ?? "").split(" ");
    const hostLine = lines.find((l) => /^host:/i.test(l));
    const hostHeader = hostLine ? hostLine.slice(5).trim() : null;
    const url = new URL(target, "http://backend");
    if (url.pathname === "/whoami") {
      const body: WhoAmI = { backend: name, ...info, hostHeader };
      respond(stream, 200, JSON.stringify(body));
    } else if (url.pathname === "/delay") {
      // Answers like /whoami after a pause: a connection that stays established meanwhile.
      const body: WhoAmI = { backend: name, ...info, hostHeader };
      const timer = setTimeout(
        () => respond(stream, 200, JSON.stringify(body)),
        Number(url.searchParams.get("ms") ?? 0),
      );
      stream.once("close", () => clearTimeout(timer));
    } else if (url.pathname === "/wait") {
      // Answers like /whoami once the test creates the file: a connection held open for exactly as long as it needs.
      const body: WhoAmI = { backend: name, ...info, hostHeader };
      const file = url.searchParams.get("until") ?? "";
      process.stdout.write(`WAITING ${file}\n`);
      const check = setInterval(() => {
        if (!existsSync(file)) return;
        clearInterval(check);
        respond(stream, 200, JSON.stringify(body));
      }, 20);
      stream.once("close", () => clearInterval(check));
    } else if (url.pathname === "/bytes") {
      streamBytes(stream, Number(url.searchParams.get("n") ?? 0));
    } else {
      respond(stream, 404, "not found\n");
    }
  };
  stream.on("data", onData);
  stream.resume();
}

function respond(stream: Duplex, status: number, body: string): void {
  const bytes = Buffer.from(body);
  stream.end(
    Buffer.concat([
      Buffer.from(
        `HTTP/1.1 ${status} ${status === 200 ? "OK" : "Not Found"}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${bytes.length}\r\nX-Backend: ${name}\r\nConnection: close\r\n\r\n`,
      ),
      bytes,
    ]),
  );
}

function streamBytes(stream: Duplex, total: number): void {
  stream.write(`HTTP/1.1 200 OK\r\nContent-Length: ${total}\r\nX-Backend: ${name}\r\nConnection: close\r\n\r\n`);
  let left = total;
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, FILL.length);
      left -= n;
      if (!stream.write(n === FILL.length ? FILL : FILL.subarray(0, n))) {
        stream.once("drain", pump);
        return;
      }
    }
    stream.end();
  };
  pump();
}

function listen(port: number, useTls: boolean): Promise<void> {
  const server = net.createServer((s) => acceptConnection(s, useTls));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port, host: "0.0.0.0", backlog: 4096 }, () => resolve());
  });
}

await Promise.all([listen(Number(httpPort), false), listen(Number(httpsPort), true)]);
process.stdout.write("READY\n");
