/**
 * Checks on the values that end up inside the HAProxy config. The spec loader
 * validates them already; these checks make sure nothing that could break out
 * of a config token (spaces, braces, quotes, newlines) is ever rendered.
 */
import { ipVersionOf } from "../model/ip.js";

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOSTNAME = new RegExp(`^(?:\\*\\.)?(?:${LABEL}\\.)*${LABEL}$`);

export function assertIpv4(value: string, where: string): void {
  if (ipVersionOf(value) !== 4) throw new Error(`${where}: ${JSON.stringify(value)} is not an IPv4 address`);
}

export function assertPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port ${port} is not a TCP port (1-65535)`);
}

export function assertHostname(value: string, where: string): void {
  const name = value.toLowerCase();
  if (name.length > 253 || !HOSTNAME.test(name)) {
    throw new Error(`${where}: ${JSON.stringify(value)} is not a hostname or a "*.suffix" wildcard`);
  }
}

export interface HostnameMatch {
  /** Lower-cased name as written, e.g. `*.api.example.nl`. */
  pattern: string;
  wildcard: boolean;
  /** For wildcards, the suffix a matching name ends with: `.api.example.nl`. */
  suffix: string;
  /** Labels after the `*`; orders wildcards from most to least specific. */
  labels: number;
}

export function hostnameMatch(hostname: string): HostnameMatch {
  const pattern = hostname.toLowerCase();
  const wildcard = pattern.startsWith("*.");
  const suffix = wildcard ? pattern.slice(1) : pattern;
  return { pattern, wildcard, suffix, labels: suffix.split(".").filter(Boolean).length };
}
