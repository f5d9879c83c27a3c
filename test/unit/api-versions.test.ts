/** Which api-versions the engine needs and a cloud lacks, without Azure. */
import { describe, expect, it } from "vitest";
import { describeMissing, missingApiVersions, offeredKey } from "../../src/engine/api-versions.js";
import { ARM_OPERATIONS, type ArmOperation, SDK_API_VERSIONS } from "../../src/model/arm-operations.js";

const op = (provider: ArmOperation["provider"], resourceType: string, apiVersion: string): ArmOperation => ({
  why: "test",
  method: "GET",
  path: "/subscriptions/{}",
  provider,
  resourceType,
  apiVersion,
  actions: [],
});

const ALL = new Set(["microsoft.network", "microsoft.compute", "microsoft.resources"]);

describe("missingApiVersions", () => {
  it("finds nothing when every type offers the version, whatever the case of names", () => {
    const offered = new Map([[offeredKey("Microsoft.Network", "publicipaddresses"), ["2026-01-01", "2024-07-01"]]]);
    expect(missingApiVersions([op("Microsoft.Network", "publicIPAddresses", "2026-01-01")], offered, ALL)).toEqual([]);
  });

  it("reports a missing version once per type and version, with what is offered", () => {
    const offered = new Map([[offeredKey("Microsoft.Network", "publicIPAddresses"), ["2024-07-01"]]]);
    const ops = [
      op("Microsoft.Network", "publicIPAddresses", "2026-01-01"),
      op("Microsoft.Network", "publicIPAddresses", "2026-01-01"),
    ];
    expect(missingApiVersions(ops, offered, ALL)).toEqual([
      {
        provider: "Microsoft.Network",
        resourceType: "publicIPAddresses",
        apiVersion: "2026-01-01",
        offered: ["2024-07-01"],
      },
    ]);
  });

  it("reports a resource type the cloud does not have at all", () => {
    const [m] = missingApiVersions([op("Microsoft.Compute", "virtualMachines", "2026-04-01")], new Map(), ALL);
    expect(m).toEqual({ provider: "Microsoft.Compute", resourceType: "virtualMachines", apiVersion: "2026-04-01" });
    expect(describeMissing(m!)).toBe(
      "Microsoft.Compute/virtualMachines: the cloud has no such resource type (this release sends api-version 2026-04-01)",
    );
  });

  it("does not judge providers that could not be read, nor status URLs Azure hands out", () => {
    const ops = [
      op("Microsoft.Compute", "virtualMachines", "2026-04-01"),
      op("Microsoft.Network", "locations/operations", "service"),
    ];
    expect(missingApiVersions(ops, new Map(), new Set(["microsoft.network"]))).toEqual([]);
  });

  it("names the newest offered versions first, and how many older ones it leaves out", () => {
    const offered = Array.from({ length: 12 }, (_, i) => `20${String(13 + i).padStart(2, "0")}-01-01`);
    const text = describeMissing({
      provider: "Microsoft.Network",
      resourceType: "networkInterfaces",
      apiVersion: "2026-01-01",
      offered,
    });
    expect(text).toBe(
      "Microsoft.Network/networkInterfaces: this release sends api-version 2026-01-01, which the cloud does not offer; " +
        "it offers 2024-01-01, 2023-01-01, 2022-01-01, 2021-01-01, 2020-01-01, 2019-01-01, 2018-01-01, 2017-01-01 and 4 older",
    );
  });

  it("checks every pinned version of the real table", () => {
    const versions = new Set(ARM_OPERATIONS.map((o) => o.apiVersion).filter((v) => v !== "service"));
    expect([...versions].sort()).toEqual(Object.values(SDK_API_VERSIONS).sort());
  });
});
