/**
 * Sticky-comment markers and comment bodies: markers round-trip and tell
 * directories and owners apart; every body stays within GitHub's limit.
 */
import { describe, expect, it } from "vitest";
import { applyResultBody, type BodyContext, specErrorsBody } from "../../src/plan/comment.js";
import {
  isStickyComment,
  normalizeDir,
  parseRecord,
  stateMarker,
  stickyMarker,
} from "../../src/plan/comment-marker.js";
import { GITHUB_COMMENT_LIMIT } from "../../src/plan/render-markdown.js";

const ctx = (): BodyContext => ({
  marker: `${stickyMarker("plan", "proxies", "acme/web")}\n${stateMarker({ status: "spec-errors" })}`,
  title: "Azure IPv6 proxy plan: proxies/",
  headSha: "f".repeat(40),
  summaryUrl: "https://github.com/acme/web/actions/runs/1",
});

describe("markers", () => {
  it("are keyed by directory and owner, whatever the spelling of the directory", () => {
    const a = stickyMarker("plan", "proxies", "acme/web");
    expect(stickyMarker("plan", "./proxies/", "acme/web")).toBe(a);
    expect(stickyMarker("plan", "proxies-eu", "acme/web")).not.toBe(a);
    expect(stickyMarker("plan", "proxies", "acme/other")).not.toBe(a);
    expect(stickyMarker("apply", "proxies", "acme/web")).not.toBe(a);
    expect(normalizeDir("a\\b/")).toBe("a/b");
  });

  it("never contain '--' or '>' inside the HTML comment, and the state round-trips", () => {
    const marker = stickyMarker("plan", "odd--dir name>x", "acme/web--edge");
    expect(marker.slice(4, -3)).not.toMatch(/--|>/);
    const state = { status: "planned" as const, fingerprint: "ab".repeat(32), sha: "01".repeat(20) };
    const body = `${marker}\n${stateMarker(state)}\n### plan`;
    expect(parseRecord(body, marker)).toEqual(state);
    expect(isStickyComment(body, marker)).toBe(true);
    expect(isStickyComment(`> ${marker}`, marker)).toBe(false);
    expect(parseRecord("no marker here", marker)).toBeUndefined();
  });
});

describe("comment bodies", () => {
  it("list every spec error while they fit and stay under the limit when they do not", () => {
    const errors = Array.from({ length: 3000 }, (_, i) => ({
      file: `proxies/p${i}.yaml`,
      line: i + 1,
      column: 3,
      field: "backends[0]",
      message: `"10.0.0.${i}" is not allowed here ${"x".repeat(40)}`,
    }));
    const few = specErrorsBody(errors.slice(0, 2), ctx());
    expect(few).toContain("proxies/p1.yaml:2:3 backends[0]");
    const many = specErrorsBody(errors, ctx());
    expect(many.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(many).toMatch(/\d[\d,]* more lines left out/);
    expect(many).toContain("https://github.com/acme/web/actions/runs/1");
    expect(many.startsWith(ctx().marker)).toBe(true);
  });

  it("apply result of 2,000 proxies stays under the limit", () => {
    const proxies = Array.from({ length: 2000 }, (_, i) => ({
      name: `proxy-${i}`,
      status: "created" as const,
      ipv6Address: `2001:db8::${i.toString(16)}`,
      dnsNames: [`p${i}.example.nl`, `www.p${i}.example.nl`],
    }));
    const body = applyResultBody({ proxies, durationMs: 61_000 }, ctx());
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(body).toContain("`proxy-0`");
    expect(body).toContain("61.0 s");
  });
});
