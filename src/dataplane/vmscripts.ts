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

/** A parameter of a Run Command script: an upper-case shell variable name. */
const PARAMETER_NAME = /^IPV6_PROXY_[A-Z0-9_]+$/;
/** A parameter's value: one plain word, so it can never be shell syntax. */
const PARAMETER_VALUE = /^[A-Za-z0-9._:/-]+$/;

/**
 * The `script` lines of a Run Command for one of the scripts in
 * src/dataplane/vm/, with its parameters assigned on the lines right after the
 * shebang (`IPV6_PROXY_X=value`); the rest is the file, line for line. Run
 * Command's RunShellScript takes only lines (its `parameters` are for other
 * command ids), and the extension runs the file through `/bin/sh -c`
 * (Azure/run-command-extension-linux main/exec.go), so the shebang must stay
 * first and picks bash. A value must be one plain word, so no value can
 * smuggle shell syntax in; what a value means is the caller's to check.
 */
export function runCommandScript(file: string, parameters: Readonly<Record<string, string>> = {}): string[] {
  const [shebang, ...rest] = file.trimEnd().split("\n");
  if (!shebang?.startsWith("#!")) throw new Error("a Run Command script starts with its shebang");
  const assignments = Object.entries(parameters).map(([name, value]) => {
    if (!PARAMETER_NAME.test(name))
      throw new Error(`script parameter name ${JSON.stringify(name)} is not IPV6_PROXY_*`);
    if (!PARAMETER_VALUE.test(value)) {
      throw new Error(`script parameter ${name} must be one plain word, got ${JSON.stringify(value)}`);
    }
    return `${name}=${value}`;
  });
  return [shebang, ...assignments, ...rest];
}

/** The value runCommandScript gave a parameter, read back from the script's lines (the emulator's VMs do this). */
export function scriptParameter(script: readonly string[], name: string): string | undefined {
  for (const line of script.slice(1)) {
    const eq = line.indexOf("=");
    if (eq < 0 || !PARAMETER_NAME.test(line.slice(0, eq))) return undefined;
    if (line.slice(0, eq) === name) return line.slice(eq + 1);
  }
  return undefined;
}
