/**
 * The reviewed record and the decision to apply, without GitHub or Azure:
 * a record is parsed strictly or not at all; a pull request's plan counts
 * only when it was made for the merged head, before the merge, into the
 * default branch (and approved, with require-approval); a plan is applied
 * only when every change was reviewed.
 */
import { describe, expect, it } from "vitest";
import {
  approvalCandidates,
  firstParentChain,
  type LabelEvent,
  labelsAt,
  type ReviewFacts,
  standingReviews,
} from "../../src/action/history.js";
import {
  ALLOW_DESTROY_LABEL,
  type ApplyDecision,
  decideApply,
  type MergeStep,
  type PullRequestEvidence,
  qualify,
  type ReviewPolicy,
} from "../../src/action/review.js";
import { planState } from "../../src/action/run.js";
import { changeDigest } from "../../src/engine/fingerprint.js";
import { MAX_RECORD_DIGESTS, parseRecord, stateMarker, stickyMarker } from "../../src/plan/comment-marker.js";
import { CHANGE_DIGEST_CHARS, type Change, type Plan } from "../../src/plan/types.js";
import {
  buildPlan,
  change,
  createdProxy,
  destroyedProxy,
  notOwnedProxy,
  updatedProxy,
} from "../support/plan-fixtures.js";

const MARKER = stickyMarker("plan", "proxies", "acme/web");
const HEAD = "a".repeat(40);
const POLICY: ReviewPolicy = {
  defaultBranch: "main",
  planMarker: MARKER,
  requireApproval: false,
  botLogin: "github-actions[bot]",
};

const body = (plan: Plan, sha = HEAD): string => `${MARKER}\n${stateMarker(planState(plan, sha))}\n### plan\n`;

function evidence(plan: Plan, o: Partial<PullRequestEvidence> & { number?: number; labels?: LabelEvent[] } = {}) {
  const number = o.number ?? 1;
  const e: PullRequestEvidence = {
    pr: {
      number,
      url: `https://github.com/acme/web/pull/${number}`,
      headSha: HEAD,
      baseRef: "main",
      mergedAt: "2025-06-01T12:00:10Z",
      mergeCommitSha: "m".repeat(40),
      ...o.pr,
    },
    planComment: {
      id: 10,
      url: "u",
      body: body(plan),
      createdAt: "2025-06-01T11:00:00Z",
      updatedAt: "2025-06-01T12:00:00Z",
    },
    labelEvents: o.labels ?? [],
    ...o,
  };
  if ("planComment" in o) e.planComment = o.planComment;
  return e;
}

const step = (commit: string, e: PullRequestEvidence, policy = POLICY): MergeStep => ({
  commit,
  pullRequest: qualify(e, policy),
});

const pendingCount = (plan: Plan): number => plan.changes.filter((c) => c.action !== "noop").length;

/** The plan as it would be after the first `done` pending changes were applied. */
function remainderOf(plan: Plan, done: number): Plan {
  const pending = plan.changes.filter((c) => c.action !== "noop");
  const finished = new Set(pending.slice(0, done));
  const changes = plan.changes.map((c) => (finished.has(c) ? { ...c, action: "noop" as const } : c));
  return { ...plan, changes, fingerprint: "f".repeat(64) };
}

function reasonOf(d: ApplyDecision): string {
  expect(d.kind).toBe("refuse");
  return d.kind === "refuse" ? d.reason.join("\n") : "";
}

describe("the record in the plan comment", () => {
  const plan = buildPlan([createdProxy("www-example-nl"), updatedProxy("api-example-nl", 2)]);

  it("round-trips the full SHA-256 fingerprint, the head commit and one digest per change", () => {
    const record = parseRecord(body(plan), MARKER)!;
    expect(record.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(record.sha).toBe(HEAD);
    expect(record.changes).toHaveLength(plan.changes.filter((c) => c.action !== "noop").length);
    expect(record.changes!.every((d) => d.length === CHANGE_DIGEST_CHARS)).toBe(true);
  });

  it.each([
    [
      "a 16-digit (64-bit) fingerprint",
      (b: string) => b.replace(/fingerprint=([0-9a-f]{16})[0-9a-f]{48}/, "fingerprint=$1"),
    ],
    ["upper-case hex", (b: string) => b.replace(/sha=a{40}/, `sha=${"A".repeat(40)}`)],
    ["a 39-digit commit", (b: string) => b.replace(/sha=a{40}/, `sha=${"a".repeat(39)}`)],
    ["a status outside the enum", (b: string) => b.replace("status=planned", "status=approved")],
    ["an unknown attribute", (b: string) => b.replace(" -->\n###", " by=admin -->\n###")],
    [
      "a digest list cut short",
      (b: string) => b.replace(/changes=([A-Za-z0-9_-]+)/, (_m, d: string) => `changes=${d.slice(1)}`),
    ],
    ["a non-canonical digest", (b: string) => b.replace(/changes=([A-Za-z0-9_-]{21})[AQgw]/, "changes=$1B")],
    ["an injected workflow command", (b: string) => b.replace(/sha=a{40}/, "sha=%0A::add-mask::x")],
    ["the record on a later line", (b: string) => b.replace(`${MARKER}\n`, `${MARKER}\n\n`)],
    ["a quoted marker", (b: string) => `> ${b}`],
  ])("counts as no record with %s", (_what, tamper) => {
    const tampered = tamper(body(plan));
    expect(tampered).not.toBe(body(plan));
    expect(parseRecord(tampered, MARKER)).toBeUndefined();
  });

  it("lists up to MAX_RECORD_DIGESTS digests and omits them beyond, keeping the comment within GitHub's limit", () => {
    // New proxies have many changes each and no config diff: the limit is reached cheaply, by whole proxies.
    const newProxies = (n: number): Plan =>
      buildPlan(Array.from({ length: n }, (_, i) => createdProxy(`p${i}-example-nl`)));
    const perProxy = newProxies(1).changes.length;
    const atLimit = newProxies(Math.floor(MAX_RECORD_DIGESTS / perProxy));
    const pending = (plan: Plan): number => plan.changes.filter((c) => c.action !== "noop").length;
    expect(pending(atLimit)).toBeGreaterThan(MAX_RECORD_DIGESTS - perProxy);
    expect(pending(atLimit)).toBeLessThanOrEqual(MAX_RECORD_DIGESTS);
    const listed = parseRecord(body(atLimit), MARKER)!;
    expect(listed.changes).toHaveLength(pending(atLimit));
    expect(stateMarker(planState(atLimit, HEAD)).length).toBeLessThan(30_000);

    const over = newProxies(Math.floor(MAX_RECORD_DIGESTS / perProxy) + 1);
    expect(pending(over)).toBeGreaterThan(MAX_RECORD_DIGESTS);
    const record = parseRecord(body(over), MARKER)!;
    expect(record.changes).toBeUndefined();
    expect(record.fingerprint).toBe(over.fingerprint);
  });

  it("gives an AAAA record the same digest before and after Azure assigned the address", () => {
    const dns = (address: string): Change => ({
      ...change("www-example-nl", "dnsRecord", "create", "new"),
      after: { ttl: 300, ipv6Addresses: [address], metadata: {} },
    });
    expect(changeDigest(dns("(known after apply)"))).toBe(changeDigest(dns("2001:db8::7")));
    const other = { ...dns("2001:db8::7"), after: { ttl: 60, ipv6Addresses: ["2001:db8::7"], metadata: {} } };
    expect(changeDigest(other)).not.toBe(changeDigest(dns("2001:db8::7")));
  });
});

describe("which merged pull request's plan counts", () => {
  const plan = buildPlan([createdProxy("www-example-nl")]);

  it("counts a plan made for the merged head, written before the merge, into the default branch", () => {
    const q = qualify(evidence(plan), POLICY);
    expect(q.ok).toBe(true);
  });

  it.each([
    ["no plan comment by the action", { planComment: undefined }, "has no plan comment"],
    ["a base that is not the default branch", { pr: { baseRef: "release" } }, "not into the default branch `main`"],
    ["a plan for an older commit", { pr: { headSha: "b".repeat(40) } }, "its plan was made for commit"],
    ["an unmerged pull request", { pr: { mergedAt: undefined } }, "not merged"],
  ] as const)("refuses %s", (_what, change, words) => {
    const e = evidence(plan);
    const tampered = {
      ...e,
      ...("planComment" in change ? { planComment: undefined } : {}),
      pr: { ...e.pr, ...("pr" in change ? change.pr : {}) },
    } as PullRequestEvidence;
    const q = qualify(tampered, POLICY);
    expect(q.ok).toBe(false);
    expect(q.ok ? "" : q.reason).toContain(words);
  });

  it.each([
    ["written after the merge", "2025-06-01T12:00:20Z", "2025-06-01T12:00:20Z"],
    ["edited after the merge", "2025-06-01T11:00:00Z", "2025-06-01T12:05:00Z"],
    ["written in the same second as the merge", "2025-06-01T11:00:00Z", "2025-06-01T12:00:10Z"],
  ])("refuses a record %s", (_what, createdAt, updatedAt) => {
    const e = evidence(plan);
    const q = qualify({ ...e, planComment: { ...e.planComment!, createdAt, updatedAt } }, POLICY);
    expect(q.ok ? "" : q.reason).toContain("not before the merge");
  });

  it("refuses a plan comment someone else edited, and accepts the action's own edits", () => {
    const e = evidence(plan);
    const byAlice = qualify({ ...e, planComment: { ...e.planComment!, editedBy: "alice" } }, POLICY);
    expect(byAlice.ok ? "" : byAlice.reason).toContain("last edited by `alice`");
    const byBot = qualify({ ...e, planComment: { ...e.planComment!, editedBy: "GitHub-Actions[bot]" } }, POLICY);
    expect(byBot.ok).toBe(true);
  });

  it("refuses a plan that could not be applied", () => {
    const broken = buildPlan([notOwnedProxy("www-example-nl")]);
    const q = qualify(evidence(broken), POLICY);
    expect(q.ok ? "" : q.reason).toContain("could not be applied (plan-errors)");
  });

  it("counts the allow-destroy label only when it was on before the merge", () => {
    const at = (t: string, event: "labeled" | "unlabeled" = "labeled"): LabelEvent => ({
      event,
      label: ALLOW_DESTROY_LABEL,
      createdAt: t,
    });
    const allow = (labels: LabelEvent[]) => {
      const q = qualify(evidence(plan, { labels }), POLICY);
      return q.ok && q.allowDestroy;
    };
    expect(allow([at("2025-06-01T12:00:00Z")])).toBe(true);
    expect(allow([at("2025-06-01T12:00:30Z")])).toBe(false); // added after the merge
    expect(allow([at("2025-06-01T12:00:10Z")])).toBe(false); // same second: cannot be ordered
    expect(allow([at("2025-06-01T11:00:00Z"), at("2025-06-01T11:30:00Z", "unlabeled")])).toBe(false);
    expect(
      labelsAt([at("2025-06-01T11:30:00Z", "unlabeled"), at("2025-06-01T11:00:00Z")], "2025-06-01T12:00:00Z"),
    ).toEqual(new Set());
  });
});

describe("require-approval", () => {
  const plan = buildPlan([createdProxy("www-example-nl")]);
  const policy = { ...POLICY, requireApproval: true };
  const review = (user: string, state: string, submittedAt: string, commitId = HEAD): ReviewFacts => ({
    user,
    state,
    commitId,
    submittedAt,
  });
  const judge = (reviews: ReviewFacts[], permissions: Record<string, string> = { alice: "write", bob: "read" }) =>
    qualify({ ...evidence(plan), reviews, permissions }, policy);

  it("counts an approval of the head commit, after the plan was last updated, by someone with write access", () => {
    const q = judge([review("alice", "APPROVED", "2025-06-01T12:00:05Z")]);
    expect(q.ok && q.approvedBy).toEqual(["alice"]);
  });

  it.each([
    [
      "given before the last plan update",
      [review("alice", "APPROVED", "2025-06-01T11:59:00Z")],
      "before the plan comment was last updated",
    ],
    [
      "of an older commit",
      [review("alice", "APPROVED", "2025-06-01T12:00:05Z", "c".repeat(40))],
      "no approval is for its head commit",
    ],
    ["by someone with read access only", [review("bob", "APPROVED", "2025-06-01T12:00:05Z")], "write access"],
    ["given after the merge", [review("alice", "APPROVED", "2025-06-01T12:01:00Z")], "only after the merge"],
    ["by the action itself", [review("github-actions[bot]", "APPROVED", "2025-06-01T12:00:05Z")], "nobody approved it"],
    ["later dismissed", [review("alice", "DISMISSED", "2025-06-01T12:00:05Z")], "nobody approved it"],
    [
      "followed by a change request",
      [
        review("alice", "APPROVED", "2025-06-01T12:00:05Z"),
        review("alice", "CHANGES_REQUESTED", "2025-06-01T12:00:07Z"),
      ],
      "nobody approved it",
    ],
    ["missing", [], "nobody approved it"],
  ])("refuses an approval %s", (_what, reviews, words) => {
    const q = judge(reviews, { alice: "write", bob: "read", "github-actions[bot]": "write" });
    expect(q.ok).toBe(false);
    expect(q.ok ? "" : q.reason).toContain(words);
  });

  it("keeps an approval standing after a comment-only review", () => {
    const reviews = [
      review("alice", "APPROVED", "2025-06-01T12:00:05Z"),
      review("alice", "COMMENTED", "2025-06-01T12:00:06Z"),
    ];
    expect(standingReviews(reviews).map((r) => r.state)).toEqual(["APPROVED"]);
    const check = {
      headSha: HEAD,
      mergedAt: "2025-06-01T12:00:10Z",
      planUpdatedAt: "2025-06-01T12:00:00Z",
      ignore: [],
    };
    expect(approvalCandidates(reviews, check)).toHaveLength(1);
  });
});

describe("whether a plan is applied", () => {
  const www = createdProxy("www-example-nl");
  const api = updatedProxy("api-example-nl", 2);

  it("applies the reviewed plan", () => {
    const plan = buildPlan([www]);
    const d = decideApply({ plan, commit: "m1", steps: [step("m1", evidence(plan))], allowDestroy: false });
    expect(d).toEqual({ kind: "apply", reviewedBy: new Map([[1, pendingCount(plan)]]) });
  });

  it("applies what remains of a reviewed plan after a partial failure, and refuses anything new with it", () => {
    const reviewed = buildPlan([www, api]);
    const steps = [step("m1", evidence(reviewed))];
    const rest = remainderOf(reviewed, 4);
    expect(decideApply({ plan: rest, commit: "m1", steps, allowDestroy: false }).kind).toBe("apply");

    const extra = change("www-example-nl", "networkSecurityGroup", "update", "changed in Azure", [
      { path: "securityRules[0].destinationPortRange", before: "22", after: "443" },
    ]);
    const drifted = { ...rest, changes: rest.changes.map((c) => (c.address === extra.address ? extra : c)) };
    const reason = reasonOf(decideApply({ plan: drifted, commit: "m1", steps, allowDestroy: false }));
    expect(reason).toContain("the plan changed after it was reviewed on pull request #1");
    // The unreviewed change is named by its address and its real Azure name and ID.
    expect(reason).toContain(`\`www-example-nl.networkSecurityGroup\` (update): \`${extra.name}\`: \`${extra.id}\``);
  });

  it("applies the changes of two merges at once when each was reviewed in its own pull request", () => {
    const first = buildPlan([www]);
    const second = buildPlan([api]);
    const both = buildPlan([www, api]);
    const steps = [step("m2", evidence(second, { number: 2 })), step("m1", evidence(first, { number: 1 }))];
    const d = decideApply({ plan: both, commit: "m2", steps, allowDestroy: false });
    expect(d).toEqual({
      kind: "apply",
      reviewedBy: new Map([
        [1, pendingCount(first)],
        [2, pendingCount(second)],
      ]),
    });
    // Without the earlier merge's review, the plan is refused on both pull requests.
    const refused = decideApply({
      plan: both,
      commit: "m2",
      steps: [steps[0]!, { commit: "m1" }],
      allowDestroy: false,
    });
    expect(refused.kind === "refuse" && refused.tell).toEqual([2]);
    expect(reasonOf(refused)).toContain("`www-example-nl.virtualMachine` (create)");
  });

  it("tells every merged pull request when a change is not reviewed", () => {
    const steps = [
      step("m3", evidence(buildPlan([api]), { number: 3 })),
      step("m2", { ...evidence(buildPlan([www]), { number: 2 }), planComment: undefined }),
    ];
    const d = decideApply({ plan: buildPlan([www, api]), commit: "m3", steps, allowDestroy: false });
    expect(d.kind === "refuse" && d.tell).toEqual([3, 2]);
    expect(reasonOf(d)).toContain("#2: its plan does not count: it has no plan comment");
    expect(reasonOf(d)).toContain("#3: its reviewed plan counts");
  });

  it("needs allow-destroy from a pull request that reviewed the deletion", () => {
    const gone = buildPlan([destroyedProxy("old-example-nl", 1)]);
    const label: LabelEvent = { event: "labeled", label: ALLOW_DESTROY_LABEL, createdAt: "2025-06-01T11:00:00Z" };
    const unlabelled = [step("m1", evidence(gone))];
    expect(reasonOf(decideApply({ plan: gone, commit: "m1", steps: unlabelled, allowDestroy: false }))).toContain(
      "the plan destroys or replaces resources of `old-example-nl`",
    );
    expect(decideApply({ plan: gone, commit: "m1", steps: unlabelled, allowDestroy: true }).kind).toBe("apply");
    const labelled = [step("m1", evidence(gone, { labels: [label] }))];
    expect(decideApply({ plan: gone, commit: "m1", steps: labelled, allowDestroy: false }).kind).toBe("apply");
    // A label on another merged pull request, which did not review the deletion, does not allow it.
    const elsewhere = [step("m2", evidence(buildPlan([www]), { number: 2, labels: [label] })), unlabelled[0]!];
    const both = buildPlan([www, destroyedProxy("old-example-nl", 1)]);
    expect(decideApply({ plan: both, commit: "m2", steps: elsewhere, allowDestroy: false }).kind).toBe("refuse");
  });

  it("refuses a direct push, and a plan with errors", () => {
    const plan = buildPlan([www]);
    expect(reasonOf(decideApply({ plan, commit: "d1", steps: [{ commit: "d1" }], allowDestroy: false }))).toContain(
      "was not merged from a pull request",
    );
    const broken = buildPlan([notOwnedProxy("x-example-nl")]);
    expect(
      reasonOf(decideApply({ plan: broken, commit: "m1", steps: [step("m1", evidence(plan))], allowDestroy: false })),
    ).toContain("the plan has errors");
  });
});

describe("the default branch's history", () => {
  it("follows first parents from the head back to the last applied commit", () => {
    // base ← m1 (merge of f1) ← d1 (direct push) ← m2 (merge of f2 ← f3)
    const commits = [
      { sha: "f1", parents: ["base"] },
      { sha: "m1", parents: ["base", "f1"] },
      { sha: "d1", parents: ["m1"] },
      { sha: "f2", parents: ["base"] },
      { sha: "f3", parents: ["f2"] },
      { sha: "m2", parents: ["d1", "f3"] },
    ];
    expect(firstParentChain(commits, "base", "m2")).toEqual({ chain: ["m2", "d1", "m1"], complete: true });
    expect(firstParentChain(commits.slice(2), "base", "m2")).toEqual({ chain: ["m2", "d1"], complete: false });
  });
});
