/**
 * ses.identity.mail-from for each MAIL FROM status × behaviour on MX failure. What SES does is
 * from the SES API v2 reference (MailFromAttributes): the behaviour is taken in the Pending,
 * Failed and TemporaryFailure states; REJECT_MESSAGE returns MailFromDomainNotVerified and does
 * not deliver, USE_DEFAULT_VALUE sends with amazonses.com as MAIL FROM.
 */
import { describe, expect, it } from "vitest";
import type { ManifestRegion } from "../../lib/manifest";
import { exitCodeFor } from "../../lib/verify/findings";
import { checkMailFrom, DRIFT_FIX } from "../../scripts/verify/layers/ses/check";

type Behavior = ManifestRegion["mailFromBehaviorOnMxFailure"];
const region = (behavior: Behavior): ManifestRegion => ({
  region: "us-east-1",
  primary: true,
  identityArn: "arn:aws:ses:us-east-1:123456789012:identity/example.com",
  dkimTokens: [],
  dkimSigningKeyLength: "RSA_2048_BIT",
  signingHostedZone: "dkim.amazonses.com",
  mailFromDomain: "bounce.example.com",
  mailFromBehaviorOnMxFailure: behavior,
  configurationSet: "mail-infra-example-com",
  configurationSetArn: "arn:aws:ses:us-east-1:123456789012:configuration-set/mail-infra-example-com",
  eventTopicArn: "arn:aws:sns:us-east-1:123456789012:mail-infra-example-com-ses-events",
  tlsPolicy: "REQUIRE",
  smtpEndpoint: "email-smtp.us-east-1.amazonaws.com",
});
const check = (status: string | undefined, behavior: Behavior) =>
  checkMailFrom("example.com", region(behavior), { domain: "bounce.example.com", ...(status ? { status } : {}), behaviorOnMxFailure: behavior });

const REJECTED = "SES rejects every message from example.com in us-east-1 (MailFromDomainNotVerified) until it finds the MX";
const UNALIGNED = "SES sends example.com's mail in us-east-1 with its own MAIL FROM (amazonses.com): SPF does not align and DMARC rests on DKIM alone";

describe("ses.identity.mail-from: status × behaviour on MX failure", () => {
  it.each(["REJECT_MESSAGE", "USE_DEFAULT_VALUE"] as const)("SUCCESS passes under %s", (behavior) => {
    const f = check("SUCCESS", behavior);
    expect([f.status, f.summary]).toEqual(["pass", "MAIL FROM bounce.example.com is SUCCESS"]);
    expect(exitCodeFor([f])).toBe(0);
  });

  it.each([
    ["PENDING", "REJECT_MESSAGE", "SES has not found the MX yet (after a change it looks for up to 72 hours)", REJECTED],
    ["TEMPORARY_FAILURE", "REJECT_MESSAGE", "a temporary problem keeps SES from checking the MX (it retries; after 72 hours it turns FAILED)", REJECTED],
    ["FAILED", "REJECT_MESSAGE", "SES cannot find the MX, or it no longer exists", REJECTED],
    ["PENDING", "USE_DEFAULT_VALUE", "SES has not found the MX yet (after a change it looks for up to 72 hours)", UNALIGNED],
    ["TEMPORARY_FAILURE", "USE_DEFAULT_VALUE", "a temporary problem keeps SES from checking the MX (it retries; after 72 hours it turns FAILED)", UNALIGNED],
    ["FAILED", "USE_DEFAULT_VALUE", "SES cannot find the MX, or it no longer exists", UNALIGNED],
  ] as const)("%s under %s fails and says what happens to mail", (status, behavior, meaning, consequence) => {
    const f = check(status, behavior);
    expect(f.status).toBe("fail");
    expect(f.summary).toBe(`MAIL FROM bounce.example.com status ${status}: ${meaning}; ${consequence}`);
    expect(f.remediation).toContain("Check dns.mail-from.mx below");
    expect(f.remediation).toContain("only the account's root address");
    expect(exitCodeFor([f])).toBe(1);
  });

  it("FAILED says how to make SES look again, with the live behaviour; PENDING says SES keeps checking", () => {
    expect(check("FAILED", "USE_DEFAULT_VALUE").remediation).toContain(
      "`aws sesv2 put-email-identity-mail-from-attributes --email-identity example.com --mail-from-domain bounce.example.com --behavior-on-mx-failure USE_DEFAULT_VALUE --region us-east-1`",
    );
    expect(check("PENDING", "REJECT_MESSAGE").remediation).toContain("SES keeps checking by itself");
  });

  it("a name another region owns (shared): FAILED is evidence, but its fix is the shared one alone, never 'point the MX at this region' nor 'set the same name again'", () => {
    const shared = { text: "MAIL FROM bounce.example.com is shared with us-west-2; it serves us-west-2", fix: "Give us-east-1 its own MAIL FROM.", steps: [] };
    const f = checkMailFrom("example.com", region("REJECT_MESSAGE"), { domain: "bounce.example.com", status: "FAILED", behaviorOnMxFailure: "REJECT_MESSAGE" }, { mode: "discovery", shared });
    expect(f.status).toBe("fail");
    expect(f.evidence).toContain(`MAIL FROM bounce.example.com status FAILED: SES cannot find the MX, or it no longer exists; ${REJECTED}`);
    expect(f.remediation).toBe(shared.fix);
  });

  it("the behaviour SES reports decides what happens to mail, not the stack's", () => {
    const f = checkMailFrom("example.com", region("USE_DEFAULT_VALUE"), { domain: "bounce.example.com", status: "FAILED", behaviorOnMxFailure: "REJECT_MESSAGE" });
    expect(f.summary).toContain(REJECTED);
    expect(f.evidence).toContain("behaviour on MX failure is REJECT_MESSAGE, the stack declares USE_DEFAULT_VALUE");
  });

  it("no status reported is no evidence: inconclusive, never a pass", () => {
    const f = check(undefined, "REJECT_MESSAGE");
    expect([f.status, f.summary]).toEqual(["inconclusive", "SES reported no MAIL FROM status for bounce.example.com: no evidence that it found the MX"]);
  });

  it("a MAIL FROM or behaviour changed outside Pulumi is drift: the fix is the refresh form", () => {
    const moved = checkMailFrom("example.com", region("REJECT_MESSAGE"), { domain: "other.example.com", status: "SUCCESS", behaviorOnMxFailure: "REJECT_MESSAGE" });
    expect([moved.status, moved.summary, moved.remediation]).toEqual(["fail", "MAIL FROM is other.example.com, the stack declares bounce.example.com", DRIFT_FIX]);
    expect(DRIFT_FIX).toContain("`pulumi up --refresh`");
    const off = checkMailFrom("example.com", region("REJECT_MESSAGE"), undefined);
    expect(off.remediation).toBe(DRIFT_FIX);
  });
});
