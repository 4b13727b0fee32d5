import { describe, expect, it } from "vitest";
import { parsePolicyDocument, sendOnlyPolicyProblems, smtpSendPolicy, SMTP_ACTIONS } from "../../lib/iam";

const ARN = "arn:aws:ses:us-east-1:123456789012:identity/example.com";
const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
const codes = (policy: unknown, allowed?: readonly string[]) => sendOnlyPolicyProblems(policy, allowed).map((p) => p.code);

describe("sendOnlyPolicyProblems", () => {
  it("accepts the program's own policy, as JSON text or as an object", () => {
    expect(codes(JSON.stringify(smtpSendPolicy([ARN], ["a@example.com"])))).toEqual([]);
    expect(codes(smtpSendPolicy([ARN]))).toEqual([]);
  });

  it("compares actions case-insensitively, as IAM does, and accepts a single string", () => {
    expect(codes(doc({ Effect: "Allow", Action: "SES:sendrawemail", Resource: ARN }))).toEqual([]);
  });

  it("flags an extra action and names it", () => {
    const problems = sendOnlyPolicyProblems(doc({ Sid: "S", Effect: "Allow", Action: ["ses:SendRawEmail", "ses:DeleteIdentity"], Resource: ARN }));
    expect(problems.map((p) => [p.code, p.statement])).toEqual([["iam-action-not-allowed", "S"]]);
    expect(problems[0].message).toContain('"ses:DeleteIdentity"');
  });

  it.each(["*", "ses:*", "ses:Send*", "ses:SendRaw?mail"])("flags the wildcard action %s", (action) => {
    expect(codes(doc({ Effect: "Allow", Action: [action], Resource: ARN }))).toEqual(["iam-action-wildcard"]);
  });

  it.each(["*", "arn:aws:ses:us-east-1:123456789012:identity/*"])("flags the wildcard resource %s", (resource) => {
    expect(codes(doc({ Effect: "Allow", Action: "ses:SendRawEmail", Resource: resource }))).toEqual(["iam-resource-wildcard"]);
  });

  it("flags NotAction and NotResource, which grant everything else", () => {
    expect(codes(doc({ Effect: "Allow", NotAction: "iam:*", NotResource: ARN }))).toEqual(["iam-not-action", "iam-not-resource"]);
  });

  it("ignores Deny statements and honours a configured allow list", () => {
    expect(codes(doc({ Effect: "Deny", Action: "*", Resource: "*" }))).toEqual([]);
    const both = doc({ Effect: "Allow", Action: ["ses:SendRawEmail", "ses:SendEmail"], Resource: ARN });
    expect(codes(both)).toEqual(["iam-action-not-allowed"]);
    expect(codes(both, ["ses:SendRawEmail", "ses:SendEmail"])).toEqual([]);
    expect(SMTP_ACTIONS).toEqual(["ses:SendRawEmail"]);
  });

  it("refuses what is not a policy document", () => {
    expect(codes("not json")).toEqual(["iam-policy-invalid"]);
    expect(codes(JSON.stringify({ Version: "2012-10-17" }))).toEqual(["iam-policy-invalid"]);
    expect(parsePolicyDocument("[1]")).toBeUndefined();
  });
});

describe("smtpSendPolicy's From condition", () => {
  it("no addresses: no condition; exact addresses: StringEqualsIgnoreCase; a *@domain entry: StringLike for all", () => {
    expect(smtpSendPolicy([ARN]).Statement[0].Condition).toBeUndefined();
    expect(smtpSendPolicy([ARN], ["a@example.com"]).Statement[0].Condition).toEqual({ StringEqualsIgnoreCase: { "ses:FromAddress": ["a@example.com"] } });
    expect(smtpSendPolicy([ARN], ["a@example.com", "*@example.org"]).Statement[0].Condition).toEqual({ StringLike: { "ses:FromAddress": ["a@example.com", "*@example.org"] } });
  });
});
