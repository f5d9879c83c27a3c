import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Data-plane tests build network namespaces; they must not run concurrently with each other.
    fileParallelism: true,
    pool: "forks",
  },
});
