/**
 * A stand-in for Azure IMDS, run inside the proxy namespace:
 *
 *   node --import tsx traffic-imds.ts <port> <userData-file>
 *
 * Answers only what the apply script asks for, the way IMDS does: the VM's
 * userData (already base64, as Azure stores it) at
 * /metadata/instance/compute/userData?api-version=…&format=text, and only with
 * the `Metadata: true` header (IMDS answers 400 without it). The file is read
 * on every request, so a test changes "the VM's userData" by rewriting it.
 * Every request is logged to stdout.
 */

import { readFileSync } from "node:fs";
import http from "node:http";

const [port = "8169", userDataFile = ""] = process.argv.slice(2);

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://imds");
  process.stdout.write(`${req.method} ${url.pathname}${url.search} metadata=${String(req.headers.metadata)}\n`);
  if (req.headers.metadata !== "true") {
    res
      .writeHead(400, { "content-type": "application/json" })
      .end('{"error":"Bad request. Required metadata header not specified"}');
    return;
  }
  if (
    url.pathname !== "/metadata/instance/compute/userData" ||
    !url.searchParams.get("api-version") ||
    url.searchParams.get("format") !== "text"
  ) {
    res.writeHead(404).end("not found");
    return;
  }
  res.writeHead(200, { "content-type": "text/plain" }).end(readFileSync(userDataFile, "utf8"));
});
server.listen({ port: Number(port), host: "127.0.0.1" }, () => process.stdout.write("READY\n"));
