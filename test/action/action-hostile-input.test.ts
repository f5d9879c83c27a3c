/**
 * Nothing from a file, a tag, a comment or an Azure error can steer the job:
 * each attack performed end to end, `node dist/index.js` as the runner starts
 * it, with its stdout and stderr read the way the runner reads them.
 */
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { armId } from "../../src/model/arm-id.js";
import { resourceNames, TOOL_NAME } from "../../src/model/names.js";
import { stateMarker, stickyMarker } from "../../src/plan/comment-marker.js";
import type { ActionRunResult } from "../support/action-runner.js";
import { type ActionWorld, REPOSITORY, startActionWorld, stickyComments } from "../support/action-world.js";
import { ACTIONS_BOT } from "../support/github-double.js";
import { proxyYaml } from "../support/proxy-files.js";
import { commandsIn } from "../support/workflow-commands.js";

/** The commands the action issues itself; anything else in its output was injected. */
const OUR_COMMANDS = new Set(["group", "endgroup", "error", "warning", "debug"]);

/** Every workflow command the runner would find in the run's output that the action did not mean to issue. */
function injected(run: ActionRunResult) {
  const all = [...commandsIn(run.stdout), ...commandsIn(run.stderr)];
  return all.filter(
    (c) =>
      !OUR_COMMANDS.has(c.command) ||
      c.syntax !== "::" ||
      // Our annotations never carry these properties; an injected one would.
      /^\s*::(error|warning) title=Forged/u.test(c.line),
  );
}

const PAYLOAD =
  "\n::add-mask::INJECTED\n::stop-commands::INJECTED\n::error title=Forged::INJECTED\n##[add-mask]INJECTED";

let world: ActionWorld;
let nextPr = 1;

beforeAll(async () => {
  world = await startActionWorld();
  world.emulator.seedDnsZone(world.emulator.subscriptionId, "rg-dns", "example.nl");
}, 240_000);
afterAll(async () => {
  await world?.close();
});
beforeEach(() => {
  for (const name of ["www", "evil", "link", "bidi", "zw"]) {
    try {
      world.files.remove(name);
    } catch {
      // not there
    }
  }
  world.emulator.clearFaults();
  world.emulator.resetRequests();
});

describe("workflow commands in logged values", () => {
  it("a reviewed record whose fields carry %0A::add-mask:: is no record, and no command reaches the runner", async () => {
    const pr = nextPr++;
    world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-hostile-1" }));
    world.openPullRequest(pr);
    // A record in the bot's own comment, as if an earlier run or a tampered edit had left it there.
    const marker = stickyMarker("plan", "proxies", REPOSITORY);
    const forged = stateMarker({ status: "planned", fingerprint: "0".repeat(64), sha: world.headSha(pr) }).replace(
      "fingerprint=",
      "fingerprint=%0A::add-mask::INJECTED%0A",
    );
    world.github.addComment(pr, `${marker}\n${forged}\n`, ACTIONS_BOT);
    const run = await world.apply(world.merge(pr));
    expect(run.code).toBe(1);
    expect(injected(run)).toEqual([]);
    expect(world.emulator.writeCount()).toBe(0);
  });

  it("an Azure error message with line breaks and commands fails the apply, and stays text", async () => {
    const pr = nextPr++;
    world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-hostile-2" }));
    world.openPullRequest(pr);
    expect((await world.plan(pr)).code).toBe(0);
    world.emulator.addFault({
      method: "PUT",
      pathPattern: /networkSecurityGroups\//i,
      status: 400,
      body: { error: { code: "InvalidParameter", message: `The request was refused.${PAYLOAD}` } },
    });
    const run = await world.apply(world.merge(pr));
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`).toContain("INJECTED");
    expect(injected(run)).toEqual([]);
  });

  it("a proxy-name tag that someone wrote in Azure is no name: the resource is left alone and nothing is injected", async () => {
    const pr = nextPr++;
    const sub = world.emulator.subscriptionId;
    const nsg = resourceNames("www").networkSecurityGroup;
    world.emulator.seedResource(armId(sub, "rg-hostile-3", "Microsoft.Network", "networkSecurityGroups", nsg), {
      location: "westeurope",
      tags: { managedBy: TOOL_NAME, ipv6ProxyOwner: REPOSITORY, ipv6ProxyName: `www${PAYLOAD}` },
      properties: { securityRules: [] },
    });
    world.files.write("www", proxyYaml({ name: "www", resourceGroup: "rg-hostile-3" }));
    world.openPullRequest(pr);
    const run = await world.plan(pr);
    expect(run.code).toBe(1); // the name clash is a plan error
    expect(injected(run)).toEqual([]);
    const [comment] = stickyComments(world, pr, "plan");
    expect(comment?.body).toContain("carries this tool&#39;s mark".replace("&#39;", "'"));
    expect(comment?.body).not.toContain("::add-mask::");
    expect(world.emulator.writeCount()).toBe(0);
  });

  it("values in a proxy file become annotations, never commands of their own", async () => {
    const pr = nextPr++;
    world.files.write(
      "evil",
      `name: "evil${PAYLOAD.replace(/\n/g, "\\n")}"\nlocation: westeurope\nresourceGroup: "rg\\n::add-mask::INJECTED"\nbackends: [203.0.113.7]\n`,
    );
    world.openPullRequest(pr);
    const run = await world.plan(pr);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^::error .*file=proxies\/evil\.yaml/m);
    expect(injected(run)).toEqual([]);
    expect(world.emulator.readCount()).toBe(0);
  });
});

describe("events and endpoints that would hand out trust", () => {
  it("refuses pull_request_target before reading anything, and says why", async () => {
    world.files.write("www", proxyYaml({ name: "www" }));
    const pr = nextPr++;
    world.openPullRequest(pr);
    world.github.requests.length = 0;
    const run = await world.plan(pr, { eventName: "pull_request_target" });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::This action does not run on pull_request_target: .*secrets, a write token/);
    expect(world.emulator.requests).toEqual([]);
    expect(world.github.requests).toEqual([]);
  });

  it("refuses a Resource Manager endpoint over plain http, and an unknown one without the opt-in, sending no token", async () => {
    world.files.write("www", proxyYaml({ name: "www" }));
    const pr = nextPr++;
    world.openPullRequest(pr);
    const http = await world.plan(pr, {
      inputs: { "resource-manager-endpoint": world.emulator.endpoint.replace("https:", "http:") },
    });
    expect(http.code).toBe(1);
    expect(http.stdout).toContain("never travel over plain http");
    const unknown = await world.plan(pr, { inputs: { "allow-custom-endpoints": "false" } });
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(
      /::error::Input 'resource-manager-endpoint': https:\/\/127\.0\.0\.1:\d+ belongs to none of the known Azure clouds/,
    );
    // Neither run asked the emulator (the would-be endpoint) for anything, a token least of all.
    expect(world.emulator.requests).toEqual([]);
    expect(world.emulator.tokenRequests).toEqual([]);
  });
});

describe("proxy files that hide what they are", () => {
  it("refuses a symbolic link to a file outside the repository, without reading it", async () => {
    const secret = join(world.files.root, "..", `ipv6px-secret-${process.pid}.txt`);
    writeFileSync(secret, "location: westeurope\nresourceGroup: SECRET-TOKEN-VALUE\nbackends: [203.0.113.7]\n");
    symlinkSync(secret, join(world.files.dir, "link.yaml"));
    const pr = nextPr++;
    world.openPullRequest(pr);
    const run = await world.plan(pr);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error .*file=proxies\/link\.yaml.*::proxies\/link\.yaml:1:1 is a symbolic link/);
    const everything = `${run.stdout}${run.stderr}${run.summary}${JSON.stringify(world.github.comments(pr))}`;
    expect(everything).not.toContain("SECRET-TOKEN-VALUE");
    expect(world.emulator.readCount()).toBe(0);
  });

  it("refuses bidirectional characters with their line and column, before Azure is asked anything", async () => {
    world.files.write("bidi", `${proxyYaml({ name: "bidi" })}# looks harmless \u202e // admin\n`);
    const pr = nextPr++;
    world.openPullRequest(pr);
    const run = await world.plan(pr);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error .*file=proxies\/bidi\.yaml,line=5,col=18.*U\+202E \(RIGHT-TO-LEFT OVERRIDE\)/);
    const [comment] = stickyComments(world, pr, "plan");
    expect(comment?.body).toContain("U+202E");
    expect(comment?.body).not.toContain("\u202e");
    expect(world.emulator.readCount()).toBe(0);
  });

  it("refuses a zero-width character hidden in a value, which would make two names look alike", async () => {
    // "www" and "w\u200bww" read the same to a reviewer; Azure and DNS would see two different names.
    world.files.write("zw", proxyYaml({ name: "zw", zone: "example.nl", records: ["w\u200bww"] }));
    const pr = nextPr++;
    world.openPullRequest(pr);
    const run = await world.plan(pr);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error .*file=proxies\/zw\.yaml,line=\d+,col=\d+.*U\+200B \(ZERO WIDTH SPACE\)/);
    const [comment] = stickyComments(world, pr, "plan");
    expect(comment?.body).toContain("U+200B");
    expect(comment?.body).not.toContain("\u200b");
    expect(world.emulator.readCount()).toBe(0);
  });
});
