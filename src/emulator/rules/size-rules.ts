/**
 * VM sizes as the compute resource provider sees them: a catalog of sizes
 * per region (resourceSkus), vCPU quota per family and region (usages), the
 * sizes a running VM can be resized to in place (its hardware cluster), and
 * the checks a VM create or resize meets. Tests change restrictions, quotas
 * and clusters through the Emulator.
 */
import { regionZones } from "../../model/regions.js";
import type { Json } from "../http.js";
import { ArmError } from "../http.js";

export interface SizeSpec {
  name: string;
  family: string;
  vCpus: number;
  architecture: "x64" | "Arm64";
  hyperVGenerations: ("V1" | "V2")[];
  trustedLaunch: boolean;
  acceleratedNetworking: boolean;
}

const size = (
  name: string,
  family: string,
  vCpus: number,
  o: Partial<Omit<SizeSpec, "name" | "family" | "vCpus">> = {},
): SizeSpec => ({
  name,
  family,
  vCpus,
  architecture: o.architecture ?? "x64",
  hyperVGenerations: o.hyperVGenerations ?? ["V1", "V2"],
  trustedLaunch: o.trustedLaunch ?? true,
  acceleratedNetworking: o.acceleratedNetworking ?? true,
});

/**
 * The sizes every emulated region offers, with the capabilities
 * `Microsoft.Compute/skus` reports for them (learn.microsoft.com/azure/virtual-machines/sizes;
 * learn.microsoft.com/azure/virtual-machines/trusted-launch#virtual-machines-sizes).
 */
export const SIZE_CATALOG: readonly SizeSpec[] = [
  size("Standard_B1s", "standardBSFamily", 1, { acceleratedNetworking: false }),
  size("Standard_B2s", "standardBSFamily", 2, { acceleratedNetworking: false }),
  size("Standard_B2ats_v2", "standardBasv2Family", 2),
  size("Standard_B2als_v2", "standardBasv2Family", 2),
  size("Standard_D2s_v3", "standardDSv3Family", 2, { acceleratedNetworking: false }),
  size("Standard_D2as_v5", "standardDASv5Family", 2),
  size("Standard_D2s_v5", "standardDSv5Family", 2),
  size("Standard_D4s_v5", "standardDSv5Family", 4),
  // Arm64 (Ampere): Gen2 only; the proxy image is x64.
  size("Standard_D2ps_v5", "standardDPSv5Family", 2, { architecture: "Arm64", hyperVGenerations: ["V2"] }),
  // Gen1-only, and no Trusted Launch.
  size("Standard_A2_v2", "standardAv2Family", 2, {
    hyperVGenerations: ["V1"],
    trustedLaunch: false,
    acceleratedNetworking: false,
  }),
  // M-series (v1): no Trusted Launch.
  size("Standard_M8ms", "standardMSFamily", 8, { trustedLaunch: false }),
];

export function sizeSpec(name: unknown): SizeSpec | undefined {
  return SIZE_CATALOG.find((s) => s.name.toLowerCase() === String(name).toLowerCase());
}

/** A size as `GET /subscriptions/{s}/providers/Microsoft.Compute/skus` lists it (api-version 2021-07-01). */
export function presentSku(
  s: SizeSpec,
  location: string,
  restriction: string | undefined,
  restrictedZones: readonly string[] = [],
): Json {
  const capabilities: Json[] = [
    { name: "vCPUs", value: String(s.vCpus) },
    { name: "vCPUsAvailable", value: String(s.vCpus) },
    { name: "HyperVGenerations", value: s.hyperVGenerations.join(",") },
    { name: "CpuArchitectureType", value: s.architecture },
    { name: "AcceleratedNetworkingEnabled", value: s.acceleratedNetworking ? "True" : "False" },
  ];
  // Present only for sizes without Trusted Launch (the notes in azure-notes.md; microsoft/lisa's reader).
  if (!s.trustedLaunch) capabilities.push({ name: "TrustedLaunchDisabled", value: "True" });
  return {
    resourceType: "virtualMachines",
    name: s.name,
    tier: "Standard",
    size: s.name.replace(/^Standard_/, ""),
    family: s.family,
    locations: [location],
    // A region without zones lists none (model/regions.ts, the same table the proxy files are checked with).
    locationInfo: [{ location, zones: [...(regionZones(location)?.zones ?? [])], zoneDetails: [] }],
    capabilities,
    restrictions: [
      ...(restriction
        ? [
            {
              type: "Location",
              values: [location],
              restrictionInfo: { locations: [location] },
              reasonCode: restriction,
            },
          ]
        : []),
      // A size the subscription may use in the region but not in some of its zones: a `Zone`
      // restriction naming them (ResourceSkuRestrictionInfo.zones, "availability zones where the SKU
      // is restricted", learn.microsoft.com/javascript/api/@azure-rest/arm-compute/resourceskurestrictioninfooutput;
      // sizes missing from some zones: MicrosoftDocs/azure-docs#48058).
      ...(restrictedZones.length > 0
        ? [
            {
              type: "Zone",
              values: [location],
              restrictionInfo: { locations: [location], zones: [...restrictedZones] },
              reasonCode: "NotAvailableForSubscription",
            },
          ]
        : []),
    ],
  };
}

/** What can be changed per test: restrictions, quotas, hardware clusters; and the VMs' power states. */
export class ComputeCapacity {
  /** `${location}/${size}` (lower case) → reason code, e.g. NotAvailableForSubscription. */
  readonly restrictions = new Map<string, string>();
  /** `${location}/${size}` (lower case) → the zones of the region where the size is not available. */
  readonly zoneRestrictions = new Map<string, string[]>();
  /** `${location}/${quota name}` (lower case) → limit. */
  readonly limits = new Map<string, number>();
  /** Sizes a VM whose name matches can be resized to while it runs. */
  readonly clusters: { vmName: RegExp; sizes: string[] }[] = [];
  /** Lower-cased VM id → deallocated (VMs not listed are running). */
  readonly deallocated = new Set<string>();

  restriction(location: string, sizeName: string): string | undefined {
    return this.restrictions.get(`${location}/${sizeName}`.toLowerCase());
  }

  restrictedZones(location: string, sizeName: string): string[] {
    return this.zoneRestrictions.get(`${location}/${sizeName}`.toLowerCase()) ?? [];
  }

  /** Quota limit: generous defaults so that benchmarks with many proxies fit; tests set real ones. */
  limit(location: string, quota: string): number {
    return this.limits.get(`${location}/${quota}`.toLowerCase()) ?? 10_000;
  }

  clusterOf(vmName: string): string[] {
    return this.clusters.find((c) => c.vmName.test(vmName))?.sizes ?? SIZE_CATALOG.map((s) => s.name);
  }
}

/** The usage entries of a region: total regional vCPUs and each family's, as `locations/{l}/usages` lists them. */
export function quotaUsages(
  capacity: ComputeCapacity,
  location: string,
  holding: { size: string }[],
): { name: { value: string; localizedValue: string }; currentValue: number; limit: number; unit: "Count" }[] {
  const used = (family?: string) =>
    holding
      .map((vm) => sizeSpec(vm.size))
      .filter((s): s is SizeSpec => !!s && (family === undefined || s.family === family))
      .reduce((sum, s) => sum + s.vCpus, 0);
  const families = [...new Set(SIZE_CATALOG.map((s) => s.family))];
  return [
    {
      name: { value: "cores", localizedValue: "Total Regional vCPUs" },
      currentValue: used(),
      limit: capacity.limit(location, "cores"),
      unit: "Count",
    },
    ...families.map((family) => ({
      name: {
        value: family,
        localizedValue: `${family.replace(/^standard/, "Standard ").replace(/Family$/, " Family")} vCPUs`,
      },
      currentValue: used(family),
      limit: capacity.limit(location, family),
      unit: "Count" as const,
    })),
  ];
}

export interface SizeCheck {
  vmId: string;
  vmName: string;
  subscriptionId: string;
  location: string;
  size: string;
  /** The zone(s) the VM is placed in (none for a regional VM). */
  zones?: readonly string[] | undefined;
  /** The VM's size before this write, when it exists and runs. */
  previousSize?: string | undefined;
  running: boolean;
  image: Json | undefined;
  trustedLaunch: boolean;
  acceleratedNetworkingNics: string[];
}

/**
 * The checks a VM create or resize meets, in the order Azure reports them.
 * `others` are the other VMs of the subscription and region that hold vCPUs now.
 */
export function checkSize(capacity: ComputeCapacity, c: SizeCheck, others: { size: string }[]): void {
  const spec = sizeSpec(c.size);
  if (!spec) {
    throw new ArmError(
      400,
      "InvalidParameter",
      `The value ${c.size} provided for the VM size is not valid. The valid sizes in the current region are: ${SIZE_CATALOG.map((s) => s.name).join(", ")}.`,
      "vmSize",
    );
  }
  if (c.previousSize === undefined || c.previousSize.toLowerCase() !== spec.name.toLowerCase()) {
    const restricted = capacity.restriction(c.location, spec.name);
    if (restricted) {
      // 409 SkuNotAvailable (aka.ms/azureskunotavailable; azuredevcollege/trainingdays#84, DataBiosphere/terra-workspace-manager#587).
      throw new ArmError(
        409,
        "SkuNotAvailable",
        `The requested size for resource '${c.vmId}' is currently not available in location '${c.location}' zones '' for subscription '${c.subscriptionId}'. Please try another size or deploy to a different location or zones. See https://aka.ms/azureskunotavailable for details.`,
      );
    }
    const zone = (c.zones ?? []).find((z) => capacity.restrictedZones(c.location, spec.name).includes(String(z)));
    if (zone !== undefined) {
      // The same 409 names the zone asked for (MicrosoftDocs/azure-docs#41882, #48058).
      throw new ArmError(
        409,
        "SkuNotAvailable",
        `The requested size for resource '${c.vmId}' is currently not available in location '${c.location}' zones '${zone}' for subscription '${c.subscriptionId}'. Please try another size or deploy to a different location or zones. See https://aka.ms/azureskunotavailable for details.`,
      );
    }
    if (
      c.previousSize !== undefined &&
      c.running &&
      !capacity.clusterOf(c.vmName).some((s) => sameSize(s, spec.name))
    ) {
      // A running VM can only take sizes its hardware cluster offers (virtualMachines/{vm}/vmSizes); others need
      // deallocate → resize → start (learn.microsoft.com/azure/virtual-machines/sizes/resize-vm;
      // microsoft/service-fabric-issues#472).
      throw new ArmError(
        409,
        "OperationNotAllowed",
        `Unable to resize the VM '${c.vmName}' because the requested size ${spec.name} is not available in the current hardware cluster. The available sizes in this cluster are: ${capacity.clusterOf(c.vmName).join(",")}. Read more on VM resizing strategy at https://aka.ms/azure-resizevm.`,
        "vmSize",
      );
    }
  }
  const imageArch = /arm64/i.test(String(c.image?.sku ?? "")) ? "Arm64" : "x64";
  if (spec.architecture !== imageArch) {
    // microsoft/lisa#4559: "Cannot create a VM of size '…' … only supports a CPU Architecture of 'Arm64'".
    throw new ArmError(
      400,
      "BadRequest",
      `Cannot create a VM of size '${spec.name}' because this VM size only supports a CPU Architecture of '${spec.architecture}', but an image or disk with CPU Architecture '${imageArch}' was given. Please check that the CPU Architecture of the image or disk is compatible with that of the VM size.`,
    );
  }
  const imageGen = /gen1/i.test(String(c.image?.sku ?? "")) ? "V1" : "V2";
  if (!spec.hyperVGenerations.includes(imageGen)) {
    // GoogleCloudPlatform/PerfKitBenchmarker#3741, F5Networks/f5-azure-arm-templates-v2#47.
    throw new ArmError(
      400,
      "BadRequest",
      `The selected VM size '${spec.name}' cannot boot Hypervisor Generation '${imageGen === "V2" ? 2 : 1}'. If this was a Create operation please check that the Hypervisor Generation of the Image matches the Hypervisor Generation of the selected VM Size. If this was an Update operation please select a Hypervisor Generation '${imageGen === "V2" ? 2 : 1}' VM Size.`,
    );
  }
  if (c.trustedLaunch && !spec.trustedLaunch) {
    // Azure/azure-cli#28005 (the message from November 2023 on).
    throw new ArmError(
      400,
      "BadRequest",
      `The VM size '${spec.name}' is not supported for creation of VMs and Virtual Machine Scale Set with 'TrustedLaunch' security type. For more information, see https://aka.ms/TrustedLaunch-FAQ`,
    );
  }
  const nic = c.acceleratedNetworkingNics[0];
  if (nic && !spec.acceleratedNetworking) {
    // anubhavmishra/terraform-azurerm-aks#1, Azure/acs-engine#3600.
    throw new ArmError(
      400,
      "VMSizeIsNotPermittedToEnableAcceleratedNetworking",
      `Virtual Machine size ${spec.name} is not in the allowed list of VM sizes for accelerated networking to be enabled on Network Interface ${nic}. Allowed sizes: ${SIZE_CATALOG.filter(
        (s) => s.acceleratedNetworking,
      )
        .map((s) => s.name)
        .join(", ")}.`,
    );
  }
  checkQuota(capacity, c, spec, others);
}

const sameSize = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * vCPU quota, regional and per family, checked when a VM is created or
 * resized (deallocated VMs count too, learn.microsoft.com/azure/virtual-machines/quotas): 409 OperationNotAllowed "Operation could not be completed as it
 * results in exceeding approved … Cores quota" (Azure/karpenter-provider-azure#192,
 * nforgeio/neonKUBE#1671; learn.microsoft.com/azure/virtual-machines/quotas).
 */
function checkQuota(capacity: ComputeCapacity, c: SizeCheck, spec: SizeSpec, others: { size: string }[]): void {
  for (const usage of quotaUsages(capacity, c.location, others)) {
    const family = usage.name.value === "cores" ? undefined : usage.name.value;
    const extra = family === undefined || family === spec.family ? spec.vCpus : 0;
    if (extra > 0 && usage.currentValue + extra > usage.limit) {
      const label = family === undefined ? "Total Regional" : family;
      throw new ArmError(
        409,
        "OperationNotAllowed",
        `Operation could not be completed as it results in exceeding approved ${label} Cores quota. Additional details - Deployment Model: Resource Manager, Location: ${c.location}, Current Limit: ${usage.limit}, Current Usage: ${usage.currentValue}, Additional Required: ${extra}, (Minimum) New Limit Required: ${usage.currentValue + extra}. Submit a request for Quota increase at https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView.`,
      );
    }
  }
}
