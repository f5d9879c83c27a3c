/**
 * The GitHub double holds the action to GitHub's rules: if it did not answer
 * 422 to an oversized comment or page like GitHub, the end-to-end tests could
 * not catch a comment that is too long or a search that stops at page one.
 */

import { getOctokit } from "@actions/github";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubApi } from "../../src/action/github.js";
import { ACTIONS_BOT, COMMENT_LIMIT, type GitHubDouble, startGitHubDouble } from "../support/github-double.js";

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

  it("keeps a repository's history: default branch, merges as merge commits, compare in chronological order", async () => {
    const gh2 = await startGitHubDouble({ repository: "acme/web" });
    try {
      const o = getOctokit(gh2.token, { baseUrl: gh2.apiUrl });
      const base = gh2.branchHead("main")!;
      gh2.addPullRequest({ number: 7, headSha: "b".repeat(40), headRepo: "acme/web", baseRepo: "acme/web" });
      gh2.merge(7, "c".repeat(40));
      gh2.pushCommit("main", "d".repeat(40));
      expect((await o.rest.repos.get(repo)).data.default_branch).toBe("main");
      expect((await o.rest.repos.getBranch({ ...repo, branch: "main" })).data.commit.sha).toBe("d".repeat(40));
      const cmp = await o.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${base}...${"d".repeat(40)}` });
      expect(cmp.data.status).toBe("ahead");
      expect(cmp.data.commits.map((c) => c.sha)).toEqual(["b".repeat(40), "c".repeat(40), "d".repeat(40)]);
      expect(cmp.data.commits[1]!.parents.map((p) => p.sha)).toEqual([base, "b".repeat(40)]);
      const back = await o.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${"d".repeat(40)}...${base}` });
      expect(back.data.status).toBe("behind");
      const pr = (await o.rest.pulls.get({ ...repo, pull_number: 7 })).data;
      expect(pr).toMatchObject({ state: "closed", merge_commit_sha: "c".repeat(40), base: { ref: "main" } });
      expect(pr.merged_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    } finally {
      await gh2.close();
    }
  });

  it("lists label events, reviews and permissions as GitHub does", async () => {
    gh.setLabels(1, ["ipv6-proxy/allow-destroy"]);
    gh.setLabels(1, []);
    const events = await octokit().paginate(octokit().rest.issues.listEvents, { ...repo, issue_number: 1 });
    expect(events.map((e) => [e.event, "label" in e ? e.label?.name : undefined])).toEqual([
      ["labeled", "ipv6-proxy/allow-destroy"],
      ["unlabeled", "ipv6-proxy/allow-destroy"],
    ]);
    expect(Date.parse(events[0]!.created_at)).toBeLessThan(Date.parse(events[1]!.created_at));
    const review = gh.addReview(1, { login: "alice", id: 10, type: "User" }, "APPROVED");
    gh.dismissReview(review.id);
    const reviews = (await octokit().rest.pulls.listReviews({ ...repo, pull_number: 1 })).data;
    expect(reviews).toMatchObject([{ user: { login: "alice" }, state: "DISMISSED", commit_id: "a".repeat(40) }]);
    gh.setRole("alice", "maintain");
    const perm = (await octokit().rest.repos.getCollaboratorPermissionLevel({ ...repo, username: "alice" })).data;
    expect(perm).toMatchObject({ permission: "write", role_name: "maintain" });
    await expect(
      octokit().rest.repos.getCollaboratorPermissionLevel({ ...repo, username: "stranger" }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("records deployments by the token's identity, filters them, and lists statuses in no promised order (oldest first)", async () => {
    const created = await octokit().rest.repos.createDeployment({
      ...repo,
      ref: "main",
      task: "deploy:x",
      environment: "env-x",
      payload: { owner: "acme/web" },
      auto_merge: false,
      required_contexts: [],
    });
    expect(created.status).toBe(201);
    const id = "id" in created.data ? created.data.id : 0;
    await octokit().rest.repos.createDeploymentStatus({ ...repo, deployment_id: id, state: "in_progress" });
    await octokit().rest.repos.createDeploymentStatus({ ...repo, deployment_id: id, state: "success" });
    const list = (await octokit().rest.repos.listDeployments({ ...repo, environment: "env-x", task: "deploy:x" })).data;
    expect(list).toMatchObject([{ id, creator: { login: ACTIONS_BOT.login }, payload: { owner: "acme/web" } }]);
    expect((await octokit().rest.repos.listDeployments({ ...repo, environment: "other" })).data).toEqual([]);
    const statuses = (await octokit().rest.repos.listDeploymentStatuses({ ...repo, deployment_id: id })).data;
    expect(statuses.map((s) => s.state)).toEqual(["in_progress", "success"]);
    gh.deploymentsForbidden = true;
    await expect(
      octokit().rest.repos.createDeployment({ ...repo, ref: "main", required_contexts: [] }),
    ).rejects.toMatchObject({ status: 403 });
    gh.deploymentsForbidden = false;
  });

  it("tells through GraphQL who last edited a comment, a bot by its bare name", async () => {
    const query =
      "query($id: ID!) { node(id: $id) { ... on IssueComment { editor { __typename login } lastEditedAt } } }";
    const c = gh.addComment(1, "plan", ACTIONS_BOT);
    const editor = async () =>
      (await octokit().graphql<{ node: { editor: unknown } }>(query, { id: `IC_${c.id}` })).node.editor;
    expect(await editor()).toBeNull();
    await octokit().rest.issues.updateComment({ ...repo, comment_id: c.id, body: "plan 2" });
    expect(await editor()).toEqual({ __typename: "Bot", login: "github-actions" });
    gh.editComment(c.id, "plan 3", { login: "alice", id: 10, type: "User" });
    expect(await editor()).toEqual({ __typename: "User", login: "alice" });
  });

  it("lets the token edit only its own comments", async () => {
    const mine = await octokit().rest.issues.createComment({ ...repo, issue_number: 1, body: "bot" });
    expect(mine.data.user?.login).toBe(ACTIONS_BOT.login);
    const theirs = gh.addComment(1, "user", { login: "mallory", id: 666, type: "User" });
    await expect(
      octokit().rest.issues.updateComment({ ...repo, comment_id: theirs.id, body: "hijacked" }),
    ).rejects.toMatchObject({ status: 403 });
    expect(gh.comments(1).find((c) => c.id === theirs.id)?.body).toBe("user");
  });

  it("finds the last successful apply by creation time, not by list order, counting only the action's own statuses", async () => {
    const gh3 = await startGitHubDouble({ repository: "acme/web" });
    try {
      const o = getOctokit(gh3.token, { baseUrl: gh3.apiUrl });
      const api = new GitHubApi(o, repo, ACTIONS_BOT.login);
      const scope = { owner: "acme/web", path: "proxies" };
      const deploy = async (sha: string, ...states: ("in_progress" | "success" | "failure")[]) => {
        gh3.pushCommit("main", sha);
        const id = await api.createDeployment(sha, scope, "apply");
        for (const state of states) await api.setDeploymentStatus(id, state, state);
        return id;
      };
      const applied = await deploy("1".repeat(40), "in_progress", "success");
      await deploy("2".repeat(40), "in_progress", "failure");
      // Someone with write access marks the failed-then-retried apply a success: not the action's word.
      const third = await deploy("3".repeat(40), "in_progress");
      gh3.deployments
        .find((d) => d.id === third)!
        .statuses.push({
          id: 9_999_999,
          state: "success",
          description: "looks fine",
          creator: { login: "mallory", id: 666, type: "User" },
          created_at: gh3.tick(),
          log_url: "",
        });
      // Another directory's apply is newer, and not ours to start from.
      await deploy("4".repeat(40), "in_progress", "success").then(() => {
        gh3.deployments.at(-1)!.payload = { owner: "acme/web", path: "other" };
      });
      expect(await api.lastSuccessfulApply(scope)).toMatchObject({ id: applied, sha: "1".repeat(40) });
    } finally {
      await gh3.close();
    }
  });
});
