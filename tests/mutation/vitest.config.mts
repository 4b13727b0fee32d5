import { defineConfig } from "vitest/config";
// @ts-expect-error a plain ES module without types, shared with stryker.config.mjs
import { PURE_TESTS } from "./targets.mjs";

/**
 * The vitest config Stryker runs mutants under (see tests/mutation/targets.mjs and
 * docs/testing.md). Only pure tests, plus the server tests scripts/mutation.mjs names in
 * MUTATION_SERVER_TESTS for the target at hand; vitest's related mode picks those that import
 * the mutated file.
 */
const extra = (process.env.MUTATION_SERVER_TESTS ?? "").split(",").filter((f) => f !== "");

export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: [...(PURE_TESTS as string[]), ...extra],
    // Text layouts at their default width (100 columns), whatever terminal runs the tests.
    env: { COLUMNS: "" },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // isolate stays on (vitest's default, what Stryker's runner is built for): isolate: false
    // gave the same results on lib/dkim.ts and was not faster on this machine.
  },
});
