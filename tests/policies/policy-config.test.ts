/**
 * `npm run policy -- --policy-pack-config`: stricter than the Pulumi CLI about policy names. The
 * CLI keeps an unknown name in the config without validating or using it (pulumi/pulumi
 * pkg/resource/analyzer/config.go: applyConfig adds it, validatePolicyPackConfig only walks the
 * pack's policies), so a misspelt name silently leaves the policy at its default there.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, runCliAsync } from "../helpers/spawn";

const CONFIGS = join(ROOT, "tests", "fixtures", "policy-config");

describe("npm run policy --policy-pack-config with an unknown policy name", () => {
  it("exits 2, names the file and the name, suggests the right ones, and says pulumi preview would ignore it", async () => {
    const file = join(CONFIGS, "unknown-name.json");
    const r = await runCliAsync("policy.ts", ["--policy-pack-config", file]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `error: Invalid policy pack config in ${file}:\n` +
        '  - "aws-route53-record-configure-dmarc" is not a policy of mail-infra. Did you mean "aws-route53-record-configure-dmarc-policy" or "aws-route53-record-configure-dmarc-rua"? Run `npm run policy -- --list` to see the names. (`pulumi preview --policy-pack-config` would silently ignore this name, so its setting would never apply.)\n',
    );
  });

  it("a config with known names only runs the check (exit 1 here: it makes DMARC p=none mandatory)", async () => {
    const r = await runCliAsync("policy.ts", ["--json", "--policy-pack-config", join(CONFIGS, "strict.json")]);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toContain("silently ignore");
  });
});
