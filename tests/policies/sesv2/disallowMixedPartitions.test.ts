import { describe, expect, it } from "vitest";
import { disallowMixedPartitions as policy } from "../../../policies/sesv2/EmailIdentity/disallowMixedPartitions";
import { expectPolicyShape, runStackPolicy, stackArgs, urnOf } from "../harness";
import { find, goodStack, without } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes regions of one partition", async () => {
    expect(await run(goodStack(["us-east-1", "eu-south-1"]))).toEqual({ violations: [] });
  });

  it("fails an identity in GovCloud next to one in the aws partition", async () => {
    const stack = goodStack(["us-east-1", "eu-south-1"]);
    for (const name of ["identity-eu-south-1", "mail-from-eu-south-1", "configuration-set-eu-south-1", "event-destination-eu-south-1"]) find(stack, name).props.region = "us-gov-west-1";
    expect((await run(stack)).violations).toEqual([
      { urn: urnOf(find(stack, "identity-us-east-1")), message: expect.stringMatching(/^This stack's regions us-east-1 \(aws\) and us-gov-west-1 \(aws-us-gov\) are in different AWS partitions/) },
    ]);
  });

  it("does not apply to a stack without SES identities", async () => {
    expect((await run(without(goodStack(), "identity-us-east-1"))).notApplicable).toBe("The stack has no SES identity.");
  });
});
