import { defineConfig } from "vitest/config";

/**
 * Five projects, by what a test needs:
 * - unit: pure modules, no emulator, no network, no system tools (`npm run test:unit`, the fast loop);
 * - slow: what would make the fast loop slow, seconds per test, with nothing beyond Node and npm: plans of
 *   thousands of proxies and thousands of random inputs (unit covers the same code paths at small sizes), and
 *   whole vitest runs of the requirements fixtures;
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
    projects: [
      // Pure modules share one module graph safely (no test mocks a module, stubs a global or changes
      // process.env; test/unit/no-shared-state.test.ts holds them to that), so unit files run in threads
      // without a fresh module graph each: importing the engine once instead of per file.
      project("unit", { pool: "threads", isolate: false }),
      project("slow"),
      project("emulator"),
      project("action"),
      project("dataplane"),
    ],
  },
});
