/**
 * The plan comment as the tests render it: one marker, head commit and summary
 * link, and every rendering checked for broken Markdown before a test looks at it.
 */
import { expect } from "vitest";
import { renderPlanMarkdown } from "../../src/plan/render-markdown.js";
import type { Plan } from "../../src/plan/types.js";
import { inspectMarkdown } from "./markdown-check.js";

export const MARKER = "<!-- azure-ipv6-proxy plan path=proxies owner=example-org/websites fingerprint=abc -->";
export const SHA = "4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b";
export const SUMMARY_URL = "https://github.com/example-org/websites/actions/runs/123456789";
export const DESTROY_HINT =
  "Deletions and replacements need the `ipv6-proxy/allow-destroy` label or `allow-destroy: true`.";

export function renderChecked(plan: Plan, maxChars?: number): string {
  const md = renderPlanMarkdown(plan, { marker: MARKER, headSha: SHA, summaryUrl: SUMMARY_URL, maxChars });
  expect(inspectMarkdown(md).problems).toEqual([]);
  expect(md.split("\n")[0]).toBe(MARKER);
  return md;
}
