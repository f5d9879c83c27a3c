/**
 * What GitHub's history says, as plain facts: which commits landed on the
 * default branch since the last apply, which labels a pull request had when
 * it was merged, and which approvals count. Pure: the GitHub calls that
 * gather these facts are in github.ts.
 */

/** A commit as the compare API lists it: its id and its parents' ids. */
export interface CommitFacts {
  sha: string;
  parents: string[];
}

/**
 * The commits the default branch moved through from `base` (exclusive) to
 * `head`, newest first: the first-parent chain, which is one commit per merge
 * (a merge commit, a squash, or the last commit of a rebase) plus direct
 * pushes. `complete` is false when the chain left the listed commits before
 * reaching `base` (the compare API lists at most 250).
 */
export function firstParentChain(
  commits: readonly CommitFacts[],
  base: string,
  head: string,
): { chain: string[]; complete: boolean } {
  const bySha = new Map(commits.map((c) => [c.sha, c]));
  const chain: string[] = [];
  let at: string | undefined = head;
  while (at !== undefined && at !== base) {
    const commit = bySha.get(at);
    if (!commit) return { chain, complete: false };
    chain.push(at);
    at = commit.parents[0];
  }
  return { chain, complete: at === base };
}

/** A `labeled` or `unlabeled` issue event (GET /repos/{owner}/{repo}/issues/{n}/events). */
export interface LabelEvent {
  event: "labeled" | "unlabeled";
  label: string;
  createdAt: string;
}

/**
 * The labels a pull request had at the moment it was merged, replayed from
 * its label events. An event in the same second as the merge cannot be
 * ordered against it (GitHub's timestamps have whole seconds), so it does not
 * count: a label has to be there before the merge to be part of the review.
 */
export function labelsAt(events: readonly LabelEvent[], mergedAt: string): Set<string> {
  const cutoff = Date.parse(mergedAt);
  const labels = new Set<string>();
  const ordered = [...events].sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  for (const e of ordered) {
    if (!(Date.parse(e.createdAt) < cutoff)) break;
    if (e.event === "labeled") labels.add(e.label);
    else labels.delete(e.label);
  }
  return labels;
}

/** A pull request review (GET /repos/{owner}/{repo}/pulls/{n}/reviews). */
export interface ReviewFacts {
  user: string;
  /** APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED or PENDING. */
  state: string;
  /** The head commit the review was given on. */
  commitId: string;
  /** Absent for a pending (unsubmitted) review. */
  submittedAt?: string | undefined;
}

/**
 * Each reviewer's standing review: the last one that sets a state. A comment
 * review leaves an earlier approval or change request standing; a dismissed
 * approval is listed with state DISMISSED and counts for nothing.
 */
export function standingReviews(reviews: readonly ReviewFacts[]): ReviewFacts[] {
  const standing = new Map<string, ReviewFacts>();
  const ordered = reviews
    .filter((r) => r.submittedAt !== undefined && r.state !== "PENDING")
    .sort((a, b) => Date.parse(a.submittedAt!) - Date.parse(b.submittedAt!));
  for (const r of ordered) {
    if (r.state === "COMMENTED" && standing.has(r.user.toLowerCase())) continue;
    standing.set(r.user.toLowerCase(), r);
  }
  return [...standing.values()];
}

/** Who may approve: the legacy base roles of the permission API (maintain is reported as write). */
export const APPROVER_PERMISSIONS: readonly string[] = ["admin", "write"];

export interface ApprovalCheck {
  /** The pull request's head commit when it was merged. */
  headSha: string;
  mergedAt: string;
  /** When the plan comment was last written. */
  planUpdatedAt: string;
  /** Logins that never count as reviewers (the action's own identity). */
  ignore: readonly string[];
}

/**
 * Approvals that count, as Atlantis' `apply_requirements: [approved]` and
 * stricter: the reviewer's standing review approves the head commit that was
 * merged, it was given after the plan comment was last updated (so the
 * reviewer saw the plan that is applied) and before the merge. Whether the
 * reviewer has write access is checked separately, with the permission API,
 * for the candidates this returns.
 */
export function approvalCandidates(reviews: readonly ReviewFacts[], check: ApprovalCheck): ReviewFacts[] {
  const ignore = new Set(check.ignore.map((l) => l.toLowerCase()));
  const after = Date.parse(check.planUpdatedAt);
  const before = Date.parse(check.mergedAt);
  return standingReviews(reviews).filter((r) => {
    if (r.state !== "APPROVED" || ignore.has(r.user.toLowerCase())) return false;
    if (r.commitId !== check.headSha) return false;
    const at = Date.parse(r.submittedAt!);
    return at > after && at < before;
  });
}

/** Why no approval counts, in a sentence for the refusal comment. */
export function whyNotApproved(reviews: readonly ReviewFacts[], check: ApprovalCheck): string {
  const ignore = new Set(check.ignore.map((l) => l.toLowerCase()));
  let approvals = standingReviews(reviews).filter((r) => r.state === "APPROVED" && !ignore.has(r.user.toLowerCase()));
  if (approvals.length === 0) return "nobody approved it";
  approvals = approvals.filter((r) => r.commitId === check.headSha);
  if (approvals.length === 0) return `no approval is for its head commit ${check.headSha.slice(0, 12)}`;
  approvals = approvals.filter((r) => Date.parse(r.submittedAt!) > Date.parse(check.planUpdatedAt));
  if (approvals.length === 0)
    return "every approval was given before the plan comment was last updated, so no reviewer approved the plan as it was merged";
  approvals = approvals.filter((r) => Date.parse(r.submittedAt!) < Date.parse(check.mergedAt));
  if (approvals.length === 0) return "it was approved only after the merge";
  return "no approving reviewer has write access to the repository";
}
