/**
 * The loud part of the PR comment: errors and warnings as GitHub alert
 * blocks, most dangerous first. Under a size budget each block keeps its
 * heading and count and lists fewer items, never silently none.
 */
import { type AlertKind, alert, code, plural, text } from "./markdown-format.js";
import { azureResource } from "./markdown-proxies.js";
import { type PlanView, pendingChanges } from "./render-shared.js";
import type { Change, PlanError, PlanWarning } from "./types.js";

export interface AlertGroup {
  kind: AlertKind;
  heading: string;
  /** Extra sentence under the heading. */
  note?: string;
  items: string[];
}

/** Every alert item the plan has, in the order they are kept under truncation. */
export function alertGroups(view: PlanView): AlertGroup[] {
  const plan = view.plan;
  const groups: AlertGroup[] = [];
  const byCode = (...codes: PlanWarning["code"][]): PlanWarning[] =>
    plan.warnings.filter((w) => codes.includes(w.code));

  if (plan.errors.length > 0) {
    groups.push({
      kind: "CAUTION",
      heading: `This plan cannot be applied: ${plural(plan.errors.length, "error", "errors")}.`,
      items: plan.errors.map(errorItem),
    });
  }

  const ipv6 = byCode("ipv6-address-change");
  if (ipv6.length > 0) {
    groups.push({
      kind: "CAUTION",
      heading: `The public IPv6 address of ${plural(ipv6.length, "proxy", "proxies")} will change.`,
      note: "Clients and resolvers that cached the old address cannot connect until the records' TTL runs out.",
      items: ipv6.map((w) => ipv6Item(view, w)),
    });
  }

  const ipv4 = byCode("ipv4-address-change");
  if (ipv4.length > 0) {
    groups.push({
      kind: "WARNING",
      heading: `The public IPv4 address of ${plural(ipv4.length, "proxy", "proxies")}, which backends see, will change.`,
      note: "Backends that filter by source address refuse the proxy until they allow the new address.",
      items: ipv4.map(warningItem),
    });
  }

  const untouchable = byCode("not-owned", "dns-not-owned");
  if (untouchable.length > 0) {
    groups.push({
      kind: "CAUTION",
      heading: `${plural(untouchable.length, "resource exists that this tool does", "resources exist that this tool does")} not own and will not touch.`,
      items: untouchable.map(warningItem),
    });
  }

  const destroyItems = destroyAlertItems(view);
  if (destroyItems.length > 0) {
    const deletes = pendingChanges(plan).filter((c) => c.action === "delete").length;
    groups.push({
      kind: "WARNING",
      heading: `Deletions: ${plural(deletes, "Azure resource", "Azure resources")} will be deleted.`,
      items: destroyItems,
    });
  }

  const downtime = byCode("downtime");
  if (downtime.length > 0) {
    groups.push({
      kind: "WARNING",
      heading: `Downtime: ${plural(downtime.length, "VM is", "VMs are")} resized, which stops the proxy for a while.`,
      items: downtime.map(warningItem),
    });
  }

  const noZones = byCode("no-zones");
  if (noZones.length > 0) {
    groups.push({
      kind: "NOTE",
      heading: `${plural(noZones.length, "proxy has", "proxies have")} replicas without availability zones: they survive a host failure, not a zone outage.`,
      items: noZones.map(warningItem),
    });
  }

  const drift = byCode("drift");
  if (drift.length > 0) {
    groups.push({
      kind: "NOTE",
      heading: `${plural(drift.length, "resource was", "resources were")} changed outside this tool; applying this plan reverts that.`,
      items: drift.map(warningItem),
    });
  }
  return groups;
}

export function alertItemCount(groups: AlertGroup[]): number {
  return groups.reduce((n, g) => n + g.items.length, 0);
}

/**
 * The alert blocks with at most `limit` items in all, spent in group order.
 * A group whose items are cut says how many, and where to read them.
 */
export function renderAlerts(groups: AlertGroup[], limit: number, pointer: string): string[] {
  let budget = limit;
  return groups.map((group) => {
    const shown = group.items.slice(0, Math.max(0, budget));
    budget -= shown.length;
    const lines = [`**${group.heading}**`];
    if (group.note) lines.push(group.note);
    lines.push(...shown.map((item) => `- ${item}`));
    const omitted = group.items.length - shown.length;
    if (omitted > 0) lines.push(`- …and ${omitted.toLocaleString("en-US")} more — ${pointer}`);
    return alert(group.kind, lines);
  });
}

function errorItem(error: PlanError): string {
  const parts = [code(error.proxy)];
  if (error.address) parts.push(code(error.address));
  if (error.file) parts.push(error.line !== undefined ? `${code(error.file)} line ${error.line}` : code(error.file));
  return `${parts.join(" · ")}: ${text(error.message)}`;
}

function warningItem(warning: PlanWarning): string {
  const subject = warning.address ? code(warning.address) : code(warning.proxy);
  return `${subject}: ${text(warning.message)}`;
}

function ipv6Item(view: PlanView, warning: PlanWarning): string {
  const old = view.ipv6AddressOf(warning.proxy);
  const names = view.dnsNamesOf(warning.proxy);
  const released = old ? `${code(old)} is released` : "the current address is released";
  const records =
    names.length > 0
      ? `the AAAA records of ${names.map(code).join(", ")} will point at the new address`
      : "no DNS names point at it";
  return `${code(warning.proxy)}: ${released}; ${records}. ${text(warning.message)}`;
}

/** Up to this many deletions are each named in the alert; more are named in the proxies' sections. */
const NAMED_DELETES = 20;

/**
 * Destroy warnings, plus any proxy with deletions that has none, so no
 * deletion goes unmentioned; then, when there are few, every resource that is
 * deleted by its real Azure name and ID, so a reviewer sees exactly what goes
 * (not only `<proxy>.<kind>`). The proxies' sections name every one.
 */
function destroyAlertItems(view: PlanView): string[] {
  const plan = view.plan;
  const warned = plan.warnings.filter((w) => w.code === "destroy");
  const items = warned.map(warningItem);
  const warnedProxies = new Set(warned.map((w) => w.proxy));
  const deletes = pendingChanges(plan).filter((c) => c.action === "delete");
  const deleting = [...new Set(deletes.map((c) => c.proxy))];
  for (const proxy of deleting.filter((p) => !warnedProxies.has(p))) {
    const n = view.changesOf(proxy).filter((c) => c.action === "delete").length;
    items.push(`${code(proxy)}: ${plural(n, "resource", "resources")} will be deleted.`);
  }
  if (deletes.length <= NAMED_DELETES) for (const c of deletes) items.push(deletedResource(c));
  return items;
}

function deletedResource(c: Change): string {
  return `${code(c.address)} deletes ${azureResource(c)}`;
}
