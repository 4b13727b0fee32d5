// @ts-check
import { runSlug } from "./scripts/lib/mutation-results.mjs";
/**
 * StrykerJS configuration for `npm run test:mutation -- <path>` (scripts/mutation.mjs sets the
 * MUTATION_* variables; run through that script, not `npx stryker run` directly).
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const target = process.env.MUTATION_TARGET ?? "lib/dkim.ts";
// The file names of this run (incremental file, reports): scripts/mutation.mjs passes its own
// (runSlug of all its targets), so that it reads back the incremental file Stryker wrote.
const slug = process.env.MUTATION_SLUG ?? runSlug(target);
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
  // On with --force too: force tests every mutant again, and the incremental file it writes is
  // what scripts/mutation.mjs folds into the records (with incremental off, a forced run kept nothing).
  incremental: true,
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
