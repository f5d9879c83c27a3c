/**
 * Reading the health script's output, judging a proxy, and rendering the
 * report: pure, no Azure and no HAProxy (test/dataplane/report-script.test.ts
 * runs the script against real HAProxy).
 */
import { describe, expect, it } from "vitest";
import { renderHaproxyConfig } from "../../src/dataplane/haproxy.js";
import {
  REPORT_END,
  REPORT_FORMAT_VERSION,
  reportScriptLines,
  STAT_COLUMNS,
  STATS_SOCKET,
} from "../../src/dataplane/report-script.js";
import { parseCsvLine, parseHealthAnswer } from "../../src/verify/health-report.js";
import { renderHealthMarkdown, renderHealthText } from "../../src/verify/render.js";
import type { DnsCheck, HealthAnswer, VerifyTarget, VmHealth } from "../../src/verify/types.js";
import { healthReport, judgeProxy } from "../../src/verify/verdict.js";
import { proxySpec } from "../support/dataplane-fixtures.js";

const SHA = "a".repeat(64);
/** What the script printed on HAProxy 2.6 with one backend refusing connections (captured from a real run). */
const REAL_OUTPUT = `# pxname,svname,status,check_status,lastchg,last_chk,check_desc
port_443_default,203.0.113.7,UP,L4OK,6,,Layer4 check passed
port_443_default,203.0.113.8,DOWN,L4CON,6,Connection refused,Layer4 connection problem
haproxy active
config sha256=${SHA}
listening 80 443 
cloud-init done
ipv6-proxy-report v1 servers=2
`;

const target = (over: Partial<VerifyTarget> = {}): VerifyTarget => ({
  proxy: "www",
  ipv6Address: "2001:db8::10",
  ipv4Address: "198.51.100.7",
  expectedConfigSha256: SHA,
  ports: [80, 443],
  backends: ["203.0.113.7", "203.0.113.8"],
  vms: [{ subscriptionId: "s", resourceGroup: "rg", name: "vm0" }],
  routing: { tlsPorts: [443], routes: [] },
  servesIpv4: true,
  ...over,
});
const vm = (answer: HealthAnswer | undefined, over: Partial<VmHealth> = {}): VmHealth => ({
  vm: { subscriptionId: "s", resourceGroup: "rg", name: "vm0" },
  status: "answered",
  ...(answer ? { answer } : {}),
  durationMs: 10,
  ...over,
});
const ok = (name: string): DnsCheck => ({ name, status: "ok", addresses: ["2001:db8::10"] });

describe("the report script", () => {
  it("asks the stats socket the rendered config declares, for the columns and closing line the reader expects", () => {
    const script = reportScriptLines().join("\n");
    expect(reportScriptLines()[0]).toBe("#!/bin/bash");
    expect(script).toContain(`\${IPV6_PROXY_STATS_SOCKET:-${STATS_SOCKET}}`);
    expect(renderHaproxyConfig(proxySpec())).toContain(`stats socket ${STATS_SOCKET} `);
    expect(script).toContain(`"$socket" ${STAT_COLUMNS.join(" ")} `);
    expect(script).toContain(`echo "${REPORT_END} v${REPORT_FORMAT_VERSION} servers=$count"`);
  });
});

describe("reading the health script's output", () => {
  it("reads servers, HAProxy's state, the config hash, the ports and the closing line", () => {
    const a = parseHealthAnswer(REAL_OUTPUT);
    expect(a).toMatchObject({ complete: true, haproxy: "active", configSha256: SHA, listening: [80, 443] });
    expect(a.serverCount).toBe(2);
    expect(a.servers).toEqual([
      expect.objectContaining({
        server: "203.0.113.7",
        port: 443,
        up: true,
        check: "L4OK",
        reason: "Layer4 check passed",
      }),
      expect.objectContaining({
        server: "203.0.113.8",
        up: false,
        status: "DOWN",
        reason: "Connection refused",
        sinceSeconds: 6,
      }),
    ]);
  });

  it("reads rows whose header Run Command's 4 KB limit cut off, and counts what is missing", () => {
    const cut = REAL_OUTPUT.split("\n").slice(2).join("\n");
    const a = parseHealthAnswer(cut);
    expect(a.servers.map((s) => s.server)).toEqual(["203.0.113.8"]);
    expect(a.serverCount - a.servers.length).toBe(1);
  });

  it("treats output without the closing line as unfinished", () => {
    expect(parseHealthAnswer(REAL_OUTPUT.replace(/ipv6-proxy-report.*\n/, "")).complete).toBe(false);
    expect(parseHealthAnswer("").complete).toBe(false);
  });

  it("knows HAProxy's server states: UP n/m still serves, DOWN n/m, NOLB, MAINT and no check do not", () => {
    const row = (status: string) => `port_80_default,192.0.2.1,${status},L4OK,1,,`;
    const a = parseHealthAnswer(
      ["UP 1/2", "DOWN 1/2", "NOLB", "MAINT (via x/y)", "no check", "* L4OK"].map(row).join("\n"),
    );
    expect(a.servers.map((s) => s.up)).toEqual([true, false, false, false, false, false]);
  });

  it("reads HAProxy's CSV quoting: quoted fields with commas and doubled quotes", () => {
    expect(parseCsvLine('a,"b,c","say ""hi""",,e')).toEqual(["a", "b,c", 'say "hi"', "", "e"]);
    expect(parseCsvLine("")).toEqual([""]);
  });

  it("makes everything the VM printed one safe line: no carriage return, control or bidi character survives", () => {
    const hostile = parseHealthAnswer(
      "port_80_default,192.0.2.1,DOWN,L4CON,1,refused\r::error::pwned \u202eevil\u001b[31m,\n" +
        "cloud-init done\r::warning::x\nipv6-proxy-report v1 servers=1\n",
    );
    const values = [hostile.servers[0]!.reason, hostile.cloudInit!];
    for (const v of values) expect(v).not.toMatch(/[\p{Cc}\p{Bidi_Control}]/u);
    const p = judgeProxy(target({ backends: ["192.0.2.1"] }), [vm(hostile)], [], 1);
    expect(renderHealthText(healthReport([p], 1))).not.toMatch(/\r|\n::/);
  });

  it("reads a stats socket that did not answer", () => {
    const a = parseHealthAnswer(
      "stats unavailable: ConnectionRefusedError\nhaproxy inactive\nipv6-proxy-report v1 servers=0\n",
    );
    expect(a).toMatchObject({ complete: true, haproxy: "inactive", statsError: "ConnectionRefusedError", servers: [] });
  });
});

describe("the verdict", () => {
  const answer = parseHealthAnswer(REAL_OUTPUT);

  it("is a warning naming the DOWN backend when another is UP", () => {
    const p = judgeProxy(target(), [vm(answer)], [ok("www.example.nl")], 5);
    expect(p.verdict).toBe("warning");
    expect(p.warnings).toEqual(["backend(s) DOWN: 203.0.113.8:443 (DOWN L4CON Connection refused)"]);
  });

  it("is a failure when no backend is UP, a name points elsewhere, or a port is not served", () => {
    const allDown = parseHealthAnswer(
      REAL_OUTPUT.replace("UP,L4OK,6,,Layer4 check passed", "DOWN,L4TOUT,6,,Layer4 timeout"),
    );
    expect(judgeProxy(target(), [vm(allDown)], [], 5).failures[0]).toMatch(/^no backend is UP/);
    const wrong: DnsCheck = { name: "www.example.nl", status: "wrong", addresses: ["2001:db8::99"] };
    expect(judgeProxy(target(), [vm(answer)], [wrong], 5).failures).toEqual([
      "www.example.nl points at 2001:db8::99 on the zone's name servers, not at 2001:db8::10",
    ]);
    expect(judgeProxy(target({ ports: [80, 443, 8443] }), [vm(answer)], [], 5).failures).toEqual([
      "nothing listens on port 8443",
    ]);
  });

  it("notes, without failing, backends it was not permitted to check", () => {
    const p = judgeProxy(target(), [vm(undefined, { status: "not-permitted", error: "403" })], [ok("a.example")], 5);
    expect(p.verdict).toBe("healthy");
    expect(p.notes[0]).toContain("Microsoft.Compute/virtualMachines/runCommand/action");
  });

  it("with replicas, one VM that serves nothing is a warning, all of them a failure", () => {
    const vm1 = { subscriptionId: "s", resourceGroup: "rg", name: "vm1" };
    const stopped = parseHealthAnswer("haproxy inactive\nipv6-proxy-report v1 servers=0\n");
    const t = target({ vms: [target().vms[0]!, vm1] });
    const half = judgeProxy(t, [vm(answer), vm(stopped, { vm: vm1 })], [], 5);
    expect(half.verdict).toBe("warning");
    expect(half.warnings).toContain("VM vm1: HAProxy is not running");
    const none = judgeProxy(t, [vm(stopped), vm(stopped, { vm: vm1 })], [], 5);
    expect(none.verdict).toBe("failure");
  });

  it("warns when HAProxy runs another config than the one applied", () => {
    const p = judgeProxy(target({ expectedConfigSha256: "b".repeat(64) }), [vm(answer)], [], 5);
    expect(p.warnings).toContain("HAProxy runs config sha256 aaaaaaaaaaaa, not the applied bbbbbbbbbbbb");
  });
});

describe("rendering", () => {
  it("renders one row per proxy, and keeps hostile text from the VM inert", () => {
    const hostile = parseHealthAnswer(
      REAL_OUTPUT.replace("Connection refused", '"<img src=x> | @admin ![x](http://e)"'),
    );
    const report = healthReport([judgeProxy(target(), [vm(hostile)], [ok("www.example.nl")], 1234)], 1500);
    const md = renderHealthMarkdown(report);
    const row = md.split("\n").find((l) => l.startsWith("| `www`"))!;
    expect(row).toContain("⚠️ warning");
    expect(row).toContain("`198.51.100.7`");
    expect(row).toContain("| 1.2 s |");
    expect(md).not.toContain("<img");
    expect(md).not.toContain("@admin");
    expect(row.split(" | ")).toHaveLength(8);
    expect(row).toContain("| Run Command (HAProxy's view) |");
    expect(renderHealthText(report)).toContain("www  warning  IPv6 2001:db8::10  IPv4 198.51.100.7");
  });

  it("stays within a character budget and says how many proxies it left out", () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      judgeProxy(target({ proxy: `p${i}` }), [vm(parseHealthAnswer(REAL_OUTPUT))], [ok("www.example.nl")], 1),
    );
    const md = renderHealthMarkdown(healthReport(many, 10), { maxChars: 8000 });
    expect(md.length).toBeLessThanOrEqual(8000);
    expect(md).toMatch(/_\d+ more proxies left out here for length\._/);
  });
});
