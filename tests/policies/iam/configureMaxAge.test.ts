import { describe, expect, it } from "vitest";
import { keyAgeDays } from "../../../lib/smtp-credentials";
import { configureMaxAge as policy } from "../../../policies/iam/AccessKey/configureMaxAge";
import { expectPolicyShape, runStackPolicy, stackArgs, type StackEntry, urnOf } from "../harness";
import { find, goodStack } from "../stack-fixture";

const DAY = 86_400_000;
const run = (entries: readonly StackEntry[], config: Record<string, unknown> = {}) => runStackPolicy(policy, stackArgs(entries, { config }));
const keyAged = (days: number, status = "Active") => {
  const stack = goodStack();
  Object.assign(find(stack, "smtp-key-gen1").props, { id: "AKIAIOSFODNN7EXAMPLE", status, createDate: new Date(Date.now() - days * DAY - 3600_000).toISOString() });
  return stack;
};

describe(policy.name, () => {
  it("has the pack's metadata, with awsguard's default of 90 days", () => {
    expectPolicyShape(policy, "advisory");
    expect(policy.configSchema?.properties.maxKeyAge).toMatchObject({ default: 90, minimum: 1, maximum: 730 });
  });

  it("passes a key younger than maxKeyAge", async () => {
    expect(await run(keyAged(89))).toEqual({ violations: [] });
  });

  it("flags an active key older than maxKeyAge, naming the generation to set", async () => {
    const stack = keyAged(120);
    const v = (await run(stack)).violations;
    expect(v).toEqual([{ urn: urnOf(find(stack, "smtp-key-gen1")), message: expect.stringMatching(/^The access key AKIAIOSFODNN7EXAMPLE of smtp is 120 days old \(created .*\), over 90\. Set mail-infra:smtpKeyGeneration to 2 and follow docs\/rotation\.md\.$/) }]);
    expect((await run(stack, { maxKeyAge: 180 })).violations).toEqual([]);
  });

  it("skips an inactive key, and says so when no key has a date (a key this deployment creates is new)", async () => {
    expect((await run(keyAged(400, "Inactive"))).notApplicable).toMatch(/No active access key has a creation date/);
    expect((await run(goodStack())).notApplicable).toMatch(/No active access key has a creation date/);
    expect(keyAgeDays("not a date", Date.now())).toBeUndefined();
  });
});
