import { readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { defineConfig } from "vitest/config";
import { type TestKind, testKind } from "./tests/helpers/test-kind";

/**
 * The policy specs are pure (hand-built policy arguments, no Pulumi runtime), and each would
 * otherwise spend a second loading @pulumi/aws in a fresh process: they share their workers.
 */
const POLICY_SPECS = "tests/policies/{sesv2,route53,iam,secretsmanager,sns}/**/*.test.ts";
const POLICY_SPEC_DIRS = /^tests\/policies\/(?:sesv2|route53|iam|secretsmanager|sns)\//;

const root = __dirname;
function testFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === "node_modules" ? [] : testFiles(join(dir, e.name))) : e.name.endsWith(".test.ts") ? [join(dir, e.name)] : [],
  );
}
const byKind: Record<TestKind, string[]> = { unit: [], program: [], servers: [] };
for (const file of testFiles("tests")) {
  const rel = relative(root, join(root, file));
  if (POLICY_SPEC_DIRS.test(rel)) continue;
  byKind[testKind(join(root, file), join(root, "tests"))].push(rel);
}

export default defineConfig({
  // The component package (packages/mail-infra) under the name its users import it by (examples/).
  resolve: { alias: { "mail-infra": resolve("packages/mail-infra/index.ts") } },
  test: {
    // Text layouts at their default width (100 columns), whatever terminal runs the tests.
    env: { COLUMNS: "" },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Pulumi's mock runtime is process-global state; each test file gets its own process.
    pool: "forks",
    // Two workers on two cores (vitest's default is cores - 1 = 1): measured in docs/ci.md.
    // MAIL_INFRA_TEST_WORKERS overrides it (e.g. 1 on a busy machine).
    maxWorkers: Number(process.env.MAIL_INFRA_TEST_WORKERS ?? 2),
    projects: [
      // The unit projects run first (group 0): their results are on screen within seconds.
      { extends: true, test: { name: "unit", include: byKind.unit, sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: "unit-policy-specs", include: [POLICY_SPECS], isolate: false, sequence: { groupOrder: 0 } } },
      // A CLI spawned by a test may take up to its own 120 s limit (tests/helpers/spawn.ts); on a
      // loaded machine a 60 s test timeout cut such tests off first (tests/policies/pack.test.ts).
      { extends: true, test: { name: "program", include: byKind.program, testTimeout: 180_000, sequence: { groupOrder: 1 } } },
      { extends: true, test: { name: "servers", include: byKind.servers, testTimeout: 180_000, sequence: { groupOrder: 1 } } },
    ],
  },
});
