/**
 * Azure's limits on tags: at most 50 tags per resource, counting the tags
 * others (Azure Policy, people) added, and tag values of at most 256
 * characters (learn.microsoft.com/azure/azure-resource-manager/management/tag-resources,
 * "Limitations"). A write beyond them is refused halfway through an apply, so
 * the plan refuses it first. Pure.
 */
import { armIdKey } from "../model/arm-id.js";
import type { Change, PlanError } from "../plan/types.js";
import type { DesiredProxy } from "./desired.js";
import type { ObservedState } from "./observed.js";

export const MAX_TAGS_PER_RESOURCE = 50;
export const MAX_TAG_VALUE_CHARS = 256;

/** Kinds whose writes carry the resource's tags (DNS record sets carry metadata; groups are never written). */
const TAGGED = new Set<Change["kind"]>([
  "networkSecurityGroup",
  "virtualNetwork",
  "publicIpV4",
  "publicIpV6",
  "networkInterface",
  "virtualMachine",
  "vmConfig",
  "loadBalancer",
  "availabilitySet",
]);

type Tags = Record<string, string>;

/**
 * A write merges the tags others added with ours (apply's mergedTags): when
 * that merge would hold more than 50 tags, a plan error with the numbers, on
 * the proxy file's `tags` line (or the file's first line).
 */
export function tagLimitErrors(
  changes: readonly Change[],
  desired: readonly DesiredProxy[],
  observed: ObservedState,
): PlanError[] {
  const errors: PlanError[] = [];
  const seen = new Set<string>();
  for (const c of changes) {
    if (c.action === "noop" || c.action === "delete" || !TAGGED.has(c.kind)) continue;
    const id = armIdKey(c.id);
    if (seen.has(id)) continue; // a VM and its config are one resource
    seen.add(id);
    const proxy = desired.find((d) => d.spec.name === c.proxy);
    const address = c.address.replace(".vmConfig", ".virtualMachine");
    const ours = (proxy?.resources.find((r) => r.address === address)?.body.tags ?? {}) as Tags;
    const theirs = observed.resources.get(id)?.tags ?? {};
    // Tag names are case-insensitive in Azure: a name of ours replaces theirs whatever its case.
    const ourNames = new Set(Object.keys(ours).map((k) => k.toLowerCase()));
    const added = Object.keys(theirs).filter((k) => !ourNames.has(k.toLowerCase()));
    const total = ourNames.size + added.length;
    if (total <= MAX_TAGS_PER_RESOURCE || !proxy) continue;
    const fromFile = Object.keys(proxy.spec.tags).length;
    const over = total - MAX_TAGS_PER_RESOURCE;
    errors.push({
      proxy: proxy.spec.name,
      address: c.address,
      file: proxy.spec.file,
      line: proxy.spec.locations.tags?.line ?? 1,
      message:
        `${c.name} would carry ${total} tags: ${ourNames.size} from this tool (${fromFile} of them from the file's tags) ` +
        `and ${added.length} that others (Azure Policy, people) added; Azure allows at most ${MAX_TAGS_PER_RESOURCE} per resource: ` +
        `remove ${over} tag${over === 1 ? "" : "s"} from the file's tags or from the resource`,
    });
  }
  return errors;
}
