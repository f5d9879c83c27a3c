/**
 * The two shipped roles against the emulator's RBAC, through the real SDK
 * clients: a whole lifecycle (create, config change through Run Command,
 * removal) plans under role-plan.json and applies under role.json without a
 * single 403, and the plan identity cannot write anything.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAzureClients } from "../../src/azure/clients.js";
import { emulatorConnection } from "../../src/azure/emulator-connection.js";
import { listPermissions } from "../../src/azure/permissions.js";
import { armActionOf, requiredActions } from "../../src/emulator/rbac.js";
import { resourceNames } from "../../src/model/names.js";
import { ROLE_FILES } from "../../src/model/roles.js";
import { applyPlan, type OperationContext, type PlannedRun, planFromDir } from "../../src/operations.js";
import { countChanges } from "../../src/plan/counts.js";
import type { ApplyOutcome } from "../../src/plan/types.js";
import { type Harness, silentLogger, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../support/proxy-files.js";
import { shippedRole } from "../support/roles.js";

const role = (file: string) => shippedRole(file === ROLE_FILES.plan ? "plan" : "apply");

let h: Harness;
let files: ProxyDir;
let planner: { clientId: string; clientSecret: string };
let operator: { clientId: string; clientSecret: string };
const OWNER = "acme/roles";

beforeAll(async () => {
  h = await startHarness();
  h.emulator.seedDnsZone(h.emulator.subscriptionId, "rg-dns", "example.nl");
  planner = h.emulator.addApplication();
  operator = h.emulator.addApplication();
  const subscription = `/subscriptions/${h.emulator.subscriptionId}`;
  h.emulator.assignRole(planner.clientId, subscription, role(ROLE_FILES.plan));
  h.emulator.assignRole(operator.clientId, subscription, role(ROLE_FILES.apply));
  files = new ProxyDir();
});
afterAll(async () => {
  files?.cleanup();
  await h?.close();
});

const ctx = (as: { clientId: string; clientSecret: string }): OperationContext => ({
  connection: emulatorConnection(h.emulator, { as }),
  owner: OWNER,
  defaultSubscriptionId: h.emulator.subscriptionId,
  log: silentLogger,
  concurrency: 8,
});

const denied = () => h.emulator.requests.filter((r) => r.status === 403);

/** Plans as the planner; returns the plan and checks that no read was refused. */
async function planAsPlanner(): Promise<PlannedRun> {
  h.emulator.resetRequests();
  const outcome = await planFromDir(files.dir, ctx(planner));
  expect(outcome.specErrors).toEqual([]);
  expect(denied()).toEqual([]);
  expect(h.emulator.writeCount()).toBe(0);
  if (!outcome.plan) throw new Error("no plan");
  return outcome;
}

/** Plans and applies as the operator (apply always plans again); checks that nothing was refused. */
async function applyAsOperator(): Promise<ApplyOutcome> {
  h.emulator.resetRequests();
  const outcome = await planFromDir(files.dir, ctx(operator));
  if (!outcome.plan) throw new Error("no plan");
  const result = await applyPlan(outcome, ctx(operator), { allowDestroy: true });
  expect(denied()).toEqual([]);
  return result;
}

describe("the shipped roles cover a whole lifecycle", () => {
  it("creates a proxy with DNS: plan as the planner, apply as the operator", async () => {
    files.write(
      "www",
      proxyYaml({ name: "www", resourceGroup: "rg-roles", zone: "example.nl", records: ["@", "www"] }),
    );
    const { plan } = await planAsPlanner();
    expect(countChanges(plan.changes).add).toBe(9);
    const result = await applyAsOperator();
    expect(result.proxies.map((p) => p.status)).toEqual(["created"]);
    expect(countChanges((await planAsPlanner()).plan.changes)).toEqual({ add: 0, change: 0, destroy: 0 });
  });

  it("changes the config in place (VM userData and Run Command)", async () => {
    files.write(
      "www",
      proxyYaml({
        name: "www",
        resourceGroup: "rg-roles",
        zone: "example.nl",
        records: ["@", "www"],
        backends: ["203.0.113.99"],
      }),
    );
    expect(countChanges((await planAsPlanner()).plan.changes).change).toBeGreaterThan(0);
    h.emulator.resetRequests();
    await applyAsOperator();
    expect(h.emulator.runCommands.length).toBe(1);
  });

  it("removes the proxy and its records", async () => {
    files.remove("www");
    expect(countChanges((await planAsPlanner()).plan.changes).destroy).toBe(8);
    await applyAsOperator();
    const vm = h.emulator.getResource(
      `/subscriptions/${h.emulator.subscriptionId}/resourceGroups/rg-roles/providers/Microsoft.Compute/virtualMachines/${resourceNames("www").virtualMachine}`,
    );
    expect(vm).toBeUndefined();
  });
});

describe("the plan identity", () => {
  it("cannot apply: the first write answers 403 AuthorizationFailed and nothing changes", async () => {
    files.write("api", proxyYaml({ name: "api", resourceGroup: "rg-roles-2" }));
    const planned = await planAsPlanner();
    h.emulator.resetRequests();
    await expect(applyPlan(planned, ctx(planner), { allowDestroy: false })).rejects.toThrow(
      /AuthorizationFailed|authorization/,
    );
    expect(denied().length).toBeGreaterThan(0);
    expect(h.emulator.requests.filter((r) => r.kind === "arm" && r.method !== "GET" && r.status < 300)).toEqual([]);
    expect(
      h.emulator.getResource(`/subscriptions/${h.emulator.subscriptionId}/resourceGroups/rg-roles-2`),
    ).toBeUndefined();
    files.remove("api");
  });

  it("cannot run a command on a VM, nor write DNS", async () => {
    files.write("cmd", proxyYaml({ name: "cmd", resourceGroup: "rg-roles-3", zone: "example.nl", records: ["cmd"] }));
    await applyAsOperator();
    const asPlanner = createAzureClients(emulatorConnection(h.emulator, { as: planner }), h.emulator.subscriptionId);
    await expect(
      asPlanner.compute.virtualMachines.beginRunCommandAndWait("rg-roles-3", resourceNames("cmd").virtualMachine, {
        commandId: "RunShellScript",
        script: ["id"],
      }),
    ).rejects.toMatchObject({ statusCode: 403, code: "AuthorizationFailed" });
    await expect(asPlanner.dns.recordSets.delete("rg-dns", "example.nl", "cmd", "AAAA")).rejects.toMatchObject({
      statusCode: 403,
      code: "AuthorizationFailed",
    });
    // The operator's records are still there.
    expect((await asPlanner.dns.recordSets.get("rg-dns", "example.nl", "cmd", "AAAA")).aaaaRecords).toHaveLength(1);
    files.remove("cmd");
    await applyAsOperator();
  });
});

describe("ARM actions the emulator derives from requests", () => {
  const sub = "/subscriptions/0000";
  it.each([
    ["GET", `${sub}/resourcegroups`, "Microsoft.Resources/subscriptions/resourceGroups/read"],
    ["PUT", `${sub}/resourcegroups/rg`, "Microsoft.Resources/subscriptions/resourceGroups/write"],
    ["GET", `${sub}/resources`, "Microsoft.Resources/subscriptions/resources/read"],
    [
      "GET",
      `${sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines`,
      "Microsoft.Compute/virtualMachines/read",
    ],
    [
      "POST",
      `${sub}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/runCommand`,
      "Microsoft.Compute/virtualMachines/runCommand/action",
    ],
    [
      "PUT",
      `${sub}/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s`,
      "Microsoft.Network/virtualNetworks/subnets/write",
    ],
    [
      "DELETE",
      `${sub}/resourceGroups/rg/providers/Microsoft.Network/dnsZones/z/AAAA/www`,
      "Microsoft.Network/dnsZones/AAAA/delete",
    ],
    [
      "GET",
      `${sub}/providers/Microsoft.Network/locations/westeurope/operations/123`,
      "Microsoft.Network/locations/operations/read",
    ],
    [
      "GET",
      `${sub}/resourcegroups/rg/providers/Microsoft.Authorization/permissions`,
      "Microsoft.Authorization/permissions/read",
    ],
    ["GET", `${sub}/providers/Microsoft.Network`, "Microsoft.Resources/subscriptions/providers/read"],
  ])("%s %s → %s", (method, path, action) => {
    expect(armActionOf(method, path)).toBe(action);
  });

  it("takes the engine's requests from ARM_OPERATIONS, linked checks included", () => {
    const nic = `${sub}/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/nic`;
    expect(requiredActions("PUT", nic)).toEqual(
      expect.arrayContaining([
        "Microsoft.Network/networkInterfaces/write",
        "Microsoft.Network/virtualNetworks/subnets/join/action",
      ]),
    );
    expect(requiredActions("PUT", nic)[0]).toBe("Microsoft.Network/networkInterfaces/write");
  });
});

describe("linked access checks", () => {
  it("refuses a NIC that joins a subnet the caller may not join, with ARM's LinkedAuthorizationFailed", async () => {
    const [apply] = shippedRole("apply");
    const noJoin = h.emulator.addApplication();
    h.emulator.assignRole(noJoin.clientId, `/subscriptions/${h.emulator.subscriptionId}`, [
      { actions: apply!.actions.filter((a) => a !== "Microsoft.Network/virtualNetworks/subnets/join/action") },
    ]);
    files.write("join", proxyYaml({ name: "join", resourceGroup: "rg-roles-4" }));
    const outcome = await planFromDir(files.dir, ctx(noJoin));
    if (!outcome.plan) throw new Error("no plan");
    h.emulator.resetRequests();
    await expect(applyPlan(outcome, ctx(noJoin), { allowDestroy: false })).rejects.toThrow(
      /LinkedAuthorizationFailed|subnets\/join\/action/,
    );
    const refused = h.emulator.requests.filter((r) => r.status === 403);
    expect(refused.map((r) => `${r.method} ${r.path.split("/").slice(-2).join("/")}`)).toEqual([
      `PUT networkInterfaces/${resourceNames("join").networkInterface}`,
    ]);
    // Cleaned up by the operator, who may do all of it.
    files.remove("join");
    await applyAsOperator();
  });
});

describe("GET …/providers/Microsoft.Authorization/permissions", () => {
  it("lists the caller's own permissions at a resource group, and 404s for one that does not exist", async () => {
    h.emulator.seedResourceGroup(h.emulator.subscriptionId, "rg-perms");
    const list = (as?: { clientId: string; clientSecret: string }, rg = "rg-perms") => {
      const connection = emulatorConnection(h.emulator, as ? { as } : {});
      const clients = createAzureClients(connection, h.emulator.subscriptionId);
      return listPermissions(clients, connection.resourceManagerEndpoint, h.emulator.subscriptionId, rg);
    };
    expect(await list(planner)).toEqual(role(ROLE_FILES.plan));
    // The emulator's own client has no assignment: it may do anything, like an Owner.
    expect(await list()).toEqual([{ actions: ["*"], notActions: [] }]);
    await expect(list(planner, "rg-nowhere")).rejects.toMatchObject({ status: 404, code: "ResourceGroupNotFound" });
    // Reading one's permissions is itself an action, which the apply role does not hold.
    await expect(list(operator)).rejects.toMatchObject({ status: 403, code: "AuthorizationFailed" });
  });
});
