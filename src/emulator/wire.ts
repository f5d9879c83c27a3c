/**
 * The bodies the emulator answers with, typed by the SDKs' own models.
 *
 * The SDK models are the client's shapes, not the wire's: their
 * deserializers lift every field of an ARM resource's `properties` object up
 * to the top (arm-compute and arm-network: `_virtualMachinePropertiesDeserializer`
 * and the like; arm-dns: mappers with `serializedName: "properties.TTL"`).
 * The wire keeps them nested. So each wire type here is the SDK model without
 * the lifted fields, plus `properties` typed by the SDK's type for that object
 * (VirtualMachineProperties, PublicIPAddressPropertiesFormat…). Child
 * resources that carry `properties` of their own on the wire (a NIC's IP
 * configurations, a VNet's subnets, a load balancer's pools and rules) are
 * put back the same way; references to other resources are `{ id }`, which
 * the SDK's all-optional models accept as they are.
 *
 * Stored bodies stay `Json`: they are what clients sent, checked by the
 * request-parsing rules. These types are what the presenters promise to
 * answer with.
 */
import type {
  AvailabilitySet,
  AvailabilitySetProperties,
  Disk,
  DiskProperties,
  NetworkInterfaceReference,
  NetworkInterfaceReferenceProperties,
  NetworkProfile,
  VirtualMachine,
  VirtualMachineProperties,
} from "@azure/arm-compute";
import type { RecordSet, SoaRecord, Zone } from "@azure/arm-dns";
import type {
  BackendAddressPool,
  BackendAddressPoolPropertiesFormat,
  FrontendIPConfiguration,
  FrontendIPConfigurationPropertiesFormat,
  LoadBalancer,
  LoadBalancerBackendAddress,
  LoadBalancerBackendAddressPropertiesFormat,
  LoadBalancerPropertiesFormat,
  LoadBalancingRule,
  LoadBalancingRulePropertiesFormat,
  NetworkInterface,
  NetworkInterfaceIPConfiguration,
  NetworkInterfaceIPConfigurationPropertiesFormat,
  NetworkInterfacePropertiesFormat,
  NetworkSecurityGroup,
  NetworkSecurityGroupPropertiesFormat,
  OutboundRule,
  OutboundRulePropertiesFormat,
  Probe,
  ProbePropertiesFormat,
  PublicIPAddress,
  PublicIPAddressPropertiesFormat,
  SecurityRule,
  SecurityRulePropertiesFormat,
  Subnet,
  SubnetPropertiesFormat,
  SubResource,
  VirtualNetwork,
  VirtualNetworkPropertiesFormat,
} from "@azure/arm-network";
import { deepCopy, type Json } from "./http.js";

/** An SDK model as the wire carries it: the lifted fields back under `properties`, dates as ISO strings. */
export type Wire<Model, Properties> = OnTheWire<Omit<Model, keyof Properties> & { properties: Properties }>;

/**
 * JSON has no dates (the SDK's deserializers turn ISO 8601 strings into Date
 * objects), and what the SDK marks readonly is exactly what the server writes.
 */
type OnTheWire<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? OnTheWire<U>[]
    : T extends object
      ? { -readonly [K in keyof T]: OnTheWire<T[K]> }
      : T;

/**
 * A stored body as the wire type it was built to be. The store keeps bodies
 * in their wire form (store.ts), written by the rules that parsed the request;
 * this is where the emulator says which form a presenter answers with.
 */
export const asWire = <T>(body: Json): T => deepCopy(body) as T;

export type { SubResource };

// ---- Microsoft.Compute

export type WireNetworkInterfaceReference = Wire<NetworkInterfaceReference, NetworkInterfaceReferenceProperties>;

export type WireVirtualMachine = Wire<
  VirtualMachine,
  Omit<VirtualMachineProperties, "networkProfile"> & {
    networkProfile?: Omit<NetworkProfile, "networkInterfaces"> & {
      networkInterfaces?: WireNetworkInterfaceReference[];
    };
  }
>;

export type WireDisk = Wire<Disk, DiskProperties>;

export type WireAvailabilitySet = Wire<AvailabilitySet, AvailabilitySetProperties>;

// ---- Microsoft.Network

export type WireSubnet = Wire<Subnet, SubnetPropertiesFormat>;

export type WireVirtualNetwork = Wire<
  VirtualNetwork,
  Omit<VirtualNetworkPropertiesFormat, "subnets"> & { subnets?: WireSubnet[] }
>;

export type WireSecurityRule = Wire<SecurityRule, SecurityRulePropertiesFormat>;

export type WireNetworkSecurityGroup = Wire<
  NetworkSecurityGroup,
  Omit<
    NetworkSecurityGroupPropertiesFormat,
    "securityRules" | "defaultSecurityRules" | "subnets" | "networkInterfaces"
  > & {
    securityRules?: WireSecurityRule[];
    defaultSecurityRules?: WireSecurityRule[];
    subnets?: SubResource[];
    networkInterfaces?: SubResource[];
  }
>;

export type WirePublicIpAddress = Wire<
  PublicIPAddress,
  Omit<PublicIPAddressPropertiesFormat, "ipConfiguration"> & { ipConfiguration?: SubResource }
>;

export type WireNetworkInterfaceIpConfiguration = Wire<
  NetworkInterfaceIPConfiguration,
  NetworkInterfaceIPConfigurationPropertiesFormat
>;

export type WireNetworkInterface = Wire<
  NetworkInterface,
  Omit<NetworkInterfacePropertiesFormat, "ipConfigurations" | "virtualMachine"> & {
    ipConfigurations?: WireNetworkInterfaceIpConfiguration[];
    virtualMachine?: SubResource;
  }
>;

export type WireBackendAddressPool = Wire<
  BackendAddressPool,
  Omit<BackendAddressPoolPropertiesFormat, "loadBalancerBackendAddresses"> & {
    loadBalancerBackendAddresses?: Wire<LoadBalancerBackendAddress, LoadBalancerBackendAddressPropertiesFormat>[];
  }
>;

export type WireLoadBalancer = Wire<
  LoadBalancer,
  Omit<
    LoadBalancerPropertiesFormat,
    "frontendIPConfigurations" | "backendAddressPools" | "loadBalancingRules" | "probes" | "outboundRules"
  > & {
    frontendIPConfigurations?: Wire<FrontendIPConfiguration, FrontendIPConfigurationPropertiesFormat>[];
    backendAddressPools?: WireBackendAddressPool[];
    loadBalancingRules?: Wire<LoadBalancingRule, LoadBalancingRulePropertiesFormat>[];
    probes?: Wire<Probe, ProbePropertiesFormat>[];
    outboundRules?: Wire<OutboundRule, OutboundRulePropertiesFormat>[];
  }
>;

/** What presentNetwork answers: one of the network resources the emulator keeps. */
export type WireNetworkResource =
  | WireVirtualNetwork
  | WireNetworkSecurityGroup
  | WirePublicIpAddress
  | WireNetworkInterface
  | WireLoadBalancer;

// ---- Microsoft.Network DNS (arm-dns: a classic client whose mappers name the wire fields)

/** SoaRecord's mapper: `minimumTtl` is `minimumTTL`; the other fields keep their names. */
export type WireSoaRecord = Omit<SoaRecord, "minimumTtl"> & { minimumTTL?: SoaRecord["minimumTtl"] };

/** RecordSet's mapper: `ttl` is `properties.TTL`, `aaaaRecords` is `properties.AAAARecords`, and so on. */
export interface WireRecordSetProperties {
  metadata?: RecordSet["metadata"];
  TTL?: RecordSet["ttl"];
  fqdn?: RecordSet["fqdn"];
  provisioningState?: RecordSet["provisioningState"];
  targetResource?: RecordSet["targetResource"];
  ARecords?: RecordSet["aRecords"];
  AAAARecords?: RecordSet["aaaaRecords"];
  MXRecords?: RecordSet["mxRecords"];
  NSRecords?: RecordSet["nsRecords"];
  PTRRecords?: RecordSet["ptrRecords"];
  SRVRecords?: RecordSet["srvRecords"];
  TXTRecords?: RecordSet["txtRecords"];
  CNAMERecord?: RecordSet["cnameRecord"];
  SOARecord?: WireSoaRecord;
  caaRecords?: RecordSet["caaRecords"];
}

export type WireRecordSet = Pick<RecordSet, "id" | "name" | "type" | "etag"> & { properties: WireRecordSetProperties };

/** Zone's mapper puts these under `properties` with the same names. */
type ZoneProperties = Pick<
  Zone,
  | "maxNumberOfRecordSets"
  | "maxNumberOfRecordsPerRecordSet"
  | "numberOfRecordSets"
  | "nameServers"
  | "zoneType"
  | "registrationVirtualNetworks"
  | "resolutionVirtualNetworks"
>;

export type WireZone = Wire<Zone, ZoneProperties>;
