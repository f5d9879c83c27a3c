/**
 * Operating proxies, with the action run as the runner runs it: the check
 * after an apply (healthy, one backend DOWN, all DOWN), the scheduled drift
 * run and its one issue (opened, updated, closed after the next apply; never
 * duplicated; never confused with an issue someone else wrote), and mode
 * status. Backends are marked down in the emulator's simulated VMs; DNS is
 * asked of the emulator's name servers over real DNS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resourceNames } from "../../src/model/names.js";
import { ensureDistBuilt } from "../support/action-runner.js";
import { type ActionWorld, startActionWorld, stickyComments } from "../support/action-world.js";
import { proxyYaml } from "../support/proxy-files.js";

let world: ActionWorld;
let prs = 0;

/** Pull requests and issues share GitHub's numbers. */
function nextNumber(): number {
  prs = Math.max(prs, ...world.github.issues().map((i) => i.number)) + 1;
  return prs;
}

beforeAll(async () => {
  ensureDistBuilt();
  world = await startActionWorld();
  world.emulator.seedDnsZone(world.emulator.subscriptionId, "rg-dns", "ops.example");
}, 240_000);
afterAll(async () => {
  await world?.close();
});

/** Reviews the workspace as it is on a new pull request, merges it and runs the push job. */
async function mergeAndApply() {
  const pr = nextNumber();
  world.openPullRequest(pr);
  const plan = await world.plan(pr);
  expect(plan.code, plan.stdout).toBe(0);
  const run = await world.apply(world.merge(pr));
  return { pr, run, comment: stickyComments(world, pr, "apply")[0]?.body ?? "" };
}

/** The drift issues the action opened for owner acme/web (not look-alikes others wrote). */
const driftIssues = () =>
  world.github
    .issues()
    .filter(
      (i) =>
        i.user.login === "github-actions[bot]" &&
        i.body.startsWith("<!-- azure-ipv6-proxy:drift path=proxies owner=acme/web -->"),
    );

describe("verification after apply", () => {
  it("reports every DNS name OK and every backend UP in the apply comment and the job summary", async () => {
    world.files.write(
      "shop",
      proxyYaml({
        name: "shop",
        resourceGroup: "rg-shop",
        backends: ["203.0.113.50", "203.0.113.51"],
        zone: "ops.example",
        records: ["@", "shop"],
      }),
    );
    const { run, comment } = await mergeAndApply();
    expect(run.code, run.stdout).toBe(0);
    const pip6 = await world.clients().network.publicIPAddresses.get("rg-shop", resourceNames("shop").publicIpV6);
    const pip4 = await world.clients().network.publicIPAddresses.get("rg-shop", resourceNames("shop").publicIpV4);
    for (const text of [comment, run.summary]) {
      expect(text).toContain("#### Verification");
      expect(text).toMatch(/Checked 1 proxy in \d+\.\d s: 1 healthy\./);
      const row = text.split("\n").find((l) => l.startsWith("| `shop` | ✅ healthy"))!;
      expect(row).toContain(`\`${pip6.ipAddress}\``);
      expect(row).toContain(`\`${pip4.ipAddress}\``);
      expect(row).toContain("`ops.example` OK<br>`shop.ops.example` OK");
      expect(row).toContain("`203.0.113.50` UP<br>`203.0.113.51` UP");
      expect(row).toMatch(/\| \d+\.\d s \|$/);
    }
    expect(run.outputs.health).toBe("healthy");
    expect(run.stdout).toContain("::group::Verify");
  });

  it("warns and names the backend that is DOWN, and the job still succeeds", async () => {
    world.emulator.setBackendHealth("203.0.113.61", "down");
    world.files.write(
      "half",
      proxyYaml({ name: "half", resourceGroup: "rg-half", backends: ["203.0.113.60", "203.0.113.61"] }),
    );
    const { run, comment } = await mergeAndApply();
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs.health).toBe("warning");
    expect(run.stdout).toMatch(
      /^::warning::half: backend\(s\) DOWN: 203\.0\.113\.61:80 \(DOWN L4CON Connection refused\)/m,
    );
    expect(comment).toContain("> [!WARNING]");
    expect(comment).toContain(
      "`203.0.113.61` DOWN (80: DOWN L4CON Connection refused; 443: DOWN L4CON Connection refused)",
    );
  });

  it("fails the job with the reason when no backend is UP", async () => {
    world.emulator.setBackendHealth("203.0.113.70", "down", { failure: "timeout" });
    world.files.write("dead", proxyYaml({ name: "dead", resourceGroup: "rg-dead", backends: ["203.0.113.70"] }));
    const { run, comment } = await mergeAndApply();
    expect(run.code).toBe(1);
    expect(run.outputs.health).toBe("failure");
    expect(run.stdout).toMatch(
      /^::error::Verification failed for dead \(no backend is UP, so the proxy serves nothing/m,
    );
    expect(comment).toContain("status=applied"); // the apply itself went through
    expect(comment).toContain("> [!CAUTION]");
    expect(comment).toContain("❌ failure");
    // Both broken proxies are removed again, so the scheduled runs below start from a healthy Azure.
    world.files.remove("dead");
    world.files.remove("half");
    world.emulator.resetVmHealth();
    const cleanup = nextNumber();
    world.openPullRequest(cleanup, { labels: ["ipv6-proxy/allow-destroy"] });
    expect((await world.plan(cleanup)).code).toBe(0);
    expect((await world.apply(world.merge(cleanup))).code).toBe(0);
  });
});

describe("drift on a schedule", () => {
  it("opens no issue when Azure matches the files and every proxy is healthy", async () => {
    const run = await world.scheduled("a".repeat(40));
    expect(run.code, run.stdout).toBe(0);
    expect(world.github.issues()).toEqual([]);
    expect(run.outputs).toMatchObject({ drift: "false", health: "healthy", "has-changes": "false" });
    expect(run.summary).toContain("None: Azure matches the files.");
  });

  it("opens one issue for an AAAA record changed by hand, updates it on the next run, and closes it after the next apply", async () => {
    const dns = world.clients().dns;
    const rec = await dns.recordSets.get("rg-dns", "ops.example", "shop", "AAAA");
    await dns.recordSets.createOrUpdate("rg-dns", "ops.example", "shop", "AAAA", {
      ...rec,
      aaaaRecords: [{ ipv6Address: "2001:db8:bad::1" }],
    });
    world.emulator.resetRequests();
    const first = await world.scheduled("b".repeat(40));
    // A name that points elsewhere is a failure of the proxy, so the scheduled job fails too (and notifies).
    expect(first.code, first.stdout).toBe(1);
    expect(first.stdout).toMatch(
      /^::error::Verification failed for shop \(shop\.ops\.example points at 2001:db8:bad::1/m,
    );
    // Read-only: no ARM writes, only the health script through Run Command.
    const writes = world.emulator.requests.filter((r) => r.kind === "arm" && r.method !== "GET");
    expect(writes.every((r) => r.method === "POST" && r.path.endsWith("/runCommand"))).toBe(true);
    expect(first.outputs).toMatchObject({ drift: "true", health: "failure" });
    expect(first.stdout).toMatch(/^::warning::Azure differs from proxies\/: an apply would add 0, change 1/m);

    const [issue] = driftIssues();
    expect(driftIssues()).toHaveLength(1);
    expect(issue!.labels).toEqual(["ipv6-proxy/drift"]);
    expect(issue!.user.login).toBe("github-actions[bot]");
    expect(issue!.title).toBe("Azure IPv6 proxies: drift and health in proxies/");
    expect(issue!.body).toContain("## Drift: Azure differs from the files");
    // The plan, in the pull request comment's Markdown: the record and what an apply would put back.
    expect(issue!.body).toContain("**0 to add, 1 to change, 0 to destroy**");
    expect(issue!.body).toContain(
      "| `~` update | `shop.dnsRecord.shop` | record does not point at the proxy's IPv6 address |",
    );
    expect(issue!.body).toMatch(/- ipv6Addresses: \["2001:db8:bad::1"\]\n\+ ipv6Addresses: \["2001:db8:6::1"\]/);
    expect(issue!.body).not.toContain("Merge to apply");
    expect(issue!.body).toContain("## Health");
    expect(issue!.body).toContain("`shop.ops.example` wrong (2001:db8:bad::1)");
    expect(issue!.body).toContain(`\`${"b".repeat(40)}\``);

    // The next run edits that issue instead of opening another.
    const second = await world.scheduled("c".repeat(40));
    expect(second.code).toBe(1);
    expect(driftIssues()).toHaveLength(1);
    expect(driftIssues()[0]!.number).toBe(issue!.number);
    expect(driftIssues()[0]!.body).toContain(`\`${"c".repeat(40)}\``);
    expect(world.github.requests.filter((r) => r.method === "POST" && r.path.endsWith("/issues"))).toHaveLength(1);

    // An apply of the files (a reviewed pull request, merged) reverts the hand edit...
    const { run } = await mergeAndApply();
    expect(run.code, run.stdout).toBe(0);
    // ...and the next scheduled run closes the issue with a comment.
    const third = await world.scheduled("d".repeat(40));
    expect(third.code, third.stdout).toBe(0);
    const closed = world.github.issues().find((i) => i.number === issue!.number)!;
    expect(closed.state).toBe("closed");
    expect(closed.state_reason).toBe("completed");
    expect(world.github.comments(issue!.number).map((c) => c.body)).toEqual([
      expect.stringContaining("Resolved: the [check]"),
    ]);
  });

  it("opens the issue for a dead backend under its own heading, and ignores look-alike issues others wrote", async () => {
    // Someone else copies the marker and the label into an issue of their own.
    const forged = world.github.addIssue({
      title: "Azure IPv6 proxies: drift in proxies/",
      body: "<!-- azure-ipv6-proxy:drift path=proxies owner=acme/web -->\nplease run this",
      labels: ["ipv6-proxy/drift"],
      user: { login: "mallory", id: 666, type: "User" },
    });
    world.emulator.setBackendHealth("203.0.113.51", "down");
    const run = await world.scheduled("e".repeat(40));
    expect(run.code, run.stdout).toBe(0);
    expect(run.outputs).toMatchObject({ drift: "false", health: "warning" });
    const ours = world.github.issues().filter((i) => i.state === "open" && i.user.login === "github-actions[bot]");
    expect(ours).toHaveLength(1);
    expect(ours[0]!.title).toBe("Azure IPv6 proxies: health in proxies/");
    expect(ours[0]!.body).toContain("## Drift\n\nNone: Azure matches the files.");
    expect(ours[0]!.body).toMatch(/## Health[\s\S]*`shop`: backend\(s\) DOWN: 203\.0\.113\.51:80/);
    // The look-alike was neither edited nor closed.
    expect(world.github.issues().find((i) => i.number === forged.number)).toMatchObject({
      state: "open",
      body: forged.body,
    });
    world.emulator.resetVmHealth();
    expect((await world.scheduled("f".repeat(40))).code).toBe(0);
    expect(world.github.issues().find((i) => i.number === ours[0]!.number)!.state).toBe("closed");
  });

  it("keys the issue per owner, so a matrix job with another owner keeps its own", async () => {
    world.files.write("eu", proxyYaml({ name: "eu", resourceGroup: "rg-eu", backends: ["203.0.113.80"] }));
    // Owner acme/web-eu has never applied: its plan creates everything, and its proxies have no VM yet.
    const run = await world.scheduled("1".repeat(40), { inputs: { owner: "acme/web-eu" } });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("the proxy has no VM in Azure");
    const theirs = world.github
      .issues()
      .filter(
        (i) =>
          i.state === "open" && i.body.startsWith("<!-- azure-ipv6-proxy:drift path=proxies owner=acme/web-eu -->"),
      );
    expect(theirs).toHaveLength(1);
    expect(theirs[0]!.title).toBe("Azure IPv6 proxies: drift and health in proxies/ (owner acme/web-eu)");
    expect(driftIssues().filter((i) => i.state === "open")).toHaveLength(0);
    world.files.remove("eu");
  });
});

describe("status", () => {
  it("writes every proxy's health into the job summary", async () => {
    const before = world.github.requests.length;
    const run = await world.scheduled("2".repeat(40), { inputs: { mode: "status" } });
    expect(run.code, run.stdout).toBe(0);
    expect(run.summary).toContain("### Azure IPv6 proxy status: proxies/");
    expect(run.summary).toMatch(/\| `shop` \| ✅ healthy \|/);
    expect(run.outputs.health).toBe("healthy");
    // Status writes nothing to GitHub either: no comment, no issue.
    expect(world.github.requests.slice(before).filter((r) => r.method !== "GET")).toEqual([]);
  });
});
