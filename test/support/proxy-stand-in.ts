/**
 * A stand-in for a proxy VM's public IPv4, for the check from outside in
 * tests that run against the emulator: it listens on the address the emulator
 * allocated (a loopback one, `publicIpv4Prefix`) and behaves as HAProxy's TCP
 * mode does with the rendered config: it routes a TLS port by the
 * ClientHello's SNI and port 80 by the Host header, and when no server of the
 * chosen backend is up it closes the connection without a byte; otherwise a
 * real TLS (or HTTP) server answers, as the backend would through the
 * passthrough. Whether a server is up comes from the emulator's simulated
 * backends (`emulator.setBackendHealth`), so one switch drives both Run
 * Command's view and this one. test/dataplane/outside-in.test.ts checks the
 * same probes against real HAProxy.
 */
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer, type Server as TlsServer } from "node:tls";
import { createTlsIdentity } from "../../src/emulator/tls.js";
import { serverNameOf } from "../../src/verify/client-hello.js";
import { routeOf } from "../../src/verify/outside-in.js";

export interface StandInSpec {
  ports: number[];
  tlsPorts: number[];
  backends: string[];
  routes: { hostnames: string[]; backends: string[] }[];
}

export interface ProxyStandIn {
  /** Connections each backend server answered, by "server:port". */
  answered: Map<string, number>;
  close(): Promise<void>;
}

export async function startProxyStandIn(
  address: string,
  spec: StandInSpec,
  isUp: (server: string, port: number) => boolean,
): Promise<ProxyStandIn> {
  const identity = await createTlsIdentity();
  // The backends themselves: one real TLS server and one real HTTP server on loopback.
  const tlsBackend: TlsServer = createTlsServer({ cert: identity.cert, key: identity.key }, (s) => s.end());
  tlsBackend.on("tlsClientError", () => undefined);
  const httpBackend: HttpServer = createHttpServer((_req, res) => res.writeHead(200, { "content-length": 0 }).end());
  tlsBackend.on("connection", (s: Socket) => open.add(s));
  await Promise.all([listen(tlsBackend, "127.0.0.1", 0), listen(httpBackend, "127.0.0.1", 0)]);
  const answered = new Map<string, number>();
  const open = new Set<Socket>();
  const routes = spec.routes.map((r) => r.hostnames);

  const serversFor = (name: string | undefined) => {
    const route = name === undefined ? undefined : routeOf(name, routes);
    return route === undefined ? spec.backends : spec.routes[route - 1]!.backends;
  };
  const frontends: Server[] = spec.ports.map((port) => {
    const tls = spec.tlsPorts.includes(port);
    return createServer((client: Socket) => {
      open.add(client);
      client.on("close", () => open.delete(client));
      client.on("error", () => undefined);
      let buffered = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        const complete = tls
          ? buffered.length >= 5 && buffered.length >= 5 + buffered.readUInt16BE(3)
          : buffered.includes("\r\n\r\n");
        if (!complete) return;
        client.off("data", onData);
        const name = tls ? serverNameOf(buffered) : hostOf(buffered);
        const server = serversFor(name).find((s) => isUp(s, port));
        // HAProxy in TCP mode has no error page: a backend without a server up means a close, no byte.
        if (!server) return void client.destroy();
        answered.set(`${server}:${port}`, (answered.get(`${server}:${port}`) ?? 0) + 1);
        const backend = connect(((tls ? tlsBackend : httpBackend).address() as AddressInfo).port, "127.0.0.1");
        open.add(backend);
        backend.on("error", () => client.destroy());
        backend.write(buffered);
        client.pipe(backend).pipe(client);
      };
      client.on("data", onData);
    });
  });
  await Promise.all(frontends.map((f, i) => listen(f, address, spec.ports[i]!)));
  return {
    answered,
    async close() {
      for (const s of open) s.destroy();
      await Promise.all([...frontends, tlsBackend, httpBackend].map((s) => closeServer(s)));
    },
  };
}

function hostOf(request: Buffer): string | undefined {
  const m = /\r\nhost:\s*([^\r\n:]+)/i.exec(request.toString("latin1"));
  return m?.[1];
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => resolve());
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
  });
}
