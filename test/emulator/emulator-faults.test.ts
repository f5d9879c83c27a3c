/**
 * Faults and long-running operation behaviour, seen through the real SDK:
 * throttling and server errors retried by the pipeline, failed operations
 * surfacing as errors with the resource left Failed, latency, slow operations,
 * request counting, and the HTTPS control API.
 */

import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AzureClients } from "../../src/azure/clients.js";
import { createAzureClients } from "../../src/azure/clients.js";
import { emulatorConnection } from "../../src/azure/emulator-connection.js";
import { reportScriptLines } from "../../src/dataplane/report-script.js";
import type { Json } from "../../src/emulator/http.js";
import { type Emulator, startEmulator } from "../../src/emulator/server.js";
import { parseHealthAnswer } from "../../src/verify/health-report.js";
import { clientsFor, createDualStackNetwork, failure, LOCATION, vmModel } from "../support/emulator-fixtures.js";

let emu: Emulator;
let c: AzureClients;

beforeAll(async () => {
  emu = await startEmulator();
  c = clientsFor(emu);
  await c.resources.resourceGroups.createOrUpdate("rg-f", { location: LOCATION });
});
afterAll(() => emu.close());

const nsg = (name: string) => c.network.networkSecurityGroups.createOrUpdate("rg-f", name, { location: LOCATION });

describe("retried faults", () => {
  it("a 429 with Retry-After is waited out and retried by the SDK", async () => {
    emu.addFault({
      method: "PUT",
      pathPattern: /networkSecurityGroups\/throttled$/,
      status: 429,
      retryAfterSeconds: 1,
      times: 1,
    });
    const created = await nsg("throttled");
    expect(created.provisioningState).toBe("Succeeded");
    const puts = emu.requests.filter((r) => r.method === "PUT" && r.path.endsWith("/throttled"));
    expect(puts.map((r) => [r.status, r.faulted ?? false])).toEqual([
      [429, true],
      [201, false],
    ]);
    // The retry came no sooner than Retry-After said: the emulator's own arrival times, a lower bound that no
    // slow machine can break (the SDK's wait is a timer of at least that long).
    expect(puts[1]!.at.getTime() - puts[0]!.at.getTime()).toBeGreaterThanOrEqual(1000);
  });

  it("a 500 is retried too, and a fault with times stops after that many", async () => {
    emu.addFault({ method: "GET", pathPattern: /networkSecurityGroups\/throttled$/, status: 500, times: 1 });
    expect((await c.network.networkSecurityGroups.get("rg-f", "throttled")).name).toBe("throttled");
    const gets = emu.requests.filter((r) => r.method === "GET" && r.path.endsWith("/throttled")).slice(-2);
    expect(gets.map((r) => r.status)).toEqual([500, 200]);
  });
});

describe("failed long-running operations", () => {
  it("surface as an error and leave the resource in provisioningState Failed", async () => {
    const net = await createDualStackNetwork(c, "rg-f", "lro");
    emu.addFault({
      method: "PUT",
      pathPattern: /virtualMachines\/lro-vm$/i,
      failLro: true,
      times: 1,
      body: { error: { code: "OSProvisioningTimedOut", message: "OS provisioning did not finish in time." } },
    });
    await expect(c.compute.virtualMachines.createOrUpdate("rg-f", "lro-vm", vmModel(net.nicId))).rejects.toThrow(
      /long-running operation has failed.*OSProvisioningTimedOut/,
    );
    expect((await c.compute.virtualMachines.get("rg-f", "lro-vm")).provisioningState).toBe("Failed");
    // The fault was used up: a retried PUT converges.
    const retried = await c.compute.virtualMachines.createOrUpdate("rg-f", "lro-vm", {
      ...vmModel(net.nicId),
      osProfile: undefined,
    } as never);
    expect(retried.provisioningState).toBe("Succeeded");
  });

  it("a failed delete keeps the resource, Failed", async () => {
    await nsg("undeletable");
    emu.addFault({ method: "DELETE", pathPattern: /networkSecurityGroups\/undeletable$/, failLro: true, times: 1 });
    await expect(c.network.networkSecurityGroups.delete("rg-f", "undeletable")).rejects.toThrow(
      /long-running operation has failed/,
    );
    expect((await c.network.networkSecurityGroups.get("rg-f", "undeletable")).provisioningState).toBe("Failed");
    await c.network.networkSecurityGroups.delete("rg-f", "undeletable");
    expect((await failure(c.network.networkSecurityGroups.get("rg-f", "undeletable"))).statusCode).toBe(404);
  });
});

describe("counting and timing", () => {
  it("counts writes apart from reads and token requests", async () => {
    emu.resetRequests();
    const fresh = createAzureClients(emulatorConnection(emu), emu.subscriptionId); // a new credential: one token request
    await fresh.network.networkSecurityGroups.createOrUpdate("rg-f", "counted", { location: LOCATION });
    await fresh.network.networkSecurityGroups.get("rg-f", "counted");
    expect(emu.writeCount()).toBe(1); // the PUT
    expect(emu.readCount()).toBe(3); // status poll, final GET, the get
    expect(emu.requests.filter((r) => r.kind === "token").map((r) => r.method)).toContain("POST");
    expect(emu.tokenRequests).toHaveLength(1);
  });

  it("adds latency to every answer, or to the requests a fault matches", async () => {
    const delays = async (): Promise<(number | undefined)[]> => {
      emu.resetRequests();
      await c.network.networkSecurityGroups.get("rg-f", "counted");
      return emu.requests.filter((r) => r.kind === "arm").map((r) => r.delayMs);
    };
    emu.setLatencyMs(150);
    expect(await delays()).toEqual([150]);
    emu.setLatencyMs(0);
    emu.addFault({ method: "GET", pathPattern: /\/counted$/, latencyMs: 200, times: 1 });
    expect(await delays()).toEqual([200]);
    expect(await delays()).toEqual([0]); // the fault was used up
  });
});

describe("slow operations (lroPolls)", () => {
  let slow: Emulator;
  let s: AzureClients;
  beforeAll(async () => {
    slow = await startEmulator({ lroPolls: 2 });
    s = createAzureClients(emulatorConnection(slow, { pollIntervalMs: 20 }), slow.subscriptionId);
    await s.resources.resourceGroups.createOrUpdate("rg-s", { location: LOCATION });
  });
  afterAll(() => slow.close());

  it("gives every call the connection's poll interval (the SDKs take it per call), unless the call sets one", () => {
    const clients = createAzureClients(emulatorConnection(slow, { pollIntervalMs: 20 }), slow.subscriptionId);
    const group = clients.network.networkSecurityGroups as unknown as Record<string, unknown>;
    const options: unknown[] = [];
    // Stands in for the SDK's method, with its parameters: (resourceGroupName, name, parameters, options).
    group.beginCreateOrUpdate = (_rg: string, _name: string, _params: unknown, given?: unknown) => {
      options.push(given);
      return Promise.resolve(undefined);
    };
    void clients.network.networkSecurityGroups.beginCreateOrUpdate("rg-s", "a", { location: LOCATION });
    void clients.network.networkSecurityGroups.beginCreateOrUpdate(
      "rg-s",
      "b",
      { location: LOCATION },
      {
        updateIntervalInMs: 5,
      },
    );
    expect(options).toEqual([{ updateIntervalInMs: 20 }, { updateIntervalInMs: 5 }]);
  });

  it("answer InProgress for the configured polls", async () => {
    const poller = await s.network.networkSecurityGroups.beginCreateOrUpdate("rg-s", "slow", { location: LOCATION });
    expect((await s.network.networkSecurityGroups.get("rg-s", "slow")).provisioningState).toBe("Updating");
    // A second write while the first runs is refused, as ARM does.
    expect(
      (await failure(s.network.networkSecurityGroups.createOrUpdate("rg-s", "slow", { location: LOCATION }))).code,
    ).toBe("AnotherOperationInProgress");
    const done = await poller.pollUntilDone();
    expect(done.provisioningState).toBe("Succeeded");
    expect(slow.requests.filter((r) => r.path.includes("/operations/")).map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it("settle() finishes operations nobody polls, as Azure does in time", async () => {
    await s.network.networkSecurityGroups.beginCreateOrUpdate("rg-s", "abandoned", { location: LOCATION });
    expect((await s.network.networkSecurityGroups.get("rg-s", "abandoned")).provisioningState).toBe("Updating");
    await slow.settle();
    expect((await s.network.networkSecurityGroups.get("rg-s", "abandoned")).provisioningState).toBe("Succeeded");
  });
});

describe("the HTTPS control API", () => {
  const call = (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> =>
    new Promise((resolve, reject) => {
      const req = request(
        `${emu.endpoint}${path}`,
        { method, ca: emu.ca, headers: { "content-type": "application/json" } },
        (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode!, body: text ? JSON.parse(text) : undefined }));
        },
      );
      req.on("error", reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  it("adds faults and reads the request log for a process that only has the URL", async () => {
    expect((await call("POST", "/_emulator/reset")).status).toBe(204);
    expect(
      (
        await call("POST", "/_emulator/faults", {
          method: "PUT",
          pathPattern: "networkSecurityGroups/remote$",
          status: 409,
          times: 1,
        })
      ).status,
    ).toBe(204);
    expect((await failure(nsg("remote"))).statusCode).toBe(409);
    await nsg("remote");
    const log = await call("GET", "/_emulator/requests");
    expect(log.body.writeCount).toBe(2);
    expect(
      log.body.requests
        .filter((r: { path: string }) => r.path.endsWith("/remote"))
        .map((r: { status: number }) => r.status),
    ).toEqual([409, 201, 200]);
  });

  it("marks backends down and up again for the simulated VMs' HAProxy", async () => {
    const config = "backend port_443_default\n    server 192.0.2.7 192.0.2.7:443 check\n";
    const vmId = `/subscriptions/${emu.subscriptionId}/resourceGroups/rg-ctl/providers/Microsoft.Compute/virtualMachines/vm-ctl`;
    emu.seedResource(vmId, { properties: { userData: Buffer.from(config).toString("base64") } });
    const health = async () =>
      parseHealthAnswer((await emu.currentRunCommandHandler()(vmId, reportScriptLines())).stdout).servers;
    expect((await call("POST", "/_emulator/backends", { address: "192.0.2.7", state: "sideways" })).status).toBe(400);
    expect(
      (await call("POST", "/_emulator/backends", { address: "192.0.2.7", state: "down", failure: "timeout" })).status,
    ).toBe(204);
    expect(await health()).toEqual([expect.objectContaining({ server: "192.0.2.7", up: false, check: "L4TOUT" })]);
    expect((await call("DELETE", "/_emulator/backends")).status).toBe(204);
    expect(await health()).toEqual([expect.objectContaining({ server: "192.0.2.7", up: true, check: "L4OK" })]);
  });
});
