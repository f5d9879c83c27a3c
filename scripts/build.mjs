// Builds the action bundle: tsc compiles src/ to JavaScript, ncc bundles it
// (ESM, as @actions/core 3 is ESM-only) with every dependency, and the
// licenses of the bundled packages are written next to it.
// Usage: node scripts/build.mjs [outDir]   (default: dist)
// The staging folder stays inside the project so ncc resolves node_modules,
// and its path is always the same: ncc writes module paths into the bundle.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const out = resolve(root, process.argv[2] ?? "dist");
const staging = join(root, ".build", "tsc");
const bin = (name) => join(root, "node_modules", ".bin", name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });

rmSync(staging, { recursive: true, force: true });
run(bin("tsc"), ["-p", "tsconfig.build.json", "--outDir", staging]);
rmSync(out, { recursive: true, force: true });
run(bin("ncc"), ["build", join(staging, "main.js"), "-o", out, "-q"]);
rmSync(staging, { recursive: true, force: true });
// ncc's --license output is overwritten by whichever chunk it writes last, so
// it breaks once the bundle has a second chunk (@azure/identity lazily imports `open`).
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, "licenses.txt"),
  execFileSync(process.execPath, [join(root, "scripts", "licenses.mjs")], { cwd: root }),
);
