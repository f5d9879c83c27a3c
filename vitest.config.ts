import { defineConfig } from "vitest/config";

/**
 * Four projects, by what a test needs:
 * - unit: pure modules, no emulator, no network, no system tools (`npm run test:unit`);
 * - emulator: the engine and the CLI against the HTTPS Azure emulator, through the real SDK clients;
 * - action: the bundled action (`node dist/index.js`) against the emulator and a GitHub API double;
 * - dataplane: real HAProxy, cloud-init, shellcheck and network namespaces.
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
    projects: [project("unit"), project("emulator"), project("action"), project("dataplane")],
  },
});
