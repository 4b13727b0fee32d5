import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { enableReputationMetrics as policy } from "../../../policies/sesv2/ConfigurationSet/enableReputationMetrics";
import { expectPolicyShape, resourceArgs, runResourcePolicy } from "../harness";

type Props = Unwrap<aws.sesv2.ConfigurationSetArgs>;
const run = (props: Props) => runResourcePolicy(policy, resourceArgs(aws.sesv2.ConfigurationSet, props));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "advisory"));

  it("passes reputation metrics on", async () => {
    expect(await run({ configurationSetName: "cs", reputationOptions: { reputationMetricsEnabled: true } })).toEqual({ violations: [] });
  });

  it.each([[{ reputationMetricsEnabled: false }], [undefined]])("fails reputationOptions %j", async (reputationOptions) => {
    const { violations } = await run({ configurationSetName: "cs", ...(reputationOptions ? { reputationOptions } : {}) });
    expect(violations.map((v) => v.message)).toEqual([
      "The configuration set cs does not publish reputation metrics, so its bounce and complaint rates cannot be watched or alarmed on.",
    ]);
  });

  it("is not applicable to other resource types", async () => {
    expect((await runResourcePolicy(policy, resourceArgs(aws.sesv2.EmailIdentity, { emailIdentity: "example.com" }))).notApplicable).toBeDefined();
  });
});
