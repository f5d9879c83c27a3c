/**
 * The import-boundary rule in biome.json, performed: forbidden imports placed
 * in each layer must fail `biome lint`, and the imports each layer needs must
 * pass. So is the `any` rule: an explicit `any` fails anywhere, and only the
 * emulator's request parsing (src/emulator/http.ts) suppresses it. The cases go into a scratch copy of the layout, linted in one run with
 * the project's own biome.json, so src/ is never touched.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

interface Case {
  /** Where the file goes, relative to the project root. */
  path: string;
  source: string;
}

const PURE_LAYERS = ["src/proxyfile", "src/engine", "src/plan", "src/dataplane", "src/model", "src/verify"];

const FORBIDDEN_IN_PURE: [string, string][] = [
  ["azure", 'import { createAzureClients } from "../azure/clients.js";\nexport const use = createAzureClients;\n'],
  ["action", 'import { run } from "../action/entry.js";\nexport const use = run;\n'],
  ["emulator", 'import { startEmulator } from "../emulator/server.js";\nexport const use = startEmulator;\n'],
  [
    "sdk-type",
    'import type { NetworkSecurityGroup } from "@azure/arm-network";\nexport type Use = NetworkSecurityGroup;\n',
  ],
  ["sdk-deep", 'import { x } from "@azure/arm-network/dist/esm/index.js";\nexport const use = x;\n'],
  ["actions-core", 'import * as core from "@actions/core";\nexport const use = core;\n'],
  ["operations", 'import { planFromDir } from "../operations.js";\nexport const use = planFromDir;\n'],
  ["re-export", 'export { createAzureClients } from "../azure/clients.js";\n'],
  ["lazy", 'export const use = () => import("../azure/clients.js");\n'],
];

const ALLOWED_IN_PURE = [
  'import { createHash } from "node:crypto";',
  'import { parse } from "yaml";',
  'import { armId } from "../model/arm-id.js";',
  'import type { Plan } from "../plan/types.js";',
  "export const use = [createHash, parse, armId];",
  "export type Use = Plan;",
  "",
].join("\n");

const EMULATOR_IMPORTS_AZURE =
  'import { createCredential } from "../azure/credentials.js";\nexport const use = createCredential;\n';

const forbidden: Case[] = [
  ...PURE_LAYERS.flatMap((layer) =>
    FORBIDDEN_IN_PURE.map(([what, source]) => ({ path: `${layer}/forbidden-${what}.ts`, source })),
  ),
  { path: "src/log.ts", source: FORBIDDEN_IN_PURE[0]![1] },
  { path: "src/emulator/forbidden-azure.ts", source: EMULATOR_IMPORTS_AZURE },
  {
    path: "src/emulator/providers/forbidden-azure.ts",
    source: EMULATOR_IMPORTS_AZURE.replace("../azure", "../../azure"),
  },
];

const allowed: Case[] = [
  ...PURE_LAYERS.map((layer) => ({ path: `${layer}/allowed.ts`, source: ALLOWED_IN_PURE })),
  {
    path: "src/emulator/allowed.ts",
    source:
      'import type { RunCommandResult } from "@azure/arm-compute";\nimport { armId } from "../model/arm-id.js";\nexport const use = armId;\nexport type Use = RunCommandResult;\n',
  },
  {
    path: "src/azure/allowed.ts",
    source:
      'import { NetworkManagementClient } from "@azure/arm-network";\nexport const use = NetworkManagementClient;\n',
  },
  {
    path: "src/action/allowed.ts",
    source: 'import { createAzureClients } from "../azure/clients.js";\nexport const use = createAzureClients;\n',
  },
  {
    path: "src/allowed.ts",
    source: 'import { startEmulator } from "./emulator/server.js";\nexport const use = startEmulator;\n',
  },
];

/** `any` outside the emulator's request parsing: noExplicitAny must fail these (emulator or not). */
const explicitAny: Case[] = [
  { path: "src/emulator/providers/any-response.ts", source: "export const present = (body: unknown): any => body;\n" },
  { path: "src/plan/any-plan.ts", source: "export type Loose = Record<string, any>;\n" },
];

let scratch: string;
/** Findings per file: `lint/<group>/<rule>` names. */
const findings = new Map<string, string[]>();
let exitCode: number | null = null;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "lint-boundaries-"));
  const config = JSON.parse(readFileSync(join(root, "biome.json"), "utf8")) as Record<string, unknown>;
  delete config.$schema;
  config.vcs = { enabled: false }; // the scratch copy is no git repository
  writeFileSync(join(scratch, "biome.json"), JSON.stringify(config));
  for (const c of [...forbidden, ...allowed, ...explicitAny]) {
    mkdirSync(dirname(join(scratch, c.path)), { recursive: true });
    writeFileSync(join(scratch, c.path), c.source);
  }
  // `--reporter=github` prints one `::error title=<rule>,file=<path>,...` line per finding.
  const r = spawnSync(join(root, "node_modules", ".bin", "biome"), ["lint", "--reporter=github", "src"], {
    cwd: scratch,
    encoding: "utf8",
  });
  exitCode = r.status;
  for (const m of `${r.stdout}${r.stderr}`.matchAll(/^::error title=([^,]+),file=([^,]+),/gm)) {
    const file = m[2]!.slice(m[2]!.indexOf("src/"));
    findings.set(file, [...(findings.get(file) ?? []), m[1]!]);
  }
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("biome.json's import boundaries", () => {
  it("fail lint as a whole when any forbidden import is present", () => {
    expect(exitCode).toBe(1);
  });

  it.each(forbidden.map((c) => c.path))("%s: the forbidden import fails lint", (path) => {
    expect(findings.get(path)).toEqual(["lint/style/noRestrictedImports"]);
  });

  it.each(allowed.map((c) => c.path))("%s: the imports this layer needs pass", (path) => {
    expect(findings.get(path) ?? []).toEqual([]);
  });
});

describe("`any` only in the emulator's request parsing", () => {
  it.each(explicitAny.map((c) => c.path))("%s: an explicit any fails lint", (path) => {
    expect(findings.get(path)).toEqual(["lint/suspicious/noExplicitAny"]);
  });

  it("is let through only in src/emulator/http.ts, where requests are parsed", () => {
    const suppression = ["biome-ignore", "lint/suspicious/noExplicitAny"].join(" ");
    const files = readdirSync(join(root, "src"), { recursive: true, encoding: "utf8" }).filter((f) =>
      f.endsWith(".ts"),
    );
    const suppressing = files.filter((f) => readFileSync(join(root, "src", f), "utf8").includes(suppression));
    expect(suppressing).toEqual([join("emulator", "http.ts")]);
  });
});
