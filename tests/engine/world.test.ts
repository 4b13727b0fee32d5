/** The in-memory AWS world's rules (tests/engine/world.ts), each seen alone. */
import { describe, expect, it } from "vitest";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import { HOUR, LAST_USED_LAG, World } from "./world";

const identity = { emailIdentity: "example.com", region: "us-east-1", dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" } };

describe("the world", () => {
  it("allows two access keys per IAM user", () => {
    const w = new World();
    w.create("aws:iam/user:User", "u", { name: "u" });
    w.create("aws:iam/accessKey:AccessKey", "k1", { user: "u" });
    w.create("aws:iam/accessKey:AccessKey", "k2", { user: "u" });
    expect(() => w.create("aws:iam/accessKey:AccessKey", "k3", { user: "u" })).toThrow(/LimitExceeded: Cannot exceed quota for AccessKeysPerUser: 2/);
  });

  it("shows a key's last use only after the lag, and only the latest visible one", () => {
    const w = new World();
    w.create("aws:iam/user:User", "u", { name: "u" });
    const k = w.create("aws:iam/accessKey:AccessKey", "k", { user: "u" });
    const secret = String(k.outputs.secret);
    w.relays.push({ address: "a@example.com", region: "us-east-1", username: k.id, password: deriveSmtpPasswordV4(secret, "us-east-1"), every: 100 * HOUR, nextSend: w.now + HOUR });
    w.advance(HOUR);
    expect(w.lastUsed(k.id).lastUsedDate).toBeUndefined();
    w.advance(LAST_USED_LAG);
    expect(w.lastUsed(k.id)).toMatchObject({ serviceName: "ses", region: "us-east-1" });
  });

  it("fails a relay's send once its key is inactive", () => {
    const w = new World();
    w.create("aws:iam/user:User", "u", { name: "u" });
    const k = w.create("aws:iam/accessKey:AccessKey", "k", { user: "u" });
    const relay = { address: "a@example.com", region: "us-east-1", username: k.id, password: deriveSmtpPasswordV4(String(k.outputs.secret), "us-east-1"), every: HOUR, nextSend: w.now + HOUR };
    w.relays.push(relay);
    expect(w.relayWorks(relay)).toBe(true);
    w.update("aws:iam/accessKey:AccessKey", k.id, { user: "u" }, { user: "u", status: "Inactive" });
    w.advance(HOUR);
    expect(w.relayWorks(relay)).toBe(false);
    expect(w.mailFailures.at(-1)?.what).toMatch(/535 Authentication Credentials Invalid/);
  });

  it("gives a re-created identity new DKIM tokens, and refuses a second CreateEmailIdentity", () => {
    const w = new World();
    const first = w.create("aws:sesv2/emailIdentity:EmailIdentity", "i", identity);
    expect(() => w.create("aws:sesv2/emailIdentity:EmailIdentity", "i", identity)).toThrow(/AlreadyExistsException/);
    w.deleteIdentityOutside("us-east-1", "example.com");
    const second = w.create("aws:sesv2/emailIdentity:EmailIdentity", "i", identity);
    const tokens = (c: typeof first) => (c.outputs.dkimSigningAttributes as { tokens: string[] }).tokens;
    expect(tokens(second)).toHaveLength(3);
    expect(tokens(second).some((t) => tokens(first).includes(t))).toBe(false);
  });

  it("moves MAIL FROM Pending -> Success when the MX is there, Pending -> Failed after 72 h without it (final until set again), Success -> TemporaryFailure when it goes", () => {
    const w = new World();
    w.create("aws:sesv2/emailIdentity:EmailIdentity", "i", identity);
    w.create("aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes", "m", { emailIdentity: "example.com", region: "us-east-1", mailFromDomain: "bounce.example.com", behaviorOnMxFailure: "REJECT_MESSAGE" });
    const mailFrom = () => w.identities.get("us-east-1/example.com")!.mailFrom!.status;
    expect(mailFrom()).toBe("PENDING");
    w.advance(71 * HOUR);
    expect(mailFrom()).toBe("PENDING");
    expect(w.rejection("us-east-1", "example.com")).toMatch(/not verified|MailFromDomainNotVerified/);
    w.advance(HOUR);
    expect(mailFrom()).toBe("FAILED");
    w.putForeignRecord("bounce.example.com", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"]);
    w.advance(HOUR);
    expect(mailFrom()).toBe("FAILED");
    // Set again (a Put of another domain and back): SES looks again and finds the MX.
    w.update("aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes", "example.com@us-east-1", {}, { emailIdentity: "example.com", region: "us-east-1" });
    w.update("aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes", "example.com@us-east-1", {}, { emailIdentity: "example.com", region: "us-east-1", mailFromDomain: "bounce.example.com", behaviorOnMxFailure: "REJECT_MESSAGE" });
    w.advance(HOUR);
    expect(mailFrom()).toBe("SUCCESS");
    w.dns.delete("bounce.example.com|MX");
    w.advance(HOUR);
    expect(mailFrom()).toBe("TEMPORARY_FAILURE");
  });

  it("refuses to CREATE a record set that exists unless allowOverwrite, which replaces every value", () => {
    const w = new World();
    w.putForeignRecord("example.com", "TXT", ["google-site-verification=x"]);
    const rec = { zoneId: "Z", name: "example.com", type: "TXT", ttl: 300, records: ["v=spf1 ~all"] };
    expect(() => w.create("aws:route53/record:Record", "r", rec)).toThrow(/InvalidChangeBatch: .*already exists/);
    w.create("aws:route53/record:Record", "r", { ...rec, allowOverwrite: true });
    expect(w.recordSet("example.com", "TXT")?.values).toEqual(["v=spf1 ~all"]);
  });
});
