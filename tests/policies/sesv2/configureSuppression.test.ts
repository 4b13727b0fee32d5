import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { configureSuppression as policy } from "../../../policies/sesv2/ConfigurationSet/configureSuppression";
import { expectPolicyShape, resourceArgs, runResourcePolicy } from "../harness";

type Props = Unwrap<aws.sesv2.ConfigurationSetArgs>;
const run = (props: Props) => runResourcePolicy(policy, resourceArgs(aws.sesv2.ConfigurationSet, props));
const messages = async (props: Props) => (await run(props)).violations.map((v) => v.message);

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes BOUNCE and COMPLAINT, in any order and case", async () => {
    expect(await run({ configurationSetName: "cs", suppressionOptions: { suppressedReasons: ["complaint", "BOUNCE"] } })).toEqual({ violations: [] });
  });

  it("fails when BOUNCE is not suppressed", async () => {
    expect(await messages({ configurationSetName: "cs", suppressionOptions: { suppressedReasons: ["COMPLAINT"] } })).toEqual([
      "The configuration set cs does not suppress BOUNCE, so SES keeps sending to addresses that bounced.",
    ]);
  });

  it("fails when COMPLAINT is not suppressed", async () => {
    expect(await messages({ configurationSetName: "cs", suppressionOptions: { suppressedReasons: ["BOUNCE"] } })).toEqual([
      "The configuration set cs does not suppress COMPLAINT, so SES keeps sending to addresses that complained.",
    ]);
  });

  it("fails without suppression options, saying the account setting then applies", async () => {
    expect(await messages({ configurationSetName: "cs" })).toEqual([
      "The configuration set cs does not suppress BOUNCE and COMPLAINT (no suppressionOptions: the account-level setting applies, which this stack does not control), so SES keeps sending to addresses that bounced or complained.",
    ]);
  });

  it("is not applicable to other resource types", async () => {
    expect((await runResourcePolicy(policy, resourceArgs(aws.sesv2.EmailIdentity, { emailIdentity: "example.com" }))).notApplicable).toBeDefined();
  });
});
