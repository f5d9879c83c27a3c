import { describe, expect, it } from "vitest";
import { countChanges } from "../../src/plan/counts.js";
import { code } from "../../src/plan/markdown-format.js";
import { renderPlanMarkdown } from "../../src/plan/render-markdown.js";
import { summaryText } from "../../src/plan/render-shared.js";
import type { Plan } from "../../src/plan/types.js";
import { inspectMarkdown } from "../support/markdown-check.js";
import {
  buildPlan,
  createdProxy,
  destroyedProxy,
  ipv6Of,
  ipv6ReplacedProxy,
  largePlan,
  notOwnedProxy,
  unchangedProxy,
  updatedProxy,
} from "../support/plan-fixtures.js";
import { DESTROY_HINT as HINT, MARKER, renderChecked as render, SHA, SUMMARY_URL } from "../support/plan-markdown.js";

/** 300 proxies in every state, with long config diffs; built once (the engine takes a while), copied where changed. */
let shared: Plan | undefined;
function plan300(): Plan {
  shared ??= largePlan(300);
  return structuredClone(shared);
}

describe("renderPlanMarkdown", () => {
  it("shows a plan of creates with totals, a proxy table, the resources and the footer", () => {
    const plan = buildPlan([createdProxy("www-example-nl")]);
    const md = render(plan);
    expect(md).toContain("**8 to add, 0 to change, 0 to destroy**");
    expect(md).toContain("| www-example-nl | `+` create | new | `www.example.nl` |");
    expect(md).toContain("| `+` create | `www-example-nl.publicIpV6` | public IPv6 address does not exist yet |");
    expect(md).not.toContain("[!CAUTION]");
    expect(md).not.toContain("[!WARNING]");
    expect(md).toContain(`Planned at \`${SHA}\``);
    expect(md).toContain(`fingerprint \`${plan.fingerprint}\``);
    expect(md).toContain("Merge to apply.");
    expect(md).not.toContain(HINT);
    expect(md).not.toContain("see the job summary");
  });

  it("shows field diffs and the HAProxy config diff of an update in diff blocks", () => {
    const md = render(buildPlan([updatedProxy("www-example-nl", 1)]));
    // The NSG opens the new port, the VM's config tag moves, and the config is pushed.
    expect(md).toContain("**0 to add, 3 to change, 0 to destroy**");
    const blocks = inspectMarkdown(md).codeBlocks.filter((b) => b.info === "diff");
    expect(blocks).toHaveLength(2);
    const [fields, config] = blocks;
    expect(fields!.content).toContain("@@ www-example-nl.networkSecurityGroup (update) @@");
    expect(fields!.content).toContain(
      '- securityRules[0].ports: ["80","443"]\n+ securityRules[0].ports: ["80","443","8443"]',
    );
    expect(fields!.content).toMatch(
      /@@ www-example-nl\.vmConfig \(update\) @@\n- configSha256: "[0-9a-f]{64}"\n\+ configSha256: /,
    );
    expect(config!.content).toMatch(/^--- live\n\+\+\+ desired\n@@ /);
    expect(config!.content).toContain("+    server 198.51.100.1 198.51.100.1:443 check");
    expect(md).toContain(`| \`~\` change | \`${ipv6Of(1)}\` | \`www.example.nl\` |`);
  });

  it("puts an IPv6 address change first, as a caution naming the proxy, the old address and the DNS names", () => {
    const old = "2603:1020:203:3::99";
    const md = render(buildPlan([updatedProxy("api-example-nl", 2), ipv6ReplacedProxy("www-example-nl", old)]));
    const caution = md.indexOf("> [!CAUTION]");
    // The public IPv6 address, the NIC and the VM are replaced; the AAAA record follows.
    expect(caution).toBeGreaterThan(md.indexOf("**3 to add, 4 to change, 3 to destroy**"));
    expect(caution).toBeLessThan(md.indexOf("| Proxy |"));
    const block = md.slice(caution, md.indexOf("\n\n", caution));
    expect(block).toContain("The public IPv6 address of 1 proxy will change.");
    expect(block).toContain(
      "`www-example-nl`: the current address is released; the AAAA records of `www.example.nl` will point at the new address.",
    );
    expect(block).toContain(`the public IPv6 address ${old} of proxy "www-example-nl" will change`);
    expect(md).toContain("| www-example-nl | `~` change | new | `www.example.nl` |");
    expect(md).toContain("| `-/+` replace | `www-example-nl.publicIpV6` |");
    expect(md).toContain(HINT); // a replace removes the old address: it needs allow-destroy too
  });

  it("warns about deletions and says how to allow them", () => {
    const md = render(buildPlan([destroyedProxy("old-example-nl", 4), updatedProxy("www-example-nl", 1)]));
    expect(md).toContain("**0 to add, 3 to change, 7 to destroy**");
    const warning = md.slice(md.indexOf("> [!WARNING]"));
    expect(warning).toMatch(
      /^> \[!WARNING\]\n> \*\*Deletions: 7 Azure resources will be deleted\.\*\*\n> - `old-example-nl`: proxy "old-example-nl" will be destroyed \(needs allow-destroy\)/,
    );
    expect(md.indexOf("> [!WARNING]")).toBeLessThan(md.indexOf("| Proxy |"));
    expect(md).toContain(`Merge to apply. ${HINT}`);
  });

  it("names every deleted resource by its real Azure name and ID, in the alert and in the proxy's section", () => {
    const plan = buildPlan([destroyedProxy("old-example-nl", 4)]);
    const md = render(plan);
    const deletes = plan.changes.filter((c) => c.action === "delete");
    expect(deletes.length).toBe(7);
    for (const c of deletes) {
      expect(md).toContain(`> - \`${c.address}\` deletes \`${c.name}\`: \`${c.id}\``);
      expect(md).toMatch(
        new RegExp(
          `\\| \`${c.address.replace(/\./g, "\\.")}\` \\| .*deletes \`${c.name}\`: \`${c.id.replace(/[.]/g, "\\.")}\``,
        ),
      );
    }
  });

  it("refuses a plan with a resource it does not own, citing file and line", () => {
    const md = render(buildPlan([notOwnedProxy("www-example-nl"), createdProxy("shop-example-nl")]));
    const first = md.indexOf("> [!CAUTION]\n> **This plan cannot be applied: 1 error.**");
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(md.indexOf("| Proxy |"));
    expect(md).toContain(
      '> - `www-example-nl` · `www-example-nl.dnsRecord.www` · `proxies/www-example-nl.yaml` line 6: AAAA record "www" in zone example.nl already exists and was not created by azure-ipv6-proxy',
    );
    expect(md).toContain("> **1 resource exists that this tool does not own and will not touch.**");
    expect(md).toContain("This plan cannot be applied until the errors above are fixed.");
    expect(md).not.toContain("Merge to apply");
    // The record it may not touch is no change of the blocked proxy; the rest of both proxies is.
    expect(inspectMarkdown(md).detailsCount).toBe(2);
    expect(md).toContain("<b>shop-example-nl</b>");
    expect(md).not.toContain("| `+` create | `www-example-nl.dnsRecord.www` |");
  });

  it("keeps a plan without changes short", () => {
    const md = render(buildPlan([unchangedProxy("www-example-nl", 1), unchangedProxy("api-example-nl", 2)]));
    expect(md).toBe(
      `${MARKER}\n### Azure IPv6 proxy plan\n\nNo changes. Azure matches \`proxies/\`.\n\nPlanned at \`${SHA}\`.\n`,
    );
  });

  it("counts unchanged proxies but expands only the changed ones", () => {
    const plan = buildPlan([
      updatedProxy("www-example-nl", 1),
      unchangedProxy("api-example-nl", 2),
      unchangedProxy("shop-example-nl", 3),
    ]);
    const md = render(plan);
    expect(inspectMarkdown(md).detailsCount).toBe(1);
    expect(md).toContain(
      "<summary><code>~</code> <b>www-example-nl</b> (<code>proxies/www-example-nl.yaml</code>): 3 to update</summary>",
    );
    expect(md).toContain(`| api-example-nl | unchanged | \`${ipv6Of(2)}\` |`);
  });

  it("escapes reasons, messages and addresses so they render as written", () => {
    // Reasons and messages carry text from outside (names, Azure's error text): as hostile as it gets.
    const plan = buildPlan([updatedProxy("www-example-nl", 1)]);
    const nsg = plan.changes.find((c) => c.kind === "networkSecurityGroup")!;
    nsg.reason = "port <script>alert(1)</script> | @octocat [x](http://evil) `code`\nsecond line";
    plan.warnings.push({
      code: "drift",
      proxy: "www-example-nl",
      address: nsg.address,
      message: "rule added by @someone in the portal",
    });
    const md = render(plan);
    expect(md).not.toContain("<script>");
    expect(md).toContain("&lt;script&gt;");
    expect(md).toContain("@\u200boctocat");
    expect(md).toContain("@\u200bsomeone");
    expect(md).toContain("\\[x\\](http://evil)");
    expect(md).toContain("\\`code\\` second line");
  });

  it("writes code spans that keep backticks and surrounding spaces", () => {
    expect(code("www-example-nl")).toBe("`www-example-nl`");
    expect(code("a`b")).toBe("``a`b``");
    expect(code("`x``")).toBe("``` `x`` ```");
    expect(code(" padded ")).toBe("`  padded  `");
    expect(code("a|b\nc")).toBe("`a|b c`");
  });

  it("cannot be broken out of by backtick fences or </details> inside diff text", () => {
    const plan = buildPlan([updatedProxy("www-example-nl", 1)]);
    // Context lines start with one space, which still counts as a fence at the start of a line.
    const hostile =
      "--- live\n+++ desired\n@@ -1,3 +1,4 @@\n ```\n-a\n+b\n ````` </details>\n </details>\n+</details>\n```\n";
    plan.configDiffs[0]!.diff = hostile;
    plan.changes
      .find((c) => c.action === "update")!
      .diffs.push({ path: "description", before: "```", after: "``````" });
    const md = render(plan);
    const structure = inspectMarkdown(md);
    expect(structure.detailsCount).toBe(1);
    expect(structure.codeBlocks.map((b) => b.content)).toContain(hostile);
    expect(structure.codeBlocks.some((b) => b.content.includes('+ description: "``````"'))).toBe(true);
  });

  it("shortens in the documented order: config diffs, then field diffs, then sections, then the table", () => {
    const plan = buildPlan([
      updatedProxy("www-example-nl", 1, 20),
      updatedProxy("api-example-nl", 2, 20),
      destroyedProxy("old-example-nl", 3),
    ]);
    const full = render(plan);
    expect(full).toContain("HAProxy config:");

    const noConfig = render(plan, full.length - 1);
    expect(noConfig).not.toContain("HAProxy config:");
    expect(noConfig).toContain('- securityRules[0].ports: ["80","443"]');
    expect(noConfig).toContain(`[see the job summary](${SUMMARY_URL})`);

    const noFields = render(plan, noConfig.length - 1);
    expect(noFields).not.toContain("securityRules[0]");
    expect(noFields).toContain("| `~` update | `www-example-nl.vmConfig` | HAProxy config changes: new userData,");

    const tableOnly = render(plan, noFields.length - 1);
    expect(tableOnly).not.toContain("<details>");
    expect(tableOnly).toContain("| www-example-nl | `~` change |");

    const names = render(plan, tableOnly.length - 1);
    expect(names).not.toContain("| Proxy |");
    expect(names).toContain("- **Destroy (1)**: `old-example-nl`");
    expect(names).toContain("- **Change (2)**: `api-example-nl`, `www-example-nl`");
    for (const md of [noConfig, noFields, tableOnly, names]) {
      expect(md).toContain("> [!WARNING]");
      expect(md).toContain(HINT);
    }
  });

  it("fits a 300-proxy plan with long diffs into GitHub's 65,536 characters", () => {
    const plan = plan300();
    const md = render(plan);
    expect(md.length).toBeLessThanOrEqual(65_536);
    expect(md).toContain(`**${summaryText(countChanges(plan.changes))}**`);
    expect(md).toContain(`[see the job summary](${SUMMARY_URL})`);
    for (const w of plan.warnings) {
      expect(md).toContain(`\`${w.proxy}\``);
      // A destroyed proxy's address is named; a replaced one's is not kept, so it is "the current address".
      const kept = plan.proxies.find((p) => p.name === w.proxy)!.ipv6Address;
      if (w.code === "ipv6-address-change" && kept) expect(md).toContain(`\`${kept}\` is released`);
    }
    expect(md).toContain(HINT);
  });

  it("truncates warnings last, with a count, when even they do not fit", () => {
    // The same cut as a plan of thousands at GitHub's limit (test/slow/), at a budget a hundred proxies overflow.
    const parts = Array.from({ length: 100 }, (_, i) => destroyedProxy(`gone${i}-example-nl`, i));
    parts.push(notOwnedProxy("www-example-nl"));
    const md = render(buildPlan(parts), 8_000);
    expect(md.length).toBeLessThanOrEqual(8_000);
    expect(md).toContain("> **This plan cannot be applied: 1 error.**");
    expect(md).toContain("`www-example-nl.dnsRecord.www` · `proxies/www-example-nl.yaml` line 6");
    const more = /> - …and ([\d,]+) more — \[see the job summary\]/.exec(md);
    expect(more).not.toBeNull();
    const listed = md.split("\n").filter((l) => /^> - `gone\d+-example-nl`: /.test(l)).length;
    expect(listed).toBeGreaterThan(20);
    expect(listed + Number(more![1]!.replace(/,/g, ""))).toBe(100);
  });

  it.each([3000, 1000, 300])("stays valid and within a small budget of %i characters", (maxChars) => {
    const plan = plan300();
    plan.errors.push({
      proxy: "site7-customer-portal-example-nl",
      message: "backend 203.0.113.300 is not an IPv4 address",
      file: "proxies/site7-customer-portal-example-nl.yaml",
      line: 6,
    });
    const md = render(plan, maxChars);
    expect(md.length).toBeLessThanOrEqual(maxChars);
    expect(md).toContain(`**${summaryText(countChanges(plan.changes))}**`);
    expect(md).toContain("see the job summary");
    expect(md).toContain("This plan cannot be applied");
  });

  it("refuses a budget too small for the marker and totals", () => {
    expect(() => renderPlanMarkdown(largePlan(10), { marker: MARKER, maxChars: 50 })).toThrow(RangeError);
  });
});
