import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { renderPlanText } from "../../src/plan/render-text.js";
import {
  buildPlan,
  createdProxy,
  destroyedProxy,
  ipv6ReplacedProxy,
  notOwnedProxy,
  unchangedProxy,
  updatedProxy,
} from "../support/plan-fixtures.js";

const ESC = "\u001b";

describe("renderPlanText", () => {
  it("lists each pending change with its symbol, address and reason, and ends with the totals", () => {
    const plan = buildPlan([
      createdProxy("new-example-nl"),
      updatedProxy("www-example-nl", 1),
      ipv6ReplacedProxy("api-example-nl", "2603:1020:203:3::99"),
      destroyedProxy("old-example-nl", 4),
      unchangedProxy("shop-example-nl", 5),
    ]);
    const out = renderPlanText(plan);
    expect(out).toContain("  + new-example-nl.publicIpV6 (create)\n        # public IPv6 address does not exist yet\n");
    expect(out).toContain("  ~ www-example-nl.vmConfig (update)\n        # HAProxy config changes: new userData,");
    expect(out).toContain(
      "-/+ api-example-nl.publicIpV6 (replace)\n        # SKU, allocation or IP version of a public IP cannot change in place\n",
    );
    expect(out).toContain("  - old-example-nl.virtualMachine (delete)\n");
    expect(out).not.toContain("shop-example-nl.");
    expect(out).toContain("1 unchanged proxy.");
    // 8 creates and 3 replacements to add; the NSG, VM tag, config push and AAAA record to change; 7 deletes and 3 replacements.
    expect(out.trimEnd().split("\n").at(-1)).toBe("Plan: 11 to add, 4 to change, 10 to destroy.");
  });

  it("shows field diffs as path: before → after and the HAProxy config diff", () => {
    const out = renderPlanText(buildPlan([updatedProxy("www-example-nl", 1)]));
    expect(out).toContain('        securityRules[0].ports: ["80","443"] → ["80","443","8443"]\n');
    expect(out).toMatch(/ {8}tags\.ipv6ProxyConfigSha256: "[0-9a-f]{64}" → "[0-9a-f]{64}"\n/);
    expect(out).toContain("    HAProxy config:\n      --- live\n      +++ desired\n      @@ ");
    expect(out).toContain("      +    server 198.51.100.1 198.51.100.1:443 check\n");
  });

  it("puts errors and warnings before the changes", () => {
    const out = renderPlanText(
      buildPlan([
        createdProxy("new-example-nl"),
        notOwnedProxy("www-example-nl"),
        ipv6ReplacedProxy("api-example-nl", "2603:1020:203:3::99"),
      ]),
    );
    const lines = out.split("\n");
    const refusal =
      'www-example-nl www-example-nl.dnsRecord.www: AAAA record "www" in zone example.nl already exists and was not created by azure-ipv6-proxy; it will not be touched';
    expect(lines[0]).toBe(`Error: ${refusal.replace(": AAAA", " (proxies/www-example-nl.yaml:6): AAAA")}`);
    expect(lines[1]).toBe(`Warning: [dns-not-owned] ${refusal}`);
    expect(lines[2]).toContain(
      'Warning: [ipv6-address-change] api-example-nl api-example-nl.publicIpV6: the public IPv6 address 2603:1020:203:3::99 of proxy "api-example-nl" will change',
    );
    // The rest of the new proxy is planned; the record it may not touch is not.
    expect(out).toContain("\nwww-example-nl (proxies/www-example-nl.yaml) will be created\n");
    expect(out).not.toContain("www-example-nl.dnsRecord.www (create)");
    expect(out).toContain("This plan cannot be applied: 1 error.\nPlan: ");
  });

  it("says there is nothing to do when Azure matches the specs", () => {
    expect(renderPlanText(buildPlan([unchangedProxy("www-example-nl", 1)]))).toBe(
      "1 unchanged proxy.\n\nNo changes. Azure matches proxies/.\n",
    );
  });

  it("colours only when asked, and keeps control characters from plan text out of the terminal", () => {
    const plan = buildPlan([updatedProxy("www-example-nl", 1), createdProxy("new-example-nl")]);
    const nsg = plan.changes.find((c) => c.address === "www-example-nl.networkSecurityGroup")!;
    nsg.reason = `rule changed ${ESC}[2J${ESC}]0;pwned\u0007 by hand\nin the portal`;
    const plain = renderPlanText(plan);
    expect(plain).not.toContain(ESC);
    expect(plain).toContain("# rule changed \ufffd[2J\ufffd]0;pwned\ufffd by hand in the portal");
    const coloured = renderPlanText(plan, { color: true });
    expect(coloured).toContain(`${ESC}[32m  +${ESC}[0m new-example-nl.resourceGroup`);
    expect(coloured).toContain(`${ESC}[33m  ~${ESC}[0m www-example-nl.vmConfig`);
    expect(coloured).toContain(`${ESC}[32m+    server 198.51.100.1 198.51.100.1:443 check${ESC}[0m`);
    // Stripped of colour, the coloured form says the same as the plain one.
    expect(stripVTControlCharacters(coloured)).toBe(plain);
  });
});
