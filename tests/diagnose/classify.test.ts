import { describe, expect, it } from "vitest";
import { classify, codesOf } from "../../lib/diagnose/classify";
import { failuresFromSes, failuresFromText, hostInDiagnostic, joinReplyLines, parseFieldBlocks, typedValue } from "../../lib/diagnose/read";
import type { Failure } from "../../lib/diagnose/types";

const f = (o: Partial<Failure>): Failure => ({ recipient: "r@example.com", source: "dsn", evidence: [], ...o });

describe("codesOf", () => {
  it("prefers the server's specific code to a generic Status", () => {
    expect(codesOf(f({ status: "5.0.0", diagnostic: "550 5.1.1 user unknown" })).enhanced?.text).toBe("5.1.1");
  });
  it("keeps the Status when the server's code is of another class", () => {
    expect(codesOf(f({ status: "5.7.1", diagnostic: "451 4.7.1 try later" })).enhanced?.text).toBe("5.7.1");
  });
  it("reads the reply code and infers the AUTH stage from 535", () => {
    expect(codesOf(f({ diagnostic: "535 Authentication Credentials Invalid" }))).toEqual({ reply: 535, stage: "AUTH" });
  });
  it("reads the stage the text names", () => {
    expect(codesOf(f({ diagnostic: "550 5.1.1 <a@b.c>: User unknown (in reply to RCPT TO command)" })).stage).toBe("RCPT TO");
  });
  it("does not take an IP address or a version for a status code", () => {
    expect(codesOf(f({ diagnostic: "blocked 54.240.8.36 by 15.20.7544.041" })).enhanced).toBeUndefined();
  });
});

describe("classify: one layer per failure, on codes and hosts", () => {
  it("relay-auth: 535 at an SES SMTP endpoint, high confidence, relay-fix for the sender", () => {
    const v = classify(f({ diagnostic: "535 Authentication Credentials Invalid", remoteMta: "email-smtp.us-east-1.amazonaws.com", sender: "admin@queenofsandiego.com" }), { stack: "prod" });
    expect(v).toMatchObject({ layer: "relay-auth", confidence: "high", next: "npm run relay-fix -- --stack prod --sender admin@queenofsandiego.com" });
  });
  it("relay-auth: 5.7.8 at another host is still an AUTH failure, with less confidence", () => {
    expect(classify(f({ status: "5.7.8", diagnostic: "535 5.7.8 Username and Password not accepted", remoteMta: "smtp.example.net" }))).toMatchObject({ layer: "relay-auth", confidence: "low" });
  });
  it("relay-auth, not transient: a relay that soft-bounces SES's 535 (Status 4.7.0, Action delayed) still has a stale password", () => {
    const v = classify(f({ action: "delayed", status: "4.7.0", diagnostic: "SASL authentication failed; server email-smtp.us-east-1.amazonaws.com[44.1.2.3] said: 535 Authentication Credentials Invalid", remoteMta: "email-smtp.us-east-1.amazonaws.com" }));
    expect(v).toMatchObject({ layer: "relay-auth", confidence: "high" });
    expect(v.cause).toMatch(/keeps retrying \(Action: delayed\)/);
  });
  it("not relay-auth: a 4.x.x answer to AUTH is transient", () => {
    expect(classify(f({ diagnostic: "454 4.7.0 Temporary authentication failure", remoteMta: "email-smtp.us-east-1.amazonaws.com" })).layer).toBe("transient");
  });
  it("ses, not relay-auth: the relay logged in and SES refused the message", () => {
    const v = classify(f({ status: "5.0.0", diagnostic: "554 Message rejected: Email address is not verified. The following identities failed the check in region US-EAST-1: a@b.com", remoteMta: "email-smtp.us-east-1.amazonaws.com" }));
    expect(v).toMatchObject({ layer: "ses", confidence: "high" });
    expect(v.next).toBe("npm run verify -- --stack STACK --only ses --recipient r@example.com");
  });
  it("ses: sending paused", () => {
    expect(classify(f({ diagnostic: "554 Sending paused for this account", remoteMta: "email-smtp.eu-west-1.amazonaws.com" })).layer).toBe("ses");
  });
  it("ses: the SES suppression subtype decides before the 5.1.1 it carries", () => {
    expect(classify(f({ source: "ses-notification", sesType: "Bounce", sesBounceSubType: "Suppressed", status: "5.1.1" })).layer).toBe("ses");
  });
  it("sender-auth: Gmail's 5.7.26 and RFC 7372's 5.7.23, high; 5.7.1 naming DKIM, medium", () => {
    expect(classify(f({ diagnostic: "550-5.7.26 Unauthenticated email is not accepted due to domain's DMARC policy" }))).toMatchObject({ layer: "sender-auth", confidence: "high" });
    expect(classify(f({ status: "5.7.23" })).layer).toBe("sender-auth");
    expect(classify(f({ diagnostic: "550 5.7.1 message failed DKIM verification" }))).toMatchObject({ layer: "sender-auth", confidence: "medium", next: "npm run verify -- --stack STACK --only dns,recipient --recipient r@example.com" });
  });
  it("ses: SES's 554 Access denied naming an email-address identity names that identity and the fix (issue 17)", () => {
    const denied = "554 Access denied: User `arn:aws:iam::123456789012:user/mail-infra-smtp-prod' is not authorized to perform `ses:SendRawEmail' on resource `arn:aws:ses:us-east-1:123456789012:identity/admin@example.com'";
    const v = classify(f({ source: "gmail", diagnostic: denied, remoteMta: "email-smtp.us-east-1.amazonaws.com" }));
    expect(v).toMatchObject({ layer: "ses", confidence: "high" });
    expect(v.cause).toMatch(/^SES refused the send: the SMTP user's policy does not allow ses:SendRawEmail on the email-address identity admin@example\.com \(us-east-1\), .*mail-infra:smtpAddressIdentities/);
    // On the domain identity (or a configuration set): the resource, without the address story.
    expect(classify(f({ diagnostic: denied.replace("identity/admin@example.com", "configuration-set/cs") })).cause).toMatch(/does not allow ses:SendRawEmail on arn:aws:ses:us-east-1:123456789012:configuration-set\/cs/);
  });
  it("recipient-policy: 5.7.1 or 5.7.6xx from Exchange Online, high; 5.7.1 elsewhere, medium", () => {
    expect(classify(f({ diagnostic: "550 5.7.606 Access denied, banned sending IP [1.2.3.4]", reportingMta: "bn8pr12mb3314.namprd12.prod.outlook.com" }))).toMatchObject({ layer: "recipient-policy", confidence: "high" });
    expect(classify(f({ diagnostic: "550 5.7.1 Message rejected as spam", remoteMta: "mx.example.org" }))).toMatchObject({ layer: "recipient-policy", confidence: "medium" });
  });
  it("recipient-mailbox: 5.1.1, 5.2.2 and Exchange's 5.1.10", () => {
    expect(classify(f({ status: "5.1.1" })).layer).toBe("recipient-mailbox");
    expect(classify(f({ diagnostic: "552 5.2.2 Mailbox full" })).layer).toBe("recipient-mailbox");
    expect(classify(f({ diagnostic: "550 5.1.10 RESOLVER.ADR.RecipientNotFound" })).layer).toBe("recipient-mailbox");
  });
  it("5.1.10: Postfix's null MX refusal (RFC 7505) says the domain accepts no mail; Exchange's 5.1.10 says the address does not exist", () => {
    // Postfix smtpd with reject_unknown_recipient_domain (src/dns/dns_lookup.c: "Domain %s does not accept mail (nullMX)").
    const nullMx = classify(f({ diagnostic: "556 5.1.10 <foo@example.com>: Recipient address rejected: Domain example.com does not accept mail (nullMX)" }));
    expect(nullMx).toMatchObject({ layer: "recipient-mailbox", confidence: "high" });
    expect(nullMx.cause).toMatch(/^the recipient's domain accepts no mail: it publishes a null MX \(RFC 7505\) \(5\.1\.10\/556\)/);
    const exchange = classify(f({ diagnostic: "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup" }));
    expect(exchange.cause).toMatch(/^the recipient's server says the address does not exist \(5\.1\.10\/550\)/);
    // Another detail of X.1 with domain words is not a null MX.
    expect(classify(f({ diagnostic: "550 5.1.1 <foo@example.com>: Recipient address rejected: Domain example.com does not accept mail" })).cause).toMatch(/^the recipient's server says the address does not exist/);
  });
  it("transient, given up: Action failed on a 4.4.7 says it is not retried, and points at the recipient layer", () => {
    const v = classify(f({ action: "failed", status: "4.4.7", diagnostic: "550 4.4.7 QUEUE.Expired; message expired" }), { stack: "prod" });
    expect(v).toMatchObject({ layer: "transient", confidence: "high", next: "npm run verify -- --stack prod --only recipient --recipient r@example.com" });
    expect(v.cause).toMatch(/expired in the sending server's queue, so it is not retried/);
    expect(classify(f({ action: "delayed", status: "4.4.7" })).cause).toMatch(/the sending server retries it/);
  });
  it("next: recipient-side layers point at verify's recipient layer; ses and relay-auth keep theirs", () => {
    const next = (o: Partial<Failure>) => classify(f(o), { stack: "prod" }).next;
    expect(next({ status: "5.1.1" })).toBe("npm run verify -- --stack prod --only recipient --recipient r@example.com");
    // A refusal by the recipient's own policy: nothing here refused it, so the step is the recipient's administrator, with the reply quoted.
    expect(next({ status: "5.7.1", remoteMta: "mx.example.org", diagnostic: "550 5.7.1 Rejected by policy" })).toBe('nothing in this stack refused the message: forward this bounce to the mail administrator of example.com (postmaster@example.com) and ask why their server refused it, quoting: "550 5.7.1 Rejected by policy"');
    expect(next({ status: "5.7.26" })).toBe("npm run verify -- --stack prod --only dns,recipient --recipient r@example.com");
    expect(next({ diagnostic: "554 Message rejected: Sending paused for this account.", remoteMta: "email-smtp.us-east-1.amazonaws.com" })).toBe("npm run verify -- --stack prod --only ses --recipient r@example.com");
  });
  it("ses: MAIL FROM domain not verified, in SMTP words or as the API error's name, before the generic 'not verified'", () => {
    expect(classify(f({ diagnostic: "554 Message rejected: MAIL FROM domain is not verified", remoteMta: "email-smtp.eu-west-1.amazonaws.com" })).cause).toMatch(/custom MAIL FROM domain is not verified/);
    expect(classify(f({ diagnostic: "MailFromDomainNotVerifiedException" })).cause).toMatch(/custom MAIL FROM domain/);
  });
  it("ses: a Reject event is SES's virus verdict; an SES permanent subtype decides before the text", () => {
    expect(classify(f({ source: "ses-notification", sesType: "Reject", diagnostic: "Bad content" }))).toMatchObject({ layer: "ses", cause: expect.stringMatching(/virus/) });
    expect(classify(f({ source: "ses-notification", sesType: "Bounce", sesBounceType: "Permanent", sesBounceSubType: "NoEmail", diagnostic: "550 mailbox unavailable (policy)" })).layer).toBe("recipient-mailbox");
  });
  it("transient: 4.x.x, an Action of delayed, an SES Transient bounce", () => {
    expect(classify(f({ status: "4.2.2" })).layer).toBe("transient");
    expect(classify(f({ action: "delayed" })).layer).toBe("transient");
    expect(classify(f({ source: "ses-notification", sesBounceType: "Transient", sesBounceSubType: "General" })).layer).toBe("transient");
  });
  it("text alone is not enough: a 5.1.1 that mentions 'authentication' stays recipient-mailbox", () => {
    expect(classify(f({ diagnostic: "550 5.1.1 unknown user; authentication of the sender is not the problem" })).layer).toBe("recipient-mailbox");
  });
  it("a permanent failure without a known code still gets a verdict, with low confidence", () => {
    expect(classify(f({ diagnostic: "554 go away" }))).toMatchObject({ layer: "recipient-policy", confidence: "low" });
  });
});

describe("reading", () => {
  it("parseFieldBlocks unfolds continuation lines and splits on blank lines", () => {
    const b = parseFieldBlocks("Reporting-MTA: dns; a\n\nFinal-Recipient: rfc822; x@y.z\nDiagnostic-Code: smtp; 550 one\n  two\n");
    expect(b).toHaveLength(2);
    expect(b[1]!.get("diagnostic-code")).toBe("smtp; 550 one two");
  });
  it("a text-only Gmail notice without returned headers names the relay's sender by its Send-mail-as alias", () => {
    const text = 'There was a problem delivering your message to x@example.org.\nYour message wasn\'t sent because the settings for the "Send mail as" address admin@queenofsandiego.com are misconfigured or out of date.\nThe response from the remote server was:\n535 Authentication Credentials Invalid\n';
    const [f1] = failuresFromText(text, "gmail", undefined);
    expect(f1).toMatchObject({ recipient: "x@example.org", sender: "admin@queenofsandiego.com", diagnostic: "535 Authentication Credentials Invalid" });
    expect(classify(f1!).next).toBe("npm run relay-fix -- --stack STACK --sender admin@queenofsandiego.com");
  });
  it("joinReplyLines reads a flattened multi-line reply as one sentence", () => {
    expect(joinReplyLines("550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the address 550 5.1.1 https://x.example/p - gsmtp")).toBe("550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the address https://x.example/p - gsmtp");
    expect(joinReplyLines("421 4.4.7 Message expired, unable to deliver in 840 minutes")).toBe("421 4.4.7 Message expired, unable to deliver in 840 minutes");
  });
  it("hostInDiagnostic: the host a Postfix or Exim diagnostic names, when there is no Remote-MTA", () => {
    expect(hostInDiagnostic("SASL authentication failed; server email-smtp.us-east-1.amazonaws.com[44.210.164.28] said: 535 x")).toBe("email-smtp.us-east-1.amazonaws.com");
    expect(hostInDiagnostic("host mx.example.com [192.0.2.1]: 550 no")).toBe("mx.example.com");
    expect(hostInDiagnostic("550 5.1.1 user unknown")).toBeUndefined();
  });
  it("typedValue drops the type and an address comment", () => {
    expect(typedValue("dns; email-smtp.us-east-1.amazonaws.com. (44.1.2.3)")).toBe("email-smtp.us-east-1.amazonaws.com");
  });
  it("SES: an SNS envelope's Message is parsed; a non-JSON Message or a subscription confirmation is not feedback", () => {
    const inner = { notificationType: "Bounce", bounce: { bounceType: "Permanent", bounceSubType: "General", bouncedRecipients: [{ emailAddress: "a@b.co", status: "5.1.1" }] }, mail: { source: "s@q.com" } };
    const r = failuresFromSes({ Type: "Notification", Message: JSON.stringify(inner) });
    expect(r.ok && r.failures.map((x) => [x.recipient, x.sender])).toEqual([["a@b.co", "s@q.com"]]);
    expect(failuresFromSes({ Type: "Notification", Message: "{nope" })).toMatchObject({ ok: false });
    expect(failuresFromSes({ Type: "SubscriptionConfirmation" })).toMatchObject({ ok: false });
    expect(failuresFromSes({ hello: 1 })).toMatchObject({ ok: false });
  });
});
