/**
 * Two identities, end to end through `node dist/index.js` as the runner
 * starts it: the plan job signs in with a read-only identity (role-plan.json,
 * trusted for pull requests), the apply job with role.json in the
 * `ipv6-proxy` environment. The emulator enforces both roles. A plan job
 * whose identity could write is told so; one that cannot, is not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ActionWorld,
  ENVIRONMENT_SUBJECT,
  type Identity,
  PR_SUBJECT,
  startActionWorld,
  stickyComments,
} from "../support/action-world.js";
import { proxyYaml } from "../support/proxy-files.js";
import { shippedRole } from "../support/roles.js";

/** The warning annotations of a run, as the runner would show them. */
const warnings = (stdout: string) => stdout.split("\n").filter((l) => l.startsWith("::warning"));

describe("two identities (the README's setup)", () => {
  let world: ActionWorld;
  let ids: { plan: Identity; apply: Identity };

  beforeAll(async () => {
    world = await startActionWorld({}, "dist");
    world.emulator.seedDnsZone(world.emulator.subscriptionId, "rg-dns", "example.nl");
    ids = world.useTwoIdentities({ plan: shippedRole("plan"), apply: shippedRole("apply") });
  }, 240_000);
  afterAll(async () => {
    await world?.close();
  });

  it("plans as the read-only identity without a warning, and applies as the apply identity with no 403", async () => {
    world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-two", zone: "example.nl", records: ["www"] }));
    world.openPullRequest(1);
    const plan = await world.plan(1);
    expect(plan.code, plan.stdout).toBe(0);
    expect(warnings(plan.stdout)).toEqual([]);
    // The plan identity read its own permissions where it could: the DNS zone's resource group exists.
    expect(plan.stdout).toContain(
      "The plan identity is read-only on resource group rg-dns, DNS zone example.nl (rg-dns).",
    );
    const planTokens = world.emulator.tokenRequests.filter((t) => t.subject === PR_SUBJECT);
    expect(planTokens.length).toBeGreaterThan(0);
    expect(planTokens.every((t) => t.clientId === ids.plan.clientId)).toBe(true);

    world.emulator.resetRequests();
    const apply = await world.apply(world.merge(1));
    expect(apply.code, apply.stdout).toBe(0);
    expect(world.emulator.requests.filter((r) => r.status === 403)).toEqual([]);
    expect(world.emulator.writeCount()).toBeGreaterThan(0);
    expect(world.emulator.tokenRequests.every((t) => t.subject === ENVIRONMENT_SUBJECT)).toBe(true);
    expect(world.emulator.tokenRequests.every((t) => t.clientId === ids.apply.clientId)).toBe(true);
    expect(stickyComments(world, 1, "apply")[0]?.body).toContain("status=applied");
  });

  it("a pull request cannot borrow the apply identity: its federated credential trusts only the environment", async () => {
    world.openPullRequest(2);
    world.emulator.resetRequests();
    // A workflow edited in the pull request asks for the apply identity in its plan job.
    const run = await world.plan(2, { inputs: { "client-id": ids.apply.clientId } });
    expect(run.code).not.toBe(0);
    expect(run.stdout).toMatch(/AADSTS700213|No matching federated identity record/);
    expect(world.emulator.writeCount()).toBe(0);
    expect(world.emulator.requests.filter((r) => r.kind === "arm")).toEqual([]);
  });

  it("warns when the plan identity may write records in a DNS zone, a role its resource group's list does not show", async () => {
    // The README assigns DNS roles per zone; someone gave the plan identity the zone's write role too.
    const zone = `/subscriptions/${world.emulator.subscriptionId}/resourceGroups/rg-dns/providers/Microsoft.Network/dnszones/example.nl`;
    world.emulator.assignRole(ids.plan.clientId, zone, [{ actions: ["Microsoft.Network/dnszones/*"], notActions: [] }]);
    world.openPullRequest(3);
    const run = await world.plan(3);
    expect(run.code, run.stdout).toBe(0);
    expect(warnings(run.stdout)).toEqual([
      expect.stringContaining(
        "The plan job's Azure identity can change Azure: on DNS zone example.nl (rg-dns) it holds Microsoft.Network/dnszones/AAAA/write, Microsoft.Network/dnszones/AAAA/delete.",
      ),
    ]);
    expect(run.summary).toContain("DNS zone example.nl (rg-dns)");
  });
});

describe("a plan identity that can write", () => {
  let world: ActionWorld;

  beforeAll(async () => {
    world = await startActionWorld({}, "dist");
    world.emulator.seedDnsZone(world.emulator.subscriptionId, "rg-dns", "example.nl");
    world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-one", zone: "example.nl", records: ["www"] }));
  }, 240_000);
  afterAll(async () => {
    await world?.close();
  });

  it("is warned about, naming what it holds, in the log and the job summary; the plan itself goes ahead", async () => {
    // One identity for both jobs (the emulator's default client has no role: it may do anything).
    world.openPullRequest(1);
    const run = await world.plan(1);
    expect(run.code, run.stdout).toBe(0);
    const [warning, ...rest] = warnings(run.stdout);
    expect(rest).toEqual([]);
    expect(warning).toContain(
      "The plan job's Azure identity can change Azure: on resource group rg-dns, DNS zone example.nl (rg-dns) it holds",
    );
    expect(warning).toContain("Microsoft.Resources/subscriptions/resourceGroups/write");
    expect(warning).toContain("role-plan.json");
    expect(run.summary).toContain("The plan job's Azure identity can change Azure");
    expect(stickyComments(world, 1, "plan")).toHaveLength(1);
    expect(world.emulator.writeCount()).toBe(0);
  });

  it("is warned about when it holds the apply role, which cannot even list its own permissions", async () => {
    world.emulator.assignRole(
      world.emulator.clientId,
      `/subscriptions/${world.emulator.subscriptionId}`,
      shippedRole("apply"),
    );
    world.openPullRequest(2);
    const run = await world.plan(2);
    expect(run.code, run.stdout).toBe(0);
    expect(warnings(run.stdout)).toEqual([
      expect.stringContaining("Could not verify that the plan job's Azure identity is read-only"),
    ]);
    expect(run.summary).toContain("Could not verify that the plan job");
  });
});
