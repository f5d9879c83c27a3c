import { generateKeyPairSync } from "node:crypto";

/**
 * Azure insists on a credential for a Linux VM. When a proxy allows no SSH,
 * the VM gets the public half of a key pair whose private half is never kept:
 * nobody can log in, and no secret exists to leak.
 */
export function throwawaySshPublicKey(): string {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  const field = (b: Buffer) => Buffer.concat([u32(b.length), b]);
  const blob = Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]);
  return `ssh-ed25519 ${blob.toString("base64")} azure-ipv6-proxy-no-login`;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
