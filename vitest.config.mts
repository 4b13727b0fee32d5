import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Pulumi's mock runtime is process-global state; each test file gets its own process.
    pool: "forks",
  },
});
