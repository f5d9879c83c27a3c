/**
 * What a plan saw in Azure: plain data gathered by src/azure/observe.ts with
 * list calls (per subscription, resource group and type; per DNS zone).
 */
import { armIdKey, resourceGroupId } from "../model/arm-id.js";
import type { ResourceKind } from "../plan/types.js";

export interface ObservedResource {
  kind: ResourceKind;
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  /** The resource in the SDK model shape (for DNS: the record set). */
  body: Record<string, unknown>;
  /** Tags, or DNS record-set metadata. */
  tags: Record<string, string>;
  provisioningState?: string | undefined;
  etag?: string | undefined;
}

export interface ObservedState {
  /** Keyed by lower-cased ARM id. */
  resources: Map<string, ObservedResource>;
  /** Lower-cased `/subscriptions/{s}/resourcegroups/{rg}` of existing resource groups. */
  resourceGroups: Set<string>;
  /** Lower-cased DNS zone ids that exist. */
  dnsZones: Set<string>;
  /**
   * CNAME record sets of those zones: lower-cased `${zoneId}/cname/${name}` → the name it points at.
   * Azure DNS allows no other record set next to a CNAME, so a requested AAAA name found here cannot be written.
   */
  cnames: Map<string, string>;
  /** HAProxy config read back from a VM's userData, keyed by lower-cased VM id (fetched only for VMs whose config changes). */
  vmConfigs: Map<string, string>;
  /** Sizes, quota and resize options, read only when the plan creates, replaces or resizes VMs. */
  compute?: ComputeFacts | undefined;
}

/** A VM size as the region's resource SKUs describe it. */
export interface VmSku {
  name: string;
  family: string;
  vCpus: number;
  /** CpuArchitectureType: x64 or Arm64. */
  architecture: string;
  /** HyperVGenerations, e.g. ["V1", "V2"]. */
  hyperVGenerations: string[];
  trustedLaunch: boolean;
  acceleratedNetworking: boolean;
  /** The reason code of a restriction that makes it unusable here (e.g. NotAvailableForSubscription). */
  restriction?: string | undefined;
  /** The region's zones that offer the size to this subscription (locationInfo zones less `Zone` restrictions). */
  zones: string[];
}

/** One vCPU quota of a region: `cores` (all families) or a family such as `standardBasv2Family`. */
export interface QuotaUsage {
  name: string;
  label: string;
  current: number;
  limit: number;
}

export interface ComputeFacts {
  /** Keyed by regionKey(subscription, location). */
  skus: Map<string, VmSku[]>;
  usages: Map<string, QuotaUsage[]>;
  /** Sizes a VM can be resized to where it runs (its available sizes), keyed by lower-cased VM id. */
  resizeTargets: Map<string, string[]>;
}

export function emptyObserved(): ObservedState {
  return {
    resources: new Map(),
    resourceGroups: new Set(),
    dnsZones: new Set(),
    cnames: new Map(),
    vmConfigs: new Map(),
  };
}

/** The key of a CNAME record set in ObservedState.cnames: its record set id. */
export const cnameKey = (zoneId: string, name: string): string => armIdKey(`${zoneId}/CNAME/${name}`);

/** The key of a resource group in `resourceGroups`. */
export const rgKey = (subscriptionId: string, resourceGroup: string): string =>
  armIdKey(resourceGroupId(subscriptionId, resourceGroup));
