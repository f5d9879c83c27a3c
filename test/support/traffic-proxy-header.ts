/**
 * Parser for the PROXY protocol header (v1 text and v2 binary) that HAProxy's
 * `send-proxy` / `send-proxy-v2` put in front of a backend connection. Spec:
 * https://www.haproxy.org/download/2.6/doc/proxy-protocol.txt
 */

export interface ProxyHeader {
  version: 1 | 2;
  /** v2 LOCAL (health checks) and v1 UNKNOWN carry no addresses. */
  command: "PROXY" | "LOCAL";
  family: "TCP4" | "TCP6" | "UNKNOWN";
  sourceAddress?: string;
  sourcePort?: number;
  destinationAddress?: string;
  destinationPort?: number;
}

export type ParseResult =
  | { status: "incomplete" }
  | { status: "none" }
  | { status: "invalid"; reason: string }
  | { status: "ok"; header: ProxyHeader; length: number };

export const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from("PROXY ");
const V1_MAX_LENGTH = 107;

/** Canonical (compressed, lower-case) text of an IPv6 address, via the WHATWG URL parser. */
export function canonicalIpv6(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

function ipv6FromBytes(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return canonicalIpv6(groups.join(":"));
}

/** True while `buf` is still a prefix of `sig` (more bytes could still make it match). */
function isPrefixOf(buf: Buffer, sig: Buffer): boolean {
  const n = Math.min(buf.length, sig.length);
  return buf.subarray(0, n).equals(sig.subarray(0, n));
}

export function parseProxyHeader(buf: Buffer): ParseResult {
  if (isPrefixOf(buf, V2_SIGNATURE)) return buf.length < 16 ? { status: "incomplete" } : parseV2(buf);
  if (isPrefixOf(buf, V1_PREFIX)) return buf.length < V1_PREFIX.length ? { status: "incomplete" } : parseV1(buf);
  return { status: "none" };
}

function parseV1(buf: Buffer): ParseResult {
  const end = buf.indexOf("\r\n");
  if (end < 0) {
    return buf.length >= V1_MAX_LENGTH ? { status: "invalid", reason: "v1 line too long" } : { status: "incomplete" };
  }
  const parts = buf.subarray(0, end).toString("latin1").split(" ");
  const family = parts[1];
  if (family === "UNKNOWN") return { status: "ok", header: { version: 1, command: "LOCAL", family }, length: end + 2 };
  if ((family !== "TCP4" && family !== "TCP6") || parts.length !== 6) {
    return { status: "invalid", reason: `bad v1 line: ${JSON.stringify(parts.join(" "))}` };
  }
  const [, , src = "", dst = "", sport = "", dport = ""] = parts;
  const norm = (a: string) => (family === "TCP6" ? canonicalIpv6(a) : a);
  return {
    status: "ok",
    header: {
      version: 1,
      command: "PROXY",
      family,
      sourceAddress: norm(src),
      destinationAddress: norm(dst),
      sourcePort: Number(sport),
      destinationPort: Number(dport),
    },
    length: end + 2,
  };
}

function parseV2(buf: Buffer): ParseResult {
  const verCmd = buf[12] ?? 0;
  const famProto = buf[13] ?? 0;
  const addrLength = buf.readUInt16BE(14);
  const length = 16 + addrLength;
  if (verCmd >> 4 !== 2) return { status: "invalid", reason: `v2 version nibble ${verCmd >> 4}` };
  if (buf.length < length) return { status: "incomplete" };
  const command = (verCmd & 0x0f) === 0 ? "LOCAL" : "PROXY";
  const body = buf.subarray(16, length);
  if (famProto === 0x11 && addrLength >= 12) {
    const ip4 = (o: number) => Array.from(body.subarray(o, o + 4)).join(".");
    return {
      status: "ok",
      length,
      header: {
        version: 2,
        command,
        family: "TCP4",
        sourceAddress: ip4(0),
        destinationAddress: ip4(4),
        sourcePort: body.readUInt16BE(8),
        destinationPort: body.readUInt16BE(10),
      },
    };
  }
  if (famProto === 0x21 && addrLength >= 36) {
    return {
      status: "ok",
      length,
      header: {
        version: 2,
        command,
        family: "TCP6",
        sourceAddress: ipv6FromBytes(body.subarray(0, 16)),
        destinationAddress: ipv6FromBytes(body.subarray(16, 32)),
        sourcePort: body.readUInt16BE(32),
        destinationPort: body.readUInt16BE(34),
      },
    };
  }
  if (command === "LOCAL" || famProto === 0x00)
    return { status: "ok", length, header: { version: 2, command, family: "UNKNOWN" } };
  return { status: "invalid", reason: `unsupported v2 family/protocol 0x${famProto.toString(16)}` };
}
