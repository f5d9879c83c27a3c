/**
 * Client-side requests, each over a fresh TCP (and TLS) connection, with a
 * minimal HTTP/1.1 reader: low and constant per-request overhead, so latency
 * differences come from the network path, not from the client library.
 * Used by the client agent inside the client namespace.
 */
import net from "node:net";
import tls from "node:tls";
import type { Probe, ProbeResult, WhoAmI } from "./traffic-protocol.js";

function connect(probe: Probe): net.Socket | tls.TLSSocket {
  const source = probe.localAddress ? { localAddress: probe.localAddress } : {};
  if (!probe.tls) return net.connect({ host: probe.host, port: probe.port, noDelay: true, ...source });
  const socket = tls.connect({
    host: probe.host,
    port: probe.port,
    ...source,
    // The backends' certificates are self-signed; the test compares fingerprints instead.
    rejectUnauthorized: false,
    ...(probe.servername ? { servername: probe.servername } : {}),
  });
  socket.setNoDelay(true);
  return socket;
}

function requestHead(probe: Probe): string {
  const host = probe.hostHeader ?? probe.servername ?? probe.host;
  return `GET ${probe.path ?? "/whoami"} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
}

interface Response {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  peerFingerprint256?: string | undefined;
  localPort?: number | undefined;
}

function exchange(probe: Probe): Promise<Response> {
  return new Promise((resolve, reject) => {
    const socket = connect(probe);
    const timer = setTimeout(() => socket.destroy(new Error("timeout")), probe.timeoutMs ?? 5000);
    let head: Buffer | null = Buffer.alloc(0);
    let status = 0;
    const headers: Record<string, string> = {};
    const chunks: Buffer[] = [];
    let bodyBytes = 0;
    let fingerprint: string | undefined;
    let localPort: number | undefined;
    const ready = probe.tls ? "secureConnect" : "connect";
    socket.once(ready, () => {
      localPort = socket.localPort;
      if (socket instanceof tls.TLSSocket) fingerprint = socket.getPeerCertificate().fingerprint256;
      socket.write(requestHead(probe));
    });
    socket.on("data", (chunk: Buffer) => {
      if (head === null) {
        bodyBytes += chunk.length;
        chunks.push(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = head.subarray(0, end).toString("latin1").split("\r\n");
      status = Number((lines[0] ?? "").split(" ")[1]);
      for (const line of lines.slice(1)) {
        const i = line.indexOf(":");
        if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      const rest = head.subarray(end + 4);
      head = null;
      bodyBytes += rest.length;
      chunks.push(rest);
    });
    socket.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    socket.on("end", () => {
      clearTimeout(timer);
      if (head !== null) {
        reject(new Error(head.length === 0 ? "connection closed without a response" : "truncated response head"));
        return;
      }
      const expected = Number(headers["content-length"] ?? bodyBytes);
      if (bodyBytes !== expected) {
        reject(new Error(`truncated body: ${bodyBytes} of ${expected} bytes`));
        return;
      }
      resolve({ status, headers, body: Buffer.concat(chunks), peerFingerprint256: fingerprint, localPort });
      socket.destroy();
    });
  });
}

export async function probe(p: Probe): Promise<ProbeResult> {
  const start = process.hrtime.bigint();
  const micros = () => Number(process.hrtime.bigint() - start) / 1000;
  try {
    const res = await exchange(p);
    const whoami = res.status === 200 ? (JSON.parse(res.body.toString()) as WhoAmI) : undefined;
    return {
      ok: res.status === 200,
      status: res.status,
      micros: micros(),
      ...(whoami ? { whoami } : {}),
      peerFingerprint256: res.peerFingerprint256,
      localPort: res.localPort,
    };
  } catch (e) {
    return { ok: false, error: (e as Error).message, micros: micros() };
  }
}
