/**
 * The SMTP grant does not grow with the domains (lib/iam.ts smtpGrant, docs/architecture.md
 * "The SMTP grant does not grow with the domains"): with senders it names each SMTP region
 * twice (every identity, the mail-infra-* configuration sets) and each From address once.
 * What it allows is asked of tests/verify/iam-evaluator.ts, which evaluates IAM's rules, not a
 * chosen verdict; the policy pack's send-only rule (lib/iam.ts sendOnlyPolicyProblems) must
 * accept it and still refuse a wide one. Pure; what the program declares is tests/smtp-grant.test.ts.
 */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../../lib/config";
import { policySize, sendOnlyPolicyProblems, sesArn, USER_INLINE_POLICY_LIMIT } from "../../lib/iam";
import { pulumiConfig } from "../helpers/config";
import { ACCOUNT, decisions, domains, grantFor, own, REGIONS, SEND, values } from "../helpers/smtp-grant";
import { unwrapped } from "../helpers/unwrap";
import { evaluatePolicies, type PolicySource } from "../verify/iam-evaluator";

/** The message `f` throws, its lines as wrapped to 100 columns joined again ("" when it throws nothing). */
function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return unwrapped((e as Error).message);
  }
  return "";
}

describe("the SMTP grant's size does not depend on the number of domains", () => {
  it("N = 1, 10 and 1000 domains × 2 regions with the same senders: the same document, under IAM's 2,048 characters", () => {
    const sizes = [1, 10, 1000].map((n) => policySize(grantFor(n)));
    expect(new Set(sizes).size).toBe(1);
    expect(sizes[0]).toBeLessThan(USER_INLINE_POLICY_LIMIT);
    expect(grantFor(1000)).toEqual(grantFor(1));
  });

  it("grows with the From addresses and the regions only, and the validator refuses it where IAM would", () => {
    const more = policySize(grantFor(1000, { smtpAllowedFromAddresses: ["third@d2.example.com"] }));
    expect(more - policySize(grantFor(1000))).toBe('"third@d2.example.com",'.length);
    const many = Array.from({ length: 90 }, (_, i) => `sender${i}@d${i}.example.com`);
    expect(refusal(() => validateConfig(pulumiConfig(values(1000, { smtpAllowedFromAddresses: many })), "test"))).toMatch(
      /mail-infra:senders: 92 From addresses in 2 SMTP regions make the SMTP user's send-only policy \d+ characters, over IAM's 2048-character limit .*\(the number of domains does not count\)\. Split the senders across stacks/,
    );
  });

  it("without senders the ARNs stay listed, and the refusal says that senders lift the limit", () => {
    expect(refusal(() => validateConfig(pulumiConfig({ domains: domains(10), regions: REGIONS, dnsMode: "external" }), "test"))).toMatch(
      /mail-infra:domains: 10 domains in 2 regions make .* without senders the policy lists every identity\. List the senders in mail-infra:senders/,
    );
  });
});

describe("what the grant allows (IAM's evaluation)", () => {
  // Built inside each test (not when the file is collected), so mutation testing sees which test reads lib/config.
  const grant = (): PolicySource => ({ id: "ses-send-raw-email-only", document: grantFor(1000) });

  it("each sender, as itself, through its own identity and configuration set, in the SMTP regions", () => {
    const policy = grant();
    expect(decisions(policy, own("d0.example.com", "us-east-1"), "admin@d0.example.com")).toEqual(["allowed", "allowed"]);
    expect(decisions(policy, own("d0.example.com", "us-west-2"), "App@D0.example.com")).toEqual(["allowed", "allowed"]);
    // An address identity of the sender (it takes precedence over the domain's) is covered too.
    expect(decisions(policy, [sesArn("us-east-1", ACCOUNT, "identity", "admin@d0.example.com")], "admin@d0.example.com")).toEqual(["allowed"]);
  });

  it("refuses another address of a stack domain, a region outside the grant, another account, a foreign configuration set, and a send without a From address", () => {
    const policy = grant();
    expect(decisions(policy, own("d0.example.com", "us-east-1"), "ceo@d0.example.com")).toEqual(["implicitDeny", "implicitDeny"]);
    expect(decisions(policy, own("d999.example.com", "us-east-1"), "anyone@d999.example.com")).toEqual(["implicitDeny", "implicitDeny"]);
    expect(decisions(policy, own("d0.example.com", "eu-west-1"), "admin@d0.example.com")).toEqual(["implicitDeny", "implicitDeny"]);
    expect(decisions(policy, [sesArn("us-east-1", "210987654321", "identity", "d0.example.com")], "admin@d0.example.com")).toEqual(["implicitDeny"]);
    expect(decisions(policy, [sesArn("us-east-1", ACCOUNT, "configuration-set", "marketing")], "admin@d0.example.com")).toEqual(["implicitDeny"]);
    expect(evaluatePolicies([policy], SEND, own("d0.example.com", "us-east-1"), []).map((e) => [e.decision, e.missingContextValues])).toEqual([
      ["implicitDeny", ["ses:FromAddress"]],
      ["implicitDeny", ["ses:FromAddress"]],
    ]);
  });

  it("a *@domain entry allows that domain's addresses only", () => {
    const wide: PolicySource = { id: "p", document: grantFor(3, { smtpAllowedFromAddresses: ["*@d2.example.com"], smtpCredentials: "any-address" }) };
    expect(decisions(wide, own("d2.example.com", "us-east-1"), "x@d2.example.com")).toEqual(["allowed", "allowed"]);
    expect(decisions(wide, own("d2.example.com", "us-east-1"), "x@sub.d2.example.com")).toEqual(["implicitDeny", "implicitDeny"]);
  });
});

describe("the send-only rule accepts the bounded grant and still refuses a wide one", () => {
  const statement = (patch: Record<string, unknown>) => {
    const [s] = grantFor(1).Statement;
    return { Version: "2012-10-17", Statement: [{ ...s, ...patch }] };
  };
  const codes = (doc: unknown) => sendOnlyPolicyProblems(doc).map((p) => p.code);
  const messages = (doc: unknown) => sendOnlyPolicyProblems(doc).map((p) => p.message);

  it("accepts the program's grant, as JSON text too", () => {
    expect(codes(grantFor(1000))).toEqual([]);
    expect(codes(JSON.stringify(grantFor(1000)))).toEqual([]);
  });

  it("refuses the region patterns without a From condition, and says what would make them acceptable", () => {
    const bare = statement({ Condition: undefined });
    expect(codes(bare)).toEqual(["iam-resource-wildcard", "iam-resource-wildcard", "iam-resource-wildcard", "iam-resource-wildcard"]);
    expect(messages(bare)[0]).toBe(
      'Statement SendRawEmailOnly applies to the wildcard resource "arn:aws:ses:us-east-1:123456789012:identity/*", so the credentials can send as any identity it matches. A pattern over one region\'s identities is accepted only with a ses:FromAddress condition naming the addresses, and the statement has no Condition.',
    );
  });

  it.each([
    ["an IfExists operator (true when the key is absent)", { StringEqualsIfExists: { "ses:FromAddress": ["a@d0.example.com"] } }, /uses StringEqualsIfExists/],
    ["ForAllValues (true for an empty set)", { "ForAllValues:StringLike": { "ses:FromAddress": ["a@d0.example.com"] } }, /uses ForAllValues:StringLike/],
    ["a negated operator", { StringNotEquals: { "ses:FromAddress": ["a@d0.example.com"] } }, /uses StringNotEquals/],
    ["every address", { StringLike: { "ses:FromAddress": ["*"] } }, /values "\*" do not name one address or one domain/],
    ["every domain", { StringLike: { "ses:FromAddress": ["a@d0.example.com", "*@*"] } }, /values "\*@\*" do not name/],
    ["a wildcard domain", { StringLike: { "ses:FromAddress": ["*@*.example.com"] } }, /values "\*@\*\.example\.com" do not name/],
    ["another key", { StringEquals: { "ses:FeedbackAddress": ["a@d0.example.com"] } }, /has no ses:FromAddress condition/],
  ])("refuses the patterns with %s", (_what, condition, message) => {
    const problems = messages(statement({ Condition: condition }));
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(message);
  });

  it.each([
    ["a wildcard region", "arn:aws:ses:*:123456789012:identity/*"],
    ["a wildcard account", "arn:aws:ses:us-east-1:*:identity/*"],
    ["every SES resource", "arn:aws:ses:us-east-1:123456789012:*"],
    ["every configuration set", "arn:aws:ses:us-east-1:123456789012:configuration-set/*"],
    ["everything", "*"],
  ])("refuses %s even with the From condition", (_what, resource) => {
    const doc = statement({ Resource: [resource] });
    expect(codes(doc)).toEqual(["iam-resource-wildcard"]);
    expect(messages(doc)[0]).toMatch(/List the identity and configuration set ARNs instead, or write the program's grant/);
  });

  it("a bounded pattern next to an unbounded one is refused too", () => {
    const doc = statement({ Resource: ["arn:aws:ses:us-east-1:123456789012:identity/*", "*"] });
    expect(codes(doc)).toEqual(["iam-resource-wildcard", "iam-resource-wildcard"]);
  });
});
