/**
 * What runs on the proxy VM to apply a config, and the userData encoding.
 *
 * The VM's userData is exactly the HAProxy config text (base64, as Azure
 * requires). `ipv6-proxy-apply` fetches it from IMDS, checks it with
 * `haproxy -c`, installs it atomically and reloads HAProxy without dropping
 * connections. It runs at every boot (systemd unit from cloud-init) and after
 * every config change (Azure Run Command, see `servingCheckScript` in serving.ts).
 */
import { createHash } from "node:crypto";

export const APPLY_SCRIPT_PATH = "/usr/local/sbin/ipv6-proxy-apply";
/** Azure's limit on userData, counted on the base64 text. */
export const USER_DATA_MAX_BYTES = 65536;

export function configSha256(config: string): string {
  return createHash("sha256").update(config, "utf8").digest("hex");
}

export function encodeUserData(config: string): string {
  const encoded = Buffer.from(config, "utf8").toString("base64");
  if (encoded.length > USER_DATA_MAX_BYTES) {
    throw new Error(
      `HAProxy config is ${encoded.length} bytes once base64-encoded; Azure userData holds at most ${USER_DATA_MAX_BYTES} ` +
        `(fewer backends or routes would fit)`,
    );
  }
  return encoded;
}

export function decodeUserData(b64: string): string {
  const compact = b64.replace(/\s+/g, "");
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new Error("VM userData is not valid base64");
  }
  return Buffer.from(compact, "base64").toString("utf8");
}
