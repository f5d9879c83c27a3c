/**
 * Checks that need every proxy file at once: a proxy name or a DNS record
 * claimed twice would make two files fight over the same Azure resources.
 */
import { formatSpecError, type ProxySpec, type SourceLocation, type SpecError } from "./types.js";

function locate(proxy: ProxySpec, field: string, parent: string): SourceLocation {
  return proxy.locations[field] ?? proxy.locations[parent] ?? { file: proxy.file, line: 1, column: 1 };
}

function place(at: SourceLocation): string {
  return formatSpecError({ ...at, field: "", message: "" }).trimEnd();
}

export function checkAcrossFiles(proxies: ProxySpec[]): SpecError[] {
  const errors: SpecError[] = [];

  const byName = new Map<string, ProxySpec>();
  for (const proxy of proxies) {
    const first = byName.get(proxy.name);
    if (!first) {
      byName.set(proxy.name, proxy);
      continue;
    }
    const how = proxy.locations.name ? "" : " (from the file name)";
    const firstAt = place(locate(first, "name", "name"));
    errors.push({
      ...locate(proxy, "name", "name"),
      field: "name",
      message: `proxy name "${proxy.name}"${how} is already used by ${firstAt}; names must be unique across files`,
    });
  }

  // DNS names are case-insensitive; the loader already demands lowercase, but specs built elsewhere may not.
  const claims = new Map<string, { proxy: ProxySpec; at: SourceLocation }>();
  for (const proxy of proxies) {
    if (!proxy.dns) continue;
    const zone = proxy.dns.zone.toLowerCase();
    proxy.dns.records.forEach((record, i) => {
      const key = `${record.toLowerCase()} ${zone}`;
      const field = `dns.records[${i}]`;
      const at = locate(proxy, field, "dns");
      const first = claims.get(key);
      if (!first) {
        claims.set(key, { proxy, at });
        return;
      }
      errors.push({
        ...at,
        field,
        message: `record "${record}" in zone "${proxy.dns?.zone}" is already claimed by proxy "${first.proxy.name}" (${place(first.at)}); each DNS record belongs to one proxy`,
      });
    });
  }
  return errors;
}
