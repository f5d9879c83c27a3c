/** The one home of ARM ids: build, parse, compare. */
import { describe, expect, it } from "vitest";
import {
  armId,
  armIdKey,
  parentArmId,
  parseArmId,
  RESOURCE_GROUP_TYPE,
  resourceGroupId,
  sameArmId,
} from "../../src/model/arm-id.js";

const SUB = "6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f";

describe("parseArmId", () => {
  it("reads a resource group id", () => {
    expect(parseArmId(resourceGroupId(SUB, "rg-web"))).toEqual({
      subscriptionId: SUB,
      resourceGroup: "rg-web",
      namespace: "Microsoft.Resources",
      type: RESOURCE_GROUP_TYPE,
      names: ["rg-web"],
      name: "rg-web",
    });
  });

  it("reads child resources, whatever the casing of the fixed segments", () => {
    const id = `/SUBSCRIPTIONS/${SUB}/resourcegroups/rg-dns/PROVIDERS/Microsoft.Network/dnszones/example.nl/AAAA/www`;
    expect(parseArmId(id)).toEqual({
      subscriptionId: SUB,
      resourceGroup: "rg-dns",
      namespace: "Microsoft.Network",
      type: "Microsoft.Network/dnszones/AAAA",
      names: ["example.nl", "www"],
      name: "www",
    });
  });

  it("round-trips what armId builds", () => {
    const id = armId(SUB, "rg", "Microsoft.Network", "virtualNetworks", "v", "subnets", "s");
    expect(parseArmId(id)).toMatchObject({ type: "Microsoft.Network/virtualNetworks/subnets", names: ["v", "s"] });
    expect(parseArmId(`${id}/`)?.name).toBe("s");
  });

  it.each([
    "",
    "subscriptions/s/resourceGroups/rg",
    "/subscriptions/s",
    "/subscriptions//resourceGroups/rg",
    "/subscriptions/s/resourceGroups/rg/providers",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks",
    "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network//v",
    "/subscriptions/s/resourceGroups/rg/things/Microsoft.Network/virtualNetworks/v",
    "/tenants/t/resourceGroups/rg",
  ])("refuses %j", (id) => expect(parseArmId(id)).toBeUndefined());
});

describe("comparing ids", () => {
  it("ignores case and a trailing slash", () => {
    const id = armId(SUB, "RG", "Microsoft.Compute", "virtualMachines", "VM");
    expect(armIdKey(id)).toBe(armIdKey(`${id.toLowerCase()}/`));
    expect(sameArmId(id, id.toUpperCase())).toBe(true);
    expect(sameArmId(id, undefined)).toBe(false);
    expect(sameArmId(id, armId(SUB, "RG", "Microsoft.Compute", "virtualMachines", "VM2"))).toBe(false);
  });

  it("parentArmId drops the last type and name", () => {
    const zone = armId(SUB, "rg", "Microsoft.Network", "dnszones", "example.nl");
    expect(parentArmId(`${zone}/AAAA/www`)).toBe(zone);
  });
});
