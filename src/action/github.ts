/**
 * The GitHub REST calls the action makes, each returning plain facts for the
 * pure modules (review.ts, history.ts): sticky comments by the action's own
 * identity, pull requests, label events, reviews, permissions, the default
 * branch's head and history, and the deployments that record each apply.
 */
import type { getOctokit } from "@actions/github";
import { isStickyComment } from "../plan/comment-marker.js";
import { GITHUB_COMMENT_LIMIT } from "../plan/render-markdown.js";
import type { Repo } from "./event.js";
import type { CommitFacts, LabelEvent, ReviewFacts } from "./history.js";
import type { CommentFacts, PullRequestFacts } from "./review.js";

export type Octokit = ReturnType<typeof getOctokit>;

export interface UpsertResult {
  id: number;
  url: string;
  action: "created" | "updated" | "unchanged";
}

/** One successful apply, as recorded in a deployment. */
export interface AppliedDeployment {
  id: number;
  sha: string;
  createdAt: string;
}

/** What a deployment of this action carries in its payload: which proxies it applied. */
export interface DeploymentScope {
  owner: string;
  path: string;
}

/**
 * Deployments made by this action. The environment keeps them apart from the
 * ones GitHub creates for a job's `environment:`, whose status follows the
 * job and says nothing about what was applied.
 */
const DEPLOYMENT_ENVIRONMENT = "azure-ipv6-proxy";
const DEPLOYMENT_TASK = "deploy:azure-ipv6-proxy";

export class GitHubApi {
  constructor(
    private readonly octokit: Octokit,
    readonly repo: Repo,
    /** The login of the identity behind the token: only its comments count and are ever edited. */
    readonly botLogin: string,
  ) {}

  /**
   * The first comment by the action's identity that starts with `marker`,
   * looking through all pages. Comments by anyone else are skipped, marker or
   * not: a forged or squatted comment is never read and never edited.
   */
  async findSticky(
    issue: number,
    marker: string,
  ): Promise<(CommentFacts & { author: string; nodeId: string }) | undefined> {
    const pages = this.octokit.paginate.iterator(this.octokit.rest.issues.listComments, {
      ...this.repo,
      issue_number: issue,
      per_page: 100,
    });
    for await (const page of pages) {
      const found = page.data.find((c) => this.isOurs(c.user?.login) && isStickyComment(c.body, marker));
      if (found) {
        return {
          id: found.id,
          body: found.body ?? "",
          url: found.html_url,
          createdAt: found.created_at,
          updatedAt: found.updated_at,
          author: found.user?.login ?? "",
          nodeId: found.node_id,
        };
      }
    }
    return undefined;
  }

  /** Edits our comment in place, or creates it the first time: never a second one, never someone else's. */
  async upsertSticky(issue: number, marker: string, body: string): Promise<UpsertResult> {
    if (body.length > GITHUB_COMMENT_LIMIT) {
      // The builders in comment.ts keep bodies within the limit; this guards against a 422 if one ever does not.
      throw new Error(`comment body is ${body.length} characters, over GitHub's limit of ${GITHUB_COMMENT_LIMIT}`);
    }
    const existing = await this.findSticky(issue, marker);
    if (existing?.body === body) return { id: existing.id, url: existing.url, action: "unchanged" };
    if (existing) {
      const { data } = await this.octokit.rest.issues.updateComment({ ...this.repo, comment_id: existing.id, body });
      return { id: data.id, url: data.html_url, action: "updated" };
    }
    const { data } = await this.octokit.rest.issues.createComment({ ...this.repo, issue_number: issue, body });
    return { id: data.id, url: data.html_url, action: "created" };
  }

  /**
   * Who last edited a comment's body, if anyone: only GraphQL tells
   * (`Comment.editor`, docs.github.com/graphql/reference/interfaces#comment);
   * the REST comment has no such field. A bot comes back as its bare name
   * (`github-actions`); it is returned in the REST spelling (`github-actions[bot]`).
   */
  async commentEditor(nodeId: string): Promise<string | undefined> {
    const data = await this.octokit.graphql<{
      node: { editor: { __typename: string; login: string } | null } | null;
    }>(`query($id: ID!) { node(id: $id) { ... on IssueComment { editor { __typename login } lastEditedAt } } }`, {
      id: nodeId,
    });
    const editor = data.node?.editor;
    if (!editor) return undefined;
    return editor.__typename === "Bot" && !editor.login.endsWith("[bot]") ? `${editor.login}[bot]` : editor.login;
  }

  /** GitHub logins are case-insensitive; a user account cannot take a name ending in "[bot]". */
  private isOurs(login: string | undefined): boolean {
    return login !== undefined && login.toLowerCase() === this.botLogin.toLowerCase();
  }

  /** The repository's default branch, as it is now (GET /repos/{owner}/{repo}). */
  async defaultBranch(): Promise<string> {
    const { data } = await this.octokit.rest.repos.get({ ...this.repo });
    return data.default_branch;
  }

  /** The commit a branch points at now (GET /repos/{owner}/{repo}/branches/{branch}). */
  async branchHead(branch: string): Promise<string> {
    const { data } = await this.octokit.rest.repos.getBranch({ ...this.repo, branch });
    return data.commit.sha;
  }

  /**
   * The pull request whose merge produced `sha`. A merge, squash or rebase all
   * record the resulting commit as `merge_commit_sha`; a commit pushed
   * directly has no such pull request.
   */
  async mergedPullRequestFor(sha: string): Promise<PullRequestFacts | undefined> {
    const { data } = await this.octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      ...this.repo,
      commit_sha: sha,
      per_page: 100,
    });
    const pr = data.find((p) => p.merged_at && p.merge_commit_sha === sha);
    return pr ? pullRequestFacts(pr) : undefined;
  }

  /** A pull request as it is now (GET /repos/{owner}/{repo}/pulls/{n}), with its state. */
  async pullRequest(number: number): Promise<PullRequestFacts & { state: string }> {
    const { data } = await this.octokit.rest.pulls.get({ ...this.repo, pull_number: number });
    return { ...pullRequestFacts(data), state: data.state };
  }

  /** Label events in the order they happened (GET /repos/{owner}/{repo}/issues/{n}/events). */
  async labelEvents(issue: number): Promise<LabelEvent[]> {
    const events = await this.octokit.paginate(this.octokit.rest.issues.listEvents, {
      ...this.repo,
      issue_number: issue,
      per_page: 100,
    });
    const out: LabelEvent[] = [];
    for (const e of events) {
      if ((e.event === "labeled" || e.event === "unlabeled") && "label" in e && e.label?.name) {
        out.push({ event: e.event, label: e.label.name, createdAt: e.created_at });
      }
    }
    return out;
  }

  /** Reviews in chronological order (GET /repos/{owner}/{repo}/pulls/{n}/reviews). */
  async reviews(number: number): Promise<ReviewFacts[]> {
    const reviews = await this.octokit.paginate(this.octokit.rest.pulls.listReviews, {
      ...this.repo,
      pull_number: number,
      per_page: 100,
    });
    return reviews.map((r) => ({
      user: r.user?.login ?? "",
      state: r.state,
      commitId: r.commit_id ?? "",
      ...(r.submitted_at ? { submittedAt: r.submitted_at } : {}),
    }));
  }

  /**
   * A user's base role on the repository: admin, write, read or none
   * (GET /repos/{owner}/{repo}/collaborators/{username}/permission). Someone
   * who is not a collaborator at all answers 404, which is "none".
   */
  async permission(username: string): Promise<string> {
    try {
      const { data } = await this.octokit.rest.repos.getCollaboratorPermissionLevel({ ...this.repo, username });
      return data.permission;
    } catch (err) {
      if (statusOf(err) === 404) return "none";
      throw err;
    }
  }

  /**
   * Commits between two commits, as the compare API lists them (at most 250,
   * the most recent ones; GET /repos/{owner}/{repo}/compare/{base}...{head}).
   * `status` is "ahead" when base is an ancestor of head.
   */
  async compare(base: string, head: string): Promise<{ status: string; totalCommits: number; commits: CommitFacts[] }> {
    const { data } = await this.octokit.rest.repos.compareCommitsWithBasehead({
      ...this.repo,
      basehead: `${base}...${head}`,
    });
    return {
      status: data.status,
      totalCommits: data.total_commits,
      commits: data.commits.map((c) => ({ sha: c.sha, parents: c.parents.map((p) => p.sha) })),
    };
  }

  /**
   * The newest deployment this action recorded for these proxies whose latest
   * status is "success": the last commit whose plan was applied in full.
   * Only deployments and statuses created by the action's own identity count.
   *
   * GitHub documents no order for either list ("List deployments", "List
   * deployment statuses" in docs.github.com/rest/deployments; a review of a
   * client that read `per_page: 1` as the newest status found the same:
   * github.com/NVIDIA-NeMo/nemo-platform/pull/1749), so both are read in full
   * and ordered here by creation time, then id.
   */
  async lastSuccessfulApply(scope: DeploymentScope): Promise<AppliedDeployment | undefined> {
    const deployments = await this.octokit.paginate(this.octokit.rest.repos.listDeployments, {
      ...this.repo,
      environment: DEPLOYMENT_ENVIRONMENT,
      task: DEPLOYMENT_TASK,
      per_page: 100,
    });
    const ours = deployments
      .filter((d) => this.isOurs(d.creator?.login) && sameScope(d.payload, scope))
      .sort(newestFirst);
    for (const d of ours) {
      const statuses = await this.octokit.paginate(this.octokit.rest.repos.listDeploymentStatuses, {
        ...this.repo,
        deployment_id: Number(d.id),
        per_page: 100,
      });
      // A status by anyone else (write access is enough to add one) says nothing about what this action applied.
      const latest = statuses.filter((s) => this.isOurs(s.creator?.login)).sort(newestFirst)[0];
      if (latest?.state === "success") return { id: Number(d.id), sha: d.sha, createdAt: d.created_at };
    }
    return undefined;
  }

  /** Records an apply of `sha` as a deployment (POST /repos/{owner}/{repo}/deployments). */
  async createDeployment(sha: string, scope: DeploymentScope, description: string): Promise<number> {
    const { data } = await this.octokit.rest.repos.createDeployment({
      ...this.repo,
      ref: sha,
      task: DEPLOYMENT_TASK,
      environment: DEPLOYMENT_ENVIRONMENT,
      // Never merge the default branch into anything, and deploy regardless of commit statuses: the action decides.
      auto_merge: false,
      required_contexts: [],
      payload: { owner: scope.owner, path: scope.path },
      description: description.slice(0, 140),
      production_environment: true,
    });
    if (!("id" in data)) throw new Error(`GitHub did not create a deployment: ${data.message ?? "no reason given"}`);
    return Number(data.id);
  }

  /** POST /repos/{owner}/{repo}/deployments/{id}/statuses. */
  async setDeploymentStatus(
    id: number,
    state: "in_progress" | "success" | "failure" | "error",
    description: string,
    logUrl?: string,
  ): Promise<void> {
    await this.octokit.rest.repos.createDeploymentStatus({
      ...this.repo,
      deployment_id: id,
      state,
      description: description.slice(0, 140),
      ...(logUrl ? { log_url: logUrl } : {}),
    });
  }
}

export interface TrackedIssue {
  number: number;
  body: string;
  url: string;
  labels: string[];
}

/** The drift issue: one per proxy directory and owner, found by its marker, label and author. */
export class IssueApi {
  constructor(
    private readonly octokit: Octokit,
    readonly repo: Repo,
  ) {}

  /**
   * The open issue with `label` that starts with `marker` and was opened by
   * `author` (the action's own identity). Issues anyone else opened are
   * ignored, whatever they contain. The list endpoint returns pull requests
   * too; they carry a `pull_request` key (GitHub REST "List repository issues").
   */
  async findOpen(marker: string, label: string, author: string): Promise<TrackedIssue | undefined> {
    const pages = this.octokit.paginate.iterator(this.octokit.rest.issues.listForRepo, {
      ...this.repo,
      state: "open",
      labels: label,
      per_page: 100,
    });
    for await (const page of pages) {
      const found = page.data.find(
        (i) => !i.pull_request && i.user?.login === author && isStickyComment(i.body ?? undefined, marker),
      );
      if (found) return tracked(found);
    }
    return undefined;
  }

  async create(title: string, body: string, label: string): Promise<TrackedIssue> {
    checkLength(body);
    const { data } = await this.octokit.rest.issues.create({ ...this.repo, title, body, labels: [label] });
    return tracked(data);
  }

  async update(number: number, title: string, body: string): Promise<TrackedIssue> {
    checkLength(body);
    const { data } = await this.octokit.rest.issues.update({ ...this.repo, issue_number: number, title, body });
    return tracked(data);
  }

  /** A comment saying why, then the issue closed as completed. */
  async close(number: number, comment: string): Promise<void> {
    checkLength(comment);
    await this.octokit.rest.issues.createComment({ ...this.repo, issue_number: number, body: comment });
    await this.octokit.rest.issues.update({
      ...this.repo,
      issue_number: number,
      state: "closed",
      state_reason: "completed",
    });
  }
}

function tracked(i: {
  number: number;
  body?: string | null;
  html_url: string;
  labels: (string | { name?: string })[];
}): TrackedIssue {
  return {
    number: i.number,
    body: i.body ?? "",
    url: i.html_url,
    labels: i.labels.map((l) => (typeof l === "string" ? l : (l.name ?? ""))),
  };
}

function checkLength(body: string): void {
  // Issue bodies and comments share GitHub's limit; the builders keep within it.
  if (body.length > GITHUB_COMMENT_LIMIT) {
    throw new Error(`issue text is ${body.length} characters, over GitHub's limit of ${GITHUB_COMMENT_LIMIT}`);
  }
}

function pullRequestFacts(pr: {
  number: number;
  html_url: string;
  head: { sha: string };
  base: { ref: string };
  merged_at: string | null;
  merge_commit_sha: string | null;
}): PullRequestFacts {
  return {
    number: pr.number,
    url: pr.html_url,
    headSha: pr.head.sha,
    baseRef: pr.base.ref,
    ...(pr.merged_at ? { mergedAt: pr.merged_at } : {}),
    ...(pr.merge_commit_sha ? { mergeCommitSha: pr.merge_commit_sha } : {}),
  };
}

/** Newest first: by creation time (whole seconds), then by id, which GitHub hands out in increasing order. */
function newestFirst(a: { created_at: string; id: number }, b: { created_at: string; id: number }): number {
  return Date.parse(b.created_at) - Date.parse(a.created_at) || Number(b.id) - Number(a.id);
}

function sameScope(payload: unknown, scope: DeploymentScope): boolean {
  const p = typeof payload === "string" ? safeJson(payload) : payload;
  if (!p || typeof p !== "object") return false;
  const o = p as Record<string, unknown>;
  return o.owner === scope.owner && o.path === scope.path;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function statusOf(err: unknown): unknown {
  return typeof err === "object" && err !== null ? (err as { status?: unknown }).status : undefined;
}

/** 403 from GitHub: the token may not write here (read-only fork token, or a missing permission). */
export function isForbidden(err: unknown): boolean {
  return statusOf(err) === 403;
}
