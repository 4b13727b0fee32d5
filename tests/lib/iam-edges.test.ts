/**
 * lib/iam.ts beyond the main cases of tests/lib/iam.test.ts: the grant's region patterns, the
 * SMTP regions, the pattern and From-condition rules one by one, and statements and documents
 * that are not what IAM expects. Pure, hand-built inputs (written from the mutants that survived
 * tests/lib/iam.test.ts and tests/lib/smtp-grant.test.ts).
 */
import { describe, expect, it } from "vitest";
import { fromAddressConditionProblem, isBoundedSesPattern, parsePolicyDocument, policySize, sendOnlyPolicyProblems, smtpSendPolicy, smtpSendRegions, smtpSendResourcePatterns } from "../../lib/iam";
import { SES_SMTP_REGIONS } from "../../lib/regions";

const ACCOUNT = "123456789012";
const ARN = "arn:aws:ses:us-east-1:123456789012:identity/example.com";
const IDENTITIES = "arn:aws:ses:us-east-1:123456789012:identity/*";
const SETS = "arn:aws:ses:us-east-1:123456789012:configuration-set/mail-infra-*";
const FROM = { StringEqualsIgnoreCase: { "ses:FromAddress": ["admin@example.com"] } };
const TWO = ["ses:SendRawEmail", "ses:SendEmail"];

/** A policy with one statement: the bounded grant's by default, `patch` over it. */
const policy = (patch: Record<string, unknown> = {}) => ({
  Version: "2012-10-17",
  Statement: [{ Sid: "Send", Effect: "Allow", Action: "ses:SendRawEmail", Resource: [IDENTITIES, SETS], Condition: FROM, ...patch }],
});
const problems = (doc: unknown, allowed?: readonly string[]) => sendOnlyPolicyProblems(doc, allowed);

describe("smtpSendResourcePatterns: two patterns per region, in the region's partition", () => {
  it("every identity and the mail-infra-* configuration sets of each region, nothing else", () => {
    expect(smtpSendResourcePatterns(["us-east-1", "us-gov-west-1"], ACCOUNT)).toEqual([
      "arn:aws:ses:us-east-1:123456789012:identity/*",
      "arn:aws:ses:us-east-1:123456789012:configuration-set/mail-infra-*",
      "arn:aws-us-gov:ses:us-gov-west-1:123456789012:identity/*",
      "arn:aws-us-gov:ses:us-gov-west-1:123456789012:configuration-set/mail-infra-*",
    ]);
    expect(smtpSendResourcePatterns([], ACCOUNT)).toEqual([]);
  });

  it("the policy pack accepts the program's patterns in every SMTP region (GovCloud's names have two words)", () => {
    for (const region of SES_SMTP_REGIONS) {
      for (const pattern of smtpSendResourcePatterns([region], ACCOUNT)) expect(isBoundedSesPattern(pattern), pattern).toBe(true);
    }
  });
});

describe("smtpSendPolicy", () => {
  it("writes the current policy language version, 2012-10-17 (without it IAM reads 2008-10-17, which has no policy variables)", () => {
    expect(smtpSendPolicy([ARN]).Version).toBe("2012-10-17");
    expect(smtpSendPolicy([ARN], ["admin@example.com"]).Version).toBe("2012-10-17");
  });
});

describe("smtpSendRegions", () => {
  const THREE = ["us-east-1", "us-west-2", "eu-west-1"];

  it("the senders' regions plus smtpRegions (trimmed, any case), in `regions` order", () => {
    expect(smtpSendRegions(THREE, ["us-west-2"], [" EU-West-1 "])).toEqual(["us-west-2", "eu-west-1"]);
    expect(smtpSendRegions(THREE, [], ["us-east-1"])).toEqual(["us-east-1"]);
    expect(smtpSendRegions(THREE, ["eu-west-1", "us-east-1"], [])).toEqual(["us-east-1", "eu-west-1"]);
  });

  it("every region when neither names one; a named region outside `regions` adds nothing", () => {
    expect(smtpSendRegions(THREE, [], [])).toEqual(THREE);
    expect(smtpSendRegions(THREE, [], ["ap-south-1"])).toEqual([]);
  });
});

describe("policySize counts the JSON without whitespace (IAM's inline policy quota)", () => {
  it('an empty document, {"Version":"2012-10-17","Statement":[]}, is 39 characters; whitespace inside a value does not count', () => {
    expect(policySize({ Version: "2012-10-17", Statement: [] })).toBe(39);
    const withSid = (Sid: string) => ({ Version: "2012-10-17" as const, Statement: [{ Sid, Effect: "Allow" as const, Action: "ses:SendRawEmail", Resource: ARN }] });
    expect(policySize(withSid("Send   only"))).toBe(policySize(withSid("Sendonly")));
  });
});

describe("isBoundedSesPattern: one partition, region and account; every identity or a named prefix of configuration sets", () => {
  it.each([
    IDENTITIES,
    SETS,
    "arn:aws-us-gov:ses:us-gov-west-1:123456789012:identity/*",
    "arn:aws-cn:ses:cn-northwest-1:123456789012:configuration-set/mail-infra-*",
  ])("accepts %s", (resource) => {
    expect(isBoundedSesPattern(resource)).toBe(true);
  });

  it.each([
    ["a wildcard before the ARN", "*arn:aws:ses:us-east-1:123456789012:identity/*"],
    ["another resource around the ARN", "arn:aws:iam::123456789012:user/arn:aws:ses:us-east-1:123456789012:identity/*"],
    ["more after identity/*", "arn:aws:ses:us-east-1:123456789012:identity/*/*"],
    ["more after the prefix's wildcard", "arn:aws:ses:us-east-1:123456789012:configuration-set/mail-infra-*?"],
    ["a region without its number", "arn:aws:ses:us-east:123456789012:identity/*"],
  ])("refuses %s", (_what, resource) => {
    expect(isBoundedSesPattern(resource)).toBe(false);
  });
});

describe("fromAddressConditionProblem", () => {
  it("no Condition at all", () => {
    expect(fromAddressConditionProblem(null)).toBe("the statement has no Condition.");
    expect(fromAddressConditionProblem(undefined)).toBe("the statement has no Condition.");
  });

  it("StringEquals, StringEqualsIgnoreCase and StringLike pin the From address", () => {
    expect(fromAddressConditionProblem({ StringEquals: { "ses:FromAddress": "admin@example.com" } })).toBeUndefined();
    expect(fromAddressConditionProblem({ StringEqualsIgnoreCase: { "SES:FromAddress": ["admin@example.com"] } })).toBeUndefined();
    expect(fromAddressConditionProblem({ StringLike: { "ses:FromAddress": ["*@example.com"] } })).toBeUndefined();
  });

  it("an operator block that is not an object is skipped; a good block elsewhere still pins the address", () => {
    const good = { "ses:FromAddress": ["admin@example.com"] };
    expect(fromAddressConditionProblem({ StringEquals: null, StringLike: good })).toBeUndefined();
    expect(fromAddressConditionProblem({ StringEquals: undefined, StringLike: good })).toBeUndefined();
    expect(fromAddressConditionProblem({ StringEquals: "ses:FromAddress", StringLike: good })).toBeUndefined();
    expect(fromAddressConditionProblem({ StringEquals: null })).toBe("the statement has no ses:FromAddress condition.");
  });

  it("an empty list names no address", () => {
    expect(fromAddressConditionProblem({ StringEqualsIgnoreCase: { "ses:FromAddress": [] } })).toBe(
      "its ses:FromAddress values (none) do not name one address or one domain (write a@example.com or *@example.com).",
    );
  });

  it("names every loose value, separated by commas", () => {
    expect(fromAddressConditionProblem({ StringLike: { "ses:FromAddress": ["*", "admin@example.com", "*@*"] } })).toBe(
      'its ses:FromAddress values "*", "*@*" do not name one address or one domain (write a@example.com or *@example.com).',
    );
  });

  it.each([
    ["a wildcard at the start of the local part (any address ending in admin@example.com)", "*admin@example.com"],
    ["a wildcard after the domain (a@example.com.attacker.example)", "a@example.com*"],
    ["a space in the local part", "first last@example.com"],
  ])("refuses %s", (_what, value) => {
    expect(fromAddressConditionProblem({ StringLike: { "ses:FromAddress": [value] } })).toMatch(/^its ses:FromAddress values ".+" do not name one address or one domain/);
  });
});

describe("parsePolicyDocument", () => {
  it("an object, as JSON text or as it is", () => {
    expect(parsePolicyDocument('{"Statement": []}')).toEqual({ Statement: [] });
    expect(parsePolicyDocument({ Statement: [] })).toEqual({ Statement: [] });
  });

  it.each([["null"], ["5"], ['"text"'], ["[]"], [null], [5], [true]])("refuses %j", (value) => {
    expect(parsePolicyDocument(value)).toBeUndefined();
  });
});

describe("sendOnlyPolicyProblems: statements and documents", () => {
  it("says what a document without a Statement is missing and how to write it", () => {
    const [p, ...rest] = problems("{}");
    expect(rest).toEqual([]);
    expect(p.code).toBe("iam-policy-invalid");
    expect(p.message).toMatch(/^The policy is not a JSON IAM policy document with a Statement, so what it allows cannot be checked\./);
    expect(p.message).toContain('Write it as {"Version": "2012-10-17", "Statement": [...]}.');
  });

  it("skips statements that are not objects, and names an unnamed one by its position from 1", () => {
    const doc = { Version: "2012-10-17", Statement: [null, undefined, "text", 5, { Effect: "Deny", Action: "*", Resource: "*" }, { Effect: "Allow", Action: "ses:*", Resource: ARN }] };
    expect(problems(doc).map((p) => [p.code, p.statement])).toEqual([["iam-action-wildcard", "#6"]]);
  });

  it("a single statement not in a list is judged too", () => {
    expect(problems({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "ses:*", Resource: ARN } }).map((p) => p.statement)).toEqual(["#1"]);
  });

  it("an empty or non-text Sid counts as none", () => {
    expect(problems(policy({ Sid: "", Action: "ses:*" })).map((p) => p.statement)).toEqual(["#1"]);
    expect(problems(policy({ Sid: 7, Action: "ses:*" })).map((p) => p.statement)).toEqual(["#1"]);
    expect(problems(policy({ Sid: "Mine", Action: "ses:*" })).map((p) => p.statement)).toEqual(["Mine"]);
  });

  it("NotAction: the message names the allowed actions to write instead", () => {
    const [p] = problems(policy({ Action: undefined, NotAction: "iam:*" }), TWO);
    expect(p.code).toBe("iam-not-action");
    expect(p.message).toBe('Statement Send allows NotAction, which grants every action except the ones listed. Use "Action": ["ses:SendRawEmail", "ses:SendEmail"] instead.');
  });

  it("a wildcard or extra action: the message lists the allowed actions", () => {
    expect(problems(policy({ Action: "ses:Send*" }), TWO)[0].message).toContain("Name the actions: ses:SendRawEmail, ses:SendEmail.");
    expect(problems(policy({ Action: "ses:DeleteIdentity" }), TWO)[0].message).toContain("SMTP credentials need only ses:SendRawEmail, ses:SendEmail.");
  });

  it("NotResource: says what it does and what to write instead", () => {
    const [p] = problems(policy({ Resource: undefined, NotResource: ARN }));
    expect(p.code).toBe("iam-not-resource");
    expect(p.message).toMatch(/^Statement Send uses NotResource, which applies the actions to every resource except the ones listed\. List the identity and configuration set ARNs in "Resource"\.$/);
  });

  it("the bounded grant under StringEquals or StringLike is accepted like StringEqualsIgnoreCase", () => {
    expect(problems(policy())).toEqual([]);
    expect(problems(policy({ Condition: { StringEquals: { "ses:FromAddress": ["admin@example.com"] } } }))).toEqual([]);
    expect(problems(policy({ Condition: { StringLike: { "ses:FromAddress": ["*@example.com"] } } }))).toEqual([]);
  });

  it("an unbounded wildcard without a Condition: the advice is to list the ARNs, not to add a condition", () => {
    for (const doc of [policy({ Resource: "*", Condition: undefined }), policy({ Resource: ["arn:aws:ses:*:123456789012:identity/*"], Condition: { StringEquals: null } })]) {
      const [p, ...rest] = problems(doc);
      expect(rest).toEqual([]);
      expect(p.code).toBe("iam-resource-wildcard");
      expect(p.message).toContain("List the identity and configuration set ARNs instead");
      expect(p.message).not.toContain("accepted only with a ses:FromAddress condition");
    }
  });

  it("statements without any wildcard resource need no Condition", () => {
    expect(problems(policy({ Resource: [ARN], Condition: undefined }))).toEqual([]);
    expect(problems(policy({ Resource: ARN, Condition: { StringEquals: { "ses:FromAddress": [] } } }))).toEqual([]);
  });
});
