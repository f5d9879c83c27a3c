/**
 * Building blocks for the emulator tests: a dual-stack network and a VM
 * written through the real SDK clients, as the engine writes them.
 */

import { generateKeyPairSync } from "node:crypto";
import type { AzureClients } from "../../src/azure/clients.js";
import { createAzureClients } from "../../src/azure/clients.js";
import { emulatorConnection } from "../../src/azure/emulator-connection.js";
import type { Emulator } from "../../src/emulator/server.js";

export const LOCATION = "westeurope";

export function clientsFor(emulator: Emulator, subscriptionId = emulator.subscriptionId): AzureClients {
  return createAzureClients(emulatorConnection(emulator), subscriptionId);
}

/** An OpenSSH ed25519 public key line. */
export function sshPublicKey(): string {
  const der = generateKeyPairSync("ed25519").publicKey.export({ format: "der", type: "spki" });
  const raw = der.subarray(der.length - 32);
  const field = (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([field(Buffer.from("ssh-ed25519")), field(raw)]);
  return `ssh-ed25519 ${blob.toString("base64")} test@emulator`;
}

/** An OpenSSH RSA public key line of the given modulus size. */
export function sshRsaPublicKey(bits: number): string {
  const jwk = generateKeyPairSync("rsa", { modulusLength: bits }).publicKey.export({ format: "jwk" });
  const mpint = (b64url: string) => {
    const raw = Buffer.from(b64url, "base64url");
    return raw[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), raw]) : raw;
  };
  const field = (b: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    return Buffer.concat([len, b]);
  };
  const blob = Buffer.concat([field(Buffer.from("ssh-rsa")), field(mpint(jwk.e!)), field(mpint(jwk.n!))]);
  return `ssh-rsa ${blob.toString("base64")} test@emulator`;
}

export const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

export interface Network {
  rg: string;
  nsgId: string;
  vnetId: string;
  subnetId: string;
  pip4Id: string;
  pip6Id: string;
  nicId: string;
}

/** NSG, VNet with a /26 + /64 subnet, Standard Static IPv4 and IPv6 public IPs, and a dual-stack NIC. */
/** `pipZones`: the public IPs' zones (a VM in a zone needs addresses that serve it); none by default. */
export async function createDualStackNetwork(
  c: AzureClients,
  rg: string,
  prefix: string,
  opts: { pipZones?: string[] } = {},
): Promise<Network> {
  await c.resources.resourceGroups.createOrUpdate(rg, { location: LOCATION });
  const nsg = await c.network.networkSecurityGroups.createOrUpdate(rg, `${prefix}-nsg`, {
    location: LOCATION,
    securityRules: [
      {
        name: "https-v4",
        protocol: "Tcp",
        sourcePortRange: "*",
        destinationPortRange: "443",
        sourceAddressPrefix: "Internet",
        destinationAddressPrefix: "*",
        access: "Allow",
        priority: 100,
        direction: "Inbound",
      },
      {
        name: "https-v6",
        protocol: "Tcp",
        sourcePortRange: "*",
        destinationPortRanges: ["80", "443"],
        sourceAddressPrefix: "::/0",
        destinationAddressPrefix: "fd00:64:64::/64",
        access: "Allow",
        priority: 110,
        direction: "Inbound",
      },
    ],
  });
  const vnet = await c.network.virtualNetworks.createOrUpdate(rg, `${prefix}-vnet`, {
    location: LOCATION,
    addressSpace: { addressPrefixes: ["10.64.0.0/24", "fd00:64:64::/48"] },
    subnets: [
      { name: "proxy", addressPrefixes: ["10.64.0.0/26", "fd00:64:64::/64"], networkSecurityGroup: { id: nsg.id! } },
    ],
  });
  const subnetId = vnet.subnets![0]!.id!;
  const pip = (version: "IPv4" | "IPv6", suffix: string) =>
    c.network.publicIPAddresses.createOrUpdate(rg, `${prefix}-${suffix}`, {
      location: LOCATION,
      sku: { name: "Standard", tier: "Regional" },
      publicIPAllocationMethod: "Static",
      publicIPAddressVersion: version,
      ...(opts.pipZones ? { zones: opts.pipZones } : {}),
    });
  const [pip4, pip6] = await Promise.all([pip("IPv4", "pip4"), pip("IPv6", "pip6")]);
  const nic = await c.network.networkInterfaces.createOrUpdate(rg, `${prefix}-nic`, {
    location: LOCATION,
    ipConfigurations: [
      {
        name: "ipv4",
        primary: true,
        privateIPAddressVersion: "IPv4",
        subnet: { id: subnetId },
        publicIPAddress: { id: pip4.id! },
      },
      {
        name: "ipv6",
        primary: false,
        privateIPAddressVersion: "IPv6",
        subnet: { id: subnetId },
        publicIPAddress: { id: pip6.id! },
      },
    ],
  });
  return { rg, nsgId: nsg.id!, vnetId: vnet.id!, subnetId, pip4Id: pip4.id!, pip6Id: pip6.id!, nicId: nic.id! };
}

type VmParameters = Parameters<AzureClients["compute"]["virtualMachines"]["createOrUpdate"]>[2];

/** An Ubuntu 24.04 VM model as the engine sends it: SSH key only, customData and userData. */
export function vmModel(
  nicId: string,
  opts: { customData?: string; userData?: string; key?: string; deleteWithVm?: boolean } = {},
): VmParameters {
  return {
    location: LOCATION,
    tags: { managedBy: "azure-ipv6-proxy" },
    hardwareProfile: { vmSize: "Standard_B1s" },
    storageProfile: {
      imageReference: { publisher: "Canonical", offer: "ubuntu-24_04-lts", sku: "server", version: "latest" },
      osDisk: {
        createOption: "FromImage",
        deleteOption: opts.deleteWithVm === false ? "Detach" : "Delete",
        managedDisk: { storageAccountType: "StandardSSD_LRS" },
      },
    },
    osProfile: {
      computerName: "proxy",
      adminUsername: "azureuser",
      customData: opts.customData ?? b64("#cloud-config\n{}\n"),
      linuxConfiguration: {
        disablePasswordAuthentication: true,
        ssh: { publicKeys: [{ path: "/home/azureuser/.ssh/authorized_keys", keyData: opts.key ?? sshPublicKey() }] },
      },
    },
    networkProfile: {
      networkInterfaces: [
        { id: nicId, primary: true, deleteOption: opts.deleteWithVm === false ? "Detach" : "Delete" },
      ],
    },
    userData: opts.userData ?? b64("global\n  maxconn 100\n"),
  } as VmParameters;
}

/** The ARM error code of an SDK failure (RestError keeps it in `code`, core-client's in `code` or details). */
export function armCode(e: unknown): string | undefined {
  const err = e as { code?: string; details?: { error?: { code?: string }; code?: string } };
  return err.details?.error?.code ?? err.details?.code ?? err.code;
}

/** Awaits a promise that must fail, and returns its error. */
export async function failure(
  p: Promise<unknown>,
): Promise<{ statusCode?: number | undefined; code?: string | undefined; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as { statusCode?: number; message: string };
    return { statusCode: err.statusCode, code: armCode(e), message: err.message };
  }
  throw new Error("expected the call to fail, but it succeeded");
}
