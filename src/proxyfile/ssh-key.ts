/**
 * OpenSSH public keys as they appear in authorized_keys: "type base64 [comment]".
 * Azure rejects malformed, short or unsupported keys only when the VM is
 * created, minutes into an apply; checking here turns that into a located
 * error at plan time.
 */

/** The only key types Azure accepts in a Linux VM's osProfile.linuxConfiguration.ssh. */
export const SSH_KEY_TYPES = ["ssh-ed25519", "ssh-rsa"] as const;

/**
 * Types OpenSSH users commonly have that Azure refuses for Linux VMs. Named so
 * the error can say "wrong type for Azure" rather than "not an SSH key".
 */
const AZURE_REJECTED_SSH_KEY_TYPES = [
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
] as const;

const SSH_KEY_MAX_LENGTH = 8192;
/** Azure refuses shorter RSA keys for Linux VMs. */
const MIN_RSA_BITS = 2048;

const BASE64 = /^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$/;
const CONTROL = /\p{Cc}/u;

/** How many RFC 4251 strings each key blob holds (type first), per RFC 4253 and RFC 8709. */
const BLOB_FIELDS: Record<(typeof SSH_KEY_TYPES)[number], number> = {
  "ssh-ed25519": 2, // type, key
  "ssh-rsa": 3, // type, e, n
};

/** The blob as exactly `count` strings (uint32 length, then bytes); undefined if it is anything else. */
function wireStrings(blob: Buffer, count: number): Buffer[] | undefined {
  const fields: Buffer[] = [];
  let offset = 0;
  while (offset < blob.length) {
    if (offset + 4 > blob.length) return undefined;
    const length = blob.readUInt32BE(offset);
    if (offset + 4 + length > blob.length) return undefined;
    fields.push(blob.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return fields.length === count ? fields : undefined;
}

function bitLength(unsigned: Buffer): number {
  const start = unsigned.findIndex((byte) => byte !== 0);
  if (start < 0) return 0;
  return (unsigned.length - start - 1) * 8 + (unsigned[start] ?? 0).toString(2).length;
}

/** undefined for a good key, else a fragment that reads after the quoted value. */
export function sshPublicKeyProblem(value: string): string | undefined {
  if (value.length > SSH_KEY_MAX_LENGTH) return `is longer than ${SSH_KEY_MAX_LENGTH} characters`;
  if (CONTROL.test(value))
    return "contains a control character (a key is one line: type, base64 body, optional comment)";
  const [type = "", body = ""] = value.split(" "); // anything after the body is the comment
  if ((AZURE_REJECTED_SSH_KEY_TYPES as readonly string[]).includes(type)) {
    return `cannot be used: "${type}" keys are not accepted by Azure for Linux VMs; use ssh-ed25519 or ssh-rsa (≥ ${MIN_RSA_BITS} bits)`;
  }
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    return `does not start with a supported key type (${SSH_KEY_TYPES.join(", ")})`;
  }
  if (!BASE64.test(body)) return `has no base64 key body after "${type} " (the format is "type base64 [comment]")`;
  // The body repeats the key type; a mismatch or a wrong shape means a truncated, mangled or mislabelled key.
  const keyType = type as (typeof SSH_KEY_TYPES)[number];
  const fields = wireStrings(Buffer.from(body, "base64"), BLOB_FIELDS[keyType]);
  const isEd25519 = type === "ssh-ed25519";
  if (!fields || fields[0]?.toString("latin1") !== type || (isEd25519 && fields[1]?.length !== 32))
    return `has a key body that is not a valid ${type} key (truncated or mangled?)`;
  const modulus = fields[2];
  if (type === "ssh-rsa" && modulus && bitLength(modulus) < MIN_RSA_BITS) {
    return `is a ${bitLength(modulus)}-bit RSA key; Azure requires at least ${MIN_RSA_BITS} bits (or use ssh-ed25519)`;
  }
  return undefined;
}
