/**
 * classify()'s verdict rules that the mutation run of lib/diagnose/classify.ts found untested
 * (issue 22): SES's own feedback, the relay's AUTH failure, permanent or temporary, SES's
 * refusals and provider codes. Hand-built failures; the expected values come from the RFCs
 * (3463 enhanced codes, 4954 AUTH, 5321 reply classes), SES's documented notification fields,
 * and the providers' published codes, as cited in classify.ts.
 */
import { describe, expect, it } from "vitest";
import { classify } from "../../lib/diagnose/classify";
import type { Failure } from "../../lib/diagnose/types";

const f = (o: Partial<Failure>): Failure => ({ recipient: "r@example.org", source: "dsn", evidence: [], ...o });
const SES = "email-smtp.us-east-1.amazonaws.com";
const sesBounce = (bounceType: string, subType: string, o: Partial<Failure> = {}): Failure => f({ source: "ses-notification", sesType: "Bounce", sesBounceType: bounceType, sesBounceSubType: subType, ...o });

describe("SES's own feedback", () => {
  it("a complaint names its feedback type when SES gives one", () => {
    expect(classify(f({ source: "ses-notification", sesType: "Complaint", sesBounceType: "abuse" })).cause).toMatch(/^the recipient marked the message as spam \(complaint type abuse\); SES now suppresses/);
    expect(classify(f({ source: "ses-notification", sesType: "Complaint" })).cause).toMatch(/^the recipient marked the message as spam \(complaint\); SES now suppresses/);
  });

  it("SES's fields decide only in SES's feedback: on a DSN the codes do", () => {
    expect(classify(f({ sesType: "Complaint", status: "5.1.1" })).layer).toBe("recipient-mailbox");
  });

  it("a Reject event without a reason says only that it is one", () => {
    expect(classify(f({ source: "ses-notification", sesType: "Reject" })).cause).toBe("SES accepted the message but did not send it: it found a virus in it (Reject event)");
  });

  it("the two suppression lists are told apart (bounceSubType Suppressed: SES's global list; OnAccountSuppressionList: the account's)", () => {
    expect(classify(sesBounce("Permanent", "Suppressed")).cause).toBe("SES did not send: the address is on SES's global suppression list (bounceSubType Suppressed)");
    expect(classify(sesBounce("Permanent", "OnAccountSuppressionList")).cause).toBe("SES did not send: the address is on the account's suppression list (bounceSubType OnAccountSuppressionList)");
  });

  it("Permanent NoEmail and MailboxFull: SES's reading of the recipient's answer decides, with high confidence", () => {
    // The words alone would say policy; the subtype says the address.
    const noEmail = classify(sesBounce("Permanent", "NoEmail", { diagnostic: "550 5.7.1 Rejected by policy" }));
    expect(noEmail).toMatchObject({ layer: "recipient-mailbox", confidence: "high" });
    expect(noEmail.cause).toMatch(/^the recipient's server says the address does not exist \(SES bounceSubType NoEmail\)/);
    const full = classify(sesBounce("Permanent", "MailboxFull", { diagnostic: "550 5.7.1 Rejected by policy" }));
    expect(full).toMatchObject({ layer: "recipient-mailbox", confidence: "high" });
    expect(full.cause).toMatch(/^the recipient's mailbox is full \(SES bounceSubType MailboxFull\)/);
  });

  it("Permanent ContentRejected names the code when there is one, and only then", () => {
    expect(classify(sesBounce("Permanent", "ContentRejected")).cause).toBe("the recipient's server refused the message's content (SES bounceSubType ContentRejected)");
    expect(classify(sesBounce("Permanent", "MessageTooLarge", { status: "5.3.4", diagnostic: "552 5.3.4 Message too big" })).cause).toBe('the recipient\'s server refused the message\'s content (SES bounceSubType MessageTooLarge, 5.3.4/552) ("552 5.3.4 Message too big")');
  });

  it("a Transient bounce with the same subtypes is temporary (SES bounce types: Transient has MailboxFull, MessageTooLarge, ContentRejected too)", () => {
    expect(classify(sesBounce("Transient", "MailboxFull")).layer).toBe("transient");
    expect(classify(sesBounce("Transient", "NoEmail")).layer).toBe("transient");
    expect(classify(sesBounce("Transient", "MessageTooLarge")).layer).toBe("transient");
  });

  it("an SES bounce's 5.7.9 is the recipient's answer (Yahoo's policy refusal), not the relay's login: SES sends feedback only for a message it accepted", () => {
    const v = classify(sesBounce("Permanent", "General", { status: "5.7.9", diagnostic: "554 5.7.9 Message not accepted for policy reasons.", reportingMta: "a8-1.smtp-out.amazonses.com" }));
    expect(v.layer).toBe("recipient-policy");
  });

  it("an SES bounce's header refusal is the recipient's server's, and its administrator's to explain", () => {
    const v = classify(sesBounce("Permanent", "General", { diagnostic: "550 5.6.0 Duplicate header 'Subject'" }));
    expect(v.cause).toMatch(/^the recipient's server refused the message's headers/);
    expect(v.next).toMatch(/^nothing in this stack refused the message: forward this bounce/);
  });

  it("a header refusal at the SES endpoint is SES's, and the ses layer's", () => {
    const v = classify(f({ remoteMta: SES, diagnostic: "554 5.6.0 Duplicate header 'Subject'" }));
    expect(v.cause).toMatch(/^the SES endpoint refused the message's headers/);
    expect(v.next).toBe("npm run verify -- --stack STACK --only ses --recipient r@example.org");
  });

  it("SES's refusal in its own notification is SES's, with high confidence, without naming an SES host", () => {
    expect(classify(sesBounce("Permanent", "General", { diagnostic: "Address blacklisted" }))).toMatchObject({ layer: "ses", confidence: "high" });
  });
});

describe("the relay's AUTH failure (RFC 4954: 530, 534, 535; X.7.8 credentials invalid)", () => {
  it("a 530 (the server wants AUTH, or TLS before it) at the SES endpoint: the relay's login", () => {
    expect(classify(f({ remoteMta: SES, diagnostic: "530 Must issue a STARTTLS command first" })).layer).toBe("relay-auth");
  });

  it("X.7.8 is an AUTH failure whatever words and reply come with it", () => {
    expect(classify(f({ status: "5.7.8", diagnostic: "554 5.7.8 Bad credentials" })).layer).toBe("relay-auth");
  });

  it("a 535 is an AUTH failure even where the notice names another command", () => {
    expect(classify(f({ diagnostic: "535 Incorrect authentication data (in reply to MAIL FROM command)" })).layer).toBe("relay-auth");
  });

  it("X.7.9 counts only as X.7.9: another X.Y.9 at the SES endpoint is not a login failure", () => {
    expect(classify(f({ remoteMta: SES, diagnostic: "554 5.6.9 Illegal character in message" })).layer).not.toBe("relay-auth");
  });

  it("a temporary answer to AUTH is transient: the 4xx reply, or without one the 4.x.x code (RFC 3463 class 4)", () => {
    // Postfix's wording for a SASL login the server answered with a temporary error.
    expect(classify(f({ remoteMta: SES, diagnostic: "SASL authentication failed; server email-smtp.us-east-1.amazonaws.com[44.1.2.3] said: 454 4.7.0 Temporary authentication failure" })).layer).toBe("transient");
    expect(classify(f({ status: "4.7.0", diagnostic: "Authentication failed, try again later" })).layer).toBe("transient");
  });

  it("the cause at SES: the endpoint, the code, the server's words, and no retry note unless Action is delayed", () => {
    expect(classify(f({ action: "failed", remoteMta: SES, diagnostic: "535 Authentication Credentials Invalid" })).cause).toBe(
      'the relay could not authenticate to SES at email-smtp.us-east-1.amazonaws.com (535): the SMTP password it holds is stale or wrong ("535 Authentication Credentials Invalid")',
    );
  });

  it("the cause elsewhere names the relay's SMTP server; a notice that is not Gmail's alias notice adds nothing", () => {
    expect(classify(f({ remoteMta: "smtp.example.net", diagnostic: "535 5.7.8 Username and Password not accepted" })).cause).toBe(
      'the relay could not authenticate to its SMTP server smtp.example.net (5.7.8/535) ("535 5.7.8 Username and Password not accepted")',
    );
  });

  it("Gmail as the relay without its Send-mail-as notice: medium, and no alias story", () => {
    const v = classify(f({ source: "gmail", sender: "admin@example.com", diagnostic: "535 Authentication Credentials Invalid", evidence: ["The response from the remote server was:"] }));
    expect(v.confidence).toBe("medium");
    expect(v.cause).not.toMatch(/Send mail as/);
  });

  it("Gmail's alias notice without the alias's address: no alias story", () => {
    const v = classify(f({ source: "gmail", diagnostic: "535 Authentication Credentials Invalid", evidence: ['the settings for the "Send mail as" address are misconfigured or out of date'] }));
    expect(v.cause).not.toMatch(/Send mail as/);
  });

  it("Gmail's alias notice with a login failure at AUTH that is not a 535 (534): high", () => {
    const v = classify(f({ source: "gmail", sender: "admin@example.com", diagnostic: "534 5.7.14 Web login required", evidence: ['the settings for the "Send mail as" address admin@example.com are misconfigured or out of date'] }));
    expect(v).toMatchObject({ layer: "relay-auth", confidence: "high" });
    expect(v.cause).toMatch(/Gmail's "Send mail as" settings for admin@example\.com hold a stale or wrong SMTP password/);
  });

  it("Gmail's alias notice with a 535 the notice places at another command: still high", () => {
    const v = classify(f({ source: "gmail", sender: "admin@example.com", diagnostic: "535 Incorrect authentication data (in reply to MAIL FROM command)", evidence: ['the settings for the "Send mail as" address admin@example.com are misconfigured or out of date'] }));
    expect(v.confidence).toBe("high");
  });
});

describe("SES's IAM denial and refusals: confidence follows who answered", () => {
  const denied = (resource: string) => `554 Access denied: User \`arn:aws:iam::123456789012:user/smtp' is not authorized to perform \`ses:SendRawEmail' on resource \`${resource}'`;

  it("a denial on the domain's identity names the resource, not an email-address identity", () => {
    expect(classify(f({ remoteMta: SES, diagnostic: denied("arn:aws:ses:us-east-1:123456789012:identity/example.com") })).cause).toMatch(
      /^SES refused the send: the SMTP user's policy does not allow ses:SendRawEmail on arn:aws:ses:us-east-1:123456789012:identity\/example\.com \("554 Access denied/,
    );
  });

  it("a denial folded over two lines (the reply, then the notice's next line) is still read", () => {
    const v = classify(f({ remoteMta: SES, diagnostic: "554 Access denied: User `arn:aws:iam::123456789012:user/smtp' is not authorized to perform `ses:SendRawEmail'", evidence: ["on resource `arn:aws:ses:us-east-1:123456789012:identity/example.com'"] }));
    expect(v.cause).toMatch(/^SES refused the send: the SMTP user's policy does not allow ses:SendRawEmail on arn:aws:ses:us-east-1:123456789012:identity\/example\.com/);
  });

  it("a denial in SES's notification: high; quoted by a relay that names no host: medium", () => {
    const d = denied("arn:aws:ses:us-east-1:123456789012:identity/example.com");
    expect(classify(f({ source: "ses-notification", sesType: "Bounce", diagnostic: d })).confidence).toBe("high");
    expect(classify(f({ source: "gmail", diagnostic: d })).confidence).toBe("medium");
  });

  it("SES's own wording quoted by a relay that names no host: ses, medium", () => {
    expect(classify(f({ source: "gmail", diagnostic: "554 Message rejected: Sending paused for this account" }))).toMatchObject({ layer: "ses", confidence: "medium" });
  });

  it("SES's general wording counts when the notice names an SES host in its text, and no other host answered", () => {
    const notVerified = "554 Message rejected: Email address is not verified.";
    const evidence = ["Remote server: email-smtp.us-east-1.amazonaws.com"];
    expect(classify(f({ diagnostic: notVerified, evidence })).layer).toBe("ses");
    expect(classify(f({ diagnostic: notVerified, evidence: ["Reporting-MTA: dns; a8-1.smtp-out.amazonses.com"] })).layer).toBe("ses");
    expect(classify(f({ diagnostic: notVerified, evidence, remoteMta: "mx.example.org" })).layer).not.toBe("ses");
  });
});

describe("provider codes (Cox AUP#, Orange OFR_): each meaning, high confidence", () => {
  it("Cox's AUP#CXSNDR: our sender's domain", () => {
    const v = classify(f({ diagnostic: "550 5.1.0 <s@example.com> sender rejected AUP#CXSNDR" }));
    expect(v).toMatchObject({ layer: "sender-auth", confidence: "high" });
    expect(v.cause).toMatch(/^the recipient's provider refused our sender's domain \(AUP#CXSNDR, 5\.1\.0\/550: its SPF, DKIM, or no MX or A record\)/);
  });

  it("Cox's AUP#CXCNCT: a connection limit (transient); Orange's OFR_506: spam; Cox's AUP#CXBL: a block of the sending host", () => {
    expect(classify(f({ diagnostic: "421 4.7.0 too many sessions from the sending IP AUP#CXCNCT" }))).toMatchObject({ layer: "transient", confidence: "high" });
    expect(classify(f({ diagnostic: "550 5.7.1 Mail rejected OFR_506" }))).toMatchObject({ layer: "recipient-policy", confidence: "high" });
    expect(classify(f({ diagnostic: "554 5.7.1 IP blocked AUP#CXBL" }))).toMatchObject({ layer: "recipient-policy", confidence: "high" });
  });
});

describe("permanent or temporary: the enhanced code's class, else the reply's (RFC 3463 2, RFC 5321 4.2.1), else the Action", () => {
  it("a 4.x.x code without an Action is still retried", () => {
    expect(classify(f({ status: "4.4.1" })).cause).toMatch(/; the sending server retries it$/);
    expect(classify(f({ diagnostic: "452 4.2.2 Mailbox full" })).cause).toMatch(/it is temporary: the sending server retries it/);
  });

  it("a 4xx reply without an enhanced code is retried; a 5xx one (500 included) is final", () => {
    expect(classify(f({ diagnostic: "421 Service not available" })).cause).toMatch(/; the sending server retries it \(/);
    expect(classify(f({ diagnostic: "450 Message rejected due to spam content" })).cause).toMatch(/it is temporary/);
    expect(classify(f({ diagnostic: "550 Message rejected due to spam content" })).cause).not.toMatch(/temporary/);
    expect(classify(f({ diagnostic: "500 Message rejected due to spam content" })).cause).not.toMatch(/temporary/);
  });

  it("a failure without any code says so", () => {
    expect(classify(f({ diagnostic: "Message rejected due to spam content" })).cause).toMatch(/\(no status code\)/);
  });
});

describe("who refused: the recipient's Exchange Online, by host or by the notice's format", () => {
  it("an Exchange notice (source exchange) names Exchange Online even without an outlook.com host", () => {
    const v = classify(f({ source: "exchange", diagnostic: "550 5.7.1 Rejected by policy" }));
    expect(v).toMatchObject({ layer: "recipient-policy", confidence: "high" });
    expect(v.cause).toMatch(/^the recipient's Exchange Online refused/);
  });

  it("another server's policy refusal is the recipient's server, medium", () => {
    const v = classify(f({ diagnostic: "550 5.7.1 Rejected by policy", remoteMta: "mx.example.org" }));
    expect(v).toMatchObject({ layer: "recipient-policy", confidence: "medium" });
    expect(v.cause).toMatch(/^the recipient's server refused/);
  });
});

describe("generic codes (X.0.0, X.7.0, X.7.1, X.5.x): the words decide", () => {
  it("5.7.0 with mailbox words: the address, not a policy", () => {
    expect(classify(f({ diagnostic: "550 5.7.0 Requested action not taken: mailbox unavailable" })).layer).toBe("recipient-mailbox");
  });

  it("5.5.0 with reputation words: the sending host refused, not the message", () => {
    expect(classify(f({ diagnostic: "550 5.5.0 Rejected due to poor reputation" })).cause).toMatch(/^the recipient's server refused the sending host: a blocklist, its policy or the host's reputation/);
  });
});

describe("the recipient's own reception filter, as the notice says it", () => {
  it("medium: the notice's word, not the server's code", () => {
    expect(classify(f({ recipientFilter: "X-SPASIGN: NG", diagnostic: "550 Unknown user" }))).toMatchObject({ layer: "recipient-mailbox", confidence: "medium" });
  });
});

describe("classify.ts:336-449: the words under generic codes, the rest of RFC 3463's subjects, the bare reply codes", () => {
  it("SES's own evidence lines are read line by line: a denial folded over two of them is still read", () => {
    const v = classify(f({ remoteMta: SES, evidence: ["554 Access denied: User `arn:aws:iam::123456789012:user/smtp' is not authorized to perform `ses:SendRawEmail'", "on resource `arn:aws:ses:us-east-1:123456789012:identity/example.com'"] }));
    expect(v.cause).toMatch(/^SES refused the send/);
  });

  it("X.1.0 and X.2.0 are generic (other address status, other mailbox status): reputation words decide", () => {
    for (const d of ["554 5.1.0 Rejected due to poor reputation", "554 5.2.0 Rejected due to poor reputation"]) {
      expect(classify(f({ diagnostic: d })).cause).toMatch(/^the recipient's server refused the sending host: a blocklist/);
    }
  });

  it("a 4.x.x the sender gave up on (Action failed) carries no 'temporary' note", () => {
    expect(classify(f({ action: "failed", diagnostic: "452 4.2.2 Mailbox full" })).cause).not.toMatch(/temporary/);
  });

  it("a temporary DNS failure the sender gave up on: send it again once the recipient's DNS answers (medium)", () => {
    const v = classify(f({ action: "failed", status: "4.4.3", diagnostic: "Host not found, try again" }));
    expect(v).toMatchObject({ layer: "transient", confidence: "medium" });
    expect(v.cause).toMatch(/; the sending server gave up, so send it again once the recipient's DNS answers/);
  });

  it("the list's duplicate Message-ID, the members-only list, a header refusal: medium", () => {
    expect(classify(f({ diagnostic: "Duplicated Message-ID in <list@example.org>." })).confidence).toBe("medium");
    expect(classify(f({ diagnostic: "You are not a member of this mailing list <list@example.org>." })).confidence).toBe("medium");
    expect(classify(f({ diagnostic: "550 5.6.0 Duplicate header 'Subject'" })).confidence).toBe("medium");
  });

  it("our envelope sender: X.1.7 or X.1.8 (RFC 3463 bad sender's address), high; in words only, medium", () => {
    expect(classify(f({ status: "5.1.8" }))).toMatchObject({ layer: "sender-auth", confidence: "high" });
    expect(classify(f({ status: "5.1.7" }))).toMatchObject({ layer: "sender-auth", confidence: "high" });
    expect(classify(f({ diagnostic: "550 5.7.1 Sender address rejected: not owned by user" }))).toMatchObject({ layer: "sender-auth", confidence: "medium" });
    expect(classify(f({ diagnostic: "550 Sender address rejected: not owned by user" }))).toMatchObject({ layer: "sender-auth", confidence: "medium" });
  });

  it("RFC 7372: X.7.20 (no passing DKIM signature) is sender authentication, high", () => {
    expect(classify(f({ status: "5.7.20" }))).toMatchObject({ layer: "sender-auth", confidence: "high" });
  });

  it("X.7.25 (reverse DNS validation failed): the sending host's reverse DNS, high, even with words that name a host", () => {
    const v = classify(f({ diagnostic: "550 5.7.25 Reverse DNS lookup failed: host not found" }));
    expect(v).toMatchObject({ layer: "sender-auth", confidence: "high" });
    expect(v.cause).toMatch(/^the recipient's server found no valid reverse DNS for the sending host/);
  });

  it("X.7.27 (RFC 7505 null MX): our sender's domain, high; the recipient's own 'does not accept mail', medium", () => {
    expect(classify(f({ diagnostic: "550 5.7.27 Sender address has null MX" }))).toMatchObject({ layer: "sender-auth", confidence: "high" });
    expect(classify(f({ diagnostic: "550 5.7.27 Host does not accept mail" }))).toMatchObject({ layer: "recipient-mailbox", confidence: "medium" });
  });

  it("reverse DNS in words (Postfix's reject_unknown_reverse_client_hostname), without a code: medium", () => {
    const v = classify(f({ diagnostic: "550 Client host rejected: cannot find your reverse hostname, [192.0.2.1]" }));
    expect(v).toMatchObject({ layer: "sender-auth", confidence: "medium" });
    expect(v.cause).toMatch(/no valid reverse DNS/);
  });

  it("a rate limit: transient, medium", () => {
    expect(classify(f({ diagnostic: "550 5.7.1 rate limit exceeded" }))).toMatchObject({ layer: "transient", confidence: "medium" });
  });

  it("X.3.x is the mail system's own status: 'insufficient disk space' is the server's disk, not the mailbox", () => {
    expect(classify(f({ diagnostic: "452 4.3.1 Insufficient disk space" })).layer).toBe("transient");
  });

  it.each([
    // sysexits.h: 70-75, 77, 78 are the system's own; 76 (EX_PROTOCOL) and any other status are the delivery program's.
    ["Diagnostic-Code: X-Unix; 1", "recipient-mailbox"],
    ["Diagnostic-Code: X-Unix; 76", "recipient-mailbox"],
    ["Diagnostic-Code: X-Unix; 175", "recipient-mailbox"],
    ["Diagnostic-Code: X-Unix; 701", "recipient-mailbox"],
    ["Diagnostic-Code: X-Unix;1", "recipient-mailbox"],
    ["Diagnostic-Code: X-Unix ; 1", "recipient-mailbox"],
    ["Diagnostic-Code:X-Unix; 1", "recipient-mailbox"],
    ["Diagnostic-Code: X-Unix; 70", "transient"],
    ["Diagnostic-Code: X-Unix; 1 more", "transient"],
    ["Note: Diagnostic-Code: X-Unix; 1", "transient"],
  ])("Sendmail's exit status of the local delivery program: %s -> %s", (line, layer) => {
    expect(classify(f({ status: "5.0.0", diagnostic: "554 5.0.0 Service unavailable", evidence: ["Action: failed", line] })).layer).toBe(layer);
  });

  it("a disabled account in words under a generic code, before 'blocked': the account, medium", () => {
    expect(classify(f({ diagnostic: "550 5.0.0 Account is blocked" }))).toMatchObject({ layer: "recipient-mailbox", confidence: "medium" });
    expect(classify(f({ diagnostic: "451 4.7.2 Recipient account is blocked" })).layer).toBe("recipient-mailbox");
  });

  it("'blocked' beside a specific mailbox code (X.1.1) is not a blocklist", () => {
    expect(classify(f({ diagnostic: "550 5.1.1 Recipient blocked: no such user" })).layer).toBe("recipient-mailbox");
  });

  it("a block under an Exchange X.7.x names the sending host, high; under a generic code, medium", () => {
    const v = classify(f({ diagnostic: "550 5.7.606 Access denied, banned sending IP [192.0.2.1]", reportingMta: "bn8pr12mb3314.namprd12.prod.outlook.com" }));
    expect(v).toMatchObject({ layer: "recipient-policy", confidence: "high" });
    expect(v.cause).toMatch(/^the recipient's Exchange Online refused the sending host/);
    expect(classify(f({ source: "exchange", diagnostic: "550 5.0.0 Your IP is on a blacklist" })).confidence).toBe("medium");
  });

  it("X.1.2 (bad destination system address): the recipient's domain, high", () => {
    const v = classify(f({ status: "5.1.2" }));
    expect(v).toMatchObject({ layer: "recipient-mailbox", confidence: "high" });
    expect(v.cause).toMatch(/^the recipient's domain cannot take mail/);
  });

  it("X.2.3 (message length exceeds administrative limit): a size limit in words is policy, high; else the mailbox", () => {
    for (const d of ["552 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient", "552 5.2.3 Recipient sizelimit reached", "552 5.2.3 Message exceeds the maximum size"]) {
      expect(classify(f({ diagnostic: d }))).toMatchObject({ layer: "recipient-policy", confidence: "high" });
    }
    expect(classify(f({ diagnostic: "552 5.2.3 Over the recipient's limit" })).layer).toBe("recipient-mailbox");
  });

  it("Exchange's 5.4.1 'Recipient address rejected: Access denied' (directory-based edge blocking): the address, high at Exchange", () => {
    const d = "550 5.4.1 Recipient address rejected: Access denied. AS(201806281)";
    expect(classify(f({ diagnostic: d, reportingMta: "dm6nam11ft012.mail.protection.outlook.com" }))).toMatchObject({ layer: "recipient-mailbox", confidence: "high" });
    expect(classify(f({ diagnostic: d }))).toMatchObject({ layer: "recipient-mailbox", confidence: "medium" });
  });

  it("X.7.13 (user account disabled) at the SES endpoint: the relay's account, high", () => {
    expect(classify(f({ remoteMta: SES, diagnostic: "554 5.7.13 User account disabled" }))).toMatchObject({ layer: "relay-auth", confidence: "high" });
  });

  it("X.7.28 (mail flood detected, IANA's registry) is the recipient's policy, not sender authentication (RFC 7372's X.7.20-X.7.27)", () => {
    const v = classify(f({ diagnostic: "550 5.7.28 Mail flood detected" }));
    expect(v).toMatchObject({ layer: "recipient-policy", confidence: "medium" });
    expect(v.cause).toMatch(/^the recipient's server refused the message by its policy or our reputation \(5\.7\.28\/550\)/);
  });

  it("a registered X.7 code with blocklist words (Gmail's 5.7.28 for a sending IP it blocked): the sending host refused", () => {
    const d = "550-5.7.28 [192.0.2.1] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been blocked.";
    const v = classify(f({ diagnostic: d }));
    expect(v).toMatchObject({ layer: "recipient-policy", confidence: "medium" });
    expect(v.cause).toMatch(/^the recipient's server refused the sending host: a blocklist, its policy or the host's reputation \(5\.7\.28\/550\)/);
  });

  it("an X.7.x policy refusal from Exchange Online: high", () => {
    expect(classify(f({ diagnostic: "550 5.7.520 Message blocked", reportingMta: "bn8pr12mb3314.namprd12.prod.outlook.com" })).confidence).toBe("high");
  });

  it.each([
    // RFC 3463 section 3.1: a subject the client does not know is read as X.0.0, so the words decide.
    ["550 5.9.1 no such user", "recipient-mailbox", /^the recipient's server says the address does not exist/],
    ["550 5.9.1 mailbox is full", "recipient-mailbox", /^the recipient's mailbox cannot take mail/],
    ["550 5.9.1 no such domain", "recipient-mailbox", /^the recipient's domain cannot take mail/],
    ["550 5.9.1 connection timed out", "transient", /^a temporary failure \(5\.9\.1\/550\); the sending server stopped retrying/],
    ["550 5.9.1 relay access denied", "recipient-policy", /^the recipient's server refused the message by its policy: content, size, spam, relaying or the sending host/],
  ])("an unknown subject: %s -> %s", (d, layer, cause) => {
    const v = classify(f({ diagnostic: d }));
    expect(v.layer).toBe(layer);
    expect(v.cause).toMatch(cause);
  });

  // RFC 3463 section 2: "A client must recognize and report class sub-code even where subsequent
  // subject sub-codes are unrecognized"; section 3.1: X.0.0 "should be used for all errors for
  // which only the class of the error is known". The subjects are X.0 to X.7, so an X.8.x and up
  // is a generic code like 5.0.0: the words decide, in the same order as under 5.0.0.
  it.each([
    ["a disabled account in words, before the blocklist words", "550 5.9.1 The recipient account is blocked", "recipient-mailbox", "medium", /^the recipient's mailbox cannot take mail: full, disabled, moved or over a limit \(5\.9\.1\/550\)/, /--only recipient/],
    ["a timeout the sender gave up on: transient, high by the reply", "550 5.9.1 connection timed out", "transient", "high", /^a temporary failure \(5\.9\.1\/550\); the sending server stopped retrying, so it is not retried/, /--only ses/],
    ["unknown user at DATA: the recipient's filter (a subject of two digits)", "550 5.12.0 Unknown user (in reply to end of DATA command)", "recipient-mailbox", "medium", /^the recipient's server accepted the address at RCPT TO and then answered "unknown user" to the message at DATA \(5\.12\.0\/550\)/, /^nothing in this stack refused the message: the recipient's own reception filter did; ask the recipient to allow mail from example\.com/],
    ["the sending host's reputation: the host refused", "550 5.8.1 rejected: poor reputation of the sending host", "recipient-policy", "medium", /^the recipient's server refused the sending host: a blocklist, its policy or the host's reputation \(5\.8\.1\/550\)/, /^nothing in this stack refused the message: forward this bounce/],
    ["a subject of three digits", "550 5.100.7 The recipient account is blocked", "recipient-mailbox", "medium", /^the recipient's mailbox cannot take mail: full, disabled, moved or over a limit \(5\.100\.7\/550\)/, /--only recipient/],
  ] as const)("an unknown subject reads as X.0.0 (RFC 3463 2, 3.1): %s", (_what, diagnostic, layer, confidence, cause, next) => {
    const v = classify(f({ diagnostic, sender: "s@example.com" }));
    expect(v).toMatchObject({ layer, confidence });
    expect(v.cause).toMatch(cause);
    expect(v.next).toMatch(next);
  });

  // RFC 3463 section 2: clients report "the general error described in the subject sub-code when
  // the specific detail is unrecognized": a detail IANA's registry does not hold is X.subject.0,
  // which names no cause for X.1, X.2, X.3 and X.7, so the words decide.
  it.each([
    ["X.1: the sending host's reputation, not the address", "550 5.1.99 Client host rejected: poor reputation", "recipient-policy", "medium", /^the recipient's server refused the sending host: a blocklist, its policy or the host's reputation \(5\.1\.99\/550\)/],
    ["X.2: a temporary failure, not the mailbox", "550 5.2.99 Service unavailable, try again later", "transient", "high", /^a temporary failure \(5\.2\.99\/550\)/],
    ["X.3: an unknown user, not the mail system", "550 5.3.99 user unknown", "recipient-mailbox", "medium", /^the recipient's server says the address does not exist \(5\.3\.99\/550\)/],
    ["X.7: an unknown user, not a policy", "554 5.7.99 no such user here", "recipient-mailbox", "medium", /^the recipient's server says the address does not exist \(5\.7\.99\/554\)/],
    ["X.1.10 is registered (RFC 7505, null MX): the code decides, high", "556 5.1.10 Recipient address has null MX", "recipient-mailbox", "high", /\(5\.1\.10\/556\)/],
  ] as const)("an unknown detail reads as X.subject.0 (RFC 3463 2): %s", (_what, diagnostic, layer, confidence, cause) => {
    const v = classify(f({ diagnostic, sender: "s@example.com" }));
    expect(v).toMatchObject({ layer, confidence });
    expect(v.cause).toMatch(cause);
  });

  it("only a reply code: relaying denied is policy (medium); a 5xx to MAIL FROM is our sender (low); 551 is not local; a bare 550 is the address (low)", () => {
    expect(classify(f({ diagnostic: "554 Relay access denied" }))).toMatchObject({ layer: "recipient-policy", confidence: "medium" });
    expect(classify(f({ diagnostic: "550 Rejected (in reply to MAIL FROM command)" }))).toMatchObject({ layer: "sender-auth", confidence: "low" });
    const v551 = classify(f({ diagnostic: "551 User not local; please try <r@example.net>" }));
    expect(v551).toMatchObject({ layer: "recipient-mailbox", confidence: "medium" });
    expect(v551.cause).toMatch(/^the recipient's server says the user is not local there \(551/);
    const v550 = classify(f({ diagnostic: "550 Requested action not taken" }));
    expect(v550).toMatchObject({ layer: "recipient-mailbox", confidence: "low" });
    expect(v550.cause).toMatch(/^the recipient's server refused the address \(550: mailbox unavailable\)/);
  });
});

describe("classify.ts:368-440: temporary or given up, the rest of RFC 3463's X.4.x and X.3.x, the stage", () => {
  it("a block from Exchange without an enhanced code: medium", () => {
    expect(classify(f({ source: "exchange", diagnostic: "550 Your IP is on a blacklist" })).confidence).toBe("medium");
  });

  it("a 4xx reply without an enhanced code is temporary (RFC 5321 4.2.1), high; a bare 500 is not", () => {
    expect(classify(f({ diagnostic: "450 Requested mail action not taken: mailbox unavailable" }))).toMatchObject({ layer: "transient", confidence: "high" });
    expect(classify(f({ diagnostic: "400 Requested mail action not taken: mailbox unavailable" })).layer).toBe("transient");
    expect(classify(f({ diagnostic: "500 Requested action not taken" })).layer).not.toBe("transient");
  });

  it("the enhanced code's class decides over the reply's: 451 5.7.1 is permanent", () => {
    expect(classify(f({ diagnostic: "451 5.7.1 Rejected by policy" })).layer).toBe("recipient-policy");
  });

  it("SES's DeliveryDelay event is temporary; an SES Transient bounce was given up", () => {
    expect(classify(f({ source: "ses-notification", sesType: "DeliveryDelay" })).layer).toBe("transient");
    expect(classify(sesBounce("Transient", "General")).cause).toMatch(/so it is not retried and was not delivered/);
  });

  it("a permanent code with Action delayed is still being retried; without a code, medium", () => {
    const v = classify(f({ action: "delayed", status: "5.0.0", diagnostic: "550 5.0.0 try again later" }));
    expect(v.cause).toMatch(/; the sending server retries it/);
    expect(classify(f({ action: "delayed", status: "5.0.0" })).confidence).toBe("medium");
    expect(classify(f({ action: "delayed" })).confidence).toBe("medium");
  });

  it("given up: X.4.7 (delivery time expired) says the message expired; another X.4.x that the sender stopped retrying", () => {
    expect(classify(f({ action: "failed", status: "4.4.7" })).cause).toMatch(/; the message expired in the sending server's queue, so it is not retried/);
    expect(classify(f({ action: "failed", status: "4.4.1" })).cause).toMatch(/; the sending server stopped retrying, so it is not retried/);
  });

  it("X.1.0 with no words: the bare 550, low, not 'does not exist'", () => {
    expect(classify(f({ diagnostic: "550 5.1.0 Address rejected" }))).toMatchObject({ layer: "recipient-mailbox", confidence: "low" });
  });

  it("X.2.2 (mailbox full) with size words stays the mailbox", () => {
    expect(classify(f({ diagnostic: "552 5.2.2 Mailbox size limit exceeded" })).layer).toBe("recipient-mailbox");
  });

  it("the causes of X.2.3 with size words, Exchange's 5.4.1 and X.7.13", () => {
    expect(classify(f({ diagnostic: "552 5.2.3 Message exceeds the maximum size" })).cause).toMatch(/^the recipient's server refused the message's size for this recipient/);
    expect(classify(f({ diagnostic: "550 5.4.1 Recipient address rejected: Access denied." })).cause).toMatch(/^the recipient's Exchange Online tenant does not know the address/);
    expect(classify(f({ diagnostic: "525 5.7.13 Disabled recipient address" }))).toMatchObject({ layer: "recipient-mailbox", confidence: "medium", cause: expect.stringMatching(/^the recipient's account is disabled/) });
    expect(classify(f({ remoteMta: "smtp.example.net", diagnostic: "554 5.7.13 User account disabled" }))).toMatchObject({ layer: "relay-auth", confidence: "low", cause: expect.stringMatching(/^the SMTP server says the account the relay logged in with is disabled/) });
  });

  it.each([
    // RFC 3463: X.4.0 other network/routing, X.4.3 directory server failure, X.4.4 unable to route, X.4.6 routing loop.
    ["5.4.0", "recipient-mailbox", "medium", /^the recipient's domain cannot be reached for mail/],
    ["5.4.3", "recipient-mailbox", "medium", /^the recipient's domain cannot be reached for mail/],
    ["5.4.6", "recipient-mailbox", "medium", /^the recipient's domain cannot be reached for mail/],
    // X.4.2 bad connection, X.4.5 system congestion: the network on the way.
    ["5.4.2", "transient", "medium", /^a network or routing failure on the way to the recipient's server/],
    // X.3.1 mail system full: the recipient's system.
    ["5.3.1", "transient", "low", /^the recipient's mail system failed/],
  ])("status %s -> %s", (status, layer, confidence, cause) => {
    expect(classify(f({ status }))).toMatchObject({ layer, confidence, cause: expect.stringMatching(cause) });
  });

  it("a permanent refusal at the greeting or EHLO, without words: the sending host, by policy (medium)", () => {
    expect(classify(f({ diagnostic: "554 go away (in reply to EHLO command)" }))).toMatchObject({ layer: "recipient-policy", confidence: "medium" });
    expect(classify(f({ diagnostic: "554 go away (while connecting)" }))).toMatchObject({ layer: "recipient-policy", confidence: "medium" });
  });

  it("the words under an unknown subject (read as X.0.0): mailbox, full, domain are medium; a 552 is the mailbox's storage", () => {
    expect(classify(f({ diagnostic: "550 5.9.1 no such user" })).confidence).toBe("medium");
    expect(classify(f({ diagnostic: "550 5.9.1 mailbox is full" })).confidence).toBe("medium");
    expect(classify(f({ diagnostic: "550 5.9.1 no such domain" })).confidence).toBe("medium");
    expect(classify(f({ diagnostic: "552 Requested action aborted" }))).toMatchObject({ layer: "recipient-mailbox", confidence: "medium" });
    expect(classify(f({ diagnostic: "550 Rejected (in reply to MAIL FROM command)" })).cause).toMatch(/^the recipient's server refused our envelope sender at MAIL FROM/);
  });

  it("Sendmail's exit status with a trailing space is still read", () => {
    expect(classify(f({ status: "5.0.0", diagnostic: "554 5.0.0 Service unavailable", evidence: ["Diagnostic-Code: X-Unix; 1 "] })).layer).toBe("recipient-mailbox");
  });
});

describe("the rules after the provider codes: confidence, and what decides", () => {
  // Confidence: high when an enhanced status code (RFC 3463) or SES's subtype names the cause;
  // medium when the server's words decide under a code that names none; low when only the reply
  // code or the SMTP stage does.
  it.each([
    ["550 'Unknown user' at DATA: the address passed RCPT TO (RFC 5321 3.3)", { status: "5.0.0", diagnostic: "550 Unknown user r@example.org (in reply to end of DATA command)" }, "recipient-mailbox", "medium", /^the recipient's server accepted the address at RCPT TO/],
    ["a bare 550 'User unknown'", { diagnostic: "550 User unknown" }, "recipient-mailbox", "medium", /^the recipient's server says the address does not exist \(550\)/],
    ["4.1.1 'User unknown' the sender gave up on: the words, not the class", { status: "4.1.1", action: "failed", diagnostic: "450 4.1.1 User unknown" }, "recipient-mailbox", "medium", /^the recipient's server says the address does not exist/],
    ["a bare 550 'Host unknown'", { diagnostic: "550 Host unknown" }, "recipient-mailbox", "medium", /^the recipient's domain cannot take mail/],
    ["'procmail' failed under 5.0.0", { status: "5.0.0", diagnostic: "550 5.0.0 procmail failed" }, "recipient-mailbox", "medium", /delivery program/],
    ["the delivery program named only in the recipient (a pipe address)", { recipient: "|/usr/local/bin/procmail", status: "5.0.0", diagnostic: "550 5.0.0 failed" }, "recipient-mailbox", "medium", /delivery program/],
    ["a 4.2.2 the sender still retries", { status: "4.2.2", action: "delayed" }, "transient", "high", /^a temporary failure \(4\.2\.2\); the sending server retries it/],
    ["5.3.4: too big for the system", { status: "5.3.4" }, "recipient-policy", "high", /^the recipient's server refused the message's size/],
    ["5.6.x: content or media", { status: "5.6.1" }, "recipient-policy", "medium", /^the recipient's server refused the message's content or format/],
    ["5.3.3 with size words: the system's status, not the mailbox's size limit (X.2.3)", { status: "5.3.3", diagnostic: "552 5.3.3 message size exceeds fixed limit" }, "transient", "low", /^the recipient's mail system failed/],
    ["5.3.13: X.7.13 is the only .13 that names an account", { status: "5.3.13" }, "transient", "low", /^the recipient's mail system failed/],
    ["a 550 to DATA, no words: the message was refused, not the address", { diagnostic: "550 Error (in reply to end of DATA command)" }, "recipient-policy", "low", /^the recipient's server accepted the address and then refused the message at DATA/],
    ["a 554 to DATA, no words: no known cause", { diagnostic: "554 Error (in reply to end of DATA command)" }, "recipient-policy", "low", /^a permanent failure that names no known cause/],
    ["'542 <recipient> Rejected' (MessageLabs): the address itself", { diagnostic: "542 r@example.org Rejected" }, "recipient-mailbox", "low", /^the recipient's server refused the address itself/],
    ["the same with an enhanced code between", { diagnostic: "542 5.5.0 r@example.org Rejected" }, "recipient-mailbox", "low", /^the recipient's server refused the address itself/],
    ["the same with a two-digit detail", { diagnostic: "542 5.5.10 r@example.org Rejected" }, "recipient-mailbox", "low", /^the recipient's server refused the address itself/],
    ["the address refused, then more words: not the whole reply", { diagnostic: "542 r@example.org Rejected for now" }, "recipient-policy", "low", /^a permanent failure that names no known cause/],
    ["a domain in words decides before content words under a code that names no cause", { diagnostic: "550 Host unknown (spam filtered)" }, "recipient-mailbox", "medium", /^the recipient's domain cannot take mail/],
    ["another address refused: not this recipient's", { diagnostic: "542 other@example.org Rejected" }, "recipient-policy", "low", /^a permanent failure that names no known cause/],
    ["the address refused inside other words: not the whole reply", { diagnostic: "note 542 r@example.org Rejected" }, "recipient-policy", "low", /^a permanent failure that names no known cause/],
    ["a two-digit subject", { diagnostic: "542 5.10.0 r@example.org Rejected" }, "recipient-mailbox", "low", /^the recipient's server refused the address itself/],
    ["the address refused, with a space after the reply", { diagnostic: "542 r@example.org Rejected " }, "recipient-mailbox", "low", /^the recipient's server refused the address itself/],
    ["a server that refuses the sending host in its greeting (RFC 5321 4.3.2), until the sender gave up", { action: "failed", diagnostic: "554 mx.example.org refused to talk to me" }, "recipient-policy", "low", /^the recipient's server refused the sending host in its greeting/],
    ["timeout words under an X.8.x code (no subject RFC 3463 defines: read as X.0.0)", { status: "5.8.0", diagnostic: "550 5.8.0 retry timeout exceeded" }, "transient", "high", /^a temporary failure \(5\.8\.0\/550\); the message expired in the sending server's queue/],
    ["a bare 553: mailbox name not allowed", { diagnostic: "553 sorry" }, "recipient-mailbox", "low", /^the recipient's server refused the address \(553: mailbox unavailable\)/],
    ["a bare 554", { diagnostic: "554 sorry" }, "recipient-policy", "low", /^a permanent failure that names no known cause \(554\): read the server's words/],
  ] as const)("%s", (_what, o, layer, confidence, cause) => {
    const v = classify(f(o as Partial<Failure>));
    expect(v).toMatchObject({ layer, confidence });
    expect(v.cause).toMatch(cause);
  });

  it("a temporary code with mailbox or domain words is still temporary while the sender retries", () => {
    expect(classify(f({ status: "4.0.0", action: "delayed", diagnostic: "450 Unknown user r@example.org (in reply to end of DATA command)" })).layer).toBe("transient");
    expect(classify(f({ status: "4.0.0", action: "delayed", diagnostic: "451 Host unknown" })).layer).toBe("transient");
  });

  it("SES's Transient bounce is sent after SES stopped retrying: not retried, send it again (even with a 4.x.x code)", () => {
    const v = classify(sesBounce("Transient", "General", { status: "4.4.7", diagnostic: "451 4.4.7 Delivery time expired" }));
    expect(v.layer).toBe("transient");
    expect(v.cause).toMatch(/so it is not retried and was not delivered: send it again/);
    // A Permanent one quoting a 4.x.x code: SES gave up on it all the same.
    expect(classify(sesBounce("Permanent", "General", { status: "4.4.1", diagnostic: "451 4.4.1 No answer from host" })).cause).toMatch(/so it is not retried and was not delivered/);
    // With mailbox words the mailbox decides, and it is not "retried" either.
    const full = classify(sesBounce("Permanent", "General", { status: "4.2.2", diagnostic: "452 4.2.2 Mailbox over quota" }));
    expect(full.cause).toMatch(/^the recipient's mailbox cannot take mail/);
    expect(full.cause).not.toMatch(/retries it/);
    // The same code in a DSN whose sender still retries.
    expect(classify(f({ status: "4.4.7", action: "delayed", diagnostic: "451 4.4.7 Delivery time expired" })).cause).toMatch(/the sending server retries it/);
  });
});
