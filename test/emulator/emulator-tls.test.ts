/**
 * The emulator's TLS identity: each start makes its own self-signed CA with a
 * subject no other emulator shares, so one process can trust several
 * emulators at once (TLS stacks pick a trust anchor by subject name).
 */

import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAzureClients } from "../../src/azure/clients.js";
import { createCredential } from "../../src/azure/credentials.js";
import { ARM_SCOPE, type Emulator, startEmulator } from "../../src/emulator/server.js";

let first: Emulator;
let second: Emulator;
beforeAll(async () => {
  [first, second] = await Promise.all([startEmulator(), startEmulator()]);
});
afterAll(() => Promise.all([first.close(), second.close()]));

describe("each emulator's certificate", () => {
  it("has a subject of its own, is a CA, and names 127.0.0.1, ::1 and localhost", () => {
    const [a, b] = [new X509Certificate(first.ca), new X509Certificate(second.ca)];
    expect(a.subject).toMatch(/^CN=azure-ipv6-proxy emulator [0-9a-f]{16}$/);
    expect(a.subject).not.toBe(b.subject);
    for (const cert of [a, b]) {
      expect(cert.ca).toBe(true);
      expect(cert.checkIssued(cert)).toBe(true);
      expect(cert.subjectAltName).toBe("IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost");
    }
  });

  it("lets one process trust two emulators at once, for tokens and ARM calls alike", async () => {
    // Both CAs in the same trust list, as a process talking to both would have them.
    const ca = `${first.ca}\n${second.ca}`;
    const reached: string[] = [];
    // Alternating, with a fresh credential each time, so every call makes new TLS connections.
    for (const emu of [first, second, second, first]) {
      const credential = createCredential({
        kind: "clientSecret",
        tenantId: emu.tenantId,
        clientId: emu.clientId,
        clientSecret: emu.clientSecret,
        authorityHost: emu.authorityHost,
        ca,
      });
      const clients = createAzureClients(
        { resourceManagerEndpoint: emu.endpoint, credential, scope: ARM_SCOPE, ca },
        emu.subscriptionId,
      );
      const group = await clients.resources.resourceGroups.createOrUpdate(`rg-${reached.length}`, {
        location: "westeurope",
      });
      reached.push(`${emu === first ? "first" : "second"}:${group.name}`);
    }
    expect(reached).toEqual(["first:rg-0", "second:rg-1", "second:rg-2", "first:rg-3"]);
    expect(first.tokenRequests.map((t) => t.clientId)).toEqual([first.clientId, first.clientId]);
    expect(second.tokenRequests.map((t) => t.clientId)).toEqual([second.clientId, second.clientId]);
  });
});
