/**
 * The plan comment at the scale of a large organisation's repository: thousands
 * of proxies, which overflow GitHub's 65,536 characters even as a list of
 * names. The same cuts are tested at small budgets in test/unit/.
 */
import { describe, expect, it } from "vitest";
import { countChanges } from "../../src/plan/counts.js";
import { summaryText } from "../../src/plan/render-shared.js";
import { buildPlan, destroyedProxy, largePlan, notOwnedProxy } from "../support/plan-fixtures.js";
import { DESTROY_HINT, renderChecked, SUMMARY_URL } from "../support/plan-markdown.js";

describe("renderPlanMarkdown at scale", () => {
  it("fits a 2000-proxy plan with long diffs into GitHub's 65,536 characters, naming or counting every proxy", () => {
    const plan = largePlan(2000, { allChanged: true });
    const md = renderChecked(plan);
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(md).toContain(`**${summaryText(countChanges(plan.changes))}**`);
    expect(md).toContain(`[see the job summary](${SUMMARY_URL})`);
    for (const w of plan.warnings) {
      expect(md).toContain(`\`${w.proxy}\``);
      // A destroyed proxy's address is named; a replaced one's is not kept, so it is "the current address".
      const kept = plan.proxies.find((p) => p.name === w.proxy)!.ipv6Address;
      if (w.code === "ipv6-address-change" && kept) expect(md).toContain(`\`${kept}\` is released`);
    }
    expect(md).toContain(DESTROY_HINT);
    // Every changed proxy is either named or counted in the "…and N more" line.
    const more = /…and ([\d,]+) more proxies — \[see the job summary\]/.exec(md);
    expect(more).not.toBeNull();
    const listLines = md.split("\n").filter((l) => /^- \*\*(Destroy|Change|Create) \([\d,]+\)\*\*/.test(l));
    const named = new Set(listLines.flatMap((l) => l.match(/`[^`]+`/g) ?? []));
    // The alerts come first and take their share; most of the rest still names proxies.
    expect(named.size).toBeGreaterThan(500);
    expect(named.size + Number(more![1]!.replace(/,/g, ""))).toBe(plan.proxies.length);
    // Destroyed proxies are listed first: none of them is cut.
    expect(listLines[0]).toMatch(/^- \*\*Destroy \(40\)\*\*: /);
    expect(listLines[0]!.match(/`[^`]+`/g)).toHaveLength(40);
  });

  it("truncates warnings last, with a count, when 1,500 deletions do not fit", () => {
    const parts = Array.from({ length: 1500 }, (_, i) => destroyedProxy(`gone${i}-example-nl`, i));
    parts.push(notOwnedProxy("www-example-nl"));
    const md = renderChecked(buildPlan(parts));
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(md).toContain("> **This plan cannot be applied: 1 error.**");
    expect(md).toContain("`www-example-nl.dnsRecord.www` · `proxies/www-example-nl.yaml` line 6");
    const more = /> - …and ([\d,]+) more — \[see the job summary\]/.exec(md);
    expect(more).not.toBeNull();
    const listed = md.split("\n").filter((l) => /^> - `gone\d+-example-nl`: /.test(l)).length;
    expect(listed).toBeGreaterThan(100);
    expect(listed + Number(more![1]!.replace(/,/g, ""))).toBe(1500);
  });
});
