/**
 * Who the action is, and where its history is kept, through `node dist/index.js`
 * as the runner starts it: a GitHub App token's own login names the comments
 * that count; without permission to record deployments the apply still
 * happens; without permission to read label history no deletion label
 * counts; and a direct push has no review to apply.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fakeSha } from "../support/action-runner.js";
import { type ActionWorld, startActionWorld, stickyComments, vmExists } from "../support/action-world.js";
import { ACTIONS_BOT, type DoubleUser } from "../support/github-double.js";
import { proxyYaml } from "../support/proxy-files.js";

const APP: DoubleUser = { login: "ipv6-proxy-app[bot]", id: 90001, type: "Bot" };
let world: ActionWorld;

beforeAll(async () => {
  world = await startActionWorld({}, "dist");
}, 240_000);
afterAll(async () => {
  await world?.close();
});

describe("the action's identity", () => {
  it("counts only comments by the login bot-login names: a GitHub App's, not github-actions[bot]'s", async () => {
    world.github.tokenUser = APP;
    const inputs = { "bot-login": APP.login };
    world.files.write("app", proxyYaml({ name: "app", resourceGroup: "rg-app-token" }));
    world.openPullRequest(1);
    // github-actions[bot] (another workflow) already left a plan comment with the marker; the app does not touch it.
    const other = world.github.addComment(
      1,
      "<!-- azure-ipv6-proxy:plan path=proxies owner=acme/web -->\nfrom another workflow",
      ACTIONS_BOT,
    );
    const plan = await world.plan(1, { inputs });
    expect(plan.code, plan.stdout).toBe(0);
    const plans = stickyComments(world, 1, "plan");
    expect(plans.map((c) => world.github.comments(1).find((x) => x.id === c.id)?.user.login)).toEqual([
      ACTIONS_BOT.login,
      APP.login,
    ]);
    expect(world.github.comments(1).find((c) => c.id === other.id)?.body).toContain("from another workflow");

    const sha = world.merge(1);
    // With the default bot-login the app's record is not the action's own: nothing is applied.
    const wrongIdentity = await world.apply(sha);
    expect(wrongIdentity.code).toBe(1);
    expect(await vmExists(world, "rg-app-token", "app")).toBe(false);
    const right = await world.apply(sha, { inputs });
    expect(right.code, right.stdout).toBe(0);
    expect(await vmExists(world, "rg-app-token", "app")).toBe(true);
    expect(world.github.deployments.at(-1)?.creator.login).toBe(APP.login);
    world.github.tokenUser = ACTIONS_BOT;
  });

  it("applies without permission to record deployments, and says what that costs", async () => {
    world.github.deploymentsForbidden = true;
    world.files.write("nodeploy", proxyYaml({ name: "nodeploy", resourceGroup: "rg-nodeploy" }));
    world.openPullRequest(2);
    expect((await world.plan(2)).code).toBe(0);
    const first = await world.apply(world.merge(2));
    expect(first.code, first.stdout).toBe(0);
    expect(first.stdout).toContain("::warning::GitHub refused to record this apply as a deployment (403)");
    expect(await vmExists(world, "rg-nodeploy", "nodeploy")).toBe(true);
    world.github.deploymentsForbidden = false;
  });

  it("counts no deletion label when the token may not read the label history, and says which permission is missing", async () => {
    world.files.remove("nodeploy");
    world.openPullRequest(4, { labels: ["ipv6-proxy/allow-destroy"] });
    expect((await world.plan(4)).code).toBe(0);
    world.github.issuesForbidden = true;
    world.emulator.resetRequests();
    const r = await world.apply(world.merge(4));
    world.github.issuesForbidden = false;
    expect(r.code).toBe(1);
    expect(world.emulator.writeCount()).toBe(0);
    expect(r.stdout).toContain("::warning::GitHub refused the label history of pull request #4 (403)");
    expect(r.stdout).toMatch(/::error::Nothing was applied: the plan destroys or replaces resources of `nodeploy`/);
    expect(await vmExists(world, "rg-nodeploy", "nodeploy")).toBe(true);
  });

  it("refuses a commit pushed directly to the default branch, which no pull request reviewed", async () => {
    world.files.write("direct", proxyYaml({ name: "direct", resourceGroup: "rg-direct" }));
    const sha = fakeSha("direct-push");
    world.github.pushCommit("main", sha);
    world.emulator.resetRequests();
    const r = await world.apply(sha);
    expect(r.code).toBe(1);
    expect(world.emulator.writeCount()).toBe(0);
    expect(r.stdout).toContain(`::error::Nothing was applied: commit \`${sha}\` was not merged from a pull request`);
    world.files.remove("direct");
  });
});
