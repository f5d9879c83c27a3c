/**
 * Which Azure regions have availability zones, for placing replicas.
 *
 * Source: Microsoft's region list with its "availability zone support" column
 * and programmatic names (learn.microsoft.com/azure/reliability/regions-list)
 * and the zone counts in "What are availability zones?"
 * (learn.microsoft.com/azure/reliability/availability-zones-overview, Feb 2026).
 * Sovereign clouds: US Gov Virginia and China North 3 have zones
 * (…/reliability/availability-zones-service-support, docs.azure.cn
 * …/reliability/availability-zones-region-support).
 *
 * A subscription's own truth is the region's resource SKUs
 * (`locationInfo[].zones` of Microsoft.Compute/skus), which can also lack a
 * zone for one VM size; the plan checks the size against those when it has
 * them. This table is what a proxy file can be checked against before any
 * call to Azure: a zone a region does not have is an error on its line.
 */

export interface RegionZones {
  /** Zones a VM may be placed in ("1".."n"). */
  zones: readonly string[];
  /**
   * Zones used when the file names none. Zones Azure lists as preview are
   * left out: they can be chosen explicitly, never by default.
   */
  defaultZones: readonly string[];
}

const numbered = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i + 1));
const three = { zones: numbered(3), defaultZones: numbered(3) };

/** Regions with availability zones. Every other known region has none. */
const ZONAL: Record<string, RegionZones> = {
  australiaeast: three,
  austriaeast: three,
  belgiumcentral: three,
  brazilsouth: three,
  canadacentral: three,
  centralindia: three,
  centralus: three,
  chilecentral: three,
  chinanorth3: three,
  denmarkeast: three,
  eastasia: three,
  eastus: three,
  // A fourth zone is in preview (availability-zones-overview marks it "coming soon").
  eastus2: { zones: numbered(4), defaultZones: numbered(3) },
  francecentral: three,
  germanywestcentral: three,
  indonesiacentral: three,
  israelcentral: three,
  italynorth: three,
  japaneast: three,
  japanwest: three,
  koreacentral: three,
  malaysiawest: three,
  mexicocentral: three,
  newzealandnorth: three,
  // Zones in preview: usable when named, not a default.
  northcentralus: { zones: numbered(3), defaultZones: [] },
  northeurope: three,
  norwayeast: three,
  polandcentral: three,
  qatarcentral: three,
  southafricanorth: three,
  southcentralus: three,
  southeastasia: three,
  spaincentral: three,
  swedencentral: three,
  switzerlandnorth: three,
  uaenorth: three,
  uksouth: three,
  usgovvirginia: three,
  westeurope: three,
  westus2: three,
  westus3: three,
};

/** Regions in the same lists that have no availability zones. */
const WITHOUT_ZONES = new Set([
  "australiacentral",
  "australiacentral2",
  "australiasoutheast",
  "brazilsoutheast",
  "canadaeast",
  "chinaeast",
  "chinaeast2",
  "chinaeast3",
  "chinanorth",
  "chinanorth2",
  "francesouth",
  "germanynorth",
  "koreasouth",
  "norwaywest",
  "southafricawest",
  "southindia",
  "switzerlandwest",
  "uaecentral",
  "ukwest",
  "usgovarizona",
  "usgovtexas",
  "westcentralus",
  "westindia",
  "westus",
]);

/**
 * The zones of a region; `{ zones: [] }` for a region known to have none;
 * undefined for a region this table does not know (a new one, say), where
 * only Azure can tell.
 */
export function regionZones(location: string): RegionZones | undefined {
  const zonal = ZONAL[location];
  if (zonal) return zonal;
  return WITHOUT_ZONES.has(location) ? { zones: [], defaultZones: [] } : undefined;
}
