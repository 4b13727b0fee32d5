import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { missingMailFrom as policy } from "../../../policies/sesv2/EmailIdentity/missingMailFrom";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, urnOf } from "../harness";
import { find, goodStack, without } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes identities with a MAIL FROM in each region", async () => {
    expect(await run(goodStack(["us-east-1", "eu-south-1"]))).toEqual({ violations: [] });
  });

  it("fails an identity without MAIL FROM attributes, naming its region", async () => {
    const stack = without(goodStack(["us-east-1", "eu-south-1"]), "mail-from-eu-south-1");
    const { violations } = await run(stack);
    expect(violations).toEqual([
      {
        urn: urnOf(find(stack, "identity-eu-south-1")),
        message: "example.com in eu-south-1 has no custom MAIL FROM domain, so its mail is sent with an amazonses.com envelope sender and SPF does not align for DMARC.",
      },
    ]);
  });

  it("fails when the only MAIL FROM is in another region", async () => {
    const stack = goodStack();
    find(stack, "mail-from-us-east-1").props.region = "eu-west-1";
    expect((await run(stack)).violations).toHaveLength(1);
  });

  it("fails an empty mailFromDomain", async () => {
    const stack = goodStack();
    find(stack, "mail-from-us-east-1").props.mailFromDomain = "";
    expect((await run(stack)).violations.map((v) => v.message)).toEqual([expect.stringContaining("(mailFromDomain is empty)")]);
  });

  it("does not apply to e-mail address identities, nor to a stack without identities", async () => {
    const address = [entry(aws.sesv2.EmailIdentity, "addr", { emailIdentity: "me@example.com", region: "us-east-1" })];
    expect((await run(address)).notApplicable).toBe("The stack has no SES domain identity.");
    expect((await run([])).notApplicable).toBe("The stack has no SES domain identity.");
  });
});
