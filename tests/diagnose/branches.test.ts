/**
 * The branches of classify() that once had no test (a planted bug in each went unnoticed), each
 * on a real bounce from the sisimai sample set (tests/fixtures/bounces-sisimai, README there)
 * read the way the CLI reads it, plus the known misclassifications of issue 20, each general.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classify, codesOf } from "../../lib/diagnose/classify";
import { failuresFromText } from "../../lib/diagnose/read";
import type { Failure, Verdict } from "../../lib/diagnose/types";
import { readBounce } from "../../scripts/diagnose/message";

const CORPUS = join(__dirname, "..", "fixtures", "bounces-sisimai");
async function verdicts(file: string): Promise<Verdict[]> {
  const r = await readBounce(readFileSync(join(CORPUS, file)));
  if (!r.ok) throw new Error(`${file}: ${r.message}`);
  return r.failures.map((f) => classify(f));
}
const f = (o: Partial<Failure>): Failure => ({ recipient: "r@example.com", source: "dsn", evidence: [], ...o });

describe("branches on real bounces", () => {
  it.each([
    // [file, layer, cause pattern, what it shows]
    ["lhost-exim-50.eml", "sender-auth", /refused our envelope sender/, "5.1.7 after MAIL FROM (no such sender domain): our side, not the recipient's mailbox"],
    ["lhost-postfix-10.eml", "sender-auth", /refused our envelope sender/, "5.1.8 'Domain of sender address ... does not exist': our side"],
    ["lhost-yahoo-11.eml", "sender-auth", /refused our envelope sender/, "Yahoo's 501 5.1.8 in a qmail-style text notice"],
    ["rhost-yahooinc-01.eml", "recipient-policy", /refused/, "Yahoo/AOL 554 5.7.9 'not accepted for policy reasons': a policy refusal, not relay-auth"],
    ["lhost-postfix-66.eml", "recipient-policy", /refused/, "the same 5.7.9 relayed by Postfix"],
    ["lhost-receivingses-05.eml", "recipient-policy", /size/, "5.3.4 message too large"],
    ["lhost-postfix-39.eml", "recipient-policy", /refused/, "5.6.0 scored as spam"],
    ["lhost-sendmail-06.eml", "recipient-policy", /content or format/, "5.6.9 improper 8-bit header"],
    ["lhost-postfix-06.eml", "recipient-mailbox", /domain cannot/, "5.4.4 host or domain name not found"],
    ["lhost-sendmail-57.eml", "recipient-mailbox", /accepts no mail/, "Sendmail's 5.7.27 over the recipient's own '550 Host does not accept mail': the words say whose domain"],
    ["lhost-x3-01.eml", "recipient-mailbox", /does not exist/, "553 5.3.0 '... No such user here': mailbox words under a generic code"],
    ["lhost-sendmail-41.eml", "recipient-mailbox", /does not exist/, "Yahoo's 'This user doesn't have a ... account' under 554 5.0.0"],
    ["lhost-exim-57.eml", "recipient-policy", /blocklist/, "'an address that has been blacklisted' from a host that is not SES: a blocklist, not ses"],
    ["lhost-postfix-75.eml", "transient", /temporary/, "a quoted session 'Out: 250 2.1.5 Ok ... Out: 451 4.3.0 queue file write error': the failure code, not the first 2xx line"],
    ["lhost-postfix-34.eml", "transient", /temporary DNS failure/, "Postfix's 'Host not found, try again' (TRY_AGAIN): the name servers failed, not a domain that does not exist"],
    ["rhost-cox-01.eml", "recipient-policy", /blocks or lists.*AUP#CDRBL/, "Cox's '550 5.1.0 <a@b> sender rejected ... AUP#CDRBL': Cox's published code for its block of the sending IP, not our envelope sender"],
    ["rhost-spectrum-01.eml", "transient", /limits.*AUP#In-1310/, "Spectrum's '550 5.1.0 ... sender rejected ... AUP#In-1310': its published concurrent-connection limit"],
    ["rhost-franceptt-03.eml", "recipient-policy", /spam.*OFR_506/, "Orange's '550 5.2.0 Mail rejected. OFR_506': spam by Orange's code, not the X.2.0 mailbox"],
    ["rhost-franceptt-07.eml", "recipient-policy", /blocks or lists.*OFR_999/, "Orange's '421 Service refused ... OFR_999': the sending IP temporarily blocklisted"],
    ["lhost-verizon-02.eml", "recipient-mailbox", /does not exist/, "Verizon's 'Size (in bytes): 222' under the message details is a count, not a reply: the '550 - ... no such user here' above the list is"],
    ["lhost-amazonses-01.eml", "recipient-policy", /policy/, "SES's '5.1.0 - Unknown address error 550-'5.7.1 <sender>... Access denied' (delivery attempts: 0)': the quoted reply is the server's, SES's 'Unknown address' summary is not"],
    ["lhost-amazonses-03.eml", "recipient-mailbox", /mailbox cannot take mail/, "SES's wrapper around '550-'5.2.2 ... Mailbox Full'': the quoted X.2.2 decides"],
    ["rfc3464-06.eml", "recipient-mailbox", /does not exist/, "Sendmail's transcript 'mail.local: unknown user: kijitora' above '554 <a>... Service unavailable': the local delivery agent's reason, not a temporary service failure"],
    ["lhost-biglobe-01.eml", "recipient-mailbox", /mailbox/, "Biglobe lists postmaster@mxr.biglobe.ne.jp, the returned message's To, as the failed address: a postmaster@ recipient the returned message proves, not the notice's own contact"],
    ["lhost-gsuite-02.eml", "recipient-mailbox", /does not exist/, "Google's report with no Diagnostic-Code: its text 'Your message wasn't delivered to a@b because the address couldn't be found' says why (not the boilerplate 'Your message was ...')"],
    ["lhost-messagelabs-03.eml", "recipient-mailbox", /refused the address itself/, "MessageLabs' '542 a@b Rejected': the reply names the failed recipient's own address as what it refused"],
    ["lhost-postfix-78.eml", "recipient-policy", /headers/, "SES's '554 Transaction failed: Duplicate header 'DKIM-Signature'': the message's format, not a DKIM failure"],
    ["lhost-postfix-50.eml", "recipient-policy", /greeting/, "'refused to talk to me: 421' at every attempt until Postfix gave up: the server refuses the sending host"],
    ["lhost-postfix-41.eml", "recipient-policy", /at DATA/, "a bare 550 in reply to DATA: the address was accepted at RCPT TO, the message was refused"],
    ["lhost-postfix-59.eml", "transient", /limits how fast/, "Gmail's 5.2.1 'receiving mail at a rate that prevents additional messages': a rate, not the mailbox"],
    ["rhost-godaddy-03.eml", "transient", /limits how fast/, "GoDaddy's 5.1.1 'has sent to too many recipients this hour': a rate, not an unknown address"],
    ["lhost-sendmail-58.eml", "sender-auth", /sender authentication/, "Gmail's 'Unauthenticated email from ... is not accepted due to domain's' DMARC policy under 5.7.1"],
    ["lhost-sendmail-59.eml", "sender-auth", /sender authentication/, "Gmail's 'does not have authentication information or fails to pass' under 5.7.1"],
    ["lhost-sendmail-39.eml", "transient", /temporary/, "'452 4.4.5 Insufficient disk space': the system's disk under a system code, not the mailbox"],
    ["lhost-sendmail-18.eml", "recipient-mailbox", /delivery program/, "Sendmail's 'Diagnostic-Code: X-Unix; 255': the local delivery program's exit status"],
    ["lhost-messagelabs-01.eml", "relay-auth", /authenticate/, "'550-Please turn on SMTP Authentication in your mail client': the client did not log in"],
    ["lhost-ezweb-08.eml", "recipient-policy", /refused the sending host/, "Outlook.com's SC-004 'too many unwanted messages have been sent from the following IP address': the sending host's reputation"],
    ["lhost-gsuite-12.eml", "recipient-policy", /spam/, "'rejected due to spam classification ... Set up SPF records': spam is the reason, SPF only the advice"],
    ["lhost-x3-03.eml", "recipient-mailbox", /does not exist/, "a bulleted recipient list ('   * a@b') between rule lines ('====='): the reply under 'Technical details:' is read"],
    ["lhost-imailserver-06.eml", "recipient-policy", /blocklist/, "IMail's 'undeliverable to a@b' and 'Body of message generated response:' then the server's 550"],
    ["lhost-x1-02.eml", "recipient-mailbox", /does not exist/, "a notice whose text part's Content-Type is folded without ';' (mailparser makes it an attachment): that part is read"],
    ["lhost-x2-04.eml", "recipient-mailbox", /full, disabled/, "a text message with one stray NUL byte at its end is read, not refused as binary"],
    ["lhost-activehunter-01.eml", "recipient-mailbox", /does not exist/, "Active!Hunter lists '>>> a@b <a@b>' and quotes the reply under its own 'Transcript of session' heading: the notice's coded reply joins the entry's words"],
    ["lhost-apachejames-01.eml", "recipient-mailbox", /does not exist/, "Apache James writes the reply above the 'Message details' list: the notice's coded reply joins the entry's words"],
    ["lhost-domino-02.eml", "recipient-mailbox", /does not exist/, "Domino's Diagnostic-Code in raw ISO-2022-JP (escape sequences in the delivery-status part) is decoded: '... \u898b\u3064\u304b\u308a\u307e\u305b\u3093'"],
    ["lhost-v5sendmail-05.eml", "recipient-policy", /at DATA/, "Sendmail V5's '554 <a@b>... Remote protocol error' under 'While talking to example.edu: >>> DATA <<< 550 ...': that host's own reply refused the recipient at DATA, not a network error"],
    ["lhost-v5sendmail-06.eml", "recipient-policy", /refused the sending host/, "'>>> MAIL From: <<< 550 Insecure Mail Relay': a refusal at MAIL FROM that names the sending host (an open relay), not our envelope sender"],
    ["lhost-x3-02.eml", "transient", /expired in the sending server's queue/, "'Delivery to the following recipients was aborted after 5.0 hour(s):' heads the list: the sender retried and gave up, whatever the entry's 'Could not find a gateway'"],
    ["lhost-interscanmss-02.eml", "recipient-mailbox", /says the address does not exist/, "InterScan's 'Unable to deliver message to <a@b> ... Please check if address is correct': the address"],
    ["lhost-interscanmss-03.eml", "recipient-mailbox", /domain cannot/, "InterScan's 'Unable to deliver message to <a@b> (and other recipients in the same domain)': every recipient of that domain, the domain's mail"],
    ["lhost-fml-02.eml", "recipient-policy", /only from its members/, "fml's 'You are not a member of this mailing list <list@...>' (X-MLServer: fml): the list's policy, the list is the recipient"],
    ["lhost-fml-03.eml", "transient", /same Message-ID/, "fml's 'Loop Alert: Duplicated Message-ID in <list@...>': the list's loop guard dropped a copy it had already received"],
    ["lhost-ezweb-01.eml", "recipient-mailbox", /reception filter/, "EZweb's 'X-SPASIGN: NG' on 'Each of the following recipients was rejected by a remote mail server': its user's reception filter"],
    ["rhost-nttdocomo-02.eml", "recipient-mailbox", /accepted the address at RCPT TO.*reception filter/, "docomo's '550 Unknown user' in reply to end of DATA (the stage from Postfix's human part): the address passed RCPT TO, the recipient's filter refused the sender"],
    ["lhost-v5sendmail-01.eml", "transient", /temporary|gave up|stopped retrying|expired/, "Sendmail V5's bare transcript names no recipient: the returned message's To is read"],
  ] as const)("%s: %s (%s)", async (file, layer, cause, _why) => {
    const vs = await verdicts(file);
    expect(vs.map((v) => v.layer)).toContain(layer);
    expect(vs.find((v) => v.layer === layer)!.cause).toMatch(cause);
  });
});

describe("branches on the server's words", () => {
  it("5.7.27 from the server: the sender's domain accepts no mail (RFC 7505 X.7.27), our side", () => {
    expect(classify(f({ diagnostic: "550 5.7.27 Sender address has null MX" }))).toMatchObject({ layer: "sender-auth", cause: expect.stringMatching(/our sender's domain accepts no mail/) });
  });
  it("X.7.13 (user account disabled): the recipient's when the words say recipient, else the relay's login account", () => {
    expect(classify(f({ diagnostic: "525 5.7.13 Disabled recipient address" })).layer).toBe("recipient-mailbox");
    expect(classify(f({ diagnostic: "554 5.7.13 User account disabled", remoteMta: "smtp.example.net" })).layer).toBe("relay-auth");
  });
  it("bare 550 User unknown and bare 552 (no enhanced code): mailbox", () => {
    expect(classify(f({ diagnostic: "550 User unknown" })).layer).toBe("recipient-mailbox");
    expect(classify(f({ diagnostic: "552 Requested mail action aborted: exceeded storage allocation" })).layer).toBe("recipient-mailbox");
    expect(classify(f({ diagnostic: "552" })).cause).toMatch(/full or over its storage limit/);
  });
  it("5.3.x other than 5.3.4 is the recipient's mail system; 5.4.x routing other than no-MX is transient", () => {
    expect(classify(f({ status: "5.3.2" })).layer).toBe("transient");
    expect(classify(f({ status: "5.4.7" })).layer).toBe("transient");
    expect(classify(f({ status: "5.4.4" })).layer).toBe("recipient-mailbox");
  });
  it("who answered decides: SES's suppression wording from another host is a blocklist; from SES it is ses", () => {
    expect(classify(f({ diagnostic: "554 IP address blacklisted", remoteMta: "mx.example.org" })).layer).toBe("recipient-policy");
    expect(classify(f({ diagnostic: "554 Address blacklisted", remoteMta: "email-smtp.us-east-1.amazonaws.com" })).layer).toBe("ses");
  });
  it("a relay's 'Unauthenticated senders not allowed' is relay-auth, not sender-auth", () => {
    expect(classify(f({ diagnostic: "550 5.7.1 Unauthenticated senders not allowed", remoteMta: "smtp.example.net" })).layer).toBe("relay-auth");
    expect(classify(f({ diagnostic: "550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy" })).layer).toBe("sender-auth");
  });
  it("explicit SPF or blocklist words beat a generic status code", () => {
    expect(classify(f({ status: "5.0.0", diagnostic: "550 SPF check failed for 192.0.2.1" })).layer).toBe("sender-auth");
    expect(classify(f({ status: "5.0.0", diagnostic: "554 rejected: listed on zen.spamhaus.org" })).layer).toBe("recipient-policy");
    expect(classify(f({ status: "5.1.3", diagnostic: "553 http://www.spamhaus.org/query/bl?ip=192.0.2.222" })).layer).toBe("recipient-policy");
  });
  it("mailbox wording under generic codes: 'doesn't have a ... account', 'account disabled'", () => {
    expect(classify(f({ status: "5.7.1", diagnostic: "554 delivery error: dd This user doesn't have a yahoo.com account" })).layer).toBe("recipient-mailbox");
    expect(classify(f({ status: "5.0.0", diagnostic: "550 account disabled" })).layer).toBe("recipient-mailbox");
  });
  it("next is a command or plain words: a notice that names no recipient gives no --recipient", () => {
    const v = classify(f({ recipient: "(recipient not named)", status: "5.1.1" }));
    expect(v.next).toBe("npm run verify -- --stack STACK --only recipient");
    const relay = classify(f({ recipient: "(recipient not named)", diagnostic: "535 Authentication Credentials Invalid", remoteMta: "email-smtp.us-east-1.amazonaws.com" }));
    expect(relay.next).toMatch(/^this bounce does not name the relay's sender: /);
  });
  it("Gmail's text-only relay notice: relay-auth, high, and the 'sending your message from' line names the sender", () => {
    const text = "There was a problem sending your message from admin@queenofsandiego.com to crew@example.org.\nYour message wasn't delivered to crew@example.org because the SMTP server settings for this address are misconfigured or out of date.\nThe response from the remote server was:\n535 Authentication Credentials Invalid\n";
    const [x] = failuresFromText(text, "gmail", undefined);
    const v = classify(x!);
    expect(v).toMatchObject({ layer: "relay-auth", confidence: "high", next: "npm run relay-fix -- --stack STACK --sender admin@queenofsandiego.com" });
    expect(x!.recipient).toBe("crew@example.org");
  });
});

describe("the SMTP stage a Sendmail-style transcript names, read the way the CLI reads the bounce", () => {
  // Each notice's transcript writes the command and the host's failure reply under it
  // (">>> RCPT To:<a@b>" then "<<< 550 ..."); the delivery-status part, where there is one,
  // quotes the reply without its command.
  it.each([
    ["lhost-sendmail-32.eml", "RCPT TO", ">>> RCPT To:<nyaaan@neko.example.jp> then <<< 550 5.1.1 Requested action not taken: mailbox unavailable"],
    ["lhost-sendmail-36.eml", "RCPT TO", ">>> RCPT To:<kijitora@nyaan.example.com> then <<< 550 5.7.1 IP address blacklisted by recipient"],
    ["lhost-sendmail-07.eml", "RCPT TO", ">>> RCPT To:<kijitora@example.org> then <<< 554 5.7.1 <kijitora@example.org>: Relay access denied"],
    ["rhost-franceptt-01.eml", "RCPT TO", "Orange's 550 5.1.1 under >>> RCPT To:<...@orange.fr>"],
    ["lhost-sendmail-10.eml", "DATA", ">>> DATA then <<< 450 4.7.1 ... Client host rejected (the address passed RCPT TO)"],
    ["lhost-courier-02.eml", "DATA", "Courier's notice: >>> DATA then <<< 550 Unknown user"],
    ["lhost-ezweb-04.eml", "RCPT TO", "EZweb's 'Recipient: <a@b>' then >>> RCPT TO:<a@b> <<< 550 ... User unknown (no delivery-status part)"],
    ["lhost-v5sendmail-03.eml", "RCPT TO", "Sendmail V5's transcript: >>> RCPT To:<a@b> <<< 550 <a@b>, User Unknown"],
  ])("%s: %s (%s)", async (file, stage) => {
    const r = await readBounce(readFileSync(join(CORPUS, file)));
    if (!r.ok) throw new Error(`${file}: ${r.message}`);
    expect(r.failures.map((x) => codesOf(x).stage)).toEqual([stage]);
  });
});
