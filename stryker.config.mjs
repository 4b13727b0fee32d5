// @ts-check
/**
 * StrykerJS configuration for `npm run test:mutation -- <path>` (scripts/mutation.mjs sets the
 * MUTATION_* variables; run through that script, not `npx stryker run` directly).
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const target = process.env.MUTATION_TARGET ?? "lib/dkim.ts";
// scripts/mutation.mjs passes its own slug (cut to 100 characters): the incremental file it writes from the records is this one.
const slug = process.env.MUTATION_SLUG ?? target.replace(/[^A-Za-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 100);
const mutate = (process.env.MUTATION_FILES ?? target).split(",");

export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "tests/mutation/vitest.config.mts", related: true },
  mutate,
  coverageAnalysis: "perTest",
  // 2 cores, shared: one or two test runners at a time.
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 20_000,
  dryRunTimeoutMinutes: 30,
  timeoutFactor: 2,
  // Incremental: a re-run only tests the mutants whose code or covering tests changed.
  incremental: process.env.MUTATION_FORCE !== "1",
  incrementalFile: `.cache/stryker/${slug}.incremental.json`,
  force: process.env.MUTATION_FORCE === "1",
  reporters: ["progress-append-only", "json", "html"],
  jsonReporter: { fileName: `.cache/stryker/${slug}.report.json` },
  htmlReporter: { fileName: `.cache/stryker/${slug}.report.html` },
  tempDirName: ".cache/stryker/tmp",
  cleanTempDir: true,
  // Only what the tests read goes into the sandbox.
  // .cache/moto stays: the server tests start moto from the sandbox's own copy.
  ignorePatterns: ["/.cache/stryker", "/.cache/*.lock", "/bin", "/coverage", "/policies/dist", "*.log", "/.ci"],
  thresholds: { high: 90, low: 75, break: null },
  disableTypeChecks: "{lib,scripts,tests,policies,components}/**/*.{ts,mts}",
};
