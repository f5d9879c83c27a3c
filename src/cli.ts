/**
 * `azure-ipv6-proxy plan|apply|demo|emulator`: the engine from a terminal,
 * against live Azure (DefaultAzureCredential) or the embedded emulator.
 * Exit codes follow Terraform: 0 ok, 1 error, 2 (plan --detailed-exitcode) changes.
 */
import { parseArgs } from "node:util";
import type { AzureConnection } from "./azure/clients.js";
import { createCredential } from "./azure/credentials.js";
import { emulatorConnection } from "./azure/emulator-connection.js";
import { type Emulator, startEmulator } from "./emulator/server.js";
import { consoleLogger } from "./log.js";
import {
  CloudConfigError,
  describeCloud,
  resolveCloud,
  unknownEndpointMessage,
  unknownEndpoints,
} from "./model/clouds.js";
import { checkOwner } from "./model/owner.js";
import {
  applyPlan,
  DEFAULT_CONCURRENCY,
  defaultOwner,
  type OperationContext,
  type PlanOutcome,
  planFromDir,
  statusFromDir,
  verifyApplied,
} from "./operations.js";
import { applyResultBody, planBody } from "./plan/comment.js";
import { stateMarker, stickyMarker } from "./plan/comment-marker.js";
import { countChanges } from "./plan/counts.js";
import { renderPlanJson } from "./plan/render-json.js";
import { renderPlanMarkdown } from "./plan/render-markdown.js";
import { renderPlanText } from "./plan/render-text.js";
import type { AppliedProxy } from "./plan/types.js";
import { loadProxyDir } from "./proxyfile/load.js";
import { formatSpecError, type SpecError } from "./proxyfile/types.js";
import { renderHealthText } from "./verify/render.js";

const USAGE = `usage: azure-ipv6-proxy <plan|apply|status|demo|emulator> [options]

  plan                  show what apply would change (read-only)
  apply                 plan, then carry the plan out, then check the proxies it created or changed
  status                every proxy's address, DNS answers and backend health, checked from outside (read-only)
  demo                  plan and apply proxies/ on the embedded Azure emulator, printing the PR comment
  emulator              run the Azure emulator on its own (prints endpoint, CA file and credentials)

options:
  --path DIR                     proxy files (default: proxies)
  --emulator                     use an embedded Azure emulator instead of Azure
  --subscription-id ID           default subscription (or AZURE_SUBSCRIPTION_ID)
  --resource-manager-endpoint U  ARM endpoint (default: the authority host's cloud, else https://management.azure.com)
  --authority-host URL           Entra ID authority (or AZURE_AUTHORITY_HOST; default: the ARM endpoint's cloud)
  --allow-custom-endpoints       accept endpoints outside the known Azure clouds (they receive your Azure tokens)
  --owner NAME                   ownership instance (default: GITHUB_REPOSITORY or the git remote's org/repo)
  --allow-destroy                let apply delete or replace resources
  --json                         plan, status: print JSON
  --markdown                     plan: print the PR comment Markdown
  --detailed-exitcode            plan: exit 2 when there are changes
  --concurrency N                proxies worked on at once (default 20)
`;

const OPTIONS = {
  path: { type: "string", default: "proxies" },
  emulator: { type: "boolean", default: false },
  "subscription-id": { type: "string" },
  "resource-manager-endpoint": { type: "string" },
  "authority-host": { type: "string" },
  "allow-custom-endpoints": { type: "boolean", default: false },
  owner: { type: "string" },
  "allow-destroy": { type: "boolean", default: false },
  json: { type: "boolean", default: false },
  markdown: { type: "boolean", default: false },
  "detailed-exitcode": { type: "boolean", default: false },
  concurrency: { type: "string", default: String(DEFAULT_CONCURRENCY) },
  help: { type: "boolean", short: "h", default: false },
} as const;

const parseCommandLine = (argv: string[]) =>
  parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });

export async function main(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  let args: ReturnType<typeof parseCommandLine>;
  try {
    args = parseCommandLine(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    return 1;
  }
  const { values: o, positionals } = args;
  const command = positionals[0];
  if (o.help || !command) {
    (o.help ? out : process.stderr).write(USAGE);
    return o.help ? 0 : 1;
  }
  if (!["plan", "apply", "status", "demo", "emulator"].includes(command)) {
    process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
    return 1;
  }
  const log = consoleLogger(process.stderr);
  const owner = o.owner ?? defaultOwner(process.env, process.cwd()) ?? "local";
  const ownerProblem = checkOwner(owner);
  if (ownerProblem) {
    process.stderr.write(`--owner "${owner}" ${ownerProblem}\n`);
    return 1;
  }
  const concurrency = Number(o.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
    process.stderr.write(`--concurrency must be a whole number from 1 to 64\n`);
    return 1;
  }

  if (command === "emulator") return runEmulatorOnly(out);

  let emulator: Emulator | undefined;
  try {
    let connection: AzureConnection;
    let subscriptionId = o["subscription-id"] ?? process.env.AZURE_SUBSCRIPTION_ID;
    if (o.emulator || command === "demo") {
      // Validate before starting anything, so bad files fail the same way with or without the emulator.
      const check = await loadProxyDir(o.path);
      if (check.errors.length) return reportSpecErrors(check.errors);
      emulator = await startEmulator();
      subscriptionId ??= emulator.subscriptionId;
      for (const p of check.proxies) {
        if (p.dns) emulator.seedDnsZone(p.subscriptionId ?? subscriptionId, p.dns.resourceGroup, p.dns.zone);
      }
      log.info(`Azure emulator at ${emulator.endpoint} (DNS zones of the proxy files seeded)`);
      connection = emulatorConnection(emulator);
    } else {
      const cloud = resolveCloud({
        resourceManagerEndpoint: o["resource-manager-endpoint"],
        authorityHost: o["authority-host"] ?? process.env.AZURE_AUTHORITY_HOST,
      });
      const [unknown] = o["allow-custom-endpoints"] ? [] : unknownEndpoints(cloud);
      if (unknown) {
        const url = unknown === "authority-host" ? cloud.authorityHost : cloud.resourceManagerEndpoint;
        process.stderr.write(`error: --${unknown}: ${unknownEndpointMessage(url, "--allow-custom-endpoints")}\n`);
        return 1;
      }
      log.info(describeCloud(cloud, { oidc: false }));
      connection = {
        resourceManagerEndpoint: cloud.resourceManagerEndpoint,
        // Environment variables, `az login` or a managed identity; a non-public authority host skips instance discovery.
        credential: createCredential({ kind: "default", authorityHost: cloud.authorityHost }),
        scope: cloud.armScope,
        // Health checks ask each zone's name servers; AZURE_DNS_NAME_SERVER_ADDRESS sends them all to one HOST:PORT.
        ...(process.env.AZURE_DNS_NAME_SERVER_ADDRESS
          ? { nameServerAddress: process.env.AZURE_DNS_NAME_SERVER_ADDRESS }
          : {}),
      };
    }
    const ctx: OperationContext = {
      connection,
      owner,
      log,
      concurrency,
      defaultSubscriptionId: subscriptionId,
    };

    if (command === "demo") return await demo(o.path, ctx, out);
    if (command === "status") {
      const status = await statusFromDir(o.path, ctx);
      if (!status.health) return reportSpecErrors(status.specErrors);
      out.write(o.json ? `${JSON.stringify(status.health, null, 2)}\n` : `${renderHealthText(status.health)}\n`);
      return status.health.verdict === "failure" ? 1 : 0;
    }

    const outcome = await planFromDir(o.path, ctx);
    if (!outcome.plan) return reportSpecErrors(outcome.specErrors);
    const plan = outcome.plan;
    if (command === "plan") {
      if (o.json) out.write(renderPlanJson(plan));
      else if (o.markdown)
        out.write(`${renderPlanMarkdown(plan, { marker: planMarkers(o.path, owner, plan.fingerprint) })}\n`);
      else out.write(`${renderPlanText(plan, { color: process.stdout.isTTY === true })}\n`);
      if (plan.errors.length) return 1;
      const { add, change, destroy } = countChanges(plan.changes);
      return o["detailed-exitcode"] && add + change + destroy > 0 ? 2 : 0;
    }
    out.write(`${renderPlanText(plan, { color: process.stdout.isTTY === true })}\n`);
    const result = await applyPlan(outcome, ctx, { allowDestroy: o["allow-destroy"] });
    out.write(`${applyResultText(result.proxies, result.durationMs)}\n`);
    const health = await verifyApplied(outcome, result.proxies, ctx);
    if (health.proxies.length) out.write(`\nVerification:\n${renderHealthText(health)}\n`);
    return health.verdict === "failure" ? 1 : 0;
  } catch (e) {
    const flag = e instanceof CloudConfigError ? `--${e.field}: ` : "";
    process.stderr.write(`error: ${flag}${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    await emulator?.close();
  }
}

/** What a new user sees first: the PR comment for the sample proxies, the apply, and a clean re-plan. */
async function demo(path: string, ctx: OperationContext, out: NodeJS.WritableStream): Promise<number> {
  const first: PlanOutcome = await planFromDir(path, ctx);
  if (!first.plan) return reportSpecErrors(first.specErrors);
  const title = `azure-ipv6-proxy plan for ${path}/`;
  const marker = planMarkers(path, ctx.owner, first.plan.fingerprint);
  out.write(`\n----- PR comment the action would post (plan) -----\n\n`);
  out.write(`${planBody(first.plan, { marker, title })}\n`);
  const result = await applyPlan(first, ctx, { allowDestroy: false });
  const health = await verifyApplied(first, result.proxies, ctx);
  out.write(`
----- PR comment the action would post (after merge: apply, then verification) -----

`);
  const applyMarker = `${stickyMarker("apply", path, ctx.owner)}\n${stateMarker({ status: "applied", fingerprint: first.plan.fingerprint })}`;
  out.write(
    `${applyResultBody(result, { marker: applyMarker, title: `azure-ipv6-proxy apply for ${path}/` }, [], health)}\n`,
  );
  const again = await planFromDir(path, ctx);
  out.write(`\n----- Plan again (should be empty: apply is idempotent) -----\n\n`);
  out.write(`${renderPlanText(again.plan!, { color: false })}\n`);
  return 0;
}

function planMarkers(path: string, owner: string, fingerprint: string): string {
  return `${stickyMarker("plan", path, owner)}\n${stateMarker({ status: "planned", fingerprint })}`;
}

function applyResultText(proxies: AppliedProxy[], durationMs: number): string {
  const rows = proxies.map(
    (p) =>
      `  ${p.name.padEnd(30)} ${p.status.padEnd(10)} ${(p.ipv6Address ?? "-").padEnd(40)} ${(p.ipv4Address ?? "-").padEnd(16)} ${p.dnsNames.join(", ")}`,
  );
  const header = `  ${"proxy".padEnd(30)} ${"status".padEnd(10)} ${"IPv6 address".padEnd(40)} ${"IPv4 (backends)".padEnd(16)} DNS names`;
  return [`Apply complete in ${(durationMs / 1000).toFixed(1)} s:`, header, ...rows].join("\n");
}

async function runEmulatorOnly(out: NodeJS.WritableStream): Promise<number> {
  const { runStandalone } = await import("./emulator/main.js");
  await runStandalone(out);
  return 0;
}

function reportSpecErrors(errors: SpecError[]): number {
  for (const e of errors) process.stderr.write(`${formatSpecError(e)}\n`);
  process.stderr.write(`\n${errors.length} error(s) in the proxy files; nothing was sent to Azure.\n`);
  return 1;
}
