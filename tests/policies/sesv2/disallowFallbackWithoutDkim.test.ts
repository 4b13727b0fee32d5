import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { disallowFallbackWithoutDkim as policy } from "../../../policies/sesv2/EmailIdentityMailFromAttributes/disallowFallbackWithoutDkim";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, UNKNOWN, urnOf } from "../harness";
import { find, goodStack, without } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));
const fallback = (behavior: unknown = "USE_DEFAULT_VALUE") => {
  const stack = goodStack();
  find(stack, "mail-from-us-east-1").props.behaviorOnMxFailure = behavior;
  return stack;
};

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes USE_DEFAULT_VALUE next to the domain identity of the same region (DKIM carries DMARC)", async () => {
    expect(await run(fallback())).toEqual({ violations: [] });
  });

  it("passes REJECT_MESSAGE even without an identity in the stack", async () => {
    expect(await run(without(goodStack(), "identity-us-east-1"))).toEqual({ violations: [] });
  });

  it("fails USE_DEFAULT_VALUE without the identity in the stack", async () => {
    const stack = without(fallback(), "identity-us-east-1");
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "mail-from-us-east-1")),
        message:
          "The MAIL FROM bounce.example.com of example.com in us-east-1 falls back to amazonses.com when its MX fails (behaviorOnMxFailure USE_DEFAULT_VALUE), and no identity example.com of this stack in that region shows that DKIM keeps DMARC passing then. Declare the domain identity, or use REJECT_MESSAGE.",
      },
    ]);
  });

  it("fails an unset behaviour (SES then uses USE_DEFAULT_VALUE) when the identity is in another region only", async () => {
    const stack = fallback(undefined);
    delete find(stack, "mail-from-us-east-1").props.behaviorOnMxFailure;
    find(stack, "identity-us-east-1").props.region = "eu-south-1";
    expect((await run(stack)).violations.map((v) => v.message)).toEqual([expect.stringContaining("(behaviorOnMxFailure unset: SES uses USE_DEFAULT_VALUE), and no identity example.com")]);
  });

  it("fails the fallback on an e-mail address identity", async () => {
    const stack = [
      entry(aws.sesv2.EmailIdentity, "address", { emailIdentity: "admin@example.com", region: "us-east-1" }),
      entry(aws.sesv2.EmailIdentityMailFromAttributes, "address-mail-from", { emailIdentity: "admin@example.com", region: "us-east-1", mailFromDomain: "bounce.example.com", behaviorOnMxFailure: "USE_DEFAULT_VALUE" }),
    ];
    expect((await run(stack)).violations.map((v) => v.message)).toEqual([expect.stringContaining("admin@example.com is an e-mail address identity")]);
  });

  it("says what it could not check when the behaviour is unknown at preview", async () => {
    const r = await run(fallback(UNKNOWN));
    expect(r.violations).toEqual([]);
    expect(r.notChecked).toBe("not checked at preview: mail-from-us-east-1: behaviorOnMxFailure is unknown");
  });

  it("is not applicable to a stack without a custom MAIL FROM", async () => {
    expect((await run(without(goodStack(), "mail-from-us-east-1"))).notApplicable).toBe("The stack has no custom MAIL FROM domain.");
  });
});
