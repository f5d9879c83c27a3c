/**
 * The scheduled drift run with the read-only plan identity (role-plan.json),
 * run as the runner runs it (node dist/index.js against the GitHub double).
 * That identity may not use Run Command, so backend health comes from the
 * check from outside: connections to the proxy's public IPv4. The emulator
 * allocates that address on loopback, where a stand-in answers as HAProxy
 * would (test/support/proxy-stand-in.ts), driven by the same backend states
 * the simulated VM reports through Run Command.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resourceNames } from "../../src/model/names.js";
import { type ActionWorld, MAIN_SUBJECT, startActionWorld } from "../support/action-world.js";
import { type ProxyStandIn, startProxyStandIn } from "../support/proxy-stand-in.js";
import { ROOT, requirements } from "../support/requirements.js";
import { shippedRole } from "../support/roles.js";

// The stand-in listens on ports 80 and 443, as the proxy does.
const needs = await requirements("outside-in drift", ROOT);

const SHOP = `name: shop
location: westeurope
resourceGroup: rg-shop
backends: [203.0.113.70]
routes:
  - hostnames: [api.ops.example]
    backends: [203.0.113.71]
dns:
  zone: ops.example
  resourceGroup: rg-dns
  records: ["shop", "api"]
`;

describe("drift with the read-only identity", needs, () => {
  let world: ActionWorld;
  let standIn: ProxyStandIn | undefined;
  let planClientId = "";
  let address = "";

  beforeAll(async () => {
    world = await startActionWorld({ publicIpv4Prefix: "127.77.0.0/24" });
    world.emulator.seedDnsZone(world.emulator.subscriptionId, "rg-dns", "ops.example");
    world.files.write("shop", SHOP);
    world.openPullRequest(1);
    expect((await world.plan(1)).code).toBe(0);
    const applied = await world.apply(world.merge(1));
    expect(applied.code, applied.stdout).toBe(0);
    const pip4 = await world.clients().network.publicIPAddresses.get("rg-shop", resourceNames("shop").publicIpV4);
    address = pip4.ipAddress!;
    standIn = await startProxyStandIn(
      address,
      {
        ports: [80, 443],
        tlsPorts: [443],
        backends: ["203.0.113.70"],
        routes: [{ hostnames: ["api.ops.example"], backends: ["203.0.113.71"] }],
      },
      (server, port) => world.emulator.backendUp(server, port),
    );
    // The example workflow's drift job: the plan identity, federated on the default branch.
    const plan = world.emulator.addApplication({ federatedSubjects: [MAIN_SUBJECT] });
    world.emulator.assignRole(plan.clientId, `/subscriptions/${world.emulator.subscriptionId}`, shippedRole("plan"));
    planClientId = plan.clientId;
  }, 240_000);
  afterAll(async () => {
    await standIn?.close();
    await world?.close();
  });

  const drift = (sha: string) => world.scheduled(sha.repeat(40), { inputs: { "client-id": planClientId } });
  const ourIssues = () => world.github.issues().filter((i) => i.user.login === "github-actions[bot]");

  it("checks every route from outside and opens no issue while all answer", async () => {
    expect(address).toBe("127.77.0.1");
    world.emulator.resetRequests();
    const run = await drift("a");
    expect(run.code, run.stdout).toBe(0);
    // Run Command was asked and refused: the identity is read-only, nothing ran on the VM.
    const runCommands = world.emulator.requests.filter((r) => r.kind === "arm" && r.path.endsWith("/runCommand"));
    expect(runCommands.map((r) => r.status)).toEqual([403]);
    expect(world.emulator.requests.filter((r) => r.kind === "arm" && r.method !== "GET" && r.status < 400)).toEqual([]);
    expect(run.outputs).toMatchObject({ drift: "false", health: "healthy" });
    const row = run.summary.split("\n").find((l) => l.startsWith("| `shop` | ✅ healthy"))!;
    expect(row).toContain(
      "80 api.ops.example (HTTP) answers<br>80 shop.ops.example (HTTP) answers<br>443 api.ops.example (TLS) answers<br>443 shop.ops.example (TLS) answers",
    );
    expect(row).toContain(`| from outside (IPv4 ${address}) |`);
    expect(run.summary).toContain("backends checked from outside instead");
    expect(ourIssues()).toEqual([]);
  });

  it("opens the issue under its health heading when a route's backends die, and closes it after recovery", async () => {
    world.emulator.setBackendHealth("203.0.113.71", "down");
    const first = await drift("b");
    expect(first.code, first.stdout).toBe(0);
    expect(first.outputs).toMatchObject({ drift: "false", health: "warning" });
    const [issue] = ourIssues();
    expect(ourIssues()).toHaveLength(1);
    expect(issue!.title).toBe("Azure IPv6 proxies: health in proxies/");
    expect(issue!.labels).toEqual(["ipv6-proxy/drift"]);
    expect(issue!.body).toContain("## Drift\n\nNone: Azure matches the files.");
    expect(issue!.body).toMatch(
      /## Health[\s\S]*`shop`: port 443, route 1 gives no answer from outside \(443 api\.ops\.example \(TLS\): HAProxy closed the connection without an answer: no backend server is up\)/,
    );
    expect(issue!.body).toContain("`shop`: port 80, route 1 gives no answer from outside");
    expect(issue!.body).toContain(`| from outside (IPv4 ${address}) |`);

    // Every backend dead: nobody is served, so the job fails, and the same issue is updated.
    world.emulator.setBackendHealth("203.0.113.70", "down");
    const second = await drift("c");
    expect(second.code).toBe(1);
    expect(second.stdout).toMatch(
      /^::error::Verification failed for shop \(no backend answers through the proxy from outside/m,
    );
    expect(ourIssues()).toHaveLength(1);
    expect(ourIssues()[0]!.body).toContain(`\`${"c".repeat(40)}\``);

    // The backends recover: the next run closes the issue with a comment.
    world.emulator.resetVmHealth();
    const third = await drift("d");
    expect(third.code, third.stdout).toBe(0);
    const closed = world.github.issues().find((i) => i.number === issue!.number)!;
    expect(closed.state).toBe("closed");
    expect(world.github.comments(issue!.number).map((c) => c.body)).toEqual([
      expect.stringContaining("Resolved: the [check]"),
    ]);
  });
});
