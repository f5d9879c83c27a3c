#!/usr/bin/env node
// Runs the TypeScript CLI directly from src/ (the action itself runs the bundle in dist/).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2));
