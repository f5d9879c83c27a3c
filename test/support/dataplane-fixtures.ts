/** Shared pieces of the data-plane tests: spec factory and the real `haproxy -c`. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_LIMITS, type ProxySpec } from "../../src/proxyfile/types.js";
import { HAPROXY } from "./requirements.js";

export function proxySpec(overrides: Partial<ProxySpec> = {}): ProxySpec {
  return {
    name: "www",
    file: "proxies/www.yaml",
    location: "westeurope",
    resourceGroup: "rg-web",
    backends: ["203.0.113.4", "203.0.113.5"],
    ports: [80, 443],
    tlsPorts: [443],
    vmSize: "Standard_B2ats_v2",
    tags: {},
    routes: [],
    proxyProtocol: "none",
    limits: { ...DEFAULT_LIMITS },
    replicas: 1,
    zones: [],
    ipv4: false,
    locations: {},
    ...overrides,
  };
}

export interface CheckResult {
  status: number | null;
  output: string;
}

/** Runs the real `haproxy -c -f` on a config text. */
export function haproxyCheck(config: string): CheckResult {
  const dir = mkdtempSync(join(tmpdir(), "dataplane-check-"));
  try {
    const file = join(dir, "haproxy.cfg");
    writeFileSync(file, config);
    const r = spawnSync(HAPROXY.path(), ["-c", "-f", file], { encoding: "utf8" });
    return { status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
