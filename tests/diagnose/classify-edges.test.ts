/**
 * classify() at rules the rest of the diagnose tests left open: each case here is a small bug
 * planted in lib/diagnose/classify.ts that no pure test caught (issue 22, "classify 2 of 4").
 * Hand-built failures; the expected layers follow the rules written in classify.ts's comments.
 */
import { describe, expect, it } from "vitest";
import { classify, codesOf, isExchangeHost, isGoogleHost, isSesHost } from "../../lib/diagnose/classify";
import type { Failure } from "../../lib/diagnose/types";

const f = (o: Partial<Failure>): Failure => ({ recipient: "r@example.org", source: "dsn", evidence: [], ...o });
const SES = "email-smtp.us-east-1.amazonaws.com";

describe("X.7.9 (mechanism too weak) is an AUTH failure only at an SES endpoint, at AUTH, or with login words", () => {
  it("554 5.7.9 from the SES endpoint, nothing else said: the relay's login failed", () => {
    expect(classify(f({ status: "5.7.9", diagnostic: "554 5.7.9 Message not accepted", remoteMta: SES }))).toMatchObject({ layer: "relay-auth", confidence: "high" });
  });

  it("the same words from a receiving MTA (Yahoo's policy answer to a delivery): not a relay login", () => {
    expect(classify(f({ status: "5.7.9", diagnostic: "554 5.7.9 Message not accepted", remoteMta: "mta7.am0.yahoodns.net" })).layer).not.toBe("relay-auth");
  });
});

describe("SES's own events decide before any code", () => {
  it("RenderingFailure: SES could not render the template (ses layer), whatever the text says", () => {
    const v = classify(f({ source: "ses-notification", sesType: "RenderingFailure", diagnostic: "Attribute 'name' is not present in the rendering data." }));
    expect(v).toMatchObject({ layer: "ses", confidence: "high" });
    expect(v.cause).toMatch(/^SES could not render the template/);
  });
});

describe("permanent or temporary, without any code: the Action decides", () => {
  const spam = "Message rejected due to spam content";
  it("no code, no Action: final (no 'temporary' note)", () => {
    const v = classify(f({ diagnostic: spam }));
    expect(v.layer).toBe("recipient-policy");
    expect(v.cause).not.toMatch(/temporary/);
  });

  it("no code, Action delayed: temporary, the sending server retries", () => {
    const v = classify(f({ diagnostic: spam, action: "delayed" }));
    expect(v.layer).toBe("recipient-policy");
    expect(v.cause).toMatch(/it is temporary: the sending server retries it/);
  });

  it("no code, Action failed: final", () => {
    expect(classify(f({ diagnostic: spam, action: "failed" })).cause).not.toMatch(/temporary/);
  });
});

/**
 * classify.ts lines 1-225 (codes, stages, hosts, the word lists, provider codes, the next-step
 * commands), written from their mutation run (issue 22). Expected values from RFC 3463 (status
 * code syntax and meanings), RFC 5321 (replies and commands), RFC 4954 (X.7.8 and X.7.9 answer
 * AUTH), RFC 1034 (a name's root dot), and the providers' published codes named in classify.ts.
 */
describe("codesOf: the enhanced code and the reply", () => {
  it("a subject of two or three digits (RFC 3463: subject = 1*3digit) is read; one it does not define reads as X.0.0 (its section 2, 3.1)", () => {
    expect(codesOf(f({ status: "5.10.1" })).enhanced).toEqual({ klass: 5, subject: 0, detail: 0, text: "5.10.1" });
    expect(codesOf(f({ status: "4.123.45" })).enhanced).toEqual({ klass: 4, subject: 0, detail: 0, text: "4.123.45" });
    expect(codesOf(f({ status: "5.8.3" })).enhanced).toEqual({ klass: 5, subject: 0, detail: 0, text: "5.8.3" });
    // X.7 is the last subject RFC 3463 defines: read as it is.
    expect(codesOf(f({ status: "5.7.3" })).enhanced).toEqual({ klass: 5, subject: 7, detail: 3, text: "5.7.3" });
  });
  it.each([
    // IANA's SMTP Enhanced Status Codes registry: the last detail of each subject is read as it is,
    // the next one (not registered) as X.subject.0 (RFC 3463 section 2).
    ["5.0.1", 0, 0],
    ["5.1.10", 1, 10], // RFC 7505: recipient address has null MX
    ["5.1.11", 1, 0],
    ["5.1.351", 1, 0], // Exchange Online's, documented nowhere
    ["5.2.4", 2, 4],
    ["5.2.5", 2, 0],
    ["5.3.6", 3, 6], // RFC 6710
    ["5.3.7", 3, 0],
    ["4.4.7", 4, 7],
    ["4.4.8", 4, 0],
    ["5.5.6", 5, 6], // RFC 4954
    ["5.5.7", 5, 0],
    ["5.6.10", 6, 10], // RFC 6531
    ["5.6.11", 6, 0],
    ["5.7.30", 7, 30], // RFC 8689: REQUIRETLS
    ["5.7.31", 7, 0],
    // Microsoft 365's connection errors (its mail flow intelligence page) and Exchange's DMARC code.
    ["4.4.299", 4, 0],
    ["4.4.300", 4, 300],
    ["4.4.316", 4, 316],
    ["4.4.399", 4, 399],
    ["4.4.400", 4, 0],
    ["5.7.509", 7, 509],
    ["5.7.508", 7, 0],
    ["5.7.510", 7, 0],
    ["5.7.316", 7, 0],
    ["5.2.509", 2, 0],
  ] as const)("%s reads as subject %i, detail %i (a detail the registry or the provider does not name is X.subject.0)", (status, subject, detail) => {
    expect(codesOf(f({ status })).enhanced).toEqual({ klass: Number(status[0]), subject, detail, text: status });
  });
  it("a Status with an unknown subject is generic (X.0.0): the server's own code decides, whatever its class", () => {
    expect(codesOf(f({ status: "5.9.9", diagnostic: "450 4.2.0 mailbox busy" })).enhanced?.text).toBe("4.2.0");
  });
  it("digits that run on past the detail are a version or an address, not a code", () => {
    expect(codesOf(f({ diagnostic: "421 mx.example.org (Exim 4.92.1234) busy" })).enhanced).toBeUndefined();
  });
  it("a generic Status (X.0.0) gives way to the server's own code, whatever its class; an X.1.0 Status does not; X.0.1 is X.0.0 (RFC 3463 3.1: the only X.0 code)", () => {
    const diagnostic = "550 5.1.1 user unknown";
    expect(codesOf(f({ status: "4.0.0", diagnostic })).enhanced?.text).toBe("5.1.1");
    expect(codesOf(f({ status: "4.1.0", diagnostic })).enhanced?.text).toBe("4.1.0");
    expect(codesOf(f({ status: "4.0.1", diagnostic })).enhanced?.text).toBe("5.1.1");
    expect(codesOf(f({ diagnostic })).enhanced?.text).toBe("5.1.1");
  });
  it("no reply code, no key for it", () => {
    expect(codesOf(f({ status: "5.1.1" }))).toStrictEqual({ enhanced: { klass: 5, subject: 1, detail: 1, text: "5.1.1" } });
  });
});

describe("codesOf: the SMTP stage the text names", () => {
  const stage = (diagnostic: string) => codesOf(f({ diagnostic })).stage;
  it.each([
    ["421 4.4.2 dropped after initial connection", "CONNECT"],
    ["554 5.7.1 rejected at the connect phase", "CONNECT"],
    ["550 5.7.1 rejected after the DATA command", "DATA"],
    ["550 5.7.1 rejected after the  DATA command", "DATA"],
    ["550 5.7.1 rejected in reply to  RCPT TO command", "RCPT TO"],
    ["550 5.7.1 rejected in reply to HELO command", "EHLO"],
    [">>> DATA <<< 554 5.7.1 rejected", "DATA"],
    [">>> DATA (message body) <<< 554 5.7.1 rejected", "DATA"],
    [">>> DATA <<<  554 5.7.1 rejected", "DATA"],
    [">>> HELO mx.example.org <<< 550 go away", "EHLO"],
    [">>>  DATA <<< 554 5.7.1 rejected", "DATA"],
    // The command's argument in angle brackets, as Sendmail and Courier write it: lhost-interscanmss-03.eml's
    // transcript (">>> RCPT To:<a@b>" then "<<< 550 ...") joined on one line.
    [">>> RCPT To:<kijitora@example.jp> <<< 550 5.1.1 <kijitora@example.jp>... Invalid recipient", "RCPT TO"],
    // A transcript that quotes a success reply: the command just before the failure reply is the stage.
    [">>> MAIL FROM:<neko@example.org> <<< 250 2.1.0 ok >>> RCPT TO:<kijitora@example.org> <<< 550 5.1.1 unknown", "RCPT TO"],
  ])("%s: %s", (diagnostic, expected) => {
    expect(stage(diagnostic)).toBe(expected);
  });

  it("no stage from a transcript whose reply is not a failure, or that another command interrupts", () => {
    expect(stage(">>> MAIL FROM:<neko@example.org> <<< 250 2.1.0 ok")).toBeUndefined();
    expect(stage(">>> DATA >>> QUIT <<< 550 5.7.1 rejected")).toBeUndefined();
  });

  it("EZweb's notice (lhost-ezweb-08.eml, sisimai's sample set): Hotmail refused our envelope sender at MAIL FROM", () => {
    const diagnostic =
      ">>> MAIL FROM:<neko-nyaan@example.org> <<< 550 SC-004 (COL0-MC1-F1) Unfortunately, messages from 111.86.156.22 weren't sent. We recommend that you contact your Internet service provider. The problem is that too many unwanted messages have been sent from the following IP address above. You can also refer your provider to http://mail.live.com/mail/troubleshooting.aspx#errors.";
    expect(stage(diagnostic)).toBe("MAIL FROM");
  });
});

describe("who answered: SES, Exchange Online, Google, by host name", () => {
  it("a name with its root dot (RFC 1034) or in capitals is the same host; the apex counts, a longer name that only contains it does not", () => {
    expect(isSesHost("email-smtp.us-east-1.amazonaws.com.")).toBe(true);
    expect(isSesHost("EMAIL-SMTP.US-EAST-1.AMAZONAWS.COM")).toBe(true);
    expect(isSesHost("amazonses.com")).toBe(true);
    expect(isSesHost("a8-70.smtp-out.amazonses.com.example.org")).toBe(false);
    expect(isSesHost(undefined)).toBe(false);
    expect(isExchangeHost("outlook.com")).toBe(true);
    expect(isExchangeHost("outlook.com.example.org")).toBe(false);
    expect(isGoogleHost("mx.google.com")).toBe(true);
    expect(isGoogleHost("google.com")).toBe(true);
    expect(isGoogleHost("gmail.com.example.org")).toBe(false);
  });
});

describe("X.7.8 and X.7.9 answer AUTH only (RFC 4954): never a header or spam refusal", () => {
  it("a header refusal under 4.7.1 is the headers; under 4.7.8 or 4.7.9 it is not", () => {
    expect(classify(f({ status: "4.7.1", diagnostic: "451 4.7.1 missing header" })).cause).toMatch(/refused the message's headers/);
    for (const code of ["4.7.8", "4.7.9"]) expect(classify(f({ status: code, diagnostic: `451 ${code} missing header` })).cause, code).not.toMatch(/headers/);
  });
  it("spam named under 5.7.1 is a spam verdict; under 5.7.9 from a receiving server it is not", () => {
    expect(classify(f({ diagnostic: "550 5.7.1 rejected because of spam", remoteMta: "mx.example.org" })).cause).toMatch(/classified the message as spam/);
    expect(classify(f({ diagnostic: "554 5.7.9 rejected because of spam", remoteMta: "mx.example.org" })).cause).not.toMatch(/classified the message as spam/);
  });
});

describe("the word lists: each wording's variants", () => {
  it.each([
    ["550 5.7.1 SenderID check failed", /fails sender authentication/],
    ["550 5.7.1 DomainKey signature invalid", /fails sender authentication/],
    ["550 5.7.1 message failed the authentication check", /fails sender authentication/],
    ["550 5.7.1 unauthenticated message from example.com is not accepted", /fails sender authentication/],
    ["550 5.7.1 Hostname does not match", /no valid reverse DNS/],
    ["550 5.7.1 client host does not resolve", /no valid reverse DNS/],
    ["550 5.7.1 Could not resolve IP 192.0.2.1 to a valid hostname", /no valid reverse DNS/],
    ["550 5.7.1 Sender rejected", /refused our envelope sender/],
    ["550 5.7.1 MAIL FROM rejected", /refused our envelope sender/],
    ["550 5.7.1 sender not accepted", /refused our envelope sender/],
  ])("%s", (diagnostic, cause) => {
    expect(classify(f({ diagnostic, remoteMta: "mx.example.org" })).cause).toMatch(cause);
  });
});

describe("provider codes: Spectrum's AUP#In-nnnn ranges, Cox's CXMXRT, Orange's OFR_999", () => {
  const cause = (code: string) => classify(f({ diagnostic: `550 5.1.0 sender rejected ${code}` })).cause;
  it("1000 and 1100-1250: the sending IP blocked or listed; 1300-1490: the limits; the numbers between name nothing", () => {
    for (const n of [1000, 1100, 1250]) expect(cause(`AUP#In-${n}`), String(n)).toMatch(new RegExp(`blocks or lists that IP address \\(AUP#In-${n}, `));
    for (const n of [1300, 1490]) expect(cause(`AUP#In-${n}`), String(n)).toMatch(new RegExp(`limits how many connections or messages .*\\(AUP#In-${n}, `));
    for (const n of [1099, 1251, 1299, 1491]) expect(cause(`AUP#In-${n}`), String(n)).not.toMatch(/AUP#In-\d+,/);
  });
  it("Cox's AUP#CXMXRT is its limit on messages; Orange's OFR_999 its block of the sending IP, the code named", () => {
    expect(classify(f({ diagnostic: "550 5.1.0 rejected AUP#CXMXRT" }))).toMatchObject({ layer: "transient", cause: expect.stringMatching(/^the recipient's provider limits .*\(AUP#CXMXRT, 5\.1\.0\/550\)/) });
    expect(classify(f({ diagnostic: "421 Service refused OFR_999" })).cause).toMatch(/^the recipient's provider refused the sending host: it blocks or lists that IP address \(OFR_999, 421\)/);
  });
});

describe("the next step's command: only a plain address goes on the command line", () => {
  it("a recipient with shell characters anywhere gets no --recipient", () => {
    for (const recipient of ["a;b@example.org", "a@example.org;reboot"]) expect(classify(f({ status: "5.1.1", recipient })).next, recipient).toBe("npm run verify -- --stack STACK --only recipient");
  });
  it("a sender with shell characters or spaces is not put on relay-fix's command line", () => {
    for (const sender of ["x;y@example.org", "a@example.org;reboot", "a b@example.org"]) {
      expect(classify(f({ diagnostic: "535 Authentication Credentials Invalid", remoteMta: "smtp.example.net", sender })).next, sender).toBe("this bounce does not name the relay's sender: run npm run relay-fix -- --stack STACK --sender with the From address of the message that bounced");
    }
  });
  it("the recipient's own reception filter: the sender's domain to allow, or words when the sender is unknown", () => {
    expect(classify(f({ recipientFilter: "X-SPASIGN: NG", status: "5.0.0", sender: "s@example.com" })).next).toBe("nothing in this stack refused the message: the recipient's own reception filter did; ask the recipient to allow mail from example.com (the sender's domain) in their mail filter settings");
    expect(classify(f({ recipientFilter: "X-SPASIGN: NG", status: "5.0.0" })).next).toBe("nothing in this stack refused the message: the recipient's own reception filter did; ask the recipient to allow mail from the sender's address or domain in their mail filter settings");
  });
  it("the recipient's administrator: the domain and its postmaster (RFC 5321 4.5.1), and the server's words, on one line, cut at 240 characters", () => {
    const admin = (o: Partial<Failure>) => classify(f({ status: "5.7.1", ...o })).next;
    expect(admin({ diagnostic: "550 5.7.1  rejected\n  by   policy" })).toBe('nothing in this stack refused the message: forward this bounce to the mail administrator of example.org (postmaster@example.org) and ask why their server refused it, quoting: "550 5.7.1 rejected by policy"');
    expect(admin({ recipient: "(recipient not named)" })).toBe("nothing in this stack refused the message: forward this bounce to the mail administrator of the recipient's domain and ask why their server refused it, quoting: the server's reply in the bounce");
    expect(admin({ recipient: "jane@example.org (Jane)" })).toMatch(/^nothing in this stack refused the message: forward this bounce to the mail administrator of the recipient's domain and ask/);
    // Without a diagnostic: the first evidence line with a code, else the first line.
    expect(admin({ evidence: ["Reporting-MTA: dns; mx.example.org", "550 rejected by policy"] })).toMatch(/quoting: "550 rejected by policy"$/);
    expect(admin({ evidence: ["Reporting-MTA: dns; mx.example.org", "Status: 4.4.2"] })).toMatch(/quoting: "Status: 4\.4\.2"$/);
    expect(admin({ evidence: ["Reporting-MTA: dns; mx.example.org"] })).toMatch(/quoting: "Reporting-MTA: dns; mx\.example\.org"$/);
    const words = (n: number) => `550 ${"x".repeat(n - 4)}`;
    expect(admin({ diagnostic: words(240) })).toMatch(new RegExp(`quoting: "${words(240)}"$`));
    expect(admin({ diagnostic: words(241) })).toMatch(new RegExp(`quoting: "${words(240)}…"$`));
  });
});

describe("the server's words quoted in a cause: on one line, cut at 160 characters", () => {
  const cause = (diagnostic: string) => classify(f({ status: "5.7.1", diagnostic })).cause;
  it("runs of white space become one space", () => {
    expect(cause("550 5.7.1  rejected\n  by   policy")).toMatch(/\("550 5\.7\.1 rejected by policy"\)$/);
  });
  it("160 characters are kept whole, 161 are cut", () => {
    const words = (n: number) => `550 5.7.1 ${"x".repeat(n - 10)}`;
    expect(cause(words(160))).toMatch(new RegExp(`\\("${words(160)}"\\)$`));
    expect(cause(words(161))).toMatch(new RegExp(`\\("${words(160)}…"\\)$`));
  });
});
