// Writes the third-party licenses of everything the action bundle can contain
// (the production dependency tree) to stdout. ncc's own --license output is
// overwritten by whichever chunk it writes last, so it cannot be used once the
// bundle has a second chunk (@azure/identity lazily imports `open`).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const paths = execFileSync("npm", ["ls", "--omit=dev", "--all", "--parseable"], { encoding: "utf8" })
  .trim().split("\n").slice(1); // the first line is this package
const seen = new Map();
for (const dir of paths) {
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const key = `${pkg.name}@${pkg.version}`;
  if (seen.has(key)) continue;
  const file = existsSync(dir) ? readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\..*)?$/i.test(f)) : undefined;
  seen.set(key, { name: pkg.name, version: pkg.version, license: typeof pkg.license === "string" ? pkg.license : "see text", text: file ? readFileSync(join(dir, file), "utf8").trim() : "" });
}
const out = [...seen.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : 1))
  .map((p) => `${p.name} ${p.version}\n${p.license}\n${p.text}`).join("\n\n");
process.stdout.write(`${out}\n`);
