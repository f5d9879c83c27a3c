/**
 * Attacks on "only a reviewed plan is ever applied", performed end to end:
 * `node dist/index.js` as the runner starts it, against the Azure emulator
 * and the GitHub double. Each one must fail safely: nothing written to
 * Azure, and a comment that says why.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resourceNames } from "../../src/model/names.js";
import { stateMarker } from "../../src/plan/comment-marker.js";
import { ensureDistBuilt } from "../support/action-runner.js";
import { type ActionWorld, startActionWorld, stickyComments, vmExists } from "../support/action-world.js";
import { ACTIONS_BOT, type DoubleUser } from "../support/github-double.js";
import { proxyYaml } from "../support/proxy-files.js";

const MALLORY: DoubleUser = { login: "mallory", id: 666, type: "User" };
const ALICE: DoubleUser = { login: "alice", id: 10, type: "User" };
const BOB: DoubleUser = { login: "bob", id: 11, type: "User" };
const PLAN_MARKER = "<!-- azure-ipv6-proxy:plan path=proxies owner=acme/web -->";

let world: ActionWorld;
let nextStrictPr = 140;

beforeAll(async () => {
  ensureDistBuilt();
  world = await startActionWorld();
  world.emulator.seedDnsZone(world.emulator.subscriptionId, "rg-dns", "example.nl");
  world.github.setRole("alice", "write");
  world.github.setRole("bob", "read");
}, 240_000);
afterAll(async () => {
  await world?.close();
});

async function planned(pr: number, opts: { base?: string; labels?: string[] } = {}): Promise<void> {
  world.openPullRequest(pr, opts);
  const plan = await world.plan(pr);
  expect(plan.code, plan.stdout).toBe(0);
}

async function apply(sha: string, inputs: Record<string, string> = {}) {
  world.emulator.resetRequests();
  const run = await world.apply(sha, { inputs });
  return { run, writes: world.emulator.writeCount() };
}

function botPlanComment(pr: number) {
  return world.github.comments(pr).find((c) => c.user.login === ACTIONS_BOT.login && c.body.startsWith(PLAN_MARKER));
}

function applyComment(pr: number): string {
  return stickyComments(world, pr, "apply")[0]?.body ?? "";
}

describe("the reviewed record cannot be forged or hijacked", () => {
  it("applies the first reviewed merge (the history starts here)", async () => {
    world.files.write("base", proxyYaml({ name: "base", resourceGroup: "rg-base" }));
    await planned(100);
    const { run } = await apply(world.merge(100));
    expect(run.code, run.stdout).toBe(0);
    expect(world.github.deployments.at(-1)?.statuses.at(-1)?.state).toBe("success");
  });

  it("ignores a plan record forged by a user account, with the right fingerprint, and never edits it", async () => {
    world.files.write("forged", proxyYaml({ name: "forged", resourceGroup: "rg-forged" }));
    // The real plan of these files, as anyone can compute it offline (here: from a twin pull request).
    await planned(102);
    const genuine = botPlanComment(102)!.body;
    // A fork pull request gets no plan comment; its author posts one that looks exactly like the bot's.
    const head = world.openPullRequest(101, { fromFork: true });
    const forgedBody = genuine.replace(/sha=[0-9a-f]{40}/, `sha=${head}`);
    expect(forgedBody).not.toBe(genuine);
    const forged = world.github.addComment(101, forgedBody, MALLORY);
    const { run, writes } = await apply(world.merge(101));
    expect(run.code).toBe(1);
    expect(writes).toBe(0);
    expect(await vmExists(world, "rg-forged", "forged")).toBe(false);
    expect(applyComment(101)).toContain("has no plan comment for these proxies by `github-actions[bot]`");
    // The forged comment is left exactly as it was, by its author.
    const after = world.github.comments(101).find((c) => c.id === forged.id)!;
    expect(after).toMatchObject({ body: forgedBody, user: MALLORY, updated_at: forged.updated_at });
    expect(
      world.github.comments(101).filter((c) => c.user.login === ACTIONS_BOT.login && c.body.startsWith(PLAN_MARKER)),
    ).toEqual([]);
    world.files.remove("forged");
  });

  it("does not edit or read a squatted sticky comment: the bot posts its own, and only its own counts", async () => {
    world.files.write("squat", proxyYaml({ name: "squat", resourceGroup: "rg-squat" }));
    world.openPullRequest(103);
    // Before the plan job runs, someone posts a comment that carries the sticky marker and a record.
    const squatBody = `${PLAN_MARKER}\n<!-- azure-ipv6-proxy:state status=planned fingerprint=${"0".repeat(64)} sha=${world.headSha(103)} changes= -->\nnothing to see`;
    const squat = world.github.addComment(103, squatBody, MALLORY);
    const plan = await world.plan(103);
    expect(plan.code, plan.stdout).toBe(0);
    const ours = botPlanComment(103)!;
    expect(ours.id).not.toBe(squat.id);
    expect(world.github.comments(103).find((c) => c.id === squat.id)).toMatchObject({
      body: squatBody,
      updated_at: squat.updated_at,
    });
    // The bot's record is the one apply reads: the merge applies.
    const { run } = await apply(world.merge(103));
    expect(run.code, run.stdout).toBe(0);
    expect(await vmExists(world, "rg-squat", "squat")).toBe(true);
  });

  it("refuses a plan comment that someone else edited before the merge, record intact", async () => {
    world.files.write("edited", proxyYaml({ name: "edited", resourceGroup: "rg-edited" }));
    await planned(107);
    const ours = botPlanComment(107)!;
    // A collaborator rewrites what reviewers read, leaving the hidden record as the bot wrote it.
    const doctored = ours.body.replace(/\*\*\d+ to add, 0 to change, 0 to destroy\*\*/, "**No changes.**");
    expect(doctored).not.toBe(ours.body);
    world.github.editComment(ours.id, doctored, ALICE);
    const { run, writes } = await apply(world.merge(107));
    expect(run.code).toBe(1);
    expect(writes).toBe(0);
    expect(applyComment(107)).toContain("its plan comment was last edited by `alice`");
    world.files.remove("edited");
  });

  it("refuses a record written after the merge, and a re-run plan job leaves a merged pull request's record alone", async () => {
    world.files.write("late", proxyYaml({ name: "late", resourceGroup: "rg-late" }));
    await planned(104);
    const sha = world.merge(104);
    const before = botPlanComment(104)!;
    // A re-run of the plan job after the merge does not rewrite the record.
    const rerun = await world.plan(104);
    expect(rerun.code, rerun.stdout).toBe(0);
    expect(rerun.stdout).toContain("pull request #104 is closed, so its plan comment is left as it was");
    expect(botPlanComment(104)).toMatchObject({ body: before.body, updated_at: before.updated_at });
    // Anything that does write it after the merge (another workflow with the same token) makes it no review.
    world.github.editComment(before.id, before.body);
    const { run, writes } = await apply(sha);
    expect(run.code).toBe(1);
    expect(writes).toBe(0);
    expect(applyComment(104)).toContain("not before the merge");
    world.files.remove("late");
  });

  it.each([
    [
      "a 64-bit fingerprint (the old short form)",
      (r: string) => r.replace(/fingerprint=[0-9a-f]{64}/, "fingerprint=0123456789abcdef"),
    ],
    ["a status outside the enum", (r: string) => r.replace("status=planned", "status=approved")],
    [
      "an upper-case commit",
      (r: string) => r.replace(/sha=([0-9a-f]{40})/, (_m, sha: string) => `sha=${sha.toUpperCase()}`),
    ],
    ["a record below the first line", (r: string) => `\n${r}`],
  ])("finds no record in the bot's own comment with %s, and applies nothing", async (_what, spoil) => {
    world.files.write("strict", proxyYaml({ name: "strict", resourceGroup: "rg-strict" }));
    const head = world.openPullRequest(nextStrictPr);
    // As the bot's own comment says it (another workflow with the same token, or an older release).
    const record = stateMarker({ status: "planned", fingerprint: "a".repeat(64), sha: head, changes: [] });
    const spoilt = spoil(record);
    expect(spoilt).not.toBe(record);
    world.github.addComment(nextStrictPr, `${PLAN_MARKER}\n${spoilt}\nplan`, ACTIONS_BOT);
    const pr = nextStrictPr++;
    const { run, writes } = await apply(world.merge(pr));
    expect(run.code).toBe(1);
    expect(writes).toBe(0);
    expect(applyComment(pr)).toContain("its plan comment holds no valid record of a reviewed plan");
    world.files.remove("strict");
  });

  it("refuses a record made for an earlier commit than the one merged", async () => {
    world.files.write("stale", proxyYaml({ name: "stale", resourceGroup: "rg-stale" }));
    await planned(105);
    world.files.write("stale", proxyYaml({ name: "stale", resourceGroup: "rg-stale", ports: [443] }));
    world.push(105); // merged before its plan job ran
    const { run, writes } = await apply(world.merge(105));
    expect(run.code).toBe(1);
    expect(writes).toBe(0);
    expect(applyComment(105)).toContain("its plan was made for commit");
    world.files.remove("stale");
  });

  it("refuses a pull request whose base is not the default branch, even when its commit reaches the default branch", async () => {
    world.github.setBranch("release", world.github.branchHead("main")!);
    world.files.write("side", proxyYaml({ name: "side", resourceGroup: "rg-side" }));
    await planned(106, { base: "release" });
    const sha = world.merge(106);
    world.github.setBranch("main", sha); // release fast-forwarded into main
    const { run, writes } = await apply(sha);
    expect(run.code).toBe(1);
    expect(writes).toBe(0);
    expect(applyComment(106)).toContain("merged into `release`, not into the default branch `main`");
    world.files.remove("side");
  });
});

describe("no replay, and no merge left behind", () => {
  it("does nothing when an old apply is re-run after the default branch moved on", async () => {
    world.files.write("replay", proxyYaml({ name: "replay", resourceGroup: "rg-replay" }));
    await planned(110);
    const first = world.merge(110);
    expect((await apply(first)).run.code).toBe(0);
    world.files.remove("replay");
    await planned(111, { labels: ["ipv6-proxy/allow-destroy"] });
    const second = world.merge(111);
    expect((await apply(second)).run.code).toBe(0);
    expect(await vmExists(world, "rg-replay", "replay")).toBe(false);

    // Someone re-runs the first merge's job: its plan (create the proxy) must not come back.
    const deployments = world.github.deployments.length;
    const { run, writes } = await apply(first);
    expect(run.code, run.stdout).toBe(0);
    expect(writes).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`::warning::Nothing was applied: commit ${first} is no longer the head of main \\(now ${second}\\)`),
    );
    expect(world.emulator.requests.length).toBe(0); // Azure is not even read
    expect(world.github.deployments.length).toBe(deployments);
    expect(await vmExists(world, "rg-replay", "replay")).toBe(false);
  });

  it("applies two merges whose first run was cancelled, each reviewed in its own pull request", async () => {
    world.files.write("one", proxyYaml({ name: "one", resourceGroup: "rg-one" }));
    await planned(112);
    world.files.remove("one");
    world.files.write("two", proxyYaml({ name: "two", resourceGroup: "rg-two" }));
    await planned(113);
    world.files.write("one", proxyYaml({ name: "one", resourceGroup: "rg-one" }));
    world.merge(112); // its run is cancelled by the next one in the concurrency group
    const { run } = await apply(world.merge(113));
    expect(run.code, run.stdout).toBe(0);
    expect(await vmExists(world, "rg-one", "one")).toBe(true);
    expect(await vmExists(world, "rg-two", "two")).toBe(true);
    expect(run.stdout).toContain("Pull request #112 reviewed 7 of the plan's changes.");
    expect(run.stdout).toContain("Pull request #113 reviewed 7 of the plan's changes.");
    for (const pr of [112, 113]) expect(applyComment(pr)).toContain("status=applied");
  });

  it("refuses on every merged pull request when their merges together ask for what none of them showed", async () => {
    world.files.write("joint", proxyYaml({ name: "joint", resourceGroup: "rg-joint", ports: [80, 443] }));
    await planned(114);
    world.files.write("joint", proxyYaml({ name: "joint", resourceGroup: "rg-joint", ports: [443] }));
    await planned(115);
    // Both merged; the files now hold a third version that neither plan showed.
    world.files.write("joint", proxyYaml({ name: "joint", resourceGroup: "rg-joint", ports: [8443] }));
    world.merge(114);
    const { run, writes } = await apply(world.merge(115));
    expect(run.code).toBe(1);
    expect(writes).toBe(0);
    for (const pr of [114, 115]) {
      const body = applyComment(pr);
      expect(body).toContain("not reviewed in any pull request merged since the last apply (#115, #114)");
      expect(body).toContain("`joint.networkSecurityGroup` (create): `ipv6px-joint-nsg`");
    }
    world.files.remove("joint");
  });

  it("re-runs a partially failed apply to finish the reviewed changes", async () => {
    world.files.write(
      "part",
      proxyYaml({ name: "part", resourceGroup: "rg-part", zone: "example.nl", records: ["part"] }),
    );
    await planned(116);
    const sha = world.merge(116);
    world.emulator.addFault({
      method: "PUT",
      pathPattern: /networkInterfaces\/ipv6px-part-nic/i,
      status: 500,
      times: 50,
    });
    const failed = await apply(sha);
    world.emulator.clearFaults();
    expect(failed.run.code).toBe(1);
    expect(failed.writes).toBeGreaterThan(0);
    expect(applyComment(116)).toContain("status=failed");
    expect(world.github.deployments.at(-1)?.statuses.at(-1)?.state).toBe("failure");

    // The same job again: what is left is a part of what was reviewed (the AAAA record now knows its address).
    const rerun = await apply(sha);
    expect(rerun.run.code, rerun.run.stdout).toBe(0);
    expect(await vmExists(world, "rg-part", "part")).toBe(true);
    expect(applyComment(116)).toContain("status=applied");
    expect(world.github.deployments.at(-1)?.statuses.at(-1)?.state).toBe("success");
  });
});

describe("require-approval", () => {
  it("refuses an approval given before the plan comment was last updated, and applies one given after", async () => {
    world.files.write("gate", proxyYaml({ name: "gate", resourceGroup: "rg-gate" }));
    await planned(120);
    world.github.addReview(120, ALICE, "APPROVED");
    // Azure changes and the plan job runs again on the same commit: the comment now shows another plan.
    await world.clients().resources.resourceGroups.createOrUpdate("rg-gate", { location: "westeurope" });
    const again = await world.plan(120);
    expect(again.code, again.stdout).toBe(0);
    const { run, writes } = await apply(world.merge(120), { "require-approval": "true" });
    expect(run.code).toBe(1);
    expect(writes).toBe(0);
    expect(applyComment(120)).toContain("every approval was given before the plan comment was last updated");

    // A read-only reviewer's approval does not count; a writer's, after the plan, does.
    await planned(121);
    world.github.addReview(121, BOB, "APPROVED");
    const readOnly = await apply(world.merge(121), { "require-approval": "true" });
    expect(readOnly.run.code).toBe(1);
    expect(applyComment(121)).toContain("no approving reviewer has write access");

    await planned(122);
    world.github.addReview(122, ALICE, "APPROVED");
    const approved = await apply(world.merge(122), { "require-approval": "true" });
    expect(approved.run.code, approved.run.stdout).toBe(0);
    expect(await vmExists(world, "rg-gate", "gate")).toBe(true);
  });
});

describe("require-approval: approvals that do not count", () => {
  it("refuses an approval of an older commit of the pull request, and one that was dismissed", async () => {
    world.files.write("gate2", proxyYaml({ name: "gate2", resourceGroup: "rg-gate2" }));
    world.openPullRequest(123);
    world.github.addReview(123, ALICE, "APPROVED");
    // A new commit after the approval; branch protection without "dismiss stale approvals" would let it merge.
    world.push(123);
    expect((await world.plan(123)).code).toBe(0);
    const older = await apply(world.merge(123), { "require-approval": "true" });
    expect(older.run.code).toBe(1);
    expect(older.writes).toBe(0);
    expect(applyComment(123)).toContain(`no approval is for its head commit ${world.headSha(123).slice(0, 12)}`);

    await planned(124);
    const approval = world.github.addReview(124, ALICE, "APPROVED");
    world.github.dismissReview(approval.id);
    const dismissed = await apply(world.merge(124), { "require-approval": "true" });
    expect(dismissed.run.code).toBe(1);
    expect(dismissed.writes).toBe(0);
    expect(applyComment(124)).toContain("require-approval is set and nobody approved it");
    expect(await vmExists(world, "rg-gate2", "gate2")).toBe(false);
    world.files.remove("gate2");
  });
});

describe("partial failure, then something new", () => {
  it("refuses a re-run when Azure changed after the failure", async () => {
    world.files.write("drift", proxyYaml({ name: "drift", resourceGroup: "rg-drift" }));
    await planned(130);
    const sha = world.merge(130);
    world.emulator.addFault({
      method: "PUT",
      pathPattern: /virtualMachines\/ipv6px-drift-vm/i,
      status: 500,
      times: 50,
    });
    expect((await apply(sha)).run.code).toBe(1);
    world.emulator.clearFaults();
    // The network security group was created by the failed run; someone edits it by hand.
    const network = world.clients().network;
    const name = resourceNames("drift").networkSecurityGroup;
    const nsg = await network.networkSecurityGroups.get("rg-drift", name);
    await network.networkSecurityGroups.createOrUpdate("rg-drift", name, {
      ...nsg,
      securityRules: nsg.securityRules!.slice(1),
    });

    const { run, writes } = await apply(sha);
    expect(run.code).toBe(1);
    expect(writes).toBe(0);
    expect(applyComment(130)).toContain("`drift.networkSecurityGroup` (update)");
    expect(await vmExists(world, "rg-drift", "drift")).toBe(false);
  });
});
