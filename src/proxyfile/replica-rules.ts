/**
 * `replicas`, `zones` and `ipv4`: how many proxy VMs, where they go, and
 * whether the load balancer also takes IPv4. Each field is read on its own
 * first; the rules between them (and the region) come after, so every
 * impossible combination is reported on the line that makes it impossible.
 */
import { regionZones } from "../model/regions.js";
import { HEALTH_PORT, MAX_REPLICAS } from "../model/replicas.js";
import { type Entry, type Located, quote, type SpecReader } from "./yaml-reader.js";

export interface Placement {
  replicas: number;
  zones: string[];
  ipv4: boolean;
}

/** Azure names zones "1", "2", …; YAML users often write them as numbers, which mean the same. */
function readZone(r: SpecReader, entry: Entry, field: string): string | undefined {
  const value: unknown = (entry.node as { value?: unknown } | null)?.value;
  const problem = 'is not a zone number (such as "1")';
  if (typeof value === "number") {
    r.locations[field] = entry.at;
    if (Number.isInteger(value) && value >= 1 && value <= 9) return String(value);
    r.report(entry.at, field, `${quote(value)} ${problem}`);
    return undefined;
  }
  return r.string(entry, field, (v) => (/^[1-9]$/.test(v) ? undefined : problem));
}

export function readPlacement(
  r: SpecReader,
  fields: { replicas?: Entry; zones?: Entry; ipv4?: Entry },
  location: string | undefined,
  ports: Located<number>[] | undefined,
): Placement | undefined {
  const replicas = fields.replicas ? r.integer(fields.replicas, "replicas", 1, MAX_REPLICAS) : 1;
  const zoneItems = fields.zones ? r.list(fields.zones, "zones", "zones", 1, 9) : undefined;
  const zones =
    zoneItems &&
    r.unique(
      zoneItems.map(({ item, field }) => ({ value: readZone(r, item, field), field, at: item.at })),
      String,
    );
  const ipv4 = fields.ipv4 ? r.boolean(fields.ipv4, "ipv4") : false;
  if (replicas === undefined || (fields.zones && !zones) || ipv4 === undefined) return undefined;

  const region = location ? regionZones(location) : undefined;
  const before = r.errors.length;
  if (zones && fields.zones) {
    if (replicas === 1) {
      r.report(
        fields.zones.at,
        "zones",
        "places replicas, but replicas is 1 (the one VM is not pinned to a zone); set replicas to 2 or more, or remove zones",
      );
    } else if (region && region.zones.length === 0) {
      r.report(
        fields.zones.at,
        "zones",
        `region ${quote(location)} has no availability zones; remove zones (the replicas then share an availability set)`,
      );
    } else if (region && zones.length > region.zones.length) {
      r.report(
        fields.zones.at,
        "zones",
        `lists ${zones.length} zones, but region ${quote(location)} has ${region.zones.length} (${region.zones.join(", ")})`,
      );
    } else if (region) {
      for (const zone of zones.filter((z) => !region.zones.includes(z.value)))
        r.report(
          zone.at,
          zone.field,
          `zone ${quote(zone.value)} does not exist in region ${quote(location)} (its zones: ${region.zones.join(", ")})`,
        );
    }
  }
  if (ipv4 && replicas === 1 && fields.ipv4) {
    r.report(
      fields.ipv4.at,
      "ipv4",
      "opens the load balancer's public IPv4, and a proxy has a load balancer only with replicas 2 or more (a single VM already answers on its own public IPv4)",
    );
  }
  const healthPort = replicas > 1 ? ports?.find((p) => p.value === HEALTH_PORT) : undefined;
  if (healthPort)
    r.report(
      healthPort.at,
      healthPort.field,
      `port ${HEALTH_PORT} carries the replicas' health endpoint for the load balancer's probe; it cannot be forwarded when replicas is 2 or more`,
    );
  if (r.errors.length > before) return undefined;

  const chosen = zones?.map((z) => z.value) ?? (replicas > 1 ? [...(region?.defaultZones ?? [])] : []);
  return { replicas, zones: chosen, ipv4 };
}
