/**
 * A stand-in for the GitHub REST API and the Actions OIDC token service,
 * behaving like github.com where the action depends on it: comment lists page
 * with `Link` headers and honour `per_page`, bodies over 65,536 characters get
 * 422, a read-only (fork) token gets 403 on writes, and every request is
 * logged for assertions.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const COMMENT_LIMIT = 65_536;
const BOT = { login: "github-actions[bot]", id: 41898282, type: "Bot" };

export interface DoublePullRequest {
  number: number;
  headSha: string;
  headRepo: string;
  baseRepo: string;
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
  user: { login: string; id: number; type: string };
  created_at: string;
  updated_at: string;
}

export interface LoggedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  /** When the answer was sent (epoch ms). */
  at: number;
  /** Length of the `body` field of a comment write. */
  bodyLength?: number | undefined;
}

export interface GitHubDoubleOptions {
  repository: string;
  token?: string;
  /** `sub` of issued OIDC tokens, e.g. `repo:org/repo:pull_request`. */
  subject?: string;
}

export interface GitHubDouble {
  apiUrl: string;
  token: string;
  idTokenRequestUrl: string;
  idTokenRequestToken: string;
  requests: LoggedRequest[];
  /** When true every write answers 403, like the read-only token of a fork pull request. */
  readOnly: boolean;
  subject: string;
  addPullRequest(
    pr: Omit<DoublePullRequest, "commits" | "labels"> & { labels?: string[] | undefined },
  ): DoublePullRequest;
  /** A new commit on the pull request's branch. */
  setHead(number: number, sha: string): void;
  merge(number: number, mergeCommitSha: string): void;
  setLabels(number: number, labels: string[]): void;
  addComment(issue: number, body: string, user?: { login: string; id: number; type: string }): DoubleComment;
  comments(issue: number): DoubleComment[];
  /** Issued OIDC tokens, decoded claims. */
  idTokens: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startGitHubDouble(options: GitHubDoubleOptions): Promise<GitHubDouble> {
  const token = options.token ?? `ghs_${randomUUID().replace(/-/g, "")}`;
  const idTokenRequestToken = `idreq-${randomUUID()}`;
  const pulls = new Map<number, DoublePullRequest>();
  const comments: DoubleComment[] = [];
  let nextCommentId = 1_000_000;
  let origin = "";

  const double: GitHubDouble = {
    apiUrl: "",
    token,
    idTokenRequestUrl: "",
    idTokenRequestToken,
    requests: [],
    readOnly: false,
    subject: options.subject ?? `repo:${options.repository}:pull_request`,
    idTokens: [],
    addPullRequest(pr) {
      const full: DoublePullRequest = { ...pr, labels: pr.labels ?? [], commits: [pr.headSha] };
      pulls.set(pr.number, full);
      return full;
    },
    setHead(number, sha) {
      const pr = mustPull(number);
      pr.headSha = sha;
      pr.commits.push(sha);
    },
    merge(number, mergeCommitSha) {
      const pr = mustPull(number);
      pr.mergedAt = new Date().toISOString();
      pr.mergeCommitSha = mergeCommitSha;
      pr.commits.push(mergeCommitSha);
    },
    setLabels(number, labels) {
      mustPull(number).labels = labels;
    },
    addComment(issue, body, user = BOT) {
      const now = new Date().toISOString();
      const c: DoubleComment = { id: nextCommentId++, issue, body, user, created_at: now, updated_at: now };
      comments.push(c);
      return c;
    },
    comments: (issue) => comments.filter((c) => c.issue === issue),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  function mustPull(number: number): DoublePullRequest {
    const pr = pulls.get(number);
    if (!pr) throw new Error(`no pull request #${number} in the double`);
    return pr;
  }

  const repoPath = `/repos/${options.repository}`;

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
    if (!url.pathname.startsWith(`${repoPath}/`)) return send(404, { message: "Not Found" });
    const route = url.pathname.slice(repoPath.length);
    const method = req.method ?? "GET";
    let m: RegExpExecArray | null;

    if (method === "GET" && (m = /^\/issues\/(\d+)\/comments$/.exec(route))) {
      const list = double.comments(Number(m[1]));
      return sendPage(list.map(commentJson), url, query, send);
    }
    if (method === "POST" && (m = /^\/issues\/(\d+)\/comments$/.exec(route))) {
      const body = jsonBody(raw).body;
      entry.bodyLength = typeof body === "string" ? body.length : undefined;
      const invalid = writeProblem(body);
      if (invalid) return send(invalid.status, invalid.json);
      if (!pulls.has(Number(m[1]))) return send(404, { message: "Not Found" });
      return send(201, commentJson(double.addComment(Number(m[1]), body as string)));
    }
    if (method === "PATCH" && (m = /^\/issues\/comments\/(\d+)$/.exec(route))) {
      const body = jsonBody(raw).body;
      entry.bodyLength = typeof body === "string" ? body.length : undefined;
      const invalid = writeProblem(body);
      if (invalid) return send(invalid.status, invalid.json);
      const comment = comments.find((c) => c.id === Number(m![1]));
      if (!comment) return send(404, { message: "Not Found" });
      comment.body = body as string;
      comment.updated_at = new Date().toISOString();
      return send(200, commentJson(comment));
    }
    if (method === "GET" && (m = /^\/commits\/([0-9a-f]+)\/pulls$/.exec(route))) {
      const sha = m[1];
      return send(200, [...pulls.values()].filter((p) => p.commits.includes(sha!)).map(pullJson));
    }
    if (method === "GET" && (m = /^\/pulls\/(\d+)$/.exec(route))) {
      const pr = pulls.get(Number(m[1]));
      return pr ? send(200, pullJson(pr)) : send(404, { message: "Not Found" });
    }
    if (method === "GET" && (m = /^\/issues\/(\d+)\/labels$/.exec(route))) {
      const pr = pulls.get(Number(m[1]));
      return pr ? sendPage(pr.labels.map(labelJson), url, query, send) : send(404, { message: "Not Found" });
    }
    return send(404, { message: "Not Found" });
  }

  function writeProblem(body: unknown): { status: number; json: unknown } | undefined {
    if (double.readOnly) {
      return {
        status: 403,
        json: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest" },
      };
    }
    if (typeof body !== "string" || body.length === 0)
      return { status: 422, json: validationFailed("body is missing") };
    if (body.length > COMMENT_LIMIT) {
      return { status: 422, json: validationFailed(`body is too long (maximum is ${COMMENT_LIMIT} characters)`) };
    }
    return undefined;
  }

  function commentJson(c: DoubleComment): Record<string, unknown> {
    return {
      id: c.id,
      node_id: `IC_${c.id}`,
      url: `${origin}${repoPath}/issues/comments/${c.id}`,
      html_url: `https://github.com/${options.repository}/pull/${c.issue}#issuecomment-${c.id}`,
      issue_url: `${origin}${repoPath}/issues/${c.issue}`,
      body: c.body,
      user: c.user,
      created_at: c.created_at,
      updated_at: c.updated_at,
      author_association: c.user.type === "Bot" ? "NONE" : "MEMBER",
    };
  }

  function pullJson(p: DoublePullRequest): Record<string, unknown> {
    return {
      number: p.number,
      state: p.mergedAt ? "closed" : "open",
      html_url: `https://github.com/${options.repository}/pull/${p.number}`,
      merged_at: p.mergedAt ?? null,
      merge_commit_sha: p.mergeCommitSha ?? null,
      head: { sha: p.headSha, ref: `feature-${p.number}`, repo: { full_name: p.headRepo } },
      base: { sha: "0".repeat(40), ref: "main", repo: { full_name: p.baseRepo } },
      labels: p.labels.map(labelJson),
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
