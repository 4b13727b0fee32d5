import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { disallowLoginProfile as policy } from "../../../policies/iam/User/disallowLoginProfile";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, urnOf } from "../harness";
import { goodStack, without } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes an SMTP user without a login profile, and other users with one", async () => {
    const stack = goodStack();
    stack.push(entry(aws.iam.User, "alice", { name: "alice", path: "/" }), entry(aws.iam.UserLoginProfile, "alice-login", { user: "alice" }));
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("fails a login profile for the SMTP user", async () => {
    const stack = goodStack();
    const login = entry(aws.iam.UserLoginProfile, "smtp-login", { user: "smtp", passwordResetRequired: true });
    stack.push(login);
    expect((await run(stack)).violations).toEqual([
      { urn: urnOf(login), message: "The SMTP user smtp has a console login profile (smtp-login); it must hold only its SMTP access key." },
    ]);
  });

  it("does not apply without an SMTP user", async () => {
    expect((await run(without(goodStack(), "smtp-user"))).notApplicable).toBe("The stack has no SES SMTP user.");
  });
});
