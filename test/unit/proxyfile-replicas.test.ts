/**
 * `replicas`, `zones` and `ipv4`: defaults from the region, and each
 * impossible combination reported on the line that makes it impossible.
 */
import { describe, expect, it } from "vitest";
import { regionZones } from "../../src/model/regions.js";
import { HEALTH_PORT } from "../../src/model/replicas.js";
import { parseProxyFile } from "../../src/proxyfile/load.js";
import { BASE, type ErrorRow, expectErrors } from "./proxyfile-fixtures.js";

const inRegion = (location: string, extra: string) =>
  `location: ${location}\nresourceGroup: rg-ipv6-proxy\nbackends: [192.0.2.10]\n${extra}`;

function placement(text: string) {
  const { proxy, errors } = parseProxyFile("proxies/www.yaml", text);
  expect(errors).toEqual([]);
  return { replicas: proxy?.replicas, zones: proxy?.zones, ipv4: proxy?.ipv4 };
}

describe("defaults", () => {
  it("one replica, no zones and no IPv4 when the file says nothing (today's single VM)", () => {
    expect(placement(BASE)).toEqual({ replicas: 1, zones: [], ipv4: false });
  });
  it("spreads replicas over the region's zones when the file names none", () => {
    expect(placement(`${BASE}replicas: 2\n`)).toEqual({ replicas: 2, zones: ["1", "2", "3"], ipv4: false });
  });
  it("uses an availability set (no zones) in a region without zones", () => {
    expect(placement(inRegion("westus", "replicas: 3\n"))).toEqual({ replicas: 3, zones: [], ipv4: false });
  });
  it("leaves zones in preview out of the default, but accepts them when named", () => {
    expect(regionZones("eastus2")?.zones).toEqual(["1", "2", "3", "4"]);
    expect(placement(inRegion("eastus2", "replicas: 2\n")).zones).toEqual(["1", "2", "3"]);
    expect(placement(inRegion("eastus2", "replicas: 2\nzones: [3, 4]\n")).zones).toEqual(["3", "4"]);
    expect(placement(inRegion("northcentralus", "replicas: 2\n")).zones).toEqual([]);
  });
  it("takes zones written as numbers or strings, in the file's order", () => {
    expect(placement(`${BASE}replicas: 2\nzones: [2, "1"]\n`).zones).toEqual(["2", "1"]);
  });
  it("accepts explicit zones in a region the table does not know (Azure has the last word)", () => {
    expect(placement(inRegion("newregion", "replicas: 2\nzones: [1, 2]\n")).zones).toEqual(["1", "2"]);
    expect(placement(inRegion("newregion", "replicas: 2\n")).zones).toEqual([]);
  });
  it("opens IPv4 on the load balancer when asked", () => {
    expect(placement(`${BASE}replicas: 2\nipv4: true\n`).ipv4).toBe(true);
    expect(placement(`${BASE}ipv4: false\n`).ipv4).toBe(false);
  });
  it("lets a single VM forward the health endpoint's port", () => {
    expect(parseProxyFile("proxies/www.yaml", `${BASE}ports: [443, ${HEALTH_PORT}]\n`).errors).toEqual([]);
  });
});

const ERRORS: ErrorRow[] = [
  ["replicas 0", `${BASE}replicas: 0\n`, [["replicas", 4, 11, "0 is out of range (1 to 10)"]]],
  ["replicas 11", `${BASE}replicas: 11\n`, [["replicas", 4, 11, "11 is out of range (1 to 10)"]]],
  ["replicas as text", `${BASE}replicas: two\n`, [["replicas", 4, 11, "must be a whole number from 1 to 10"]]],
  ["zones with one replica", `${BASE}zones: [1, 2]\n`, [["zones", 4, 8, "places replicas, but replicas is 1"]]],
  [
    "zones with replicas left to the default",
    `${BASE}zones: ["1"]\nreplicas: 1\n`,
    [["zones", 4, 8, "set replicas to 2 or more, or remove zones"]],
  ],
  [
    "more zones than the region has",
    `${BASE}replicas: 4\nzones: [1, 2, 3, 4]\n`,
    [["zones", 5, 8, 'lists 4 zones, but region "westeurope" has 3 (1, 2, 3)']],
  ],
  [
    "a zone the region does not have",
    `${BASE}replicas: 2\nzones: [1, 4]\n`,
    [["zones[1]", 5, 12, 'zone "4" does not exist in region "westeurope" (its zones: 1, 2, 3)']],
  ],
  [
    "zones in a region without zones",
    inRegion("ukwest", "replicas: 2\nzones: [1, 2]\n"),
    [["zones", 5, 8, 'region "ukwest" has no availability zones; remove zones']],
  ],
  ["zone 0", `${BASE}replicas: 2\nzones: [0]\n`, [["zones[0]", 5, 9, "is not a zone number"]]],
  ["zone listed twice", `${BASE}replicas: 2\nzones: [1, "1"]\n`, [["zones[1]", 5, 12, "is listed twice"]]],
  ["empty zones", `${BASE}replicas: 2\nzones: []\n`, [["zones", 5, 8, "must list 1 to 9 zones, not 0"]]],
  [
    "IPv4 with one replica",
    `${BASE}ipv4: true\n`,
    [["ipv4", 4, 7, "a proxy has a load balancer only with replicas 2 or more"]],
  ],
  ["ipv4 as text", `${BASE}replicas: 2\nipv4: "yes"\n`, [["ipv4", 5, 7, "must be true or false"]]],
  [
    "the health port forwarded with replicas",
    `${BASE}replicas: 2\nports: [443, ${HEALTH_PORT}]\n`,
    [["ports[1]", 5, 14, `port ${HEALTH_PORT} carries the replicas' health endpoint`]],
  ],
];

describe("impossible combinations are located errors", () => {
  it.each(ERRORS)("%s", (_title, text, expected) => expectErrors(text, expected));

  it("reports every placement error of a file at once", () => {
    const { errors } = parseProxyFile("proxies/www.yaml", `${BASE}zones: [1]\nipv4: true\n`);
    expect(errors.map((e) => e.field)).toEqual(["zones", "ipv4"]);
  });
});
