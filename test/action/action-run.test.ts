/**
 * The action in-process, through run() (src/action/entry.ts): the plan and
 * apply flows against the Azure emulator (real SDK clients over HTTPS,
 * signed in with the job's OIDC token) and the GitHub double, without
 * spawning the bundle. action-run-matches-dist.test.ts shows these runs
 * behave as `node dist/index.js` does.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type ActionCore, run } from "../../src/action/entry.js";
import { resourceNames } from "../../src/model/names.js";
import {
  type ActionWorld,
  hasStackTrace,
  MAIN_SUBJECT,
  PR_SUBJECT,
  startActionWorld,
  stickyComments,
} from "../support/action-world.js";
import { proxyYaml } from "../support/proxy-files.js";

let world: ActionWorld;
let nextPr = 1;

beforeAll(async () => {
  world = await startActionWorld({}, "in-process");
  world.emulator.seedDnsZone(world.emulator.subscriptionId, "rg-dns", "example.nl");
}, 120_000);
afterAll(async () => {
  await world?.close();
});
beforeEach(() => {
  for (const f of ["www", "api", "bad"]) if (existsSync(join(world.files.dir, `${f}.yaml`))) world.files.remove(f);
  world.emulator.resetRequests();
  world.github.requests.length = 0;
  world.github.readOnly = false;
});

describe("run() in-process", () => {
  it("plans a pull request: the sticky comment, outputs and summary, read-only, with the job's OIDC token", async () => {
    const pr = nextPr++;
    world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-run", zone: "example.nl" }));
    world.openPullRequest(pr);

    const r = await world.plan(pr);
    expect(r.code, r.stdout).toBe(0);
    const [comment, ...more] = stickyComments(world, pr, "plan");
    expect(more).toEqual([]);
    expect(comment!.body).toMatch(
      /<!-- azure-ipv6-proxy:state status=planned fingerprint=[0-9a-f]{64} sha=[0-9a-f]{40} changes=[\w-]+ -->/,
    );
    expect(comment!.body).toContain(`Planned at \`${world.headSha(pr)}\``);
    expect(r.outputs).toMatchObject({ "has-changes": "true", "to-add": "8", "to-change": "0", "to-destroy": "0" });
    expect(existsSync(r.outputs["plan-json"]!)).toBe(true);
    expect(r.summary).toContain("www");
    for (const phase of ["Read inputs", "Load proxies", "Observe Azure", "Post plan", "Report"])
      expect(r.stdout).toContain(`::group::${phase}`);

    expect(world.emulator.writeCount()).toBe(0);
    expect(world.emulator.tokenRequests.length).toBeGreaterThan(0);
    expect(world.emulator.tokenRequests.every((t) => t.grant === "assertion" && t.subject === PR_SUBJECT)).toBe(true);
    expect(world.github.idTokens.map((c) => c.aud)).toContain("api://AzureADTokenExchange");

    // The same plan again: the comment is found and left as it is.
    world.github.requests.length = 0;
    const again = await world.plan(pr);
    expect(again.stdout).toContain("Plan comment unchanged");
    expect(world.github.requests.filter((q) => q.method !== "GET")).toEqual([]);
  });

  it("applies the reviewed plan on merge, reports the allocated address, and a re-run writes nothing", async () => {
    const pr = nextPr++;
    world.files.write("api", proxyYaml({ name: "api", resourceGroup: "rg-run-apply", backends: ["203.0.113.50"] }));
    world.openPullRequest(pr);
    expect((await world.plan(pr)).code).toBe(0);
    const sha = world.merge(pr);

    world.emulator.resetRequests();
    const r = await world.apply(sha);
    expect(r.code, r.stdout).toBe(0);
    expect(world.emulator.writeCount()).toBeGreaterThan(0);
    expect(world.emulator.tokenRequests.every((t) => t.subject === MAIN_SUBJECT)).toBe(true);
    const pip = await world.clients().network.publicIPAddresses.get("rg-run-apply", resourceNames("api").publicIpV6);
    expect(pip.ipAddress).toMatch(/:/);
    expect(JSON.parse(r.outputs["ipv6-addresses"]!)).toEqual({ api: pip.ipAddress });
    const [applied] = stickyComments(world, pr, "apply");
    expect(applied!.body).toContain("status=applied");
    expect(applied!.body).toContain(pip.ipAddress!);

    world.emulator.resetRequests();
    const again = await world.apply(sha);
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain("Azure already matches the proxy files: nothing to apply.");
    expect(world.emulator.writeCount()).toBe(0);
  });

  it("refuses a plan that changed after review: the step fails, Azure is not written", async () => {
    const pr = nextPr++;
    world.files.write("api", proxyYaml({ name: "api", resourceGroup: "rg-run-refuse", backends: ["203.0.113.60"] }));
    world.openPullRequest(pr);
    expect((await world.plan(pr)).code).toBe(0);
    world.files.write("api", proxyYaml({ name: "api", resourceGroup: "rg-run-refuse", backends: ["203.0.113.61"] }));

    world.emulator.resetRequests();
    const r = await world.apply(world.merge(pr));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error::Nothing was applied: the plan changed after it was reviewed/m);
    expect(world.emulator.writeCount()).toBe(0);
    expect(stickyComments(world, pr, "apply")[0]!.body).toContain("status=refused");
  });

  it("reads the proxy files from the workspace, not the test's working directory, and annotates them by repository path", async () => {
    expect(world.files.root).not.toBe(process.cwd());
    const pr = nextPr++;
    world.files.write("bad", "location: westeurope\nresourceGroup: rg-run\nbackends: [10.0.0.300]\n");
    world.openPullRequest(pr);
    const r = await world.plan(pr);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error title=Invalid proxy file[^,]*,file=proxies\/bad\.yaml,line=3,col=\d+::proxies\/bad\.yaml:3:\d+ backends\[0\]/m,
    );
    expect(r.stdout).toMatch(/^::error::1 error\(s\) in the proxy files in proxies\/; see the annotations\.$/m);
    expect(world.emulator.requests).toEqual([]);
    expect(hasStackTrace(r)).toBe(false);
  });

  it("ends a failure it did not expect (GitHub refuses the token) as the step's failure, with the stack in the debug log only", async () => {
    const pr = nextPr++;
    world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-run" }));
    world.openPullRequest(pr);
    const r = await world.plan(pr, { inputs: { "github-token": "not-the-token" } });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^::error::Bad credentials/m);
    expect(r.stdout).toMatch(/^::debug::HttpError: Bad credentials/m);
    expect(hasStackTrace(r)).toBe(false);
    expect(world.github.comments(pr)).toEqual([]);
  });

  it("fails on an invalid input before it asks GitHub or Azure anything, and never throws", async () => {
    const log: string[] = [];
    const core: ActionCore = {
      info: (m) => void log.push(m),
      warning: (m) => void log.push(`warning: ${m}`),
      error: (m) => void log.push(`error: ${m}`),
      debug: (m) => void log.push(`debug: ${m}`),
      group: (_name, fn) => fn(),
      setOutput: (name) => void log.push(`output: ${name}`),
      appendSummary: async (m) => void log.push(`summary: ${m}`),
    };
    const contacted: string[] = [];
    const inputs: Record<string, string> = { mode: "destroy-everything", "github-token": "t" };
    const result = await run({
      getInput: (name) => inputs[name] ?? "",
      env: { GITHUB_REPOSITORY: "acme/web" },
      workspace: world.files.root,
      event: { eventName: "push", payload: {}, sha: "a".repeat(40), ref: "refs/heads/main" },
      octokit: () => {
        contacted.push("github");
        throw new Error("GitHub must not be contacted");
      },
      getIdToken: async () => {
        contacted.push("oidc");
        return "";
      },
      core,
    });
    expect(result.failures).toEqual([
      `Input 'mode': "destroy-everything" is not allowed; use one of: auto, plan, apply, drift, status`,
    ]);
    expect(contacted).toEqual([]);
    expect(log.filter((l) => l.startsWith("output") || l.startsWith("summary"))).toEqual([]);
    expect(log.some((l) => l.startsWith("debug: InputError"))).toBe(true);
  });
});
