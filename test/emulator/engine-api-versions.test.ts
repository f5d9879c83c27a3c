/**
 * A cloud that lacks an api-version this release sends (a sovereign cloud a
 * few months behind) is a plan-time error naming the resource type and what
 * the cloud offers, read from GET /providers/{namespace} through the real SDK
 * clients; the emulator refuses such requests the way ARM does.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../../src/log.js";
import { ApiVersionsUnavailableError, planFromDir } from "../../src/operations.js";
import { type Harness, startHarness } from "../support/engine-harness.js";
import { ProxyDir, proxyYaml } from "../support/proxy-files.js";

let h: Harness;
const files = new ProxyDir();
const SDK_NETWORK_VERSION = "2026-01-01";

beforeAll(async () => {
  h = await startHarness();
  files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-versions" }));
});
afterAll(async () => {
  await h?.close();
  files.cleanup();
});
afterEach(() => {
  h.emulator.clearFaults();
  h.emulator.providers.offer("Microsoft.Network", "publicIPAddresses", [SDK_NETWORK_VERSION, "2024-07-01"]);
  h.emulator.providers.offer("Microsoft.Resources", "subscriptions/providers", ["2025-04-01", "2024-03-01"]);
  h.emulator.resetRequests();
});

const providerReads = () => h.emulator.requests.filter((r) => r.method === "GET" && /\/providers\/[^/]+$/.test(r.path));

async function planError(): Promise<ApiVersionsUnavailableError> {
  try {
    await planFromDir(files.dir, h.ctx("acme/versions"));
  } catch (err) {
    if (err instanceof ApiVersionsUnavailableError) return err;
    throw err;
  }
  throw new Error("expected the plan to fail");
}

describe("the api-versions a cloud offers", () => {
  it("are read once per provider and subscription, whatever the number of proxies", async () => {
    const one = await planFromDir(files.dir, h.ctx("acme/versions"));
    expect(one.plan?.errors).toEqual([]);
    const reads = providerReads().map((r) => r.path.split("/").pop());
    expect(reads.sort()).toEqual(["Microsoft.Compute", "Microsoft.Network", "Microsoft.Resources"]);

    const many = new ProxyDir();
    for (let i = 0; i < 6; i++) many.write(`p${i}`, proxyYaml({ name: `p${i}`, resourceGroup: `rg-v${i}` }));
    h.emulator.resetRequests();
    await planFromDir(many.dir, h.ctx("acme/versions"));
    many.cleanup();
    expect(providerReads()).toHaveLength(3);
  });

  it("lacking one the engine sends is a plan error naming the resource type and the versions offered, with no write", async () => {
    h.emulator.providers.offer("Microsoft.Network", "publicIPAddresses", ["2025-05-01", "2024-07-01", "2024-05-01"]);
    const err = await planError();
    expect(err.problems).toEqual([
      "Microsoft.Network/publicIPAddresses: this release sends api-version 2026-01-01, which the cloud does not offer; it offers 2025-05-01, 2024-07-01, 2024-05-01",
    ]);
    expect(err.message).toContain(`the Azure Resource Manager at ${h.emulator.endpoint} does not offer`);
    expect(h.emulator.writeCount()).toBe(0);
  });

  it("are enforced by the emulator as ARM does: 400 NoRegisteredProviderFound listing the supported versions", async () => {
    h.emulator.providers.offer("Microsoft.Network", "publicIPAddresses", ["2025-05-01"]);
    const err = await h
      .clients()
      .network.publicIPAddresses.get("rg-versions", "any")
      .then(
        () => undefined,
        (e: unknown) => e as { statusCode?: number; code?: string; message: string },
      );
    expect(err).toMatchObject({ statusCode: 400, code: "NoRegisteredProviderFound" });
    expect(err!.message).toContain(
      `API version '${SDK_NETWORK_VERSION}' for type 'publicIPAddresses'. The supported api-versions are '2025-05-01'.`,
    );
  });

  it("names the provider read itself when the cloud lacks its version", async () => {
    h.emulator.providers.offer("Microsoft.Resources", "subscriptions/providers", ["2021-04-01"]);
    const err = await planError();
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(
      /^Microsoft\.Resources\/subscriptions\/providers: No registered resource provider found .* The supported api-versions are '2021-04-01'\.$/,
    );
  });

  it("are not checked, with a warning, when the identity may not read providers (a role on resource groups only)", async () => {
    h.emulator.addFault({
      method: "GET",
      pathPattern: /\/providers\/Microsoft\.(Network|Compute|Resources)$/,
      status: 403,
      body: {
        error: {
          code: "AuthorizationFailed",
          message: `The client does not have authorization to perform action 'Microsoft.Resources/subscriptions/providers/read' over scope '/subscriptions/${h.emulator.subscriptionId}' or the scope is invalid.`,
        },
      },
    });
    const warnings: string[] = [];
    const log: Logger = { info: () => {}, warn: (m) => warnings.push(m), group: (_n, fn) => fn() };
    const { plan } = await planFromDir(files.dir, { ...h.ctx("acme/versions"), log });
    expect(plan?.errors).toEqual([]);
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toContain("Microsoft.Resources/subscriptions/providers/read at subscription scope");
  });
});
