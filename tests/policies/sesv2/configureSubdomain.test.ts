import * as aws from "@pulumi/aws";
import type { Unwrap } from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { configureSubdomain as policy } from "../../../policies/sesv2/EmailIdentityMailFromAttributes/configureSubdomain";
import { expectPolicyShape, resourceArgs, runResourcePolicy } from "../harness";

type Props = Unwrap<aws.sesv2.EmailIdentityMailFromAttributesArgs>;
const run = (props: Props) => runResourcePolicy(policy, resourceArgs(aws.sesv2.EmailIdentityMailFromAttributes, props));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes a subdomain of the identity, in any case and with a trailing dot", async () => {
    expect(await run({ emailIdentity: "example.com", mailFromDomain: "bounce.example.com" })).toEqual({ violations: [] });
    expect(await run({ emailIdentity: "Example.com", mailFromDomain: "a.b.EXAMPLE.com." })).toEqual({ violations: [] });
    expect(await run({ emailIdentity: "me@example.com", mailFromDomain: "bounce.example.com" })).toEqual({ violations: [] });
  });

  it.each([
    ["the apex", "example.com"],
    ["another domain", "bounce.example.org"],
    ["a look-alike suffix", "bounce.notexample.com"],
  ])("fails %s", async (_what, mailFromDomain) => {
    const { violations } = await run({ emailIdentity: "example.com", mailFromDomain });
    expect(violations.map((v) => v.message)).toEqual([
      `The MAIL FROM ${mailFromDomain} is not a subdomain of example.com; SES refuses it and SPF cannot align with example.com. Use a name such as bounce.example.com.`,
    ]);
  });

  it("is not applicable without a MAIL FROM domain, or to other types", async () => {
    expect((await run({ emailIdentity: "example.com", mailFromDomain: "" })).notApplicable).toBe("No custom MAIL FROM domain is set.");
    expect((await runResourcePolicy(policy, resourceArgs(aws.sesv2.EmailIdentity, { emailIdentity: "example.com" }))).notApplicable).toBeDefined();
  });
});
