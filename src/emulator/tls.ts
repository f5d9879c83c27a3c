/**
 * The emulator's TLS identity: a fresh self-signed certificate per start, for
 * 127.0.0.1, ::1 and localhost. Clients trust it through its PEM (the `ca`
 * option, or NODE_EXTRA_CA_CERTS for a child process); nothing is installed
 * system-wide.
 */
import { randomBytes } from "node:crypto";
import { generate } from "selfsigned";

export interface TlsIdentity {
  cert: string;
  key: string;
}

export async function createTlsIdentity(): Promise<TlsIdentity> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 7 * 24 * 3600_000);
  // Each certificate gets its own subject. TLS stacks find a trust anchor by
  // subject name: a process trusting two emulators whose subjects were equal
  // would check one emulator's certificate against the other's key and fail.
  const subject = `azure-ipv6-proxy emulator ${randomBytes(8).toString("hex")}`;
  const pems = await generate([{ name: "commonName", value: subject }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate,
    notAfterDate,
    extensions: [
      // A self-signed certificate that is its own trust anchor: marked as a CA so
      // every TLS stack accepts it in a trust list.
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [
          { type: 7, ip: "127.0.0.1" },
          { type: 7, ip: "::1" },
          { type: 2, value: "localhost" },
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}
