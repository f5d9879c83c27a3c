/**
 * The test backends' PROXY protocol parser: the traffic tests trust what it
 * reports, so it is checked against headers built byte by byte from the spec.
 */
import { describe, expect, it } from "vitest";
import { canonicalIpv6, parseProxyHeader, V2_SIGNATURE } from "../support/traffic-proxy-header.js";

function v2(command: number, family: number, address: Buffer, tlvs = Buffer.alloc(0)): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(address.length + tlvs.length);
  return Buffer.concat([V2_SIGNATURE, Buffer.from([0x20 | command, family]), len, address, tlvs]);
}

function tcp6Address(): Buffer {
  const b = Buffer.alloc(36);
  Buffer.from("fd00beef000000000000000000000002", "hex").copy(b, 0);
  Buffer.from("fd00beef000000000000000000000001", "hex").copy(b, 16);
  b.writeUInt16BE(50123, 32);
  b.writeUInt16BE(443, 34);
  return b;
}

describe("PROXY protocol header parser", () => {
  it("parses a v1 TCP6 line and leaves the payload after it", () => {
    const buf = Buffer.from("PROXY TCP6 fd00:beef:0:0::2 fd00:beef::1 50123 443\r\n\x16\x03\x01");
    expect(parseProxyHeader(buf)).toEqual({
      status: "ok",
      length: buf.length - 3,
      header: {
        version: 1,
        command: "PROXY",
        family: "TCP6",
        sourceAddress: "fd00:beef::2",
        destinationAddress: "fd00:beef::1",
        sourcePort: 50123,
        destinationPort: 443,
      },
    });
  });

  it("parses v1 TCP4 and UNKNOWN", () => {
    const tcp4 = parseProxyHeader(Buffer.from("PROXY TCP4 192.0.2.1 10.0.0.1 1234 80\r\n"));
    expect(tcp4.status === "ok" && tcp4.header.sourceAddress).toBe("192.0.2.1");
    const unknown = parseProxyHeader(Buffer.from("PROXY UNKNOWN\r\nGET"));
    expect(unknown).toEqual({ status: "ok", length: 15, header: { version: 1, command: "LOCAL", family: "UNKNOWN" } });
  });

  it("parses a v2 TCP6 PROXY header, skipping TLVs", () => {
    const tlv = Buffer.from([0x04, 0x00, 0x01, 0x00]); // PP2_TYPE_NOOP, length 1
    const buf = Buffer.concat([v2(1, 0x21, tcp6Address(), tlv), Buffer.from("GET /")]);
    expect(parseProxyHeader(buf)).toEqual({
      status: "ok",
      length: 16 + 36 + 4,
      header: {
        version: 2,
        command: "PROXY",
        family: "TCP6",
        sourceAddress: "fd00:beef::2",
        destinationAddress: "fd00:beef::1",
        sourcePort: 50123,
        destinationPort: 443,
      },
    });
  });

  it("parses v2 TCP4 and LOCAL (health check) headers", () => {
    const addr = Buffer.from([192, 0, 2, 7, 10, 0, 0, 1, 0x04, 0xd2, 0x00, 0x50]);
    const tcp4 = parseProxyHeader(v2(1, 0x11, addr));
    expect(
      tcp4.status === "ok" && [tcp4.header.sourceAddress, tcp4.header.sourcePort, tcp4.header.destinationPort],
    ).toEqual(["192.0.2.7", 1234, 80]);
    const local = parseProxyHeader(v2(0, 0x00, Buffer.alloc(0)));
    expect(local).toEqual({ status: "ok", length: 16, header: { version: 2, command: "LOCAL", family: "UNKNOWN" } });
  });

  it("waits for more bytes on a partial header, and says none for plain traffic", () => {
    const full = v2(1, 0x21, tcp6Address());
    for (const n of [1, 12, 15, 30]) expect(parseProxyHeader(full.subarray(0, n))).toEqual({ status: "incomplete" });
    expect(parseProxyHeader(Buffer.from("PROXY TCP6 fd00"))).toEqual({ status: "incomplete" });
    expect(parseProxyHeader(Buffer.from("GET / HTTP/1.1\r\n"))).toEqual({ status: "none" });
    expect(parseProxyHeader(Buffer.from([0x16, 0x03, 0x01]))).toEqual({ status: "none" });
  });

  it("rejects malformed headers", () => {
    expect(parseProxyHeader(Buffer.from("PROXY TCP9 a b 1 2\r\n")).status).toBe("invalid");
    expect(parseProxyHeader(Buffer.from(`PROXY TCP4 ${"1".repeat(120)}`)).status).toBe("invalid");
    const badVersion = Buffer.concat([V2_SIGNATURE, Buffer.from([0x31, 0x21, 0, 0])]);
    expect(parseProxyHeader(badVersion).status).toBe("invalid");
  });

  it("writes IPv6 addresses in canonical form", () => {
    expect(canonicalIpv6("FD00:BEEF:0000:0000:0000:0000:0000:0002")).toBe("fd00:beef::2");
  });
});
