/**
 * Route matching ARM style: path segments compare without regard to case,
 * `{name}` segments capture, and when several templates match the one with
 * the most literal segments wins (…/dnsZones/{zone}/recordsets over
 * …/dnsZones/{zone}/{recordType}).
 */
import type { EmuRequest, EmuResponse } from "./http.js";

export type Handler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

interface Route {
  method: string;
  segments: string[];
  literals: number;
  handler: Handler;
}

export type RouteMatch =
  | { kind: "found"; handler: Handler; params: Record<string, string> }
  | { kind: "method-not-allowed" }
  | { kind: "not-found" };

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, template: string, handler: Handler): this {
    const segments = split(template).map((s) => (s.startsWith("{") ? s : s.toLowerCase()));
    this.routes.push({
      method: method.toUpperCase(),
      segments,
      literals: segments.filter((s) => !s.startsWith("{")).length,
      handler,
    });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const parts = split(path).map((p) => safeDecode(p));
    let best: { route: Route; params: Record<string, string> } | undefined;
    let pathMatched = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.method !== method.toUpperCase()) continue;
      if (!best || route.literals > best.route.literals) best = { route, params };
    }
    if (best) return { kind: "found", handler: best.route.handler, params: best.params };
    return pathMatched ? { kind: "method-not-allowed" } : { kind: "not-found" };
  }
}

function split(path: string): string[] {
  return path.split("/").filter((s) => s.length > 0);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function matchSegments(template: string[], parts: string[]): Record<string, string> | undefined {
  if (template.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    const p = parts[i]!;
    if (t.startsWith("{")) params[t.slice(1, -1)] = p;
    else if (t !== p.toLowerCase()) return undefined;
  }
  return params;
}
