/**
 * Runs the check from outside (src/azure/outside-in.ts) from wherever it is
 * started, e.g. inside a lab's client network namespace, and prints its
 * OutsideCheck as JSON. Arguments: address, family (4|6), probes as JSON.
 */
import { probeOutside } from "../../src/azure/outside-in.js";
import type { OutsideProbe } from "../../src/verify/types.js";

const [address = "", family = "6", probes = "[]"] = process.argv.slice(2);
const check = await probeOutside({ address, family: family === "4" ? 4 : 6 }, JSON.parse(probes) as OutsideProbe[], {
  connectTimeoutMs: 5_000,
  answerTimeoutMs: 20_000,
});
process.stdout.write(`${JSON.stringify(check)}\n`);
