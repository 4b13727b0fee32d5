import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { disallowNonSendActions as policy } from "../../../policies/iam/UserPolicy/disallowNonSendActions";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, urnOf } from "../harness";
import { find, goodStack, without } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0], config: Record<string, unknown> = {}) => runStackPolicy(policy, stackArgs(entries, { config }));
const ARN = "arn:aws:ses:us-east-1:123456789012:identity/example.com";
const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "S", Effect: "Allow", ...statement }] });
const withPolicy = (policyDoc: string) => {
  const stack = goodStack();
  find(stack, "smtp-send-only").props.policy = policyDoc;
  return stack;
};

describe(policy.name, () => {
  it("has the pack's metadata, with the allowed actions configurable", () => {
    expectPolicyShape(policy, "mandatory");
    expect(policy.configSchema?.properties.allowedActions).toMatchObject({ default: ["ses:SendRawEmail"] });
  });

  it("passes the program's send-only policy", async () => {
    expect(await run(goodStack(["us-east-1", "eu-south-1"]))).toEqual({ violations: [] });
  });

  it("fails another action, on the policy resource", async () => {
    const stack = withPolicy(doc({ Action: ["ses:SendRawEmail", "ses:SendEmail"], Resource: ARN }));
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "smtp-send-only")),
        message:
          'The inline policy ses-send-raw-email-only of the SMTP user smtp: Statement S allows "ses:SendEmail", but SMTP credentials need only ses:SendRawEmail. Remove the action; a leaked SMTP password must not be able to do more than send.',
      },
    ]);
  });

  it("passes another action when it is configured as allowed", async () => {
    const stack = withPolicy(doc({ Action: ["ses:SendRawEmail", "ses:SendEmail"], Resource: ARN }));
    expect(await run(stack, { allowedActions: ["ses:SendRawEmail", "ses:SendEmail"] })).toEqual({ violations: [] });
  });

  it("fails a wildcard action", async () => {
    expect((await run(withPolicy(doc({ Action: "ses:*", Resource: ARN })))).violations.map((v) => v.message)).toEqual([expect.stringContaining('allows the wildcard action "ses:*"')]);
  });

  it("fails a wildcard resource", async () => {
    expect((await run(withPolicy(doc({ Action: "ses:SendRawEmail", Resource: "*" })))).violations.map((v) => v.message)).toEqual([
      expect.stringContaining('applies to the wildcard resource "*", so the credentials can send as any identity in the account'),
    ]);
  });

  it("fails a managed policy attached to the SMTP user: checked when declared, flagged when not", async () => {
    const stack = goodStack();
    stack.push(entry(aws.iam.Policy, "admin", { arn: "arn:aws:iam::123456789012:policy/admin", policy: doc({ Action: "*", Resource: "*" }) }));
    stack.push(entry(aws.iam.UserPolicyAttachment, "attach-admin", { user: "smtp", policyArn: "arn:aws:iam::123456789012:policy/admin" }));
    stack.push(entry(aws.iam.PolicyAttachment, "attach-aws", { users: ["smtp"], policyArn: "arn:aws:iam::aws:policy/AmazonSESFullAccess" }));
    const { violations } = await run(stack);
    expect(violations).toEqual([
      { urn: urnOf(find(stack, "attach-admin")), message: expect.stringMatching(/^The managed policy arn:aws:iam::123456789012:policy\/admin attached to the SMTP user smtp: Statement S allows the wildcard action "\*"/) },
      { urn: urnOf(find(stack, "attach-admin")), message: expect.stringMatching(/^The managed policy .* Statement S applies to the wildcard resource "\*"/) },
      { urn: urnOf(find(stack, "attach-aws")), message: expect.stringMatching(/^The SMTP user smtp has the managed policy arn:aws:iam::aws:policy\/AmazonSESFullAccess attached, which is not declared in this stack/) },
    ]);
  });

  it("ignores the policies of users that are not SMTP users", async () => {
    const stack = goodStack();
    stack.push(entry(aws.iam.User, "deployer", { name: "deployer", path: "/" }));
    stack.push(entry(aws.iam.UserPolicy, "deployer-admin", { user: "deployer", name: "admin", policy: doc({ Action: "*", Resource: "*" }) }));
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("recognises the SMTP user by its tag alone", async () => {
    const stack = withPolicy(doc({ Action: "*", Resource: ARN }));
    find(stack, "smtp-user").props.path = "/";
    expect((await run(stack)).violations).toHaveLength(1);
  });

  it("does not apply without an SMTP user", async () => {
    expect((await run(without(goodStack(), "smtp-user"))).notApplicable).toBe("The stack has no SES SMTP user.");
  });
});
