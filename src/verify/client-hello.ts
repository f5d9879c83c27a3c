/**
 * The bytes of a TLS ClientHello, as the first flight of a browser's
 * handshake, so that a check from outside can ask "does a backend answer
 * this name?" through HAProxy's TLS passthrough without speaking the rest of
 * TLS. HAProxy routes by the SNI of this message (`req.ssl_sni`) and forwards
 * it untouched; the backend answers with a ServerHello, or with an alert,
 * and either proves that it is there.
 *
 * Layout: RFC 8446 §4.1.2 (ClientHello), §5.1 (record layer: an initial
 * ClientHello MAY carry record version 0x0301, for servers that still speak
 * TLS 1.0-1.2), §4.2.1 (supported_versions), §4.2.8 (key_share),
 * RFC 6066 §3 (server_name), RFC 8422 §5.1 (supported_groups, ec_point_formats).
 * Offers TLS 1.3 and 1.2, so old and new backends both answer with a ServerHello.
 */

/** Random input: 32 bytes of hello random, 32 of legacy session id, 32 of X25519 key share. */
export const CLIENT_HELLO_RANDOM_BYTES = 96;

const HANDSHAKE = 0x16;
const CLIENT_HELLO = 0x01;

/** TLS 1.3 suites, then ECDHE with AES-GCM and ChaCha20 for TLS 1.2 (RFC 8446 §B.4, RFC 5289, RFC 7905). */
const CIPHER_SUITES = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8];
/** x25519, secp256r1, secp384r1 (RFC 8446 §4.2.7). */
const GROUPS = [0x001d, 0x0017, 0x0018];
/** ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256/384/512, rsa_pkcs1_sha256/384/512, ecdsa_secp384r1_sha384 (RFC 8446 §4.2.3). */
const SIGNATURE_SCHEMES = [0x0403, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0503];

const u8 = (n: number) => Buffer.from([n & 0xff]);
const u16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const list16 = (items: number[]) => Buffer.concat(items.map(u16));
const vec8 = (b: Buffer) => Buffer.concat([u8(b.length), b]);
const vec16 = (b: Buffer) => Buffer.concat([u16(b.length), b]);
const extension = (type: number, data: Buffer) => Buffer.concat([u16(type), vec16(data)]);

/**
 * A ClientHello record for `serverName` (no SNI when undefined: a client that
 * connects by address). `random` supplies CLIENT_HELLO_RANDOM_BYTES bytes.
 */
export function clientHello(serverName: string | undefined, random: Buffer): Buffer {
  if (random.length < CLIENT_HELLO_RANDOM_BYTES)
    throw new Error(`clientHello needs ${CLIENT_HELLO_RANDOM_BYTES} random bytes`);
  const extensions: Buffer[] = [];
  if (serverName !== undefined) {
    const name = Buffer.from(serverName.toLowerCase(), "ascii");
    // ServerNameList of one entry: name_type host_name (0), then the name (RFC 6066 §3).
    extensions.push(extension(0x0000, vec16(Buffer.concat([u8(0), vec16(name)]))));
  }
  extensions.push(
    extension(0x000a, vec16(list16(GROUPS))),
    extension(0x000b, vec8(u8(0))),
    extension(0x000d, vec16(list16(SIGNATURE_SCHEMES))),
    extension(0x002b, vec8(list16([0x0304, 0x0303]))),
    // psk_dhe_ke: harmless without a ticket, and what browsers send.
    extension(0x002d, vec8(u8(1))),
    // One X25519 share: any 32 bytes are a valid public value (RFC 7748 §5); no shared secret is ever derived.
    extension(0x0033, vec16(Buffer.concat([u16(0x001d), vec16(random.subarray(64, 96))]))),
  );
  const body = Buffer.concat([
    u16(0x0303),
    random.subarray(0, 32),
    vec8(random.subarray(32, 64)),
    vec16(list16(CIPHER_SUITES)),
    vec8(u8(0)),
    vec16(Buffer.concat(extensions)),
  ]);
  const handshake = Buffer.concat([u8(CLIENT_HELLO), u24(body.length), body]);
  return Buffer.concat([u8(HANDSHAKE), u16(0x0301), vec16(handshake)]);
}

/** The SNI name a ClientHello carries, or undefined; for tests and stand-ins that route like HAProxy. */
export function serverNameOf(record: Buffer): string | undefined {
  try {
    if (record[0] !== HANDSHAKE || record[5] !== CLIENT_HELLO) return undefined;
    let at = 9 + 2 + 32; // record header, handshake header, legacy_version, random
    at += 1 + record[at]!; // session id
    at += 2 + record.readUInt16BE(at); // cipher suites
    at += 1 + record[at]!; // compression methods
    const end = at + 2 + record.readUInt16BE(at);
    at += 2;
    while (at + 4 <= end) {
      const type = record.readUInt16BE(at);
      const length = record.readUInt16BE(at + 2);
      if (type === 0) {
        const nameLength = record.readUInt16BE(at + 7);
        return record.subarray(at + 9, at + 9 + nameLength).toString("ascii");
      }
      at += 4 + length;
    }
  } catch {
    return undefined;
  }
  return undefined;
}
