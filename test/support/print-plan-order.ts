/**
 * Prints what a plan's byte stability depends on, as JSON: the fingerprint,
 * the change order and the plan file's bytes (hashed). Run in a child process
 * with another LC_ALL to show that none of it depends on the machine's locale.
 */
import { createHash } from "node:crypto";
import { desiredProxy } from "../../src/engine/desired.js";
import { buildPlan } from "../../src/engine/diff.js";
import { emptyObserved } from "../../src/engine/observed.js";
import { renderPlanJson } from "../../src/plan/render-json.js";
import { parseProxyFile } from "../../src/proxyfile/load.js";

const SUB = "00000000-0000-0000-0000-000000000001";
// "ya" sorts before "iz" in Lithuanian collation ("y" is a kind of "i") and after it by code unit.
const specs = ["ya-web", "iz-web"].flatMap((name) => {
  const { proxy } = parseProxyFile(
    `proxies/${name}.yaml`,
    `name: ${name}\nlocation: westeurope\nresourceGroup: rg-${name}\nbackends: [203.0.113.1]\ntags: {Zeta: a, alpha: b, _x: c}\n`,
  );
  return proxy ? [proxy] : [];
});
const plan = buildPlan({
  owner: "acme/web",
  desired: specs.map((s) => desiredProxy(s, SUB, "acme/web")),
  observed: emptyObserved(),
  now: new Date(0),
});
process.stdout.write(
  JSON.stringify({
    locale: new Intl.Collator().resolvedOptions().locale,
    localeSaysYaFirst: "ya".localeCompare("iz") < 0,
    fingerprint: plan.fingerprint,
    order: plan.changes.map((c) => c.address),
    planFile: createHash("sha256").update(renderPlanJson(plan)).digest("hex"),
  }),
);
