/**
 * classify.ts's word lists (lines 88-133), written from the survivors of their mutation run (issue 22):
 * each case is one wording variant a list accepts (an optional word left out, a hyphen or space
 * left out, a singular) that no other test spelled. The wordings follow the servers' own replies
 * (Postfix, Exim, Sendmail, Gmail, Lotus Domino, Mailman, SES's API errors) where one is cited,
 * and RFC 5321's reply codes; the expected verdicts follow the rules in classify.ts's comments.
 * A bare "550" with no enhanced code is the base: a reply that says nothing the lists know is
 * "refused the address ... and says no more" (RFC 5321 550, mailbox unavailable).
 */
import { describe, expect, it } from "vitest";
import { classify } from "../../lib/diagnose/classify";
import type { Failure } from "../../lib/diagnose/types";

const f = (o: Partial<Failure>): Failure => ({ recipient: "r@example.org", source: "dsn", evidence: [], ...o });
const said = (diagnostic: string, o: Partial<Failure> = {}) => classify(f({ diagnostic, ...o }));
const SES = "email-smtp.us-east-1.amazonaws.com";

describe("the base: a bare 550 that names no cause", () => {
  it("is the address refused, and nothing more", () => {
    const v = said("550 Requested action not taken");
    expect(v.layer).toBe("recipient-mailbox");
    expect(v.cause).toMatch(/says no more/);
  });
});

describe("RELAY_AUTH_WORDS: the relay did not log in (each wording alone)", () => {
  const cases = [
    // Not 530/534/535: those answer AUTH only (RFC 4954), and decide without the words.
    "550 5.7.0 Authentication Required", // Gmail's wording (its 530-5.7.0)
    "550 5.7.0 Authentication is required for relay",
    "550 Must authenticate",
    "550 You must be authenticated",
    "550 Unauthenticated sender not allowed",
    "550 Unauthenticated user not permitted",
    "550 Unauthenticated connection not allowed",
    "550 Unauthenticated senders are not allowed",
    "550 SMTP AUTH required", // RFC 4954's extension named as "SMTP AUTH"
    "550 SMTP authentication required",
    "550 Relay requires authentication",
    "550 Relaying requires authentication",
    "550 Please login first",
    "550 Please log in first",
    "550 Please turn on SMTP AUTH in your mail client",
    "550 Please turn on SMTP Authentication in your mail client",
    "550 Please enable SMTP AUTH",
    "550 Please enable SMTP authentication",
    "503 This server does not advertise AUTH",
    "503 This server does not advertise the AUTH extension",
    "550 Your Send mail as account misconfigured",
    "550 Your 'Send mail as' account is misconfigured",
  ];
  for (const d of cases) it(d, () => expect(said(d).layer).toBe("relay-auth"));
});

describe("BLOCK_WORDS and NAMED_BLOCKLIST: the recipient's server refused the sending host", () => {
  const cases = [
    "550 Mail from dialup hosts not accepted",
    "550 Mail from dial-up hosts not accepted",
    "550 Sending host is an insecure relay",
    "550 Sending host is an insecure mail relay",
    "554 5.7.1 <r@example.org>: Client host rejected: Access denied", // Postfix's check_client_access
    "550 Client address rejected",
    "550 Access denied for client 192.0.2.1",
    "550 Your IP 192.0.2.1 is listed at psbl.surriel.com",
  ];
  for (const d of cases) {
    it(d, () => {
      const v = said(d);
      expect(v.layer).toBe("recipient-policy");
      expect(v.cause).toMatch(/a blocklist, its policy or the host's reputation/);
    });
  }
  it("'not listed at' is not a listing", () => {
    expect(said("550 Your IP 192.0.2.1 is not listed at psbl.surriel.com").cause).not.toMatch(/blocklist/);
  });
  // A named blocklist decides under any code, even one (5.4.1) that names another cause.
  for (const d of ["550 5.4.1 Sending IP is blacklisted", "550 5.4.1 Sending IP is blocklisted", "550 5.4.1 Sending IP is on a black list", "550 5.4.1 Sending IP is on a block list"]) {
    it(`named, under 5.4.1: ${d}`, () => expect(said(d).layer).toBe("recipient-policy"));
  }
});

describe("RATE_WORDS: a limit on how fast or how much", () => {
  for (const d of ["550 You have exceeded the allowed rate", "550 You have sent too many recipients", "550 You have sent to too many recipients"]) {
    it(d, () => {
      const v = said(d);
      expect(v.layer).toBe("transient");
      expect(v.cause).toMatch(/limits how fast or how much/);
    });
  }
});

describe("CONTENT_WORDS: the message refused by policy", () => {
  const cases = [
    "550 Relaying denied", // Sendmail's "<r@example.org>... Relaying denied"
    "550 Relay access denied", // Postfix
    "550 Message is not RFC5322 compliant",
    "550 Message is not RFC 5322 compliant", // Gmail's 5.7.1 wording
    "550 Message exceeds the maximum size",
    "550 Message length exceeds the administrative limit",
    "550 Message refused as unsolicited mail",
    "550 Message content rejected as unsolicited mail",
  ];
  for (const d of cases) {
    it(d, () => {
      const v = said(d);
      expect(v.layer).toBe("recipient-policy");
      expect(v.cause).toMatch(/content, size, spam, relaying or the sending host/);
    });
  }
});

describe("MAILBOX_UNKNOWN_WORDS: the address does not exist", () => {
  const cases = [
    "550 The email account that you tried to reach does not exist", // Gmail's 5.1.1
    "550 Recipient does not exist here",
    "550 Recipient name does not exist",
    "550 5.0.0 Recipient is not listed in Domino Directory", // Lotus Domino
    "550 Please check that the recipient address is correct",
    "550 Please check that the recipient's address is correct",
    "550 Please check that the email address is correct",
    "550 Please check that the e-mail address is correct",
    "550 Recipient not in directory",
    "550 Recipient not in the directory",
    "554 No valid recipient",
    "554 No valid recipients",
    "550 Recipient is not recognized", // Exchange's "recipient name is not recognized"
    "550 Recipient name is not recognized",
    "550 Unknown localpart",
    "550 Unknown local part", // Exim
    "550 Unknown local-part",
    "550 Sorry, not a registered user",
    "550 Sorry, not a registered gateway user",
    "550 Invalid delivery",
    "550 Invalid final delivery userid", // Lotus Domino
    "550 Invalid Notes userid",
    "550 r@example.org: not known user",
    "550 r@example.org: not a known user",
    "550 Address rejected: access denied",
  ];
  for (const d of cases) {
    it(d, () => {
      const v = said(d);
      expect(v.layer).toBe("recipient-mailbox");
      expect(v.cause).toMatch(/says the address does not exist/);
    });
  }
});

describe("MAILBOX_DISABLED_WORDS: full, disabled, moved", () => {
  const cases = [
    "550 Mailfolder is full",
    "550 Mail folder is full",
    "550 Mailbox exceeds allowed size",
    "550 Mailbox exceeds the allowed size",
    "550 Mailbox out of space",
    "550 Mailbox out of storage space",
    "550 Not enough space",
    "550 Not enough disk space",
    "550 Insufficient space",
    "550 Insufficient storage space",
    "550 User has exceeded storage allocation",
    "550 User has exceeded the storage allocation",
    "550 Recipient overquota",
    "550 Recipient over quota",
    "550 Recipient not active",
    "550 Recipient not currently active",
    "550 Mailbox disabled",
    "550 Mailbox is disabled",
    "550 Account disabled",
    "550 Account has been disabled",
  ];
  for (const d of cases) {
    it(d, () => {
      const v = said(d);
      expect(v.layer).toBe("recipient-mailbox");
      expect(v.cause).toMatch(/mailbox cannot take mail/);
    });
  }
});

describe("MAILER_WORDS: the mailbox's delivery program failed", () => {
  for (const d of ["550 Program returned exit 1", "550 Program returned exit 75", "550 Program returned exit code 1"]) {
    it(d, () => expect(said(d).cause).toMatch(/its delivery program \(a pipe, procmail\) failed/));
  }
});

describe("DOMAIN_WORDS: the recipient's domain takes no mail", () => {
  const cases = [
    "550 The domain example.org doesn't receive email",
    "550 The domain example.org does not receive mail",
    "550 The domain example.org does not receive e-mail",
    "550 All MX hosts are unreachable",
    "550 All relevant MX hosts are unreachable",
    "550 MX not found",
    "550 MX record not found",
    "550 Unrouteable domain",
    "550 Unrouteable mail domain",
    "550 Nonexistent domain",
    "550 Non-existent domain",
    "550 other recipients in the same domain failed too",
  ];
  for (const d of cases) {
    it(d, () => {
      const v = said(d);
      expect(v.layer).toBe("recipient-mailbox");
      expect(v.cause).toMatch(/domain cannot take mail/);
    });
  }
});

describe("DUPLICATE_WORDS and MEMBERS_ONLY_WORDS: a mailing list's own rules", () => {
  for (const d of ["550 Duplicate Message-ID", "550 Duplicated Message-ID", "550 Duplicated MessageID"]) {
    it(d, () => expect(said(d).cause).toMatch(/same Message-ID/));
  }
  const members = [
    "550 You are not a member of this list",
    "550 You are not a member of this mailing list",
    "550 Only members can post",
    "550 Only list members can post",
    "550 Post by nonmember submission refused",
    "550 Post by non-member submission refused",
    "550 This is a members-only list",
    "550 This is a members only list",
  ];
  for (const d of members) it(d, () => expect(said(d).cause).toMatch(/only from its members/));
});

describe("TRANSIENT_WORDS: temporary, retried until given up", () => {
  const cases = [
    "550 Delivery failed 12 attempts",
    "550 Delivery failed 3 attempts",
    "550 Retry time not reached",
    "550 Retry timeout exceeded",
    "550 SMTP session time out",
    "550 SMTP session timedout",
    "550 SMTP session timed out",
    "550 Message canceled after 5 days",
    "550 Message cancelled after 5 days",
    "550 Internal error",
    "550 Internal server error",
    "550 Network unreachable",
    "550 Network is unreachable", // ENETUNREACH's strerror
    "550 Please try later",
    "550 Please try again later",
    "550 Host not reachable",
    "550 Host is not reachable",
    "550 Service temporarily not available",
    "550 Service not available",
    "550 Message could not be delivered within 5 days",
    "550 Message queue too long",
    "550 Message queued too long",
    "550 Sender exceeded ratelimit",
    "550 Sender exceeded the ratelimit",
  ];
  for (const d of cases) it(d, () => expect(said(d).layer).toBe("transient"));
});

describe("SES's refusals, with SES's own wording (its API errors)", () => {
  it("an address on the suppression list", () => {
    const v = said("554 Address blacklisted", { remoteMta: SES });
    expect(v.layer).toBe("ses");
    expect(v.cause).toMatch(/^SES did not send: the address is on a suppression list/);
  });
  for (const d of ["554 Message rejected: Email address is not verified.", "554 Message rejected: Email address not verified.", "554 Message rejected: Address is not verified."]) {
    it(d, () => {
      const v = said(d, { remoteMta: SES });
      expect(v.layer).toBe("ses");
      expect(v.cause).toMatch(/^SES refused the message: the From address or domain is not a verified identity/);
    });
  }
  it("'identities failed the check' is SES's own, even relayed by another host", () => {
    const v = said("554 Message rejected: The following identities failed the check in region US-EAST-1: a@example.com", { remoteMta: "smtp.relay.example.net" });
    expect(v.layer).toBe("ses");
    expect(v.confidence).toBe("medium");
  });
  for (const d of ["554 Account suspended", "554 Account is suspended", "554 Sending suspended"]) {
    it(d, () => {
      const v = said(d, { remoteMta: SES });
      expect(v.layer).toBe("ses");
      expect(v.cause).toMatch(/^SES refused the message: sending is paused/);
    });
  }
  it("the daily quota", () => {
    const v = said("454 Throttling failure: Daily message quota exceeded.", { remoteMta: SES });
    expect(v.cause).toMatch(/^SES refused the message: the account's daily sending quota is used up/);
  });
});

describe("provider codes (Cox IPBLnnnn, Spectrum AUP#I-nnnn)", () => {
  it("Cox's IPBL code names the blocklist listing", () => {
    const v = said("554 Connection refused. AUP#IPBL1001");
    expect(v.layer).toBe("recipient-policy");
    expect(v.cause).toMatch(/^the recipient's provider refused the sending host: it blocks or lists that IP address \(AUP#IPBL1001, /);
  });
  it("Spectrum's AUP#I-1000: the sending IP blocked", () => {
    expect(said("554 Connection refused. AUP#I-1000").cause).toMatch(/^the recipient's provider refused the sending host: it blocks or lists that IP address \(AUP#I-1000, /);
  });
});

/**
 * SES's delivery status wraps the server's reply in its own summary ("5.1.0 - Unknown address error
 * 550-'5.7.1 <a@b>... Access denied' (delivery attempts: 0)", classify.ts's SES_WRAPPED): the
 * quoted reply decides (5.7.1: the policy), not SES's guess (5.1.0: the address). Only the whole
 * wrapper is SES's: with other text around it the diagnostic is read as it stands.
 */
describe("SES's wrapper around the server's reply", () => {
  const inner = "550-'5.7.1 <r@example.org>... Access denied'";
  const layer = (d: string) => said(d).layer;
  it("the whole wrapper: the quoted 5.7.1 decides", () => {
    expect(layer(`5.1.0 - Unknown address error ${inner} (delivery attempts: 0)`)).toBe("recipient-policy");
  });
  it("many attempts, a two-digit subject or detail, a line end after it", () => {
    expect(layer(`5.1.0 - Unknown address error ${inner} (delivery attempts: 12)`)).toBe("recipient-policy");
    expect(layer(`5.1.10 - Unknown address error ${inner} (delivery attempts: 0)`)).toBe("recipient-policy");
    expect(layer(`5.10.0 - Unknown address error ${inner} (delivery attempts: 0)`)).toBe("recipient-policy");
    expect(layer(`5.1.0 - Unknown address error ${inner} (delivery attempts: 0)\n`)).toBe("recipient-policy");
  });
  it("text before or after the wrapper: not SES's whole summary, read as it stands", () => {
    expect(layer(`smtp; 5.1.0 - Unknown address error ${inner} (delivery attempts: 0)`)).toBe("recipient-mailbox");
    expect(layer(`5.1.0 - Unknown address error ${inner} (delivery attempts: 0) and more`)).toBe("recipient-mailbox");
    expect(layer(`5.1.0 - Unknown address error ${inner} (delivery attempts: 0)x`)).toBe("recipient-mailbox");
  });
});

describe("the server's words quoted in the cause and the next step", () => {
  it("whitespace around the reply (a folded DSN field's line end) is not quoted", () => {
    const v = said("550 Requested action not taken\r\n");
    expect(v.cause).toContain(`("550 Requested action not taken")`);
    const p = said("  554 5.7.1 Message refused by local policy\n", { status: "5.7.1" });
    expect(p.next).toContain(`quoting: "554 5.7.1 Message refused by local policy"`);
  });
  it("without a diagnostic, the next step quotes the first evidence line with a reply code, even one that ends the line", () => {
    const v = classify(f({ status: "5.7.1", evidence: ["Reporting-MTA: dns; mx.example.org", "Remote reply: 554"] }));
    expect(v.next).toContain(`quoting: "Remote reply: 554"`);
  });
});
