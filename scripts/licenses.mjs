// Writes the third-party licenses of everything the action bundle can contain
// (the production packages of package-lock.json) to stdout. ncc's own
// --license output is overwritten by whichever chunk it writes last, so it
// cannot be used once the bundle has more than one chunk (the Azure SDKs are
// chunks of their own, see scripts/build.mjs). The lockfile, not the installed tree, decides what is
// listed, so every machine writes the same file.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const lock = JSON.parse(readFileSync(join(root, "package-lock.json"), "utf8"));
const seen = new Map();
for (const [path, entry] of Object.entries(lock.packages)) {
  if (!path || entry.dev || entry.devOptional || entry.link) continue;
  const dir = join(root, path);
  if (!existsSync(join(dir, "package.json"))) continue; // an optional package for another platform
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const key = `${pkg.name}@${pkg.version}`;
  if (seen.has(key)) continue;
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\..*)?$/i.test(f));
  seen.set(key, {
    name: pkg.name,
    version: pkg.version,
    license: typeof pkg.license === "string" ? pkg.license : "see text",
    text: file ? readFileSync(join(dir, file), "utf8").trim() : "",
  });
}
const out = [...seen.values()]
  .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version < b.version ? -1 : 1))
  .map((p) => `${p.name} ${p.version}\n${p.license}\n${p.text}`)
  .join("\n\n");
process.stdout.write(`${out}\n`);
