import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { smtpSendPolicy } from "../../../lib/iam";
import { wideSendStatements } from "../../../lib/smtp-credentials";
import { disallowAnyFromAddress as policy } from "../../../policies/iam/UserPolicy/disallowAnyFromAddress";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, urnOf } from "../harness";
import { find, goodStack } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));
const ARNS = ["arn:aws:ses:us-east-1:123456789012:identity/example.com", "arn:aws:ses:us-east-1:123456789012:configuration-set/cs"];
const withPolicy = (doc: unknown) => {
  const stack = goodStack();
  find(stack, "smtp-send-only").props.policy = JSON.stringify(doc);
  return stack;
};

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "advisory"));

  it("passes a policy limited to the senders' From addresses", async () => {
    expect(await run(withPolicy(smtpSendPolicy(ARNS, ["admin@example.com"])))).toEqual({ violations: [] });
  });

  it("flags the program's policy without senders (no From condition), naming the keys to set", async () => {
    const stack = withPolicy(smtpSendPolicy(ARNS));
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "smtp-send-only")),
        message:
          'The inline policy ses-send-raw-email-only of smtp lets its holder send as any address: statement SendRawEmailOnly has no ses:FromAddress condition, so it may send as any address of every identity it names. Set mail-infra:smtpCredentials to "senders" and list the relays in mail-infra:senders, or remove the *@<domain> entries of mail-infra:smtpAllowedFromAddresses.',
      },
    ]);
  });

  it("flags *@domain (StringLike with a wildcard)", async () => {
    const v = (await run(withPolicy(smtpSendPolicy(ARNS, ["admin@example.com", "*@example.com"])))).violations;
    expect(v).toHaveLength(1);
    expect(v[0].message).toMatch(/statement SendRawEmailOnly lets ses:FromAddress match "\*@example\.com", so it may send as any address there/);
  });

  it("judges the effect, whatever the shape: a group's policy, a wildcard action, a negated condition", async () => {
    const wide = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ses:Send*", Resource: "*", Condition: { StringNotEquals: { "ses:FromAddress": "x@example.com" } } }] };
    const stack = [...goodStack().filter((e) => e.name !== "smtp-send-only"), entry(aws.iam.GroupPolicy, "smtp-group", { group: "senders", name: "send", policy: JSON.stringify(wide) })];
    expect((await run(stack)).violations.map((x) => x.message)).toEqual([expect.stringMatching(/^The group policy send of senders lets its holder send as any address: statement #1 has no ses:FromAddress condition/)]);
    // A policy that does not send is not judged.
    expect(wideSendStatements({ Statement: [{ Effect: "Allow", Action: "ses:GetAccount", Resource: "*" }] })).toEqual([]);
    expect(wideSendStatements({ Statement: [{ Effect: "Deny", Action: "ses:SendRawEmail", Resource: "*" }] })).toEqual([]);
  });

  it("is not applicable without IAM policies", async () => {
    const r = await run(goodStack().filter((e) => !e.type.startsWith("aws:iam")));
    expect(r.notApplicable).toMatch(/no IAM policy/);
  });
});
