#!/usr/bin/env node
// Runs the TypeScript CLI directly from src/ (the action itself runs the bundle in dist/).
import { register } from "tsx/esm/api";

register();
// In a workflow step the runner reads this process's output for workflow commands; the CLI issues
// none, so no line it prints (a plan, an Azure error, a value from a proxy file) may become one.
if (process.env.GITHUB_ACTIONS === "true") {
  const { guardOutput } = await import("../src/output-guard.ts");
  guardOutput([process.stdout, process.stderr]);
}
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2));
