// Builds the action bundle:
// 0. the files cloud-init writes onto the VM are embedded from src/dataplane/vm/
//    (scripts/embed-vm-files.mjs writes src/dataplane/vm-files.ts);
// 1. tsc compiles src/ to JavaScript;
// 2. esbuild bundles it with its dependencies as ES modules and minifies it.
//    This pre-pass is what makes the bundle small and quick to start:
//    - ES modules let it leave out what is never imported (the SDKs declare
//      `sideEffects: false`), which ncc's CommonJS-style bundling keeps;
//    - the network and compute clients keep only the operation groups listed
//      in src/azure/operation-groups.ts (their constructors create all of
//      them, so nothing else could drop the rest);
//    - `open`, which @azure/identity uses to start a browser for interactive
//      sign-in (an action never does), is a stub, so no xdg-open ships;
//    - what a run loads only once it needs Azure (src/action/entry.ts imports
//      it dynamically) is split into chunks that starting the action does not
//      parse;
// 3. ncc, the action's bundler, makes dist/ from that output;
// 4. the licenses of the bundled packages are written next to it.
// Usage: node scripts/build.mjs [outDir] [--check-sources]   (default: dist)
//   --check-sources  fail instead of rewriting a stale src/dataplane/vm-files.ts
//                    (the dist test builds without touching the sources)
//   BUILD_METAFILE=file  also writes esbuild's metafile (what takes the space).
// The staging folders stay inside the project so module resolution finds
// node_modules, and their paths are always the same, so the output is too.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";

const root = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const out = resolve(root, args.find((a) => !a.startsWith("--")) ?? "dist");
const staging = join(root, ".build", "tsc");
const bundled = join(root, ".build", "esbuild", "main.js");
const bin = (name) => join(root, "node_modules", ".bin", name);
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"] });

// The files cloud-init writes onto the VM are embedded from src/dataplane/vm/ first.
run(process.execPath, [
  join(root, "scripts", "embed-vm-files.mjs"),
  ...(args.includes("--check-sources") ? ["--check"] : []),
]);
rmSync(staging, { recursive: true, force: true });
rmSync(join(root, ".build", "esbuild"), { recursive: true, force: true });
run(bin("tsc"), ["-p", "tsconfig.build.json", "--outDir", staging]);

const { BUNDLED_OPERATION_GROUPS } = await import(pathToFileURL(join(staging, "azure", "operation-groups.js")).href);

/**
 * The SDK client classes assign every operation group in their constructor
 * (`this.networkSecurityGroups = _getNetworkSecurityGroupsOperations(this._client);`),
 * which keeps all of them alive. This drops the assignments of the groups not
 * listed, so esbuild leaves their code out; touching a dropped group throws.
 */
function operationGroups() {
  const clients = [
    {
      file: /@azure[\\/]arm-network[\\/]dist[\\/]esm[\\/]networkManagementClient\.js$/,
      keep: BUNDLED_OPERATION_GROUPS.network,
    },
    {
      file: /@azure[\\/]arm-compute[\\/]dist[\\/]esm[\\/]computeManagementClient\.js$/,
      keep: BUNDLED_OPERATION_GROUPS.compute,
    },
  ];
  return {
    name: "operation-groups",
    setup(build) {
      for (const { file, keep } of clients) {
        build.onLoad({ filter: file }, async (args) => {
          const source = readFileSync(args.path, "utf8");
          const assignment = /this\.(\w+) =\s*_get\w+Operations\(this\._client\);/g;
          const dropped = [];
          const kept = [];
          const contents = source.replace(assignment, (statement, group) => {
            if (keep.includes(group)) {
              kept.push(group);
              return statement;
            }
            dropped.push(group);
            return "";
          });
          const missing = keep.filter((g) => !kept.includes(g));
          if (missing.length > 0 || dropped.length === 0) {
            throw new Error(`${args.path}: the SDK's client no longer looks as expected (kept ${kept.join(", ")})`);
          }
          const guard =
            `for (const group of ${JSON.stringify(dropped)}) Object.defineProperty(this, group, { get() {` +
            ` throw new Error(\`operation group \${group} is not in the action bundle: add it to src/azure/operation-groups.ts\`); } });`;
          return { contents: contents.replace("this.pipeline = this._client.pipeline;", `$&\n${guard}`), loader: "js" };
        });
      }
    },
  };
}

/** `open` starts a browser for InteractiveBrowserCredential, which the action never uses. */
function noBrowser() {
  return {
    name: "no-browser",
    setup(build) {
      build.onResolve({ filter: /^open$/ }, () => ({ path: "open", namespace: "no-browser" }));
      build.onLoad({ filter: /.*/, namespace: "no-browser" }, () => ({
        contents:
          'export default async function open() { throw new Error("azure-ipv6-proxy does not open a browser: interactive sign-in is not supported"); }',
        loader: "js",
      }));
    },
  };
}

await esbuild
  .build({
    entryPoints: [join(staging, "main.js")],
    outdir: join(root, ".build", "esbuild"),
    // What a run loads only once it needs Azure (src/action/entry.ts imports it dynamically) goes into a chunk
    // of its own, so starting the action does not parse the Azure SDKs.
    splitting: true,
    chunkNames: "chunk-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node24",
    minify: true,
    legalComments: "none",
    sourcemap: false,
    plugins: [operationGroups(), noBrowser()],
    // CommonJS dependencies call require(); an ES module has none of its own.
    banner: {
      js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);',
    },
    logLevel: "warning",
    metafile: Boolean(process.env.BUILD_METAFILE),
  })
  .then((result) => {
    if (result.metafile) writeFileSync(String(process.env.BUILD_METAFILE), JSON.stringify(result.metafile));
  });
// ncc reads the module type from the nearest package.json.
writeFileSync(join(root, ".build", "esbuild", "package.json"), '{ "type": "module" }\n');

rmSync(out, { recursive: true, force: true });
run(bin("ncc"), ["build", bundled, "-o", out, "-q"]);
rmSync(staging, { recursive: true, force: true });
rmSync(join(root, ".build", "esbuild"), { recursive: true, force: true });
mkdirSync(out, { recursive: true });
writeFileSync(
  join(out, "licenses.txt"),
  execFileSync(process.execPath, [join(root, "scripts", "licenses.mjs")], { cwd: root }),
);
