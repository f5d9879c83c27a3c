/**
 * The action on pull requests, end to end: `node dist/index.js` as the runner
 * starts it, against the Azure emulator (over HTTPS, signed in with the job's
 * OIDC token) and the GitHub double.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureDistBuilt } from "../support/action-runner.js";
import {
  type ActionWorld,
  hasStackTrace,
  PR_SUBJECT,
  startActionWorld,
  stickyComments,
} from "../support/action-world.js";
import { COMMENT_LIMIT } from "../support/github-double.js";
import { proxyYaml } from "../support/proxy-files.js";

let world: ActionWorld;
let nextPr = 1;

beforeAll(async () => {
  ensureDistBuilt();
  world = await startActionWorld();
  world.emulator.seedDnsZone(world.emulator.subscriptionId, "rg-dns", "example.nl");
}, 240_000);
afterAll(async () => {
  await world?.close();
});
beforeEach(() => {
  for (const f of ["www", "api", "bad"]) if (existsSync(join(world.files.dir, `${f}.yaml`))) world.files.remove(f);
  world.emulator.resetRequests();
  world.github.requests.length = 0;
  world.github.readOnly = false;
});

describe("plan on a pull request", () => {
  it("posts one sticky comment, found again across comment pages and edited in place on the next push", async () => {
    const pr = nextPr++;
    world.files.write(
      "www",
      proxyYaml({ name: "www", resourceGroup: "rg-pr", zone: "example.nl", records: ["@", "www"] }),
    );
    world.openPullRequest(pr);
    // Reviewers talk first: the plan comment lands on the second page of 100.
    for (let i = 0; i < 130; i++) world.github.addComment(pr, `LGTM ${i}`, { login: "reviewer", id: 7, type: "User" });

    const first = await world.plan(pr);
    expect(first.code, first.stdout).toBe(0);
    let plans = stickyComments(world, pr, "plan");
    expect(plans).toHaveLength(1);
    expect(plans[0]!.body).toContain(`Planned at \`${world.headSha(pr)}\``);
    expect(plans[0]!.body).toMatch(
      /<!-- azure-ipv6-proxy:state status=planned fingerprint=[0-9a-f]{64} sha=[0-9a-f]{40} changes=[\w-]+ -->/,
    );
    const commentId = plans[0]!.id;

    // Plan is read-only, and signed in with the job's OIDC token, not a secret.
    expect(world.emulator.writeCount()).toBe(0);
    expect(world.emulator.tokenRequests.length).toBeGreaterThan(0);
    expect(world.emulator.tokenRequests.every((t) => t.grant === "assertion" && t.subject === PR_SUBJECT)).toBe(true);
    expect(world.github.idTokens.map((c) => c.aud)).toContain("api://AzureADTokenExchange");

    expect(first.outputs["has-changes"]).toBe("true");
    expect(first.outputs["to-add"]).toBe("9");
    expect(first.outputs["to-destroy"]).toBe("0");
    const planJson = JSON.parse(readFileSync(first.outputs["plan-json"]!, "utf8")) as {
      fingerprint: string;
      counts: unknown;
    };
    expect(planJson.counts).toEqual({ add: 9, change: 0, destroy: 0 });
    expect(plans[0]!.body).toContain(planJson.fingerprint);
    expect(first.summary).toContain(planJson.fingerprint);
    for (const phase of ["Read inputs", "Load proxies", "Observe Azure", "Post plan", "Report"])
      expect(first.stdout).toContain(`::group::${phase}`);

    // Second push: another proxy. The same comment changes; no second one appears.
    world.files.write("api", proxyYaml({ name: "api", resourceGroup: "rg-pr", backends: ["203.0.113.30"] }));
    const sha = world.push(pr);
    world.github.requests.length = 0;
    const second = await world.plan(pr);
    expect(second.code, second.stdout).toBe(0);
    plans = stickyComments(world, pr, "plan");
    expect(plans).toHaveLength(1);
    expect(plans[0]!.id).toBe(commentId);
    expect(plans[0]!.body).toContain(`Planned at \`${sha}\``);
    expect(plans[0]!.body).toContain("api");
    expect(world.github.requests.filter((r) => r.method === "POST")).toEqual([]);
    expect(
      world.github.requests.some((r) => r.method === "PATCH" && r.path.endsWith(`/issues/comments/${commentId}`)),
    ).toBe(true);
    expect(world.github.requests.some((r) => r.path.endsWith(`/issues/${pr}/comments`) && r.query.page === "2")).toBe(
      true,
    );
    expect(world.github.comments(pr)).toHaveLength(131);

    // A matrix job for another directory keeps a comment of its own.
    world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-pr" }));
    const other = await world.plan(pr, { inputs: { path: "proxies-none" } });
    expect(other.code).toBe(1); // that directory does not exist: a spec error, in its own comment
    expect(stickyComments(world, pr, "plan")).toHaveLength(2);
    expect(stickyComments(world, pr, "plan").find((c) => c.id === commentId)!.body).toContain("api");
  });

  it("keeps the comment of a 300-proxy plan within 65,536 characters, and GitHub never answers 422", async () => {
    const pr = nextPr++;
    const many = join(world.files.root, "many");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(many, { recursive: true });
    for (let i = 0; i < 300; i++) {
      const name = `site-${String(i).padStart(3, "0")}`;
      writeFileSync(
        join(many, `${name}.yaml`),
        proxyYaml({ name, resourceGroup: "rg-many", zone: "example.nl", records: [name, `www.${name}`] }),
      );
    }
    world.openPullRequest(pr);
    const r = await world.plan(pr, { inputs: { path: "many" } });
    expect(r.code, r.stdout).toBe(0);
    const [comment] = stickyComments(world, pr, "plan");
    expect(comment!.body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    // 300 × (NSG, VNet, 2 public IPs, NIC, VM, 2 AAAA records) + the shared resource group
    expect(comment!.body).toMatch(/\*\*2401 to add, 0 to change, 0 to destroy\*\*/);
    expect(world.github.requests.filter((q) => q.status === 422)).toEqual([]);
    expect(world.emulator.writeCount()).toBe(0);
    // The job summary is not bound by the comment limit: it names every proxy.
    expect(r.summary).toContain("site-299");
  });

  it("turns a bad proxy file into annotations on file and line, a comment listing them, a failed check, and no Azure request", async () => {
    const pr = nextPr++;
    world.files.write("bad", "location: westeurope\nresourceGroup: rg-pr\nbackends: [10.0.0.300]\nports: [80, 80]\n");
    world.openPullRequest(pr);
    const r = await world.plan(pr);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error title=Invalid proxy file[^,]*,file=proxies\/bad\.yaml,line=3,col=\d+::proxies\/bad\.yaml:3:\d+ backends\[0\]/m,
    );
    expect(world.emulator.requests).toEqual([]);
    const [comment] = stickyComments(world, pr, "plan");
    expect(comment!.body).toContain("status=spec-errors");
    expect(comment!.body).toContain("proxies/bad.yaml:3");
    expect(hasStackTrace(r)).toBe(false);
  });

  it("fails with the id-token advice when the workflow lacks `id-token: write`", async () => {
    const pr = nextPr++;
    world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-pr" }));
    world.openPullRequest(pr);
    const r = await world.plan(pr, {
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error::.*`permissions: id-token: write`.*forks/m);
    expect(world.emulator.requests).toEqual([]);
    expect(hasStackTrace(r)).toBe(false);
  });

  it("explains a fork's limits in the job summary: no Azure sign-in, no comment, no stack trace", async () => {
    const pr = nextPr++;
    world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-pr" }));
    world.openPullRequest(pr, { fromFork: true });
    world.github.readOnly = true;
    const r = await world.plan(pr, {
      fromFork: true,
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: undefined, ACTIONS_ID_TOKEN_REQUEST_TOKEN: undefined },
    });
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^::warning::The proxy files are valid\. .*forks/m);
    expect(r.summary).toContain("pull requests from forks do not get");
    expect(world.github.comments(pr)).toEqual([]);
    expect(world.emulator.requests.filter((q) => q.kind === "arm")).toEqual([]);
    expect(hasStackTrace(r)).toBe(false);
  });

  it("plans into the job summary when GitHub refuses the comment of a fork (403)", async () => {
    const pr = nextPr++;
    world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-pr" }));
    world.openPullRequest(pr, { fromFork: true });
    world.github.readOnly = true;
    const r = await world.plan(pr, { fromFork: true });
    expect(r.code, r.stdout).toBe(0);
    expect(world.github.requests.some((q) => q.status === 403)).toBe(true);
    expect(r.summary).toContain("GitHub refused the plan comment (403)");
    const planJson = JSON.parse(readFileSync(r.outputs["plan-json"]!, "utf8")) as { fingerprint: string };
    expect(r.summary).toContain(`fingerprint \`${planJson.fingerprint}\``);
    expect(r.outputs["to-add"]).toBe("7");
    expect(world.emulator.writeCount()).toBe(0);
    expect(hasStackTrace(r)).toBe(false);
  });
});
