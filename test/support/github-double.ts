/**
 * A stand-in for the GitHub REST API and the Actions OIDC token service,
 * behaving like github.com where the action depends on it: comment lists page
 * with `Link` headers and honour `per_page`, bodies over 65,536 characters get
 * 422, a read-only (fork) token gets 403 on writes, and every request is
 * logged for assertions.
 *
 * It keeps a small repository: branches and a commit graph (merges make merge
 * commits), pull requests with their base, head and merge time, comments with
 * their author and times, label events, reviews, collaborator roles and
 * deployments. Answers follow the shapes of GitHub's REST reference
 * (docs.github.com/rest, and github/rest-api-description as packaged in
 * @octokit/openapi-types); each handler names its page.
 *
 * Time is a virtual clock: every change to the repository happens one second
 * after the previous one, as GitHub's whole-second timestamps would show it,
 * so tests order events without waiting and without racing the wall clock.
 *
 * Issues and pull requests share one number sequence; `GET /issues` lists
 * pull requests too, each with a `pull_request` key.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const COMMENT_LIMIT = 65_536;

export interface DoubleUser {
  login: string;
  id: number;
  type: "User" | "Bot";
}

/**
 * The identity of the workflow's GITHUB_TOKEN (docs.github.com/actions/security-guides/automatic-token-authentication):
 * REST names it `github-actions[bot]`, id 41898282, type Bot (as a release API response kept in firezone/firezone's
 * tests shows it). A user account cannot take a login ending in `[bot]`.
 */
export const ACTIONS_BOT: DoubleUser = { login: "github-actions[bot]", id: 41898282, type: "Bot" };

export interface DoublePullRequest {
  number: number;
  headSha: string;
  headRepo: string;
  baseRepo: string;
  /** The branch it merges into. */
  base: string;
  user: DoubleUser;
  labels: string[];
  mergedAt?: string;
  mergeCommitSha?: string;
  /** Commits this pull request is associated with (head commits, and the merge commit once merged). */
  commits: string[];
}

export interface DoubleComment {
  id: number;
  issue: number;
  body: string;
  user: DoubleUser;
  created_at: string;
  updated_at: string;
  /** Who last edited the body; undefined while nobody has. */
  editor?: DoubleUser | undefined;
}

export interface DoubleIssue {
  number: number;
  title: string;
  body: string;
  labels: string[];
  state: "open" | "closed";
  state_reason: string | null;
  user: DoubleUser;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export interface DoubleReview {
  id: number;
  pull: number;
  user: DoubleUser;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";
  commit_id: string;
  submitted_at: string;
}

export interface DoubleDeployment {
  id: number;
  sha: string;
  ref: string;
  task: string;
  environment: string;
  payload: unknown;
  description: string | null;
  creator: DoubleUser;
  created_at: string;
  statuses: {
    id: number;
    state: string;
    description: string;
    creator: DoubleUser;
    created_at: string;
    log_url: string;
  }[];
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** When the answer was sent (epoch ms, wall clock). */
  at: number;
  /** Length of the `body` field of a comment write. */
  bodyLength?: number | undefined;
}

export interface GitHubDoubleOptions {
  repository: string;
  token?: string;
  /** `sub` of issued OIDC tokens, e.g. `repo:org/repo:pull_request`. */
  subject?: string;
  defaultBranch?: string;
}

export interface GitHubDouble {
  apiUrl: string;
  token: string;
  idTokenRequestUrl: string;
  idTokenRequestToken: string;
  requests: LoggedRequest[];
  /** When true every write answers 403, like the read-only token of a fork pull request. */
  readOnly: boolean;
  /** When true deployment writes answer 403, like a token without `deployments: write`. */
  deploymentsForbidden: boolean;
  /** When true issue events answer 403, like a token without `issues: read`. */
  issuesForbidden: boolean;
  subject: string;
  /** Who the token acts as: GITHUB_TOKEN's bot, or a GitHub App's `<slug>[bot]`. */
  tokenUser: DoubleUser;
  defaultBranch: string;
  /** The virtual clock's current time (ISO 8601, whole seconds, as GitHub writes it). */
  now(): string;
  /** Moves the clock on by `seconds` and returns the new time. */
  tick(seconds?: number): string;
  branchHead(branch: string): string | undefined;
  /** Makes `sha` a commit on `branch` whose parent is the branch's head (a direct push). */
  pushCommit(branch: string, sha: string): void;
  /** Points `branch` at an existing commit (a fast-forward, or a force-push). */
  setBranch(branch: string, sha: string): void;
  addPullRequest(
    pr: Omit<DoublePullRequest, "commits" | "labels" | "base" | "user"> & {
      labels?: string[];
      base?: string;
      user?: DoubleUser;
    },
  ): DoublePullRequest;
  /** A new commit on the pull request's branch. */
  setHead(number: number, sha: string): void;
  /** Merges the pull request into its base with a merge commit `mergeCommitSha`. */
  merge(number: number, mergeCommitSha: string): void;
  /** Sets the labels, recording a labeled/unlabeled event for each difference (by `actor`). */
  setLabels(number: number, labels: string[], actor?: DoubleUser): void;
  addComment(issue: number, body: string, user?: DoubleUser): DoubleComment;
  /**
   * Edits a comment (updated_at moves). By default as its author; anyone with
   * write access can edit any comment on github.com, so `editor` may be someone else.
   */
  editComment(id: number, body: string, editor?: DoubleUser): void;
  comments(issue: number): DoubleComment[];
  addReview(number: number, user: DoubleUser, state: DoubleReview["state"], commitId?: string): DoubleReview;
  /** Dismisses a review: GitHub lists it with state DISMISSED from then on. */
  dismissReview(id: number): void;
  /** A collaborator's role: admin, maintain, write, triage or read. */
  setRole(login: string, role: "admin" | "maintain" | "write" | "triage" | "read"): void;
  deployments: DoubleDeployment[];
  /** Opens an issue as `user` (default: the token's user, as the action would). */
  addIssue(issue: { title: string; body: string; labels?: string[]; user?: DoubleUser }): DoubleIssue;
  issues(): DoubleIssue[];
  /** Issued OIDC tokens, decoded claims. */
  idTokens: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startGitHubDouble(options: GitHubDoubleOptions): Promise<GitHubDouble> {
  const token = options.token ?? `ghs_${randomUUID().replace(/-/g, "")}`;
  const idTokenRequestToken = `idreq-${randomUUID()}`;
  const pulls = new Map<number, DoublePullRequest>();
  const comments: DoubleComment[] = [];
  const reviews: DoubleReview[] = [];
  const labelEvents: {
    id: number;
    issue: number;
    event: "labeled" | "unlabeled";
    label: string;
    actor: DoubleUser;
    created_at: string;
  }[] = [];
  const roles = new Map<string, string>();
  const branches = new Map<string, string>();
  /** sha → parent shas. */
  const graph = new Map<string, string[]>();
  let nextId = 1_000_000;
  const issues: DoubleIssue[] = [];
  // Issues and pull requests share one sequence of numbers.
  const nextNumber = () => Math.max(0, ...pulls.keys(), ...issues.map((i) => i.number)) + 1;
  let origin = "";
  // A fixed start keeps every run's timestamps the same; one second per event, as GitHub's timestamps resolve.
  let clock = Date.parse("2025-06-02T09:00:00Z");
  const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  const ROOT = "0".repeat(40);
  const defaultBranch = options.defaultBranch ?? "main";
  graph.set(ROOT, []);
  branches.set(defaultBranch, ROOT);

  const double: GitHubDouble = {
    apiUrl: "",
    token,
    idTokenRequestUrl: "",
    idTokenRequestToken,
    requests: [],
    readOnly: false,
    deploymentsForbidden: false,
    issuesForbidden: false,
    subject: options.subject ?? `repo:${options.repository}:pull_request`,
    tokenUser: ACTIONS_BOT,
    defaultBranch,
    idTokens: [],
    deployments: [],
    now: () => iso(clock),
    tick(seconds = 1) {
      clock += seconds * 1000;
      return iso(clock);
    },
    branchHead: (branch) => branches.get(branch),
    pushCommit(branch, sha) {
      const parent = branches.get(branch) ?? ROOT;
      graph.set(sha, [parent]);
      branches.set(branch, sha);
    },
    setBranch(branch, sha) {
      if (!graph.has(sha)) throw new Error(`no commit ${sha} in the double`);
      branches.set(branch, sha);
    },
    addPullRequest(pr) {
      const base = pr.base ?? defaultBranch;
      const full: DoublePullRequest = {
        ...pr,
        base,
        user: pr.user ?? { login: "octocat", id: 1, type: "User" },
        labels: [],
        commits: [pr.headSha],
      };
      // The branch starts at the base's head.
      graph.set(pr.headSha, [branches.get(base) ?? ROOT]);
      pulls.set(pr.number, full);
      if (pr.labels?.length) double.setLabels(pr.number, pr.labels);
      return full;
    },
    setHead(number, sha) {
      const pr = mustPull(number);
      graph.set(sha, [pr.headSha]);
      pr.headSha = sha;
      pr.commits.push(sha);
      double.tick();
    },
    merge(number, mergeCommitSha) {
      const pr = mustPull(number);
      const at = double.tick();
      graph.set(mergeCommitSha, [branches.get(pr.base) ?? ROOT, pr.headSha]);
      branches.set(pr.base, mergeCommitSha);
      pr.mergedAt = at;
      pr.mergeCommitSha = mergeCommitSha;
      pr.commits.push(mergeCommitSha);
    },
    setLabels(number, labels, actor = { login: "octocat", id: 1, type: "User" }) {
      const pr = mustPull(number);
      const at = double.tick();
      for (const l of labels.filter((x) => !pr.labels.includes(x)))
        labelEvents.push({ id: nextId++, issue: number, event: "labeled", label: l, actor, created_at: at });
      for (const l of pr.labels.filter((x) => !labels.includes(x)))
        labelEvents.push({ id: nextId++, issue: number, event: "unlabeled", label: l, actor, created_at: at });
      pr.labels = [...labels];
    },
    addComment(issue, body, user = double.tokenUser) {
      const now = double.tick();
      const c: DoubleComment = { id: nextId++, issue, body, user, created_at: now, updated_at: now };
      comments.push(c);
      return c;
    },
    editComment(id, body, editor) {
      const c = comments.find((x) => x.id === id);
      if (!c) throw new Error(`no comment ${id} in the double`);
      c.body = body;
      c.editor = editor ?? c.user;
      c.updated_at = double.tick();
    },
    comments: (issue) => comments.filter((c) => c.issue === issue),
    addReview(number, user, state, commitId) {
      const pr = mustPull(number);
      const r: DoubleReview = {
        id: nextId++,
        pull: number,
        user,
        state,
        commit_id: commitId ?? pr.headSha,
        submitted_at: double.tick(),
      };
      reviews.push(r);
      return r;
    },
    dismissReview(id) {
      const r = reviews.find((x) => x.id === id);
      if (!r) throw new Error(`no review ${id} in the double`);
      r.state = "DISMISSED";
      double.tick();
    },
    addIssue({ title, body, labels = [], user = double.tokenUser }) {
      const now = double.tick();
      const issue: DoubleIssue = {
        number: nextNumber(),
        title,
        body,
        labels: [...new Set(labels)],
        state: "open",
        state_reason: null,
        user,
        created_at: now,
        updated_at: now,
        closed_at: null,
      };
      issues.push(issue);
      return issue;
    },
    issues: () => issues,
    setRole(login, role) {
      roles.set(login.toLowerCase(), role);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  function mustPull(number: number): DoublePullRequest {
    const pr = pulls.get(number);
    if (!pr) throw new Error(`no pull request #${number} in the double`);
    return pr;
  }

  /** Commits reachable from `sha`. */
  function ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const todo = [sha];
    while (todo.length > 0) {
      const s = todo.pop()!;
      if (seen.has(s) || !graph.has(s)) continue;
      seen.add(s);
      todo.push(...graph.get(s)!);
    }
    return seen;
  }

  const repoPath = `/repos/${options.repository}`;
  const html = `https://github.com/${options.repository}`;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", origin);
    const query = Object.fromEntries(url.searchParams);
    const entry: LoggedRequest = { method: req.method ?? "GET", path: url.pathname, query, status: 0, at: 0 };
    double.requests.push(entry);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      entry.status = status;
      entry.at = Date.now();
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      res.end(JSON.stringify(body));
    };
    const notFound = (): void =>
      send(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });
    const raw = await readBody(req);

    if (url.pathname === "/oidc/token") {
      if (req.headers.authorization !== `Bearer ${idTokenRequestToken}`)
        return send(401, { message: "Bad credentials" });
      const claims = {
        iss: "https://token.actions.githubusercontent.com",
        aud: query.audience ?? `https://github.com/${options.repository.split("/")[0]}`,
        sub: double.subject,
        repository: options.repository,
        jti: randomUUID(),
        iat: Math.floor(Date.now() / 1000),
        nbf: Math.floor(Date.now() / 1000) - 5,
        exp: Math.floor(Date.now() / 1000) + 300,
      };
      double.idTokens.push(claims);
      return send(200, { count: 1, value: unsignedJwt(claims) });
    }

    if (req.headers.authorization !== `token ${token}`) {
      return send(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
    }
    // docs.github.com/graphql/reference/interfaces#comment: `editor` is the actor who last edited the body
    // (null when nobody did). A Bot actor's login has no "[bot]" suffix in GraphQL, unlike REST
    // (github.com/fullsend-ai/fullsend/issues/6205 shows it against github.com).
    if (req.method === "POST" && url.pathname === "/graphql") {
      const { query: gql, variables } = jsonBody(raw) as { query?: unknown; variables?: { id?: unknown } };
      if (typeof gql !== "string" || !/node\(id: \$id\)[\s\S]*on IssueComment[\s\S]*editor/.test(gql)) {
        return send(200, { errors: [{ message: "the double answers only the comment-editor query" }] });
      }
      const comment = comments.find((c) => `IC_${c.id}` === variables?.id);
      if (!comment) return send(200, { data: { node: null } });
      const editor = comment.editor
        ? { __typename: comment.editor.type, login: comment.editor.login.replace(/\[bot\]$/, "") }
        : null;
      return send(200, { data: { node: { editor, lastEditedAt: comment.editor ? comment.updated_at : null } } });
    }
    if (url.pathname !== repoPath && !url.pathname.startsWith(`${repoPath}/`)) return notFound();
    const route = decodeURIComponent(url.pathname.slice(repoPath.length));
    const method = req.method ?? "GET";
    let m: RegExpExecArray | null = null;
    /** Whether the request is `verb` on a route matching `re`; the match is left in `m`. */
    const on = (verb: string, re: RegExp): boolean => {
      m = verb === method ? re.exec(route) : null;
      return m !== null;
    };
    /** The `i`th group of the route's match. */
    const arg = (i: number): string => (m as RegExpExecArray | null)?.[i] ?? "";

    // docs.github.com/rest/repos/repos#get-a-repository
    if (method === "GET" && route === "") {
      const [owner, name] = options.repository.split("/");
      return send(200, {
        id: 1296269,
        name,
        full_name: options.repository,
        owner: { login: owner, type: "Organization" },
        private: false,
        html_url: html,
        default_branch: defaultBranch,
      });
    }
    // docs.github.com/rest/branches/branches#get-a-branch: `commit` is the commit the branch points at now
    // (schema branch-with-protection in @octokit/openapi-types), so `commit.sha` is the branch's head.
    if (on("GET", /^\/branches\/(.+)$/)) {
      const sha = branches.get(arg(1));
      if (!sha) return send(404, { message: "Branch not found", status: "404" });
      return send(200, { name: arg(1), commit: commitJson(sha), protected: arg(1) === defaultBranch });
    }
    // docs.github.com/rest/commits/commits#compare-two-commits
    if (on("GET", /^\/compare\/([^.]+)\.\.\.(.+)$/)) {
      return sendCompare(arg(1), arg(2), send);
    }
    // docs.github.com/rest/issues/comments#list-issue-comments
    if (on("GET", /^\/issues\/(\d+)\/comments$/)) {
      const list = double.comments(Number(arg(1)));
      return sendPage(list.map(commentJson), url, query, send);
    }
    // docs.github.com/rest/issues/comments#create-an-issue-comment
    if (on("POST", /^\/issues\/(\d+)\/comments$/)) {
      const body = jsonBody(raw).body;
      entry.bodyLength = typeof body === "string" ? body.length : undefined;
      const invalid = writeProblem(body);
      if (invalid) return send(invalid.status, invalid.json);
      const target = Number(arg(1));
      if (!pulls.has(target) && !issues.some((i) => i.number === target)) return notFound();
      return send(201, commentJson(double.addComment(target, body as string, double.tokenUser)));
    }
    // docs.github.com/rest/issues/issues#list-repository-issues: pull requests are listed too, with a
    // `pull_request` key; `state` defaults to open; `labels` must all match; `creator` is a login; newest first.
    if (on("GET", /^\/issues$/)) {
      const state = query.state ?? "open";
      const wanted = (query.labels ?? "").split(",").filter(Boolean);
      const all = [...issues.map(issueJson), ...[...pulls.values()].map(pullAsIssueJson)]
        .filter((i) => state === "all" || i.state === state)
        .filter((i) => wanted.every((l) => (i.labels as { name: string }[]).some((x) => x.name === l)))
        .filter((i) => !query.creator || (i.user as DoubleUser).login === query.creator)
        .sort((a, b) => Number(b.number) - Number(a.number));
      return sendPage(all, url, query, send);
    }
    // docs.github.com/rest/issues/issues#create-an-issue: labels it does not know are created.
    if (on("POST", /^\/issues$/)) {
      const input = jsonBody(raw);
      entry.bodyLength = typeof input.body === "string" ? input.body.length : undefined;
      const invalid = writeProblem(input.body);
      if (invalid) return send(invalid.status, invalid.json);
      if (typeof input.title !== "string" || input.title === "") return send(422, validationFailed("title is missing"));
      const labels = Array.isArray(input.labels) ? input.labels.filter((l): l is string => typeof l === "string") : [];
      return send(201, issueJson(double.addIssue({ title: input.title, body: input.body as string, labels })));
    }
    // docs.github.com/rest/issues/issues#get-an-issue and #update-an-issue (title, body, state, state_reason).
    if (on("GET", /^\/issues\/(\d+)$/) || on("PATCH", /^\/issues\/(\d+)$/)) {
      const issue = issues.find((i) => i.number === Number(arg(1)));
      if (!issue) return notFound();
      if (method === "GET") return send(200, issueJson(issue));
      const input = jsonBody(raw);
      if (input.body !== undefined) {
        entry.bodyLength = typeof input.body === "string" ? input.body.length : undefined;
        const invalid = writeProblem(input.body);
        if (invalid) return send(invalid.status, invalid.json);
        issue.body = input.body as string;
      } else if (double.readOnly) return send(403, forbidden());
      if (typeof input.title === "string") issue.title = input.title;
      if ((input.state === "open" || input.state === "closed") && input.state !== issue.state) {
        issue.state = input.state;
        issue.closed_at = input.state === "closed" ? double.tick() : null;
        issue.state_reason =
          input.state === "closed"
            ? typeof input.state_reason === "string"
              ? input.state_reason
              : "completed"
            : "reopened";
      }
      issue.updated_at = double.tick();
      return send(200, issueJson(issue));
    }
    // docs.github.com/rest/issues/comments#update-an-issue-comment
    if (on("PATCH", /^\/issues\/comments\/(\d+)$/)) {
      const body = jsonBody(raw).body;
      entry.bodyLength = typeof body === "string" ? body.length : undefined;
      const invalid = writeProblem(body);
      if (invalid) return send(invalid.status, invalid.json);
      const comment = comments.find((c) => c.id === Number(arg(1)));
      if (!comment) return notFound();
      // The token's identity may edit its own comments; a collaborator token could edit others', an integration's cannot.
      if (comment.user.login !== double.tokenUser.login) return send(403, forbidden());
      double.editComment(comment.id, body as string, double.tokenUser);
      return send(200, commentJson(comment));
    }
    // docs.github.com/rest/issues/events#list-issue-events: a label change is an event "labeled" or "unlabeled"
    // with `label: {name, color}`, `actor` and a whole-second `created_at`, as a real answer shows
    // (github.com/haskell-github/github/issues/302). Each change is its own event, so replaying them in time order
    // gives the labels at any moment, the merge included.
    if (on("GET", /^\/issues\/(\d+)\/events$/)) {
      // The fine-grained permission this endpoint needs is "Issues" (read), per the same page.
      if (double.issuesForbidden) return send(403, forbidden());
      const issue = Number(arg(1));
      if (!pulls.has(issue)) return notFound();
      const events = labelEvents
        .filter((e) => e.issue === issue)
        .map((e) => ({
          id: e.id,
          node_id: `LE_${e.id}`,
          url: `${origin}${repoPath}/issues/events/${e.id}`,
          actor: e.actor,
          event: e.event,
          commit_id: null,
          commit_url: null,
          created_at: e.created_at,
          label: { name: e.label, color: "ededed" },
          performed_via_github_app: null,
        }));
      return sendPage(events, url, query, send);
    }
    // docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit: "Lists the merged pull request
    // that introduced the commit to the repository" (@octokit/openapi-types), so a merge commit finds its pull request;
    // the merged pull request's `merge_commit_sha` is that commit (merge, squash, or the last commit of a rebase).
    if (on("GET", /^\/commits\/([0-9a-f]+)\/pulls$/)) {
      const sha = arg(1);
      return send(200, [...pulls.values()].filter((p) => p.commits.includes(sha)).map(pullJson));
    }
    // docs.github.com/rest/pulls/pulls#get-a-pull-request
    if (on("GET", /^\/pulls\/(\d+)$/)) {
      const pr = pulls.get(Number(arg(1)));
      return pr ? send(200, pullJson(pr)) : notFound();
    }
    // docs.github.com/rest/pulls/reviews#list-reviews-for-a-pull-request ("in chronological order"). Each review has
    // the head `commit_id` it was given on and its `submitted_at`; a dismissed review stays in the list with state
    // DISMISSED (github.com/PyGithub/PyGithub/issues/1995 and pull/2854; reviewpad/reviewpad#788 met it in this list).
    if (on("GET", /^\/pulls\/(\d+)\/reviews$/)) {
      const number = Number(arg(1));
      if (!pulls.has(number)) return notFound();
      return sendPage(reviews.filter((r) => r.pull === number).map(reviewJson), url, query, send);
    }
    // docs.github.com/rest/issues/labels#list-labels-for-an-issue
    if (on("GET", /^\/issues\/(\d+)\/labels$/)) {
      const pr = pulls.get(Number(arg(1)));
      return pr ? sendPage(pr.labels.map(labelJson), url, query, send) : notFound();
    }
    // docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user: "The `permission`
    // attribute provides the legacy base roles of `admin`, `write`, `read`, and `none`, where the `maintain` role is
    // mapped to `write` and the `triage` role is mapped to `read`" (@octokit/openapi-types); `role_name` is the real one.
    if (on("GET", /^\/collaborators\/([^/]+)\/permission$/)) {
      const login = arg(1);
      const role = roles.get(login.toLowerCase());
      if (!role) return notFound();
      const permission = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return send(200, { permission, role_name: role, user: { login, id: 7, type: "User" } });
    }
    // docs.github.com/rest/deployments/deployments#list-deployments: filters sha, ref, task and environment.
    // The docs promise no order for deployments or their statuses (a client that took `per_page: 1` for the
    // newest status was corrected for that: github.com/NVIDIA-NeMo/nemo-platform/pull/1749), so the double
    // lists both oldest first, the order in which a client that assumes "newest first" goes wrong.
    if (method === "GET" && route === "/deployments") {
      const list = double.deployments
        .filter(
          (d) =>
            (!query.sha || d.sha === query.sha) &&
            (!query.ref || d.ref === query.ref) &&
            (!query.task || d.task === query.task) &&
            (!query.environment || d.environment === query.environment),
        )
        .sort((a, b) => a.id - b.id)
        .map(deploymentJson);
      return sendPage(list, url, query, send);
    }
    // docs.github.com/rest/deployments/deployments#create-a-deployment
    if (method === "POST" && route === "/deployments") {
      if (double.readOnly || double.deploymentsForbidden) return send(403, forbidden());
      const b = jsonBody(raw);
      const ref = typeof b.ref === "string" ? b.ref : "";
      const sha = branches.get(ref) ?? (graph.has(ref) ? ref : undefined);
      if (!sha) return send(422, { message: `No ref found for: ${ref}`, status: "422" });
      const d: DoubleDeployment = {
        id: nextId++,
        sha,
        ref,
        task: typeof b.task === "string" ? b.task : "deploy",
        environment: typeof b.environment === "string" ? b.environment : "production",
        // The payload comes back as it was given (an object, or a JSON string).
        payload: b.payload ?? {},
        description: typeof b.description === "string" ? b.description : null,
        creator: double.tokenUser,
        created_at: double.tick(),
        statuses: [],
      };
      double.deployments.push(d);
      return send(201, deploymentJson(d));
    }
    // docs.github.com/rest/deployments/statuses#list-deployment-statuses (no documented order: oldest first here, see above)
    if (on("GET", /^\/deployments\/(\d+)\/statuses$/)) {
      const d = double.deployments.find((x) => x.id === Number(arg(1)));
      if (!d) return notFound();
      return sendPage(
        d.statuses.map((s) => statusJson(d, s)),
        url,
        query,
        send,
      );
    }
    // docs.github.com/rest/deployments/statuses#create-a-deployment-status
    if (on("POST", /^\/deployments\/(\d+)\/statuses$/)) {
      if (double.readOnly || double.deploymentsForbidden) return send(403, forbidden());
      const d = double.deployments.find((x) => x.id === Number(arg(1)));
      if (!d) return notFound();
      const b = jsonBody(raw);
      const states = ["error", "failure", "inactive", "in_progress", "queued", "pending", "success"];
      if (typeof b.state !== "string" || !states.includes(b.state)) {
        return send(422, {
          message: "Validation Failed",
          errors: [{ field: "state", code: "invalid" }],
          status: "422",
        });
      }
      const s = {
        id: nextId++,
        state: b.state,
        description: typeof b.description === "string" ? b.description : "",
        log_url: typeof b.log_url === "string" ? b.log_url : "",
        creator: double.tokenUser,
        created_at: double.tick(),
      };
      d.statuses.push(s);
      return send(201, statusJson(d, s));
    }
    return notFound();
  }

  function sendCompare(
    base: string,
    head: string,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ): void {
    const resolve = (ref: string): string | undefined => branches.get(ref) ?? (graph.has(ref) ? ref : undefined);
    const b = resolve(base);
    const h = resolve(head);
    if (!b || !h) {
      send(404, { message: "Not Found", status: "404" });
      return;
    }
    const fromHead = ancestors(h);
    const fromBase = ancestors(b);
    const ahead = [...fromHead].filter((s) => !fromBase.has(s));
    const behind = [...fromBase].filter((s) => !fromHead.has(s));
    const status =
      ahead.length === 0 && behind.length === 0
        ? "identical"
        : behind.length === 0
          ? "ahead"
          : ahead.length === 0
            ? "behind"
            : "diverged";
    // Oldest first ("chronological order"); without paging at most 250, the last being the most recent.
    const ordered = topological(ahead);
    send(200, {
      url: `${origin}${repoPath}/compare/${base}...${head}`,
      html_url: `${html}/compare/${base}...${head}`,
      status,
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      base_commit: commitJson(b),
      merge_base_commit: commitJson(b),
      commits: ordered.slice(-250).map(commitJson),
      files: [],
    });
  }

  /** Parents before children. */
  function topological(shas: string[]): string[] {
    const set = new Set(shas);
    const out: string[] = [];
    const done = new Set<string>();
    const visit = (s: string): void => {
      if (done.has(s) || !set.has(s)) return;
      done.add(s);
      for (const p of graph.get(s) ?? []) visit(p);
      out.push(s);
    };
    for (const s of shas) visit(s);
    return out;
  }

  function commitJson(sha: string): Record<string, unknown> {
    return {
      sha,
      node_id: `C_${sha.slice(0, 8)}`,
      url: `${origin}${repoPath}/commits/${sha}`,
      html_url: `${html}/commit/${sha}`,
      commit: { message: `commit ${sha.slice(0, 7)}`, tree: { sha: "t".repeat(40) } },
      parents: (graph.get(sha) ?? []).map((p) => ({ sha: p, url: `${origin}${repoPath}/commits/${p}` })),
    };
  }

  function writeProblem(body: unknown): { status: number; json: unknown } | undefined {
    if (double.readOnly) return { status: 403, json: forbidden() };
    if (typeof body !== "string" || body.length === 0)
      return { status: 422, json: validationFailed("body is missing") };
    if (body.length > COMMENT_LIMIT) {
      return { status: 422, json: validationFailed(`body is too long (maximum is ${COMMENT_LIMIT} characters)`) };
    }
    return undefined;
  }

  // docs.github.com/rest/issues/comments: `user` is the author, `created_at`/`updated_at` whole-second ISO 8601.
  function commentJson(c: DoubleComment): Record<string, unknown> {
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${origin}${repoPath}/issues/comments/${c.id}`,
      html_url: `${html}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${origin}${repoPath}/issues/${c.issue}`,
      body: c.body,
      user: c.user,
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: c.user.type === "Bot" ? "NONE" : "MEMBER",
      performed_via_github_app: null,
    };
  }

  // docs.github.com/rest/issues/issues#get-an-issue
  function issueJson(i: DoubleIssue): Record<string, unknown> {
    return {
      id: 5_000_000 + i.number,
      node_id: `I_${i.number}`,
      url: `${origin}${repoPath}/issues/${i.number}`,
      html_url: `${html}/issues/${i.number}`,
      number: i.number,
      state: i.state,
      state_reason: i.state_reason,
      title: i.title,
      body: i.body,
      user: i.user,
      labels: i.labels.map(labelJson),
      comments: double.comments(i.number).length,
      created_at: i.created_at,
      updated_at: i.updated_at,
      closed_at: i.closed_at,
      author_association: i.user.type === "Bot" ? "NONE" : "MEMBER",
    };
  }

  /** A pull request as the issues endpoints list it: an issue with a `pull_request` key. */
  function pullAsIssueJson(p: DoublePullRequest): Record<string, unknown> {
    return {
      id: 6_000_000 + p.number,
      number: p.number,
      state: p.mergedAt ? "closed" : "open",
      title: `Proxies #${p.number}`,
      body: "",
      user: p.user,
      labels: p.labels.map(labelJson),
      html_url: `${html}/pull/${p.number}`,
      pull_request: { url: `${origin}${repoPath}/pulls/${p.number}`, merged_at: p.mergedAt ?? null },
    };
  }

  function pullJson(p: DoublePullRequest): Record<string, unknown> {
    return {
      number: p.number,
      state: p.mergedAt ? "closed" : "open",
      html_url: `${html}/pull/${p.number}`,
      user: p.user,
      merged_at: p.mergedAt ?? null,
      merge_commit_sha: p.mergeCommitSha ?? null,
      head: { sha: p.headSha, ref: `feature-${p.number}`, repo: { full_name: p.headRepo } },
      base: { sha: branches.get(p.base) ?? ROOT, ref: p.base, repo: { full_name: p.baseRepo } },
      labels: p.labels.map(labelJson),
    };
  }

  function reviewJson(r: DoubleReview): Record<string, unknown> {
    return {
      id: r.id,
      node_id: `PRR_${r.id}`,
      user: r.user,
      body: "",
      state: r.state,
      html_url: `${html}/pull/${r.pull}#pullrequestreview-${r.id}`,
      pull_request_url: `${origin}${repoPath}/pulls/${r.pull}`,
      author_association: "MEMBER",
      submitted_at: r.submitted_at,
      commit_id: r.commit_id,
    };
  }

  function deploymentJson(d: DoubleDeployment): Record<string, unknown> {
    return {
      url: `${origin}${repoPath}/deployments/${d.id}`,
      id: d.id,
      node_id: `DE_${d.id}`,
      sha: d.sha,
      ref: d.ref,
      task: d.task,
      payload: d.payload,
      original_environment: d.environment,
      environment: d.environment,
      description: d.description,
      creator: d.creator,
      created_at: d.created_at,
      updated_at: d.statuses.at(-1)?.created_at ?? d.created_at,
      statuses_url: `${origin}${repoPath}/deployments/${d.id}/statuses`,
      repository_url: `${origin}${repoPath}`,
      transient_environment: false,
      production_environment: true,
    };
  }

  function statusJson(d: DoubleDeployment, s: DoubleDeployment["statuses"][number]): Record<string, unknown> {
    return {
      url: `${origin}${repoPath}/deployments/${d.id}/statuses/${s.id}`,
      id: s.id,
      node_id: `DES_${s.id}`,
      state: s.state,
      creator: s.creator,
      description: s.description,
      environment: d.environment,
      target_url: s.log_url,
      log_url: s.log_url,
      created_at: s.created_at,
      updated_at: s.created_at,
      deployment_url: `${origin}${repoPath}/deployments/${d.id}`,
      repository_url: `${origin}${repoPath}`,
    };
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ message: String(err) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  double.apiUrl = origin;
  // The runner's URL already carries a query string; core.getIDToken appends `&audience=`.
  double.idTokenRequestUrl = `${origin}/oidc/token?api-version=2.0`;
  return double;
}

/** GitHub's pagination: `per_page` (default 30, at most 100), `page`, and a `Link` header with next/last. */
function sendPage(
  items: unknown[],
  url: URL,
  query: Record<string, string>,
  send: (status: number, body: unknown, headers?: Record<string, string>) => void,
): void {
  const perPage = Math.min(100, Math.max(1, Number(query.per_page ?? 30) || 30));
  const page = Math.max(1, Number(query.page ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string): string => {
    const u = new URL(url);
    u.searchParams.set("per_page", String(perPage));
    u.searchParams.set("page", String(n));
    return `<${u.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, "prev"), link(1, "first"));
  if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
  send(200, items.slice((page - 1) * perPage, page * perPage), links.length ? { link: links.join(", ") } : {});
}

function labelJson(name: string): Record<string, unknown> {
  return { name, color: "ededed", default: false };
}

function forbidden(): unknown {
  return {
    message: "Resource not accessible by integration",
    documentation_url: "https://docs.github.com/rest",
    status: "403",
  };
}

function validationFailed(message: string): unknown {
  return {
    message: "Validation Failed",
    errors: [{ resource: "IssueComment", code: "custom", field: "body", message }],
    documentation_url: "https://docs.github.com/rest/issues/comments",
    status: "422",
  };
}

function unsignedJwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString("base64url");
  // Signed with a throwaway value: the emulator reads the claims; it has no GitHub key to verify against.
  return `${b64({ alg: "RS256", typ: "JWT", kid: "double" })}.${b64(claims)}.${Buffer.from(randomUUID()).toString("base64url")}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function jsonBody(raw: string): Record<string, unknown> {
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
