/**
 * The size facts a plan needs when it creates, replaces or resizes VMs: per
 * subscription and region, the resource SKUs (`Microsoft.Compute/skus`,
 * filtered by location) and the vCPU usages (`locations/{l}/usages`); per
 * resized VM, the sizes it can take where it runs (`virtualMachines/{vm}/vmSizes`).
 * A plan that builds no VM makes none of these requests.
 */
import { mapLimit } from "../engine/concurrency.js";
import type { ComputeFacts, QuotaUsage, VmSku } from "../engine/observed.js";
import { normLocation } from "../engine/owned.js";
import { regionKey, type VmNeed } from "../engine/vm-capacity.js";
import { armIdKey } from "../model/arm-id.js";
import type { AzureClients } from "./clients.js";

async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iter) out.push(item);
  return out;
}

/**
 * A resource SKU in the shape the plan reads. Capabilities are strings;
 * `TrustedLaunchDisabled` is there (as "True") only for sizes without Trusted
 * Launch (learn.microsoft.com/azure/virtual-machines/trusted-launch, "How can I
 * find VM sizes that support Trusted Launch?"). Only a `Location` restriction
 * makes a size unusable for a VM without zones. A zonal VM also needs its zone
 * in `locationInfo[].zones` and in no `Zone` restriction's `restrictionInfo.zones`
 * (sizes are often missing from some zones of a region: MicrosoftDocs/azure-docs#48058;
 * ResourceSkuRestrictionInfo.zones, learn.microsoft.com/javascript/api/@azure-rest/arm-compute/resourceskurestrictioninfooutput).
 */
export function toVmSku(
  sku: {
    name?: string | undefined;
    family?: string | undefined;
    locationInfo?: { location?: string | undefined; zones?: string[] | undefined }[] | undefined;
    capabilities?: { name?: string | undefined; value?: string | undefined }[] | undefined;
    restrictions?:
      | {
          type?: string | undefined;
          reasonCode?: string | undefined;
          restrictionInfo?: { zones?: string[] | undefined } | undefined;
        }[]
      | undefined;
  },
  location: string,
): VmSku {
  const caps = new Map((sku.capabilities ?? []).map((c) => [c.name ?? "", c.value ?? ""]));
  const restriction = (sku.restrictions ?? []).find((r) => r.type === "Location");
  const here = (sku.locationInfo ?? []).find((l) => normLocation(l.location ?? "") === normLocation(location));
  const restrictedZones = new Set(
    (sku.restrictions ?? []).filter((r) => r.type === "Zone").flatMap((r) => r.restrictionInfo?.zones ?? []),
  );
  return {
    name: sku.name ?? "",
    family: sku.family ?? "",
    vCpus: Number(caps.get("vCPUs") ?? 0),
    architecture: caps.get("CpuArchitectureType") ?? "x64",
    hyperVGenerations: (caps.get("HyperVGenerations") ?? "V1").split(",").map((g) => g.trim()),
    trustedLaunch: caps.get("TrustedLaunchDisabled") !== "True",
    acceleratedNetworking: caps.get("AcceleratedNetworkingEnabled") === "True",
    zones: (here?.zones ?? []).filter((z) => !restrictedZones.has(z)).sort(),
    ...(restriction ? { restriction: restriction.reasonCode ?? "NotAvailable" } : {}),
  };
}

export async function observeComputeFacts(
  needs: readonly VmNeed[],
  clientsFor: (subscriptionId: string) => AzureClients,
  concurrency: number,
): Promise<ComputeFacts> {
  const facts: ComputeFacts = { skus: new Map(), usages: new Map(), resizeTargets: new Map() };
  const regions = new Map<string, { subscriptionId: string; location: string }>();
  for (const n of needs)
    regions.set(regionKey(n.subscriptionId, n.location), { subscriptionId: n.subscriptionId, location: n.location });
  await Promise.all([
    mapLimit([...regions.entries()], concurrency, async ([key, { subscriptionId, location }]) => {
      const { compute } = clientsFor(subscriptionId);
      const [skus, usages] = await Promise.all([
        collect(compute.resourceSkus.list({ filter: `location eq '${location}'` })),
        collect(compute.usage.list(location)),
      ]);
      facts.skus.set(
        key,
        skus.filter((s) => s.resourceType === "virtualMachines").map((s) => toVmSku(s, location)),
      );
      facts.usages.set(
        key,
        usages.map(
          (u): QuotaUsage => ({
            name: u.name.value ?? "",
            label: u.name.localizedValue ?? u.name.value ?? "",
            current: u.currentValue,
            limit: u.limit,
          }),
        ),
      );
    }),
    mapLimit(
      needs.filter((n) => n.resize),
      concurrency,
      async (n) => {
        const sizes = await collect(
          clientsFor(n.subscriptionId).compute.virtualMachines.listAvailableSizes(
            n.change.resourceGroup,
            n.change.name,
          ),
        );
        facts.resizeTargets.set(
          armIdKey(n.change.id),
          sizes.map((s) => s.name ?? ""),
        );
      },
    ),
  ]);
  return facts;
}
