/**
 * What to check for each proxy, from its file (desired state) and what Azure
 * holds now (observed state): the VMs to ask, the config hash they should
 * run, the DNS names and the address those must hold.
 */
import type { DesiredProxy } from "../engine/desired.js";
import { fqdn } from "../engine/diff.js";
import type { ObservedState } from "../engine/observed.js";
import type { VerifyTarget } from "./types.js";

export function verifyTargets(desired: DesiredProxy[], observed: ObservedState): VerifyTarget[] {
  return desired.map((d) => {
    const address = (kind: "publicIpV4" | "publicIpV6") => {
      const pip = d.resources.find((r) => r.kind === kind);
      const found = pip && observed.resources.get(pip.id.toLowerCase());
      return typeof found?.body.ipAddress === "string" ? found.body.ipAddress : undefined;
    };
    const ipv6Address = address("publicIpV6");
    const ipv4Address = address("publicIpV4");
    const spec = d.spec;
    return {
      proxy: spec.name,
      ...(spec.file ? { file: spec.file } : {}),
      ...(ipv6Address ? { ipv6Address } : {}),
      ...(ipv4Address ? { ipv4Address } : {}),
      expectedConfigSha256: d.configSha256,
      ports: [...new Set(spec.ports)].sort((a, b) => a - b),
      backends: [...new Set([...spec.backends, ...spec.routes.flatMap((r) => r.backends)])],
      routing: { tlsPorts: [...spec.tlsPorts], routes: spec.routes.map((r) => [...r.hostnames]) },
      // A single VM's HAProxy binds `:::port v4v6` and its NSG allows the ports from Internet, so its
      // public IPv4 serves too; a load balancer has IPv4 rules only with `ipv4: true` (engine/desired-replicas.ts).
      servesIpv4: spec.replicas <= 1 || spec.ipv4,
      // One entry per VM that exists: a proxy with replicas has several.
      vms: d.resources
        .filter((r) => r.kind === "virtualMachine" && observed.resources.has(r.id.toLowerCase()))
        .map((r) => ({ subscriptionId: r.subscriptionId, resourceGroup: r.resourceGroup, name: r.name })),
      ...(spec.dns
        ? {
            dns: {
              subscriptionId: d.subscriptionId,
              resourceGroup: spec.dns.resourceGroup,
              zone: spec.dns.zone,
              names: spec.dns.records.map((r) => fqdn(r, spec.dns!.zone)),
            },
          }
        : {}),
    };
  });
}
