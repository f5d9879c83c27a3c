import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A throwaway working directory holding a `proxies/` folder of YAML files. */
export class ProxyDir {
  readonly root = mkdtempSync(join(tmpdir(), "ipv6px-"));
  readonly dir = join(this.root, "proxies");

  constructor() {
    mkdirSync(this.dir);
  }

  write(name: string, yaml: string): string {
    const file = join(this.dir, `${name}.yaml`);
    writeFileSync(file, yaml);
    return file;
  }

  remove(name: string): void {
    rmSync(join(this.dir, `${name}.yaml`));
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export interface SimpleProxy {
  name: string;
  resourceGroup?: string;
  backends?: string[];
  ports?: number[];
  zone?: string;
  dnsResourceGroup?: string;
  records?: string[];
  ttl?: number;
  location?: string;
  replicas?: number;
  zones?: string[];
  ipv4?: boolean;
}

export function proxyYaml(p: SimpleProxy): string {
  const lines = [
    `name: ${p.name}`,
    `location: ${p.location ?? "westeurope"}`,
    `resourceGroup: ${p.resourceGroup ?? "rg-ipv6-proxy"}`,
    `backends: [${(p.backends ?? ["203.0.113.10"]).join(", ")}]`,
  ];
  if (p.ports) lines.push(`ports: [${p.ports.join(", ")}]`);
  if (p.replicas !== undefined) lines.push(`replicas: ${p.replicas}`);
  if (p.zones) lines.push(`zones: [${p.zones.map((z) => `"${z}"`).join(", ")}]`);
  if (p.ipv4 !== undefined) lines.push(`ipv4: ${p.ipv4}`);
  if (p.zone) {
    lines.push(
      "dns:",
      `  zone: ${p.zone}`,
      `  resourceGroup: ${p.dnsResourceGroup ?? "rg-dns"}`,
      `  records: [${(p.records ?? ["www"]).map((r) => `"${r}"`).join(", ")}]`,
    );
    if (p.ttl) lines.push(`  ttl: ${p.ttl}`);
  }
  return `${lines.join("\n")}\n`;
}
