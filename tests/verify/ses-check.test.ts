/**
 * The SES layer's checks (scripts/verify/layers/ses/check.ts): the branches and edges the broad
 * tests in checks.test.ts and mail-from-status.test.ts leave open (quota boundaries, missing
 * fields SES may omit, discovery mode, shared MAIL FROM names, evidence lists), found reading
 * the code for mutation testing (docs/mutation-testing.md). Hand-built states as the collector
 * reads them from SES API v2 (GetAccount, GetEmailIdentity, GetConfigurationSet). Pure.
 */
import { describe, expect, it } from "vitest";
import type { ManifestDomain, ManifestRegion } from "../../lib/manifest";
import { mailFromMxHost } from "../../lib/regions";
import { type Finding, observed, type Unobservable } from "../../lib/verify/findings";
import { manifestRegion } from "../helpers/manifest";
import {
  checkMailFrom as mailFromCheck,
  checkRecipient as recipientCheck,
  checkSesAccount as accountCheck,
  checkSesConfigurationSet as configurationSetCheck,
  checkSesIdentity as identityCheck,
  DRIFT_FIX,
  dkimStatusIssues,
  mailFromConsequence,
  type SesAccountState,
  type SesConfigurationSetState,
  type SesIdentityState,
} from "../../scripts/verify/layers/ses/check";

const D = "example.com";

/** The checks, each of their findings checked to belong to the ses layer. */
function inSes<T extends Finding | Finding[]>(out: T): T {
  expect([out].flat().filter((f) => f.layer !== "ses")).toEqual([]);
  return out;
}
const checkSesAccount = (...a: Parameters<typeof accountCheck>) => inSes(accountCheck(...a));
const checkSesIdentity = (...a: Parameters<typeof identityCheck>) => inSes(identityCheck(...a));
const checkSesConfigurationSet = (...a: Parameters<typeof configurationSetCheck>) => inSes(configurationSetCheck(...a));
const checkMailFrom = (...a: Parameters<typeof mailFromCheck>) => inSes(mailFromCheck(...a));
const checkRecipient = (...a: Parameters<typeof recipientCheck>) => inSes(recipientCheck(...a));

// Tokens out of order: the checks compare them as sets and print them sorted.
const region = (name: string, mailFromDomain: string, over: Partial<ManifestRegion> = {}) => manifestRegion(D, name, mailFromDomain, { dkimTokens: ["tokc", "toka", "tokb"], ...over });
const USE1 = region("us-east-1", "bounce.example.com");
const domainOf = (regions: ManifestRegion[]): ManifestDomain => ({ domain: D, dns: { mode: "external" }, regions, records: [] });
const DOMAIN = domainOf([USE1]);

const account = (over: Partial<SesAccountState> = {}): SesAccountState => ({
  sendingEnabled: true,
  productionAccessEnabled: true,
  enforcementStatus: "HEALTHY",
  max24HourSend: 200,
  sentLast24Hours: 10,
  suppressedReasons: ["BOUNCE", "COMPLAINT"],
  ...over,
});
const identity = (r = USE1, over: Partial<SesIdentityState> = {}): SesIdentityState => ({
  verifiedForSending: true,
  verificationStatus: "SUCCESS",
  dkim: { signingEnabled: true, status: "SUCCESS", tokens: ["toka", "tokb", "tokc"], signingHostedZone: "dkim.amazonses.com", currentSigningKeyLength: "RSA_2048_BIT", nextSigningKeyLength: "RSA_2048_BIT" },
  mailFrom: { domain: r.mailFromDomain, status: "SUCCESS", behaviorOnMxFailure: "REJECT_MESSAGE" },
  configurationSetName: r.configurationSet,
  ...over,
});
const one = (fs: Finding[], id: string): Finding => {
  const found = fs.filter((f) => f.id === id);
  expect(found.map((f) => f.id)).toEqual([id]);
  return found[0];
};
const denied: Unobservable = { ok: false, reason: "denied", message: "AccessDeniedException: ses:GetEmailIdentity", needs: "Grant ses:GetEmailIdentity." };

describe("ses.account.*", () => {
  it("quota: exactly 80 % passes, above warns; a zero or unreported quota gives no quota finding", () => {
    expect(one(checkSesAccount("us-east-1", observed(account({ max24HourSend: 200, sentLast24Hours: 160 }))), "ses.account.quota")).toMatchObject({ status: "pass", summary: "160 of 200 messages in the last 24 hours (80%)" });
    const over = one(checkSesAccount("us-east-1", observed(account({ max24HourSend: 200, sentLast24Hours: 161 }))), "ses.account.quota");
    expect([over.status, over.summary, over.remediation]).toEqual(["warn", "161 of 200 messages in the last 24 hours (81%)", "Request a higher sending quota before it runs out (Service Quotas > Amazon SES > Sending quota)."]);
    const ids = (a: SesAccountState) => checkSesAccount("us-east-1", observed(a)).map((f) => f.id);
    expect(ids(account({ max24HourSend: 0, sentLast24Hours: 0 }))).not.toContain("ses.account.quota");
    expect(ids(account({ max24HourSend: undefined }))).not.toContain("ses.account.quota");
    expect(ids(account({ sentLast24Hours: undefined }))).not.toContain("ses.account.quota");
  });

  it("no enforcement status reported counts as HEALTHY; any other status warns with the advice", () => {
    expect(one(checkSesAccount("us-east-1", observed(account({ enforcementStatus: undefined }))), "ses.account.enforcement")).toMatchObject({ status: "pass", summary: "enforcement status HEALTHY" });
    const p = one(checkSesAccount("us-east-1", observed(account({ enforcementStatus: "PROBATION" }))), "ses.account.enforcement");
    expect(p.remediation).toBe("Read the notice from AWS, bring bounce and complaint rates down (SES console > Reputation metrics), and answer the case.");
  });

  it("the passes say what they saw; the failures name the command to run", () => {
    const fs = checkSesAccount("eu-west-1", observed(account()));
    expect(fs.map((f) => [f.id, f.status, f.summary])).toEqual([
      ["ses.account.sending", "pass", "sending is enabled"],
      ["ses.account.production", "pass", "production access (out of the sandbox)"],
      ["ses.account.enforcement", "pass", "enforcement status HEALTHY"],
      ["ses.account.quota", "pass", "10 of 200 messages in the last 24 hours (5%)"],
      ["ses.account.suppression", "pass", "account suppression list covers BOUNCE and COMPLAINT"],
    ]);
    expect(fs.every((f) => f.subject === "account in eu-west-1")).toBe(true);
    const bad = checkSesAccount("eu-west-1", observed(account({ sendingEnabled: false, productionAccessEnabled: false, suppressedReasons: [] })));
    expect(one(bad, "ses.account.sending").remediation).toBe("Find why in the SES console (Reputation metrics, and any AWS notice), fix it, then resume with `aws sesv2 put-account-sending-attributes --sending-enabled`.");
    expect(one(bad, "ses.account.production")).toMatchObject({
      summary: "the account is in the SES sandbox in eu-west-1: it can only send to verified addresses, at most 200 messages a day",
      remediation: "Request production access for eu-west-1: SES console > Account dashboard > Request production access (or `aws sesv2 put-account-details --production-access-enabled ...`).",
    });
    expect(one(bad, "ses.account.suppression")).toMatchObject({
      status: "warn",
      summary: "the account suppression list does not cover BOUNCE and COMPLAINT",
      evidence: ["suppressed reasons: none"],
      remediation: "Run `aws sesv2 put-account-suppression-attributes --suppressed-reasons BOUNCE COMPLAINT` (the configuration set covers mail sent through it).",
    });
  });

  it("an unreadable account is one inconclusive finding with the reason", () => {
    expect(checkSesAccount("us-east-1", denied)).toEqual([
      { layer: "ses", id: "ses.account.sending", subject: "account in us-east-1", status: "inconclusive", summary: "could not check the SES account: AccessDeniedException: ses:GetEmailIdentity", evidence: ["denied: AccessDeniedException: ses:GetEmailIdentity"], remediation: "Grant ses:GetEmailIdentity.", cause: expect.any(Object) },
    ]);
  });
});

describe("ses.identity.verified and .dkim", () => {
  it("the pass shows the DKIM status, key and signing host it saw ('?' and the stack's host when SES omits them)", () => {
    const fs = checkSesIdentity(DOMAIN, USE1, observed(identity()));
    expect(one(fs, "ses.identity.verified")).toMatchObject({ status: "pass", summary: "verified for sending", evidence: ["DKIM status SUCCESS"] });
    expect(one(fs, "ses.identity.dkim")).toMatchObject({ status: "pass", summary: "Easy DKIM signing on, tokens match the stack", evidence: ["DKIM status SUCCESS", "key RSA_2048_BIT", "signing host dkim.amazonses.com"] });
    const bare = identity(USE1, { dkim: { signingEnabled: true, tokens: ["tokb", "toka", "tokc"] } });
    const b = checkSesIdentity(DOMAIN, { ...USE1, signingHostedZone: "dkim.example-host.com" }, observed(bare));
    expect(one(b, "ses.identity.verified").evidence).toEqual(["DKIM status ?"]);
    expect(one(b, "ses.identity.dkim")).toMatchObject({ status: "pass", evidence: ["DKIM status ?", "key ?", "signing host dkim.example-host.com"] });
  });

  it("an unverified identity names the status it has: verification, else DKIM, else PENDING", () => {
    const summary = (over: Partial<SesIdentityState>, dkimStatus?: string) =>
      one(checkSesIdentity(DOMAIN, USE1, observed(identity(USE1, { verifiedForSending: false, ...over, dkim: { ...identity().dkim, status: dkimStatus } }))), "ses.identity.verified");
    expect(summary({ verificationStatus: "FAILED" }, "PENDING").summary).toBe("not verified for sending (status FAILED)");
    expect(summary({ verificationStatus: undefined }, "TEMPORARY_FAILURE").summary).toBe("not verified for sending (status TEMPORARY_FAILURE)");
    const none = summary({ verificationStatus: undefined });
    expect([none.summary, none.evidence]).toEqual(["not verified for sending (status PENDING)", ["VerifiedForSendingStatus false", "DKIM status ?"]]);
  });

  it("a missing identity fails with the refresh advice and a cause other checks can point at; other errors are inconclusive", () => {
    const missing: Unobservable = { ok: false, reason: "notfound", message: "NotFoundException: Email identity example.com does not exist." };
    const [f] = checkSesIdentity(DOMAIN, USE1, missing);
    expect(f.remediation).toBe(
      "Run `pulumi up --refresh` to create it again: the refresh drops the deleted identity from the state (a plain `pulumi up` compares with the state and sees nothing to do). A new identity gets new DKIM tokens. Or check that verify looks at the right account and region.",
    );
    expect(f.cause).toEqual({ key: "notfound: NotFoundException: Email identity example.com does not exist." });
    expect(checkSesIdentity(DOMAIN, USE1, denied).map((x) => [x.id, x.status, x.summary])).toEqual([["ses.identity.verified", "inconclusive", "could not check the identity: AccessDeniedException: ses:GetEmailIdentity"]]);
  });

  it("dkim: no tokens found reads 'none'; a signing host SES does not report is no issue; every issue is evidence, the fix matches the mode", () => {
    const base = identity();
    const none = one(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, tokens: [] } })), "ses.identity.dkim");
    expect(none.summary).toBe("tokens differ from the stack (expected toka, tokb, tokc; found none)");
    expect(none.remediation).toBe("Run `pulumi up --refresh` so the stack and its DNS records follow the identity's current DKIM settings.");
    expect(none.evidence).toEqual([none.summary, "DKIM status SUCCESS"]);
    const byHand = one(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, tokens: [] } }), { mode: "discovery" }), "ses.identity.dkim");
    expect(byHand.remediation).toBe("Look at the identity's DKIM settings in the SES console (us-east-1) and publish the CNAMEs the DNS layer lists.");
    expect(one(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, signingHostedZone: undefined } })), "ses.identity.dkim").status).toBe("pass");

    const many = one(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, status: "FAILED", signingEnabled: false, signingHostedZone: "other.example" } })), "ses.identity.dkim");
    expect(many.summary).toBe("DKIM status FAILED: SES did not find the DKIM records and no longer looks for them, so it does not sign this domain's mail");
    // The status is already among the issues: it is not added again.
    expect(many.evidence).toEqual([many.summary, "DKIM signing is disabled", "signing host is other.example, the stack published CNAMEs into dkim.amazonses.com"]);
    expect(many.fix).toBeUndefined();
    // A warning alone leads when there is no failure.
    const warn = one(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, status: "PENDING" } })), "ses.identity.dkim");
    expect([warn.status, warn.evidence]).toEqual(["warn", ["DKIM status PENDING: SES has not found the DKIM records yet (it keeps looking for up to 72 hours)"]]);
  });

  it("dkim: signing off or another signing host fails on its own; a status SES omits reads '?' in the evidence", () => {
    const base = identity();
    const off = one(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, signingEnabled: false, status: undefined } })), "ses.identity.dkim");
    expect([off.status, off.summary, off.evidence]).toEqual(["fail", "DKIM signing is disabled", ["DKIM signing is disabled", "DKIM status ?"]]);
    const host = one(checkSesIdentity(DOMAIN, USE1, observed({ ...base, dkim: { ...base.dkim, signingHostedZone: "dkim.other.example" } })), "ses.identity.dkim");
    expect([host.status, host.summary]).toEqual(["fail", "signing host is dkim.other.example, the stack published CNAMEs into dkim.amazonses.com"]);
  });

  it("dkim: a 1024-bit key carries the key-length step; a stack that declares 2048 bits drifted, with no next length reported", () => {
    const base = identity();
    const short = { ...base, dkim: { ...base.dkim, currentSigningKeyLength: "RSA_1024_BIT", nextSigningKeyLength: undefined } };
    const step = { kind: "ses-dkim-key-length", domain: D, region: "us-east-1", nextSigningKeyLength: "RSA_2048_BIT" };
    const drifted = one(checkSesIdentity(DOMAIN, USE1, observed(short)), "ses.identity.dkim");
    expect([drifted.status, drifted.summary, drifted.fix]).toEqual(["fail", "the current DKIM key is 1024-bit", [step]]);
    expect(drifted.remediation).toMatch(/^The stack declares RSA_2048_BIT but the identity's next key is not 2048-bit \(changed outside the stack\): `pulumi refresh`/);
    const byHand = one(checkSesIdentity(DOMAIN, USE1, observed(short), { mode: "discovery" }), "ses.identity.dkim");
    expect(byHand.fix).toEqual([step]);
    expect(byHand.remediation).toMatch(/^Move to 2048 bits: `aws sesv2 put-email-identity-dkim-signing-attributes --email-identity example\.com .*NextSigningKeyLength=RSA_2048_BIT --region us-east-1`/);
  });

  it("dkim: tokens discovery could not read carry their cause", () => {
    const r = region("us-east-1", "bounce.example.com", { dkimTokens: [], unknown: { dkimTokens: denied } });
    const f = one(checkSesIdentity(domainOf([r]), r, observed(identity(r))), "ses.identity.dkim");
    expect([f.status, f.cause]).toEqual(["fail", { key: "denied: AccessDeniedException: ses:GetEmailIdentity" }]);
    expect(one(checkSesIdentity(DOMAIN, USE1, observed(identity(USE1, { dkim: { ...identity().dkim, tokens: [] } }))), "ses.identity.dkim").cause).toBeUndefined();
  });

  it("dkimStatusIssues: SUCCESS and no status are no issue; an unknown status warns", () => {
    expect(dkimStatusIssues(D, "us-east-1", undefined)).toEqual([]);
    expect(dkimStatusIssues(D, "us-east-1", "SUCCESS")).toEqual([]);
    expect(dkimStatusIssues(D, "us-east-1", "WEIRD")).toEqual([{ status: "warn", text: "DKIM status WEIRD is not one verify knows", fix: "Look at the identity in the SES console and re-run verify when its DKIM status is SUCCESS." }]);
    expect(dkimStatusIssues(D, "eu-west-1", "NOT_STARTED")[0].fix).toBe("Turn on Easy DKIM for example.com in eu-west-1 (run `pulumi up --refresh`, which declares it), then publish the CNAMEs the DNS layer lists.");
    expect(dkimStatusIssues(D, "eu-west-1", "FAILED")[0].fix).toBe(
      "Publish the DKIM CNAMEs exactly as the DNS layer lists them (dns.dkim), then restart DKIM verification for example.com in eu-west-1 (SES console > Verified identities > example.com > Authentication).",
    );
    expect(dkimStatusIssues(D, "eu-west-1", "PENDING")[0].fix).toBe("Check that the DKIM CNAMEs resolve (dns.dkim below) and re-run verify later; if the status turns FAILED, SES stops looking.");
    expect(dkimStatusIssues(D, "eu-west-1", "TEMPORARY_FAILURE")[0].fix).toBe("SES retries by itself: check that the DKIM CNAMEs resolve from the internet (dns.dkim below) and re-run verify later.");
  });
});

describe("ses.identity.mail-from", () => {
  it("without a custom MAIL FROM (or an empty one): the stack's refresh fix, or the SES call in discovery mode", () => {
    const stack = checkMailFrom(D, USE1, undefined);
    expect([stack.status, stack.evidence, stack.remediation]).toEqual(["fail", ["MailFromAttributes.MailFromDomain empty"], DRIFT_FIX]);
    const byHand = checkMailFrom(D, USE1, { domain: "" }, { mode: "discovery" });
    expect([byHand.status, byHand.remediation]).toEqual([
      "fail",
      "Set it with `aws sesv2 put-email-identity-mail-from-attributes --email-identity example.com --mail-from-domain <name> --behavior-on-mx-failure <behaviour> --region us-east-1` once the name's MX and SPF are published (the DNS layer lists them).",
    ]);
  });

  it("a status verify does not know fails; the fixes of several problems are all given, each once", () => {
    const f = checkMailFrom(D, USE1, { domain: "mail.example.com", status: "ODD", behaviorOnMxFailure: "USE_DEFAULT_VALUE" });
    expect(f.summary).toBe(
      "MAIL FROM mail.example.com status ODD: a status verify does not know; SES sends example.com's mail in us-east-1 with its own MAIL FROM (amazonses.com): SPF does not align and DMARC rests on DKIM alone",
    );
    expect(f.evidence).toEqual([
      f.summary,
      "MAIL FROM is mail.example.com, the stack declares bounce.example.com",
      "behaviour on MX failure is USE_DEFAULT_VALUE, the stack declares REJECT_MESSAGE",
      "status ODD",
      "behaviour on MX failure USE_DEFAULT_VALUE",
    ]);
    expect(f.remediation).toBe(
      `Check dns.mail-from.mx below: mail.example.com needs exactly one MX, to SES's feedback host of us-east-1. SES keeps checking by itself: re-run verify. SES tells only the account's root address when this status changes, so run verify on a schedule (docs/monitoring.md). ${DRIFT_FIX}`,
    );
    expect(f.fix).toBeUndefined();
  });

  it("FAILED with no behaviour reported uses the stack's in the command; the pass evidence says what SES did not report", () => {
    const f = checkMailFrom(D, USE1, { domain: "bounce.example.com", status: "FAILED" });
    expect(f.remediation).toContain("--behavior-on-mx-failure REJECT_MESSAGE --region us-east-1`.");
    expect(f.evidence.slice(-2)).toEqual(["status FAILED", "behaviour on MX failure not reported"]);
    expect(checkMailFrom(D, USE1, { domain: "bounce.example.com", status: "SUCCESS" }).evidence).toEqual(["status SUCCESS", "behaviour on MX failure not reported"]);
  });

  it("no status reported is inconclusive with its own advice, unless a failure leads; a behaviour that differs alone fails", () => {
    const none = checkMailFrom(D, USE1, { domain: "bounce.example.com", behaviorOnMxFailure: "REJECT_MESSAGE" });
    expect(none).toMatchObject({
      status: "inconclusive",
      summary: "SES reported no MAIL FROM status for bounce.example.com: no evidence that it found the MX",
      evidence: ["SES reported no MAIL FROM status for bounce.example.com: no evidence that it found the MX", "status not reported", "behaviour on MX failure REJECT_MESSAGE"],
      remediation: "Re-run verify; if SES still reports no status, look at the identity in the SES console (Custom MAIL FROM domain).",
    });
    // A failure found after the missing status leads; both fixes are given, the failure's first.
    const drifted = checkMailFrom(D, USE1, { domain: "mail.example.com" });
    expect([drifted.status, drifted.summary, drifted.remediation]).toEqual([
      "fail",
      "MAIL FROM is mail.example.com, the stack declares bounce.example.com",
      `${DRIFT_FIX} Re-run verify; if SES still reports no status, look at the identity in the SES console (Custom MAIL FROM domain).`,
    ]);
    const behaviour = checkMailFrom(D, USE1, { domain: "bounce.example.com", status: "SUCCESS", behaviorOnMxFailure: "USE_DEFAULT_VALUE" });
    expect([behaviour.status, behaviour.summary, behaviour.remediation]).toEqual(["fail", "behaviour on MX failure is USE_DEFAULT_VALUE, the stack declares REJECT_MESSAGE", DRIFT_FIX]);
  });

  it("a discovery cause for the MAIL FROM rides along on a failure", () => {
    const r = region("us-east-1", "", { unknown: { mailFromDomain: { ok: false, reason: "notfound", message: "no custom MAIL FROM in us-east-1" } } });
    expect(checkMailFrom(D, r, undefined).cause).toEqual({ key: "notfound: no custom MAIL FROM in us-east-1" });
    expect(checkMailFrom(D, USE1, undefined).cause).toBeUndefined();
  });

  it("mailFromConsequence: an unknown or missing behaviour says it depends", () => {
    expect(mailFromConsequence(D, "us-east-1", undefined)).toBe("what SES does with the mail depends on the behaviour on MX failure (not reported)");
    expect(mailFromConsequence(D, "us-east-1", "OTHER")).toBe("what SES does with the mail depends on the behaviour on MX failure (OTHER)");
  });

  it("a name two regions share fails for the region it does not serve, with that region's own name as the fix", () => {
    const west = region("us-west-2", "bounce.example.com");
    const d = domainOf([USE1, west]);
    const mx = (name: string) => (name === "bounce.example.com" ? [`10 ${mailFromMxHost("us-east-1")}`] : undefined);
    const f = one(checkSesIdentity(d, west, observed(identity(west)), { mailFromMx: mx }), "ses.identity.mail-from");
    expect([f.status, f.summary]).toEqual(["fail", "MAIL FROM bounce.example.com is shared with us-east-1; it serves us-east-1 (its MX names that region's feedback host), so SES in us-west-2 cannot use it"]);
    expect(f.fix?.map((s) => s.kind)).toEqual(["dns-record-set", "dns-record-set", "ses-mail-from"]);
    // The owner passes; without MX the first region in order keeps it.
    expect(one(checkSesIdentity(d, USE1, observed(identity(USE1)), { mailFromMx: mx }), "ses.identity.mail-from").status).toBe("pass");
    const first = one(checkSesIdentity(d, west, observed(identity(west))), "ses.identity.mail-from");
    expect(first.summary).toBe("MAIL FROM bounce.example.com is shared with us-east-1; it serves us-east-1, so SES in us-west-2 cannot use it");
    // A MAIL FROM that SES reports in capitals is the same name.
    const upper = one(checkSesIdentity(d, west, observed(identity(west, { mailFrom: { domain: "BOUNCE.example.com", status: "SUCCESS", behaviorOnMxFailure: "REJECT_MESSAGE" } })), { mailFromMx: mx }), "ses.identity.mail-from");
    expect(upper.evidence[0]).toMatch(/^MAIL FROM BOUNCE\.example\.com is shared with us-east-1/);
  });

  it("a region whose live MAIL FROM is not the shared name it declares is not judged as a sharer: its MAIL FROM is drift", () => {
    const west = region("us-west-2", "bounce.example.com");
    const d = domainOf([USE1, west]);
    const live = identity(west, { mailFrom: { domain: "mail.example.com", status: "SUCCESS", behaviorOnMxFailure: "REJECT_MESSAGE" } });
    const f = one(checkSesIdentity(d, west, observed(live)), "ses.identity.mail-from");
    expect([f.status, f.summary, f.remediation, f.fix]).toEqual(["fail", "MAIL FROM is mail.example.com, the stack declares bounce.example.com", DRIFT_FIX, undefined]);
  });

  it("three regions on one name: the others are all named", () => {
    const west = region("us-west-2", "bounce.example.com");
    const d = domainOf([USE1, west, region("eu-west-1", "bounce.example.com")]);
    const f = one(checkSesIdentity(d, west, observed(identity(west))), "ses.identity.mail-from");
    expect(f.summary).toBe("MAIL FROM bounce.example.com is shared with us-east-1 and eu-west-1; it serves us-east-1, so SES in us-west-2 cannot use it");
  });

  it("the move to a name of its own ends on the behaviour the region keeps: the stack's, or in discovery the one SES reports (the stack's when SES reports none)", () => {
    const REJECT_AGAIN = "; (3) when verify shows bounce-us-west-2.example.com SUCCESS in us-west-2, run the same command with --behavior-on-mx-failure REJECT_MESSAGE";
    const FOR_THIS_UP = "and, for this up, mail-infra:mailFromBehaviorOnMxFailure USE_DEFAULT_VALUE";
    const advice = (declared: "REJECT_MESSAGE" | "USE_DEFAULT_VALUE", reported: string | undefined, mode: "stack" | "discovery") => {
      const west = region("us-west-2", "bounce.example.com", { mailFromBehaviorOnMxFailure: declared });
      const d = domainOf([USE1, west]);
      const live = identity(west, { mailFrom: { domain: "bounce.example.com", status: "SUCCESS", behaviorOnMxFailure: reported } });
      return one(checkSesIdentity(d, west, observed(live), { mode }), "ses.identity.mail-from").remediation ?? "";
    };
    // A stack keeps what it declares, whatever SES reports.
    expect(advice("REJECT_MESSAGE", "USE_DEFAULT_VALUE", "stack")).toContain(FOR_THIS_UP);
    expect(advice("USE_DEFAULT_VALUE", "REJECT_MESSAGE", "stack")).not.toContain(FOR_THIS_UP);
    // Discovery keeps what SES reports; the stack's value only when SES reports none.
    expect(advice("USE_DEFAULT_VALUE", "REJECT_MESSAGE", "discovery")).toContain(REJECT_AGAIN);
    expect(advice("REJECT_MESSAGE", "USE_DEFAULT_VALUE", "discovery")).not.toContain(REJECT_AGAIN);
    expect(advice("REJECT_MESSAGE", undefined, "discovery")).toContain(REJECT_AGAIN);
    expect(advice("USE_DEFAULT_VALUE", undefined, "discovery")).not.toContain(REJECT_AGAIN);
  });
});

describe("ses.identity.configuration-set", () => {
  it("the pass names the set; a failure carries discovery's cause and the drift fix", () => {
    expect(one(checkSesIdentity(DOMAIN, USE1, observed(identity())), "ses.identity.configuration-set").summary).toBe("default configuration set mail-infra-example-com");
    const r = region("us-east-1", "bounce.example.com", { configurationSet: "", unknown: { configurationSet: denied } });
    const f = one(checkSesIdentity(domainOf([r]), r, observed(identity(r, { configurationSetName: undefined }))), "ses.identity.configuration-set");
    expect([f.status, f.remediation, f.cause]).toEqual(["fail", DRIFT_FIX, { key: "denied: AccessDeniedException: ses:GetEmailIdentity" }]);
    expect(one(checkSesIdentity(DOMAIN, USE1, observed(identity(USE1, { configurationSetName: "x" }))), "ses.identity.configuration-set").cause).toBeUndefined();
  });
});

describe("ses.configuration-set and .events", () => {
  const set = (over: Partial<SesConfigurationSetState> = {}): SesConfigurationSetState => ({
    tlsPolicy: "REQUIRE",
    reputationMetricsEnabled: true,
    sendingEnabled: true,
    suppressedReasons: ["BOUNCE", "COMPLAINT"],
    eventDestinations: [{ name: "sns", enabled: true, matchingEventTypes: ["BOUNCE", "COMPLAINT"] }],
    ...over,
  });

  it("the pass names the TLS policy ('?' when not reported); fields SES leaves out are no drift", () => {
    const [cs, ev] = checkSesConfigurationSet(USE1, observed(set()));
    expect([cs.subject, cs.summary]).toEqual(["configuration set mail-infra-example-com in us-east-1", "exists (TLS REQUIRE, reputation metrics on)"]);
    expect([ev.summary, ev.evidence]).toEqual(["event destination sns publishes BOUNCE and COMPLAINT", ["sns: BOUNCE, COMPLAINT"]]);
    const bare = checkSesConfigurationSet(USE1, observed(set({ tlsPolicy: undefined, reputationMetricsEnabled: undefined, sendingEnabled: undefined, suppressedReasons: undefined })));
    expect(bare.map((f) => [f.status, f.summary])).toEqual([
      ["pass", "exists (TLS ?, reputation metrics on)"],
      ["pass", "event destination sns publishes BOUNCE and COMPLAINT"],
    ]);
  });

  it("every drift is evidence, the first leads, with the drift fix", () => {
    const f = checkSesConfigurationSet(USE1, observed(set({ tlsPolicy: "OPTIONAL", reputationMetricsEnabled: false, suppressedReasons: ["BOUNCE"] })))[0];
    expect(f).toMatchObject({
      status: "warn",
      summary: "TLS policy OPTIONAL, the stack declares REQUIRE",
      evidence: ["TLS policy OPTIONAL, the stack declares REQUIRE", "reputation metrics are off", "does not suppress COMPLAINT"],
      remediation: DRIFT_FIX,
    });
    expect(checkSesConfigurationSet(USE1, observed(set({ suppressedReasons: [] })))[0].summary).toBe("does not suppress BOUNCE and COMPLAINT");
  });

  it("events: a destination must be enabled and publish both BOUNCE and COMPLAINT; the first that does is named", () => {
    const only = (eventDestinations: SesConfigurationSetState["eventDestinations"]) => checkSesConfigurationSet(USE1, observed(set({ eventDestinations })))[1];
    const half = only([{ name: "b", enabled: true, matchingEventTypes: ["BOUNCE"] }]);
    expect([half.status, half.evidence, half.remediation]).toEqual(["fail", ["b: enabled, BOUNCE"], "Run `pulumi up --refresh` to restore the SNS event destination (a plain `pulumi up` compares with Pulumi's state, not with AWS)."]);
    const two = only([
      { name: "off", enabled: false, matchingEventTypes: ["BOUNCE", "COMPLAINT"] },
      { name: "one", enabled: true, matchingEventTypes: ["COMPLAINT", "BOUNCE"], target: "arn:sns:1" },
      { name: "two", enabled: true, matchingEventTypes: ["BOUNCE", "COMPLAINT", "DELIVERY"] },
    ]);
    expect([two.status, two.summary, two.evidence]).toEqual(["pass", "event destination one publishes BOUNCE and COMPLAINT", ["one: COMPLAINT, BOUNCE -> arn:sns:1", "two: BOUNCE, COMPLAINT, DELIVERY"]]);
    expect(only([]).status).toBe("fail");
  });

  it("a missing set names the refresh, a paused one the resume command; an unknown set is never looked up by name", () => {
    const [missing] = checkSesConfigurationSet(USE1, { ok: false, reason: "notfound", message: "NotFoundException" });
    expect(missing.remediation).toBe("Run `pulumi up --refresh` to create it again (a plain `pulumi up` compares with Pulumi's state, which still has it).");
    const [paused] = checkSesConfigurationSet(USE1, observed(set({ sendingEnabled: false })));
    expect([paused.evidence, paused.remediation]).toEqual([
      ["SendingOptions.SendingEnabled false"],
      "Find why (SES sometimes pauses a configuration set over reputation), then resume: `aws sesv2 put-configuration-set-sending-options --configuration-set-name mail-infra-example-com --sending-enabled --region us-east-1`.",
    ]);
    const [u] = checkSesConfigurationSet(region("us-east-1", "b.example.com", { configurationSet: "", unknown: { configurationSet: denied } }), observed(set()));
    expect([u.status, u.subject]).toEqual(["inconclusive", "configuration set (unknown) in us-east-1"]);
    const [t] = checkSesConfigurationSet(USE1, { ok: false, reason: "timeout", message: "GetConfigurationSet timed out" });
    expect([t.status, t.summary]).toEqual(["inconclusive", "could not check the configuration set: GetConfigurationSet timed out"]);
  });
});

describe("ses.recipient.suppression", () => {
  it("a hard bounce says to confirm the mailbox; an unknown date is said so", () => {
    const f = checkRecipient("eu-west-1", "gone@example.org", observed({ reason: "BOUNCE" }));
    expect(f).toMatchObject({
      subject: "gone@example.org in eu-west-1",
      status: "fail",
      summary: "on the suppression list since an unknown date (reason BOUNCE): SES drops mail to it without trying",
      evidence: ["reason BOUNCE", "last update ?"],
      remediation: "If the address works again, remove it: `aws sesv2 delete-suppressed-destination --email-address gone@example.org --region eu-west-1`. A BOUNCE means it bounced hard: confirm the mailbox exists first.",
    });
    const dated = checkRecipient("eu-west-1", "gone@example.org", observed({ reason: "COMPLAINT", lastUpdateTime: "2026-01-02T00:00:00Z" }));
    expect(dated.evidence).toEqual(["reason COMPLAINT", "last update 2026-01-02T00:00:00Z"]);
  });

  it("an address not on the list passes; a list that could not be read is inconclusive; both under the one id", () => {
    const off = checkRecipient("eu-west-1", "ok@example.org", { ok: false, reason: "notfound", message: "NotFoundException" });
    expect([off.id, off.status, off.summary]).toEqual(["ses.recipient.suppression", "pass", "not on the account suppression list"]);
    const t = checkRecipient("eu-west-1", "ok@example.org", { ok: false, reason: "timeout", message: "GetSuppressedDestination timed out" });
    expect([t.id, t.status, t.summary]).toEqual(["ses.recipient.suppression", "inconclusive", "could not check the suppression list: GetSuppressedDestination timed out"]);
    expect(checkRecipient("eu-west-1", "gone@example.org", observed({ reason: "BOUNCE" })).id).toBe("ses.recipient.suppression");
  });
});
