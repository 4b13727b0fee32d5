import { resolve } from "node:path";
import { configDefaults, defineConfig } from "vitest/config";

/**
 * The policy specs are pure (hand-built policy arguments, no Pulumi runtime), and each would
 * otherwise spend a second loading @pulumi/aws in a fresh process: they share their workers.
 */
const POLICY_SPECS = "tests/policies/{sesv2,route53,iam,secretsmanager,sns}/**/*.test.ts";

export default defineConfig({
  // The component package (packages/mail-infra) under the name its users import it by (examples/).
  resolve: { alias: { "mail-infra": resolve("packages/mail-infra/index.ts") } },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Pulumi's mock runtime is process-global state; each test file gets its own process.
    pool: "forks",
    projects: [
      { extends: true, test: { name: "default", include: ["tests/**/*.test.ts"], exclude: [...configDefaults.exclude, POLICY_SPECS] } },
      { extends: true, test: { name: "policy-specs", include: [POLICY_SPECS], isolate: false } },
    ],
  },
});
