/**
 * examples/ipv6-proxy.yml is the setup users copy: two jobs with two
 * identities, each with only the permissions it needs. These are the
 * properties the README's "Security model" relies on.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Job {
  if?: string;
  environment?: string;
  permissions?: Record<string, string>;
  concurrency?: { group: string; "cancel-in-progress": boolean | string };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const text = readFileSync("examples/ipv6-proxy.yml", "utf8");
const workflow = parse(text) as Workflow;
const { plan, apply, drift } = workflow.jobs;
/** A `${{ vars.NAME }}` expression, as the workflow writes it. */
const vars = (name: string) => `\${{ vars.${name} }}`;
const action = (job: Job | undefined) => job?.steps.find((s) => s.uses?.startsWith("azure-ipv6-proxy/"));

describe("the example workflow", () => {
  it("lives in examples/, so it never runs in this repository", () => {
    expect(existsSync(".github/workflows/ipv6-proxy.yml")).toBe(false);
  });

  it("plans on pull requests to the default branch only, never on pull_request_target", () => {
    expect(Object.keys(workflow.on)).not.toContain("pull_request_target");
    expect(workflow.on.pull_request).toMatchObject({ branches: ["main"] });
    expect(plan?.if).toBe("github.event_name == 'pull_request'");
  });

  it("filters no paths: a skipped required check stays pending, and every push must start the apply of its commit", () => {
    expect(workflow.on.pull_request).not.toHaveProperty("paths");
    expect(workflow.on.push).toEqual({ branches: ["main"] });
  });

  it("grants nothing at the top; each job asks for its own, and only apply may record deployments", () => {
    expect(workflow.permissions).toEqual({});
    expect(plan?.permissions).toEqual({ contents: "read", "pull-requests": "write", "id-token": "write" });
    expect(apply?.permissions).toEqual({
      contents: "read",
      "pull-requests": "write",
      "id-token": "write",
      deployments: "write",
      issues: "read",
    });
    expect(drift?.permissions).toEqual({ contents: "read", issues: "write", "id-token": "write" });
  });

  it("gives plan and drift the plan identity, and apply the apply identity inside the environment", () => {
    expect(action(plan)?.with?.["client-id"]).toBe(vars("AZURE_PLAN_CLIENT_ID"));
    expect(action(drift)?.with?.["client-id"]).toBe(vars("AZURE_PLAN_CLIENT_ID"));
    expect(action(apply)?.with?.["client-id"]).toBe(vars("AZURE_APPLY_CLIENT_ID"));
    expect(apply?.environment).toBe("ipv6-proxy");
    expect(plan?.environment).toBeUndefined();
    expect(apply?.if).toContain("github.event_name == 'push'");
    expect(text).toContain("repo:<org>/<repo>:environment:ipv6-proxy");
  });

  it("checks out without leaving credentials behind, in every job", () => {
    for (const job of [plan, apply, drift]) {
      const checkout = job?.steps.find((s) => s.uses?.startsWith("actions/checkout@"));
      expect(checkout?.with?.["persist-credentials"]).toBe(false);
    }
  });

  it("cancels superseded plans but never an apply, and says to pin actions by commit SHA", () => {
    expect(plan?.concurrency?.["cancel-in-progress"]).toBe(true);
    expect(plan?.concurrency?.group).toContain("github.event.pull_request.number");
    expect(apply?.concurrency).toEqual({ group: "ipv6-proxy-apply", "cancel-in-progress": false });
    expect(text).toMatch(/full\s+(#\s+)?commit SHA/);
  });
});
