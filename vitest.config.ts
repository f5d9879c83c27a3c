import { defineConfig } from "vitest/config";

/**
 * Four projects, by what a test needs:
 * - unit: pure modules, no emulator, no network, no system tools (`npm run test:unit`);
 * - emulator: the engine and the CLI against the HTTPS Azure emulator, through the real SDK clients;
 * - action: the bundled action (`node dist/index.js`) against the emulator and a GitHub API double;
 * - dataplane: programs beyond Node and npm (HAProxy, cloud-init, shellcheck, GNU diff/patch, ...), root and
 *   network namespaces.
 * A test that needs something from the machine says so with test/support/requirements.ts: it is skipped where
 * that is missing, and the run ends with one line per reason (requirements-reporter.ts); under CI=true it is
 * required instead, and nothing may be skipped.
 */
const project = (name: string, extra: Record<string, unknown> = {}) => ({
  extends: true as const,
  test: { name, include: [`test/${name}/**/*.test.ts`], ...extra },
});

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    reporters: ["default", "./test/support/requirements-reporter.ts"],
    projects: [project("unit"), project("emulator"), project("action"), project("dataplane")],
  },
});
