/**
 * The GitHub double holds the action to GitHub's rules: if it did not answer
 * 422 to an oversized comment or page like GitHub, the end-to-end tests could
 * not catch a comment that is too long or a search that stops at page one.
 */

import { getOctokit } from "@actions/github";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMENT_LIMIT, type GitHubDouble, startGitHubDouble } from "../support/github-double.js";

let gh: GitHubDouble;
beforeAll(async () => {
  gh = await startGitHubDouble({ repository: "acme/web" });
  gh.addPullRequest({ number: 1, headSha: "a".repeat(40), headRepo: "acme/web", baseRepo: "acme/web" });
});
afterAll(() => gh.close());

const octokit = () => getOctokit(gh.token, { baseUrl: gh.apiUrl });
const repo = { owner: "acme", repo: "web" };

describe("GitHub double", () => {
  it("answers 422 to a comment over 65,536 characters and accepts one at the limit", async () => {
    await expect(
      octokit().rest.issues.createComment({ ...repo, issue_number: 1, body: "x".repeat(COMMENT_LIMIT + 1) }),
    ).rejects.toMatchObject({ status: 422 });
    const ok = await octokit().rest.issues.createComment({ ...repo, issue_number: 1, body: "x".repeat(COMMENT_LIMIT) });
    expect(ok.status).toBe(201);
    await expect(
      octokit().rest.issues.updateComment({ ...repo, comment_id: ok.data.id, body: "y".repeat(COMMENT_LIMIT + 1) }),
    ).rejects.toMatchObject({ status: 422 });
  });

  it("pages comments with per_page and Link headers, as Octokit's paginate follows them", async () => {
    for (let i = 0; i < 45; i++) gh.addComment(1, `c${i}`);
    const first = await octokit().rest.issues.listComments({ ...repo, issue_number: 1, per_page: 20 });
    expect(first.data).toHaveLength(20);
    expect(first.headers.link).toMatch(/page=2>; rel="next"/);
    const all = await octokit().paginate(octokit().rest.issues.listComments, {
      ...repo,
      issue_number: 1,
      per_page: 20,
    });
    expect(all).toHaveLength(gh.comments(1).length);
  });

  it("refuses writes with 403 when the token is read-only, and unknown tokens with 401", async () => {
    gh.readOnly = true;
    await expect(octokit().rest.issues.createComment({ ...repo, issue_number: 1, body: "hi" })).rejects.toMatchObject({
      status: 403,
    });
    gh.readOnly = false;
    await expect(
      getOctokit("wrong", { baseUrl: gh.apiUrl }).rest.issues.listComments({ ...repo, issue_number: 1 }),
    ).rejects.toMatchObject({ status: 401 });
  });
});
