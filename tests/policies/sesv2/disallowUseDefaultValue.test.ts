import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { disallowUseDefaultValue as policy } from "../../../policies/sesv2/EmailIdentityMailFromAttributes/disallowUseDefaultValue";
import { expectPolicyShape, resourceArgs, runResourcePolicy } from "../harness";

type Props = Unwrap<aws.sesv2.EmailIdentityMailFromAttributesArgs>;
const good = (): Props => ({ emailIdentity: "example.com", mailFromDomain: "bounce.example.com", behaviorOnMxFailure: "REJECT_MESSAGE" });
const run = (props: Props) => runResourcePolicy(policy, resourceArgs(aws.sesv2.EmailIdentityMailFromAttributes, props));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes REJECT_MESSAGE", async () => {
    expect(await run(good())).toEqual({ violations: [] });
  });

  it("fails USE_DEFAULT_VALUE", async () => {
    const { violations } = await run({ ...good(), behaviorOnMxFailure: "USE_DEFAULT_VALUE" });
    expect(violations.map((v) => v.message)).toEqual([
      "The MAIL FROM bounce.example.com of example.com has behaviorOnMxFailure USE_DEFAULT_VALUE; if its MX disappears, SES sends with amazonses.com and SPF no longer aligns. Use REJECT_MESSAGE.",
    ]);
  });

  it("fails an unset behaviour, because SES then uses USE_DEFAULT_VALUE", async () => {
    const { violations } = await run({ emailIdentity: "example.com", mailFromDomain: "bounce.example.com" });
    expect(violations.map((v) => v.message)).toEqual([expect.stringContaining("unset (SES uses USE_DEFAULT_VALUE)")]);
  });

  it("is not applicable to other resource types", async () => {
    expect((await runResourcePolicy(policy, resourceArgs(aws.sesv2.EmailIdentity, { emailIdentity: "example.com" }))).notApplicable).toMatch(/EmailIdentityMailFromAttributes/);
  });
});
