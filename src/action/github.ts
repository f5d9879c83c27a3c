/**
 * The few GitHub REST calls the action makes: sticky comments on a pull
 * request (found across every page of comments), the pull request a commit
 * was merged from, and its labels.
 */
import type { getOctokit } from "@actions/github";
import { isStickyComment } from "../plan/comment-marker.js";
import { GITHUB_COMMENT_LIMIT } from "../plan/render-markdown.js";
import type { Repo } from "./event.js";

export type Octokit = ReturnType<typeof getOctokit>;

export interface StickyComment {
  id: number;
  body: string;
  url: string;
}

export interface MergedPullRequest {
  number: number;
  headSha: string;
  url: string;
  labels: string[];
}

export interface UpsertResult {
  id: number;
  url: string;
  action: "created" | "updated" | "unchanged";
}

export class GitHubApi {
  constructor(
    private readonly octokit: Octokit,
    readonly repo: Repo,
  ) {}

  /** The first comment that starts with `marker`, looking through all pages. */
  async findSticky(issue: number, marker: string): Promise<StickyComment | undefined> {
    const pages = this.octokit.paginate.iterator(this.octokit.rest.issues.listComments, {
      ...this.repo,
      issue_number: issue,
      per_page: 100,
    });
    for await (const page of pages) {
      const found = page.data.find((c) => isStickyComment(c.body, marker));
      if (found) return { id: found.id, body: found.body ?? "", url: found.html_url };
    }
    return undefined;
  }

  /** Edits our comment in place, or creates it the first time: never a second one. */
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
   * The pull request whose merge produced `sha` on the default branch. A merge,
   * squash or rebase all record the resulting commit as `merge_commit_sha`.
   */
  async mergedPullRequestFor(sha: string): Promise<MergedPullRequest | undefined> {
    const { data } = await this.octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      ...this.repo,
      commit_sha: sha,
      per_page: 100,
    });
    const pr = data.find((p) => p.merged_at && p.merge_commit_sha === sha);
    if (!pr) return undefined;
    return { number: pr.number, headSha: pr.head.sha, url: pr.html_url, labels: await this.labels(pr.number) };
  }

  /** Labels as they are now, not as they were when the commit was associated. */
  async labels(issue: number): Promise<string[]> {
    const labels = await this.octokit.paginate(this.octokit.rest.issues.listLabelsOnIssue, {
      ...this.repo,
      issue_number: issue,
      per_page: 100,
    });
    return labels.map((l) => l.name);
  }
}

/** 403 from GitHub: the token may not write here (read-only fork token, or missing `pull-requests: write`). */
export function isForbidden(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { status?: unknown }).status === 403;
}
