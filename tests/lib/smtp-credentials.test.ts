/**
 * The SMTP credentials rule (lib/smtp-credentials.ts) on hand-built inputs: whether a stack
 * declares credentials, what config it refuses, and which IAM statements send as any address.
 * The program-level consequences are in tests/safe-defaults/credentials.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  credentialsDecision,
  credentialsRemovalIssue,
  isWideFromList,
  keyAgeDays,
  SMTP_CREDENTIALS_MODES,
  wideSendStatements,
} from "../../lib/smtp-credentials";

describe("SMTP_CREDENTIALS_MODES", () => {
  it("are the three modes config accepts, the default first", () => {
    expect(SMTP_CREDENTIALS_MODES).toEqual(["senders", "any-address", "none"]);
  });
});

describe("isWideFromList", () => {
  it("no From list at all is wide (no ses:FromAddress condition)", () => {
    expect(isWideFromList([])).toBe(true);
  });

  it("is wide when any entry has a * or ? wildcard", () => {
    expect(isWideFromList(["admin@example.com"])).toBe(false);
    expect(isWideFromList(["admin@example.com", "*@example.com"])).toBe(true);
    expect(isWideFromList(["admin@example.com", "a?min@example.com"])).toBe(true);
  });
});

describe("credentialsDecision", () => {
  it("senders: credentials when a sender or a From address is named, none otherwise", () => {
    expect(credentialsDecision("senders", 0, [])).toEqual({ declare: false, issues: [] });
    expect(credentialsDecision("senders", 1, [])).toEqual({ declare: true, issues: [] });
    expect(credentialsDecision("senders", 0, ["alerts@example.com"])).toEqual({ declare: true, issues: [] });
  });

  it("senders: refuses each wildcard entry by its index, naming the domain it opens", () => {
    const d = credentialsDecision("senders", 1, ["admin@example.com", "*@example.com", "a?@mail.example.org"]);
    expect(d.declare).toBe(true);
    expect(d.issues.map((i) => i.key)).toEqual(["smtpAllowedFromAddresses[1]", "smtpAllowedFromAddresses[2]"]);
    expect(d.issues[0].message).toMatch(/^"\*@example\.com" lets the SMTP credentials send as any address of example\.com: a leaked password/);
    expect(d.issues[0].message).toMatch(/set mail-infra:smtpCredentials to "any-address"/);
    expect(d.issues[1].message).toMatch(/^"a\?@mail\.example\.org" lets the SMTP credentials send as any address of mail\.example\.org:/);
  });

  it("any-address: always credentials, wildcards and all, even without senders", () => {
    expect(credentialsDecision("any-address", 0, [])).toEqual({ declare: true, issues: [] });
    expect(credentialsDecision("any-address", 2, ["*@example.com"])).toEqual({ declare: true, issues: [] });
  });

  it("none: no credentials; listed senders and From addresses are refused, each under its own key", () => {
    expect(credentialsDecision("none", 0, [])).toEqual({ declare: false, issues: [] });
    const one = credentialsDecision("none", 1, []);
    expect(one.declare).toBe(false);
    expect(one.issues).toEqual([
      {
        key: "smtpCredentials",
        message: expect.stringMatching(/^is none, but mail-infra:senders lists 1 sender that relay through SES with the credentials\. Set mail-infra:smtpCredentials to "senders"/),
      },
    ]);
    const both = credentialsDecision("none", 3, ["alerts@example.com"]);
    expect(both.declare).toBe(false);
    expect(both.issues.map((i) => i.key)).toEqual(["smtpCredentials", "smtpAllowedFromAddresses"]);
    expect(both.issues[0].message).toMatch(/lists 3 senders that relay/);
    expect(both.issues[1].message).toMatch(/^lists From addresses for SMTP credentials, but mail-infra:smtpCredentials is none\. Remove mail-infra:smtpAllowedFromAddresses/);
  });
});

describe("credentialsRemovalIssue", () => {
  const deployed = { user: "mail-infra-smtp-prod", accessKeyId: "AKIAEXAMPLEKEY000001" };

  it("refuses dropping deployed credentials when config did not say none, naming the user and key", () => {
    const issue = credentialsRemovalIssue(deployed, "senders", false);
    expect(issue?.key).toBe("senders");
    expect(issue?.message).toMatch(/^is empty, and the last deployment holds SMTP credentials \(IAM user mail-infra-smtp-prod, access key AKIAEXAMPLEKEY000001\)\. /);
    expect(issue?.message).toMatch(/pulumi up would delete the user, its keys and the secret/);
    expect(issue?.message).toMatch(/List the senders that relay with them in mail-infra:senders \(the user may then send only as them\); or set mail-infra:smtpCredentials to "any-address"/);
    expect(issue?.message).toMatch(/set mail-infra:smtpCredentials to "none" \(docs\/operations\.md "Remove the SMTP credentials"\)\.$/);
  });

  it("says nothing without deployed credentials, when credentials stay declared, or when none is said on purpose", () => {
    expect(credentialsRemovalIssue(undefined, "senders", false)).toBeUndefined();
    expect(credentialsRemovalIssue(deployed, "senders", true)).toBeUndefined();
    expect(credentialsRemovalIssue(deployed, "any-address", true)).toBeUndefined();
    expect(credentialsRemovalIssue(deployed, "none", false)).toBeUndefined();
  });
});

describe("wideSendStatements", () => {
  const doc = (...Statement: unknown[]) => ({ Version: "2012-10-17", Statement });
  const send = (extra: Record<string, unknown> = {}) => ({ Effect: "Allow", Action: "ses:SendRawEmail", Resource: "*", ...extra });
  const NO_CONDITION = "has no ses:FromAddress condition, so it may send as any address of every identity it names";

  it("reads a JSON string or an object; anything else has no statement", () => {
    expect(wideSendStatements(JSON.stringify(doc(send())))).toEqual([{ statement: "#1", reason: NO_CONDITION }]);
    expect(wideSendStatements(doc(send()))).toEqual([{ statement: "#1", reason: NO_CONDITION }]);
    for (const p of ["{not json", "null", "42", null, undefined, 42, "\"text\""]) expect(wideSendStatements(p)).toEqual([]);
  });

  it("reads a single statement object as a list of one, and skips entries that are no statement", () => {
    expect(wideSendStatements({ Statement: send() })).toEqual([{ statement: "#1", reason: NO_CONDITION }]);
    expect(wideSendStatements({ Version: "2012-10-17" })).toEqual([]);
    expect(wideSendStatements(doc(null, "text", send()))).toEqual([{ statement: "#3", reason: NO_CONDITION }]);
  });

  it("names a statement by its Sid, or by its 1-based position when the Sid is missing, empty or not text", () => {
    expect(wideSendStatements(doc(send({ Sid: "Relay" }), send({ Sid: "" }), send(), send({ Sid: 7 }))).map((s) => s.statement)).toEqual(["Relay", "#2", "#3", "#4"]);
  });

  it("judges only Allow statements that send mail", () => {
    expect(wideSendStatements(doc(send({ Effect: "Deny" })))).toEqual([]);
    expect(wideSendStatements(doc(send({ Action: ["ses:GetSendQuota", "ses:GetAccount"] })))).toEqual([]);
    expect(wideSendStatements(doc(send({ Action: undefined })))).toEqual([]);
    // NotAction allows every action it does not name, sending among them.
    expect(wideSendStatements(doc(send({ Action: undefined, NotAction: "iam:*" })))).toEqual([{ statement: "#1", reason: NO_CONDITION }]);
  });

  it("takes every SES send action, in any case", () => {
    for (const a of ["ses:SendRawEmail", "ses:SendEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail", "ses:SendBulkEmail", "SES:SENDRAWEMAIL"]) {
      expect(wideSendStatements(doc(send({ Action: ["ses:GetAccount", a] }))), a).toHaveLength(1);
    }
  });

  it("takes a wildcard action that matches ses:SendRawEmail as a whole, with * and ? as IAM reads them", () => {
    for (const a of ["*", "ses:*", "ses:Send*", "SES:send*", "ses:SendRaw?mail", "*:SendRawEmail"]) expect(wideSendStatements(doc(send({ Action: a }))), a).toHaveLength(1);
    // Not a match: another service's actions, a prefix without the rest, a ? standing for no character, a dot taken literally.
    for (const a of ["ses:Get*", "s:SendRawEmail*", "ses:SendRaw?", "ses:Send?RawEmail", "ses:Send.awEmail*", "ses:SendRawEmail+*"]) {
      expect(wideSendStatements(doc(send({ Action: a }))), a).toEqual([]);
    }
  });

  it("passes a send statement restricted to plain From addresses, whatever the operator's or the key's case", () => {
    const restricted = [
      { StringEquals: { "ses:FromAddress": "admin@example.com" } },
      { StringEquals: { "ses:FromAddress": ["admin@example.com", "alerts@example.com"] } },
      { StringLike: { "SES:FromAddress": "admin@example.com" } },
      { stringequalsignorecase: { "ses:fromaddress": ["Admin@example.com"] } },
    ];
    for (const Condition of restricted) expect(wideSendStatements(doc(send({ Condition }))), JSON.stringify(Condition)).toEqual([]);
  });

  it("flags From values with a wildcard, quoting each", () => {
    expect(wideSendStatements(doc(send({ Sid: "Wide", Condition: { StringLike: { "ses:FromAddress": ["admin@example.com", "*@example.com", "a?@example.org"] } } })))).toEqual([
      { statement: "Wide", reason: 'lets ses:FromAddress match "*@example.com", "a?@example.org", so it may send as any address there' },
    ]);
  });

  it("does not count conditions that do not restrict the From address to the values listed", () => {
    const open = [
      null,
      "StringEquals",
      { StringEquals: { "aws:SourceIp": "192.0.2.1" } },
      { StringEquals: null },
      { "ForAnyValue:StringEquals": { "ses:FromAddress": "admin@example.com" } },
      { StringNotEquals: { "ses:FromAddress": "admin@example.com" } },
      { StringEqualsX: { "ses:FromAddress": "admin@example.com" } },
      { StringEquals: { "ses:FromAddressX": "admin@example.com" } },
      // A document built in code: JSON drops an undefined value, so AWS sees no condition.
      { StringEquals: { "ses:FromAddress": undefined } },
    ];
    for (const Condition of open) expect(wideSendStatements(doc(send({ Condition }))), JSON.stringify(Condition)).toEqual([{ statement: "#1", reason: NO_CONDITION }]);
  });

  it("reports each wide statement of a document, in order", () => {
    const policy = doc(
      send({ Sid: "Ok", Condition: { StringEquals: { "ses:FromAddress": "admin@example.com" } } }),
      send({ Sid: "Open" }),
      send({ Sid: "Star", Condition: { StringLike: { "ses:FromAddress": "*@example.com" } } }),
    );
    expect(wideSendStatements(policy).map((s) => s.statement)).toEqual(["Open", "Star"]);
  });
});

describe("keyAgeDays", () => {
  it("counts whole days, rounded down", () => {
    const now = Date.parse("2026-03-31T12:00:00Z");
    expect(keyAgeDays("2026-03-01T00:00:00Z", now)).toBe(30);
    expect(keyAgeDays("2026-03-31T11:00:00Z", now)).toBe(0);
    expect(keyAgeDays("2026-01-01T00:00:00Z", now)).toBe(89);
  });

  it("is undefined for a date that does not parse", () => {
    expect(keyAgeDays("not a date", Date.parse("2026-03-31T12:00:00Z"))).toBeUndefined();
    expect(keyAgeDays("", 0)).toBeUndefined();
  });
});
