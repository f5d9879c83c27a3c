/**
 * The plan job runs on pull requests, so its Azure identity is in the hands
 * of anyone who can push a branch: a pull request may change the workflow's
 * steps and use the identity as it likes. It must be read-only (role-plan.json),
 * with writes left to the apply job's identity behind a protected environment.
 * This check lists the identity's own permissions on the resource groups the
 * plan read and warns when it could change anything there, or when it cannot
 * even tell (the plan role may list its permissions; the apply role may not).
 * It never fails the plan.
 */
import { type ReadScope, writeAccess } from "../azure/permissions.js";
import { parentArmId, parseArmId } from "../model/arm-id.js";
import { ROLE_FILES } from "../model/roles.js";
import type { OperationContext } from "../operations.js";
import { alert, text } from "../plan/markdown-format.js";
import type { Plan } from "../plan/types.js";
import type { ActionRun } from "./run.js";

/** A plan's resource groups are few; the cap keeps a huge repository from making hundreds of calls. */
const MAX_SCOPES = 20;
const ADVICE =
  `Give the plan job its own identity with the read-only role in ${ROLE_FILES.plan}, and keep ${ROLE_FILES.apply} ` +
  'for the apply job, in a protected GitHub environment (README, "Two identities").';

/**
 * The existing scopes the plan read: every resource group it names, except
 * those it would create, and every DNS zone it writes records in. The zones
 * count on their own because the README has the DNS role assigned per zone,
 * and a role on a zone does not show in its resource group's permissions.
 */
function readScopes(plan: Plan): ReadScope[] {
  const created = new Set(
    plan.changes
      .filter((c) => c.kind === "resourceGroup" && c.action === "create")
      .map((c) => `${c.subscriptionId}/${c.resourceGroup}`.toLowerCase()),
  );
  const scopes = new Map<string, ReadScope>();
  for (const c of plan.changes) {
    const key = `${c.subscriptionId}/${c.resourceGroup}`.toLowerCase();
    if (created.has(key)) continue;
    if (!scopes.has(key)) scopes.set(key, { subscriptionId: c.subscriptionId, resourceGroup: c.resourceGroup });
    const zone = c.kind === "dnsRecord" ? parseArmId(parentArmId(c.id)) : undefined;
    if (zone && zone.type.toLowerCase() === "microsoft.network/dnszones") {
      const resource = `${zone.type}/${zone.name}`;
      const zoneKey = `${key}/${resource}`.toLowerCase();
      if (!scopes.has(zoneKey))
        scopes.set(zoneKey, { subscriptionId: c.subscriptionId, resourceGroup: c.resourceGroup, resource });
    }
  }
  return [...scopes.values()].slice(0, MAX_SCOPES);
}

/** How a scope reads in a message: `resource group rg-app`, or `DNS zone example.nl (rg-dns)`. */
function scopeName(a: ReadScope): string {
  if (!a.resource) return `resource group ${a.resourceGroup}`;
  const [, type, name] = /^[^/]+\/([^/]+)\/(.+)$/.exec(a.resource) ?? [];
  return type?.toLowerCase() === "dnszones"
    ? `DNS zone ${name} (${a.resourceGroup})`
    : `${a.resource} (${a.resourceGroup})`;
}

export async function warnIfPlanIdentityCanWrite(run: ActionRun, plan: Plan, ctx: OperationContext): Promise<void> {
  const scopes = readScopes(plan);
  if (scopes.length === 0) {
    // ARM lists a caller's permissions per resource group or resource only (Permissions_ListForResourceGroup,
    // Permissions_ListForResource in azure-rest-api-specs authorization 2022-04-01), not per subscription.
    run.core.info(
      "No existing resource group to check the plan identity's permissions on (Azure lists them per resource group); the check runs once one exists.",
    );
    return;
  }
  const access = await writeAccess(ctx.connection, scopes);
  const writable = access.flatMap((a) => ("writes" in a && a.writes.length > 0 ? [a] : []));
  const refused = access.flatMap((a) => ("error" in a && (a.error as { status?: unknown }).status === 403 ? [a] : []));
  const failed = access.flatMap((a) => ("error" in a && !refused.includes(a) ? [a] : []));

  const [first] = writable;
  if (first) {
    const shown = first.writes.slice(0, 3).join(", ");
    const more = first.writes.length > 3 ? ` and ${first.writes.length - 3} more` : "";
    const where = writable.map(scopeName).join(", ");
    await report(
      run,
      `The plan job's Azure identity can change Azure: on ${where} it holds ${shown}${more}. ` +
        "Any pull request that edits the workflow could use that access without review or merge. " +
        ADVICE,
    );
  } else if (refused.length > 0) {
    await report(
      run,
      "Could not verify that the plan job's Azure identity is read-only: it may not list its own permissions " +
        `(Microsoft.Authorization/permissions/read, which ${ROLE_FILES.plan} includes and ${ROLE_FILES.apply} does not). ` +
        `If it holds ${ROLE_FILES.apply}, any pull request can use its write access. ${ADVICE}`,
    );
  } else {
    const checked = access.filter((a) => "writes" in a);
    if (checked.length > 0) run.core.info(`The plan identity is read-only on ${checked.map(scopeName).join(", ")}.`);
  }
  for (const a of failed)
    run.core.info(`Could not list the plan identity's permissions on ${scopeName(a)}: ${a.error.message}`);
}

async function report(run: ActionRun, message: string): Promise<void> {
  run.core.warning(message);
  await run.core.appendSummary(`${alert("WARNING", [text(message)])}\n`);
}
