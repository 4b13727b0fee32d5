/**
 * The bounce corpus (tests/fixtures/bounces): each fixture with its expected layer, cause and
 * evidence, read the way the CLI reads it (readBounce + classify), and a fuzz over mutations.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classify } from "../../lib/diagnose/classify";
import { DIAGNOSE_LAYERS, type DiagnoseLayer } from "../../lib/diagnose/types";
import { readBounce } from "../../scripts/diagnose/message";

const DIR = join(__dirname, "..", "fixtures", "bounces");
const bytes = (name: string) => readFileSync(join(DIR, name));

/** How a fixture is written: which reader and which provider's conventions it exercises. */
const FORMATS = ["rfc3464", "gmail", "exchange", "ses-notification", "sns-ses-notification", "ses-event", "sns-ses-event"] as const;
type Format = (typeof FORMATS)[number];
/** The next step, by kind: the command is rebuilt from the recipient and sender here, not taken from classify. */
type Next = "relay-fix" | "ses" | "sender-auth" | "recipient" | "recipient-admin";

interface Expected {
  recipient: string;
  layer: DiagnoseLayer;
  confidence: "high" | "medium" | "low";
  cause: RegExp;
  /** A line the verdict quotes from the message, exactly. */
  evidence: string;
  next: Next;
  /** The sender the next step names, when it is not the incident's alias. */
  sender?: string;
}
interface Fixture {
  format: Format;
  /** One of the incident's two messages. */
  incident?: true;
  /** Where the wording or structure comes from, when it is not the provider's usual notice. */
  note?: string;
  verdicts: Expected[];
}

const commandFor = (next: Next, recipient: string, sender = "admin@queenofsandiego.com"): string =>
  ({
    "relay-fix": `npm run relay-fix -- --stack STACK --sender ${sender}`,
    ses: `npm run verify -- --stack STACK --only ses --recipient ${recipient}`,
    "sender-auth": `npm run verify -- --stack STACK --only dns,recipient --recipient ${recipient}`,
    recipient: `npm run verify -- --stack STACK --only recipient --recipient ${recipient}`,
    "recipient-admin": `nothing in this stack refused the message: forward this bounce to the mail administrator of ${recipient.split("@")[1]} (postmaster@${recipient.split("@")[1]}) and ask why their server refused it, quoting: `,
  })[next];

/**
 * The corpus: every fixture, its format, and per failed recipient the layer, confidence, cause,
 * one quoted evidence line and the next step. Decisions worth a note:
 * - exchange-expired.eml (550 4.4.7 QUEUE.Expired) is transient: the cause was temporary (X.4.x,
 *   the recipient's server unreachable) and nobody refused the message, but Action is failed, so
 *   the cause says it is no longer retried and must be sent again; next is the recipient layer.
 * - postfix-relay-auth-delayed.eml: Postfix soft-bounces a SASL failure (Status 4.7.0, Action
 *   delayed), but SES's own reply is 535: relay-auth, not transient.
 */
const CORPUS: Record<string, Fixture> = {
  // --- relay-auth
  "gmail-relay-auth.eml": { format: "gmail", incident: true, verdicts: [{ recipient: "ops@steigerwald-dougherty.com", layer: "relay-auth", confidence: "high", cause: /authenticate to SES at email-smtp\.us-east-1\.amazonaws\.com \(5\.0\.0\/535\)/, evidence: "Diagnostic-Code: smtp; 535 Authentication Credentials Invalid", next: "relay-fix" }] },
  // Real: sisimai/set-of-emails maildir/bsd/lhost-googleworkspace-01.eml (commit 18e585c2, BSD-2-Clause,
  // licence in tests/fixtures/bounces-sisimai/LICENSE): Gmail's "Send mail as" notice (CustomFromDenied)
  // with an empty delivery-status part; the relay's SMTP server offered no AUTH.
  "gmail-send-mail-as-customfromdenied.eml": { format: "gmail", verdicts: [{ recipient: "neko-nyaan-cat-meeting@google-groups.example.com", layer: "relay-auth", confidence: "medium", cause: /could not authenticate to its SMTP server .*Gmail's "Send mail as" settings for michitsuna@example\.jp name an SMTP server or port that offers no AUTH/, evidence: "X-Failed-Recipients: neko-nyaan-cat-meeting@google-groups.example.com", next: "relay-fix", sender: "michitsuna@example.jp" }] },
  "gmail-relay-auth-text.eml": { format: "gmail", verdicts: [{ recipient: "crew@example.org", layer: "relay-auth", confidence: "high", cause: /could not authenticate to its SMTP server \(535\): Gmail's "Send mail as" settings for admin@queenofsandiego\.com hold a stale or wrong SMTP password/, evidence: "The response from the remote server was: 535 Authentication Credentials Invalid", next: "relay-fix" }] },
  "postfix-relay-auth-delayed.eml": { format: "rfc3464", verdicts: [{ recipient: "board@example.com", layer: "relay-auth", confidence: "high", cause: /authenticate to SES at email-smtp\.us-east-1\.amazonaws\.com \(4\.7\.0\/535\).*keeps retrying \(Action: delayed\)/, evidence: "Diagnostic-Code: X-Postfix; SASL authentication failed; server email-smtp.us-east-1.amazonaws.com[44.210.164.28] said: 535 Authentication Credentials Invalid", next: "relay-fix" }] },
  // --- ses
  "gmail-relay-ses-unverified.eml": { format: "gmail", note: "the notice's words blame the Send-mail-as settings; SES's 554 after a good login decides: ses, not relay-auth", verdicts: [{ recipient: "ops@steigerwald-dougherty.com", layer: "ses", confidence: "high", cause: /not a verified identity/, evidence: "Remote-MTA: dns; email-smtp.us-east-1.amazonaws.com. (44.210.164.28, the server for the domain.)", next: "ses" }] },
  "exim-ses-paused.eml": { format: "rfc3464", verdicts: [{ recipient: "guests@example.net", layer: "ses", confidence: "high", cause: /sending is paused/, evidence: "Diagnostic-Code: smtp; 554 Message rejected: Sending paused for this account. For more information, please check the inbox of the email address associated with your AWS account.", next: "ses" }] },
  "postfix-ses-mail-from.eml": {
    format: "rfc3464",
    note: "SES's SMTP wording for MailFromDomainNotVerified is not in the documentation found; the reply quotes the API error's message",
    verdicts: [{ recipient: "harbor@example.com", layer: "ses", confidence: "high", cause: /custom MAIL FROM domain is not verified/, evidence: "Remote-MTA: dns; email-smtp.eu-west-1.amazonaws.com", next: "ses" }],
  },
  "ses-bounce-suppressed.json": { format: "ses-notification", verdicts: [{ recipient: "gone@example.com", layer: "ses", confidence: "high", cause: /account's suppression list/, evidence: "Bounce: bounceType Permanent, bounceSubType OnAccountSuppressionList", next: "ses" }] },
  "ses-event-reject.json": { format: "ses-event", verdicts: [{ recipient: "purser@example.com", layer: "ses", confidence: "high", cause: /found a virus in it \(Reject event, reason "Bad content"\)/, evidence: "Reject: Bad content", next: "ses" }] },
  // --- sender-auth
  "ses-dsn-dmarc.eml": { format: "rfc3464", verdicts: [{ recipient: "friend@gmail.com", layer: "sender-auth", confidence: "high", cause: /\(5\.7\.26\/550\)/, evidence: "Remote-MTA: dns; gmail-smtp-in.l.google.com", next: "sender-auth" }] },
  "exchange-dmarc-text.eml": { format: "exchange", verdicts: [{ recipient: "billing@contoso.com", layer: "sender-auth", confidence: "high", cause: /sender authentication .*\(5\.7\.509\/550\)/, evidence: "Generating server: SN6PR04MB4960.namprd04.prod.outlook.com", next: "sender-auth" }] },
  "ses-notification-dmarc.json": { format: "ses-notification", verdicts: [{ recipient: "captain@gmail.com", layer: "sender-auth", confidence: "high", cause: /sender authentication .*\(5\.7\.26\/550\) \("550 5\.7\.26 Unauthenticated email/, evidence: "status: 5.7.26", next: "sender-auth" }] },
  // --- recipient-policy
  "exchange-policy.eml": { format: "exchange", incident: true, verdicts: [{ recipient: "ops@steigerwald-dougherty.com", layer: "recipient-policy", confidence: "high", cause: /Exchange Online refused the sending host: a blocklist, its policy or the host's reputation \(5\.7\.1\/550\)/, evidence: "Status: 5.7.1", next: "recipient-admin" }] },
  "sns-ses-complaint.json": { format: "sns-ses-notification", verdicts: [{ recipient: "angry@example.com", layer: "recipient-policy", confidence: "high", cause: /marked the message as spam/, evidence: "Complaint: complaintFeedbackType abuse", next: "ses" }] },
  "sns-ses-event-bounce-content.json": { format: "sns-ses-event", verdicts: [{ recipient: "events@yachtclub.example", layer: "recipient-policy", confidence: "high", cause: /refused the message's content \(SES bounceSubType ContentRejected, 5\.7\.1\/554\)/, evidence: "Bounce: bounceType Permanent, bounceSubType ContentRejected", next: "recipient" }] },
  // --- recipient-mailbox
  "gmail-address-not-found.eml": { format: "gmail", verdicts: [{ recipient: "skipper@example.org", layer: "recipient-mailbox", confidence: "high", cause: /does not exist \(5\.1\.1\/550\) \("550 5\.1\.1 The email account that you tried to reach does not exist\. Please try double-checking/, evidence: "Status: 5.1.1", next: "recipient" }] },
  "exchange-mailbox-text.eml": { format: "exchange", verdicts: [{ recipient: "josé@fabrikam.com", layer: "recipient-mailbox", confidence: "high", cause: /does not exist \(5\.1\.10\/550\)/, evidence: "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'", next: "recipient" }] },
  "rfc3464-mailbox.eml": {
    format: "rfc3464",
    verdicts: [
      { recipient: "nobody@example.net", layer: "recipient-mailbox", confidence: "high", cause: /does not exist/, evidence: "Status: 5.1.1", next: "recipient" },
      { recipient: "full@example.net", layer: "recipient-mailbox", confidence: "high", cause: /full, disabled/, evidence: "Status: 5.2.2", next: "recipient" },
    ],
  },
  "rfc6533-global-mailbox.eml": { format: "rfc3464", note: "RFC 6533 message/global-delivery-status: UTF-8 fields, utf-8 address type", verdicts: [{ recipient: "josé@bücher.example", layer: "recipient-mailbox", confidence: "high", cause: /does not exist \(5\.1\.1\/550\)/, evidence: "Final-Recipient: utf-8; josé@bücher.example", next: "recipient" }] },
  "sns-ses-bounce-mailbox.json": { format: "sns-ses-notification", verdicts: [{ recipient: "nobody@example.org", layer: "recipient-mailbox", confidence: "high", cause: /does not exist/, evidence: "diagnosticCode: smtp; 550 5.1.1 user unknown", next: "recipient" }] },
  // --- transient
  "rfc3464-transient.eml": { format: "rfc3464", verdicts: [{ recipient: "slow@example.com", layer: "transient", confidence: "high", cause: /temporary failure \(4\.7\.1\/451\); the sending server retries it/, evidence: "Action: delayed", next: "ses" }] },
  "exchange-expired.eml": { format: "exchange", verdicts: [{ recipient: "accounts@fabrikam.com", layer: "transient", confidence: "high", cause: /\(4\.4\.7\/550\); the message expired in the sending server's queue, so it is not retried and was not delivered: send it again/, evidence: "Diagnostic-Code: smtp;550 4.4.7 QUEUE.Expired; message expired", next: "recipient" }] },
  "ses-event-transient.json": { format: "ses-event", verdicts: [{ recipient: "busy@example.com", layer: "transient", confidence: "high", cause: /temporary failure \(4\.4\.7\/421\); the message expired .* not retried/, evidence: "Bounce: bounceType Transient, bounceSubType General", next: "recipient" }] },
  "sns-ses-event-delivery-delay.json": { format: "sns-ses-event", verdicts: [{ recipient: "dock@marina.example", layer: "transient", confidence: "high", cause: /temporary failure \(4\.4\.1\/421\); the sending server retries it/, evidence: "DeliveryDelay: delayType TransientCommunicationFailure", next: "recipient" }] },
};
const NOT_BOUNCES: Record<string, RegExp> = {
  "not-a-bounce.eml": /from "friend@example\.com" \(subject "Lunch on Friday\?"\) with no delivery status report .*not a bounce/,
  "ses-delivery.json": /SES feedback of type "Delivery", which reports no failed recipient/,
};

describe("the bounce corpus", () => {
  it("every fixture file is in the corpus or the not-a-bounce list", () => {
    expect(readdirSync(DIR).sort()).toEqual([...Object.keys(CORPUS), ...Object.keys(NOT_BOUNCES)].sort());
  });

  it("has at least two fixtures per layer and per format, and the incident's two messages", () => {
    const fixtures = Object.values(CORPUS);
    for (const layer of DIAGNOSE_LAYERS) expect(fixtures.filter((x) => x.verdicts.some((v) => v.layer === layer)).length, layer).toBeGreaterThanOrEqual(2);
    for (const format of FORMATS) expect(fixtures.filter((x) => x.format === format).length, format).toBeGreaterThanOrEqual(2);
    expect(Object.entries(CORPUS).filter(([, x]) => x.incident).map(([name]) => name)).toEqual(["gmail-relay-auth.eml", "exchange-policy.eml"]);
  });

  it("each format is the one its file holds", async () => {
    for (const [name, x] of Object.entries(CORPUS)) {
      const raw = bytes(name).toString("utf8");
      if (x.format.endsWith("ses-notification") || x.format.endsWith("ses-event")) {
        const json = JSON.parse(raw) as { Type?: string; Message?: string };
        expect(json.Type === "Notification", name).toBe(x.format.startsWith("sns-"));
        const inner = (json.Type === "Notification" ? JSON.parse(json.Message!) : json) as Record<string, unknown>;
        expect(Object.keys(inner), name).toContain(x.format.endsWith("event") ? "eventType" : "notificationType");
      } else {
        const r = await readBounce(bytes(name));
        if (!r.ok) throw new Error(r.message);
        const source = r.failures[0]!.source;
        expect({ name, source: source === "text" ? "dsn" : source }).toEqual({ name, source: x.format === "rfc3464" ? "dsn" : x.format });
      }
    }
  });

  it.each(Object.entries(CORPUS))("%s", async (name, fixture) => {
    const r = await readBounce(bytes(name));
    if (!r.ok) throw new Error(r.message);
    const verdicts = r.failures.map((f) => classify(f));
    expect(verdicts).toHaveLength(fixture.verdicts.length);
    fixture.verdicts.forEach((e, i) => {
      const v = verdicts[i]!;
      expect({ recipient: v.recipient, layer: v.layer, confidence: v.confidence }).toEqual({ recipient: e.recipient, layer: e.layer, confidence: e.confidence });
      expect(v.cause).toMatch(e.cause);
      expect(v.evidence).toContain(e.evidence);
      if (e.next === "recipient-admin") expect(v.next.startsWith(commandFor(e.next, e.recipient)), v.next).toBe(true);
      else expect(v.next).toBe(commandFor(e.next, e.recipient, e.sender));
    });
  });

  it.each(Object.entries(NOT_BOUNCES))("%s is not a bounce, and says what it is", async (name, message) => {
    const r = await readBounce(bytes(name));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
});

describe("hostile input, in process", () => {
  it("binary data is refused before any parser sees it", async () => {
    const r = await readBounce(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0xff]));
    expect(r).toEqual({ ok: false, message: "binary data (it holds NUL bytes), not a mail message" });
  });

  it("a stray NUL in the body of a text message is dropped; one in the header is binary", async () => {
    const text = readFileSync(join(__dirname, "..", "fixtures", "bounces-sisimai", "lhost-x2-04.eml"));
    expect(text.includes(0)).toBe(true);
    const r = await readBounce(text);
    expect(r.ok && r.failures.map((f) => f.recipient)).toEqual(["kijitora@example.jp"]);
    const nulInHeader = Buffer.concat([Buffer.from("From: a@b.example\nSubject: x"), Buffer.from([0]), Buffer.from("\n\nbody\n")]);
    expect(await readBounce(nulInHeader)).toEqual({ ok: false, message: "binary data (it holds NUL bytes), not a mail message" });
    const manyNul = Buffer.concat([Buffer.from("From: a@b.example\nSubject: x\n\n"), Buffer.alloc(64)]);
    expect(await readBounce(manyNul)).toEqual({ ok: false, message: "binary data (it holds NUL bytes), not a mail message" });
  });

  it("a message declaring thousands of nested parts is refused without parsing", async () => {
    const depth = 5000;
    let msg = "From: a@b.example\nSubject: nest\nMIME-Version: 1.0\n";
    for (let i = 0; i < depth; i++) msg += `Content-Type: multipart/mixed; boundary="b${i}"\n\n--b${i}\n`;
    const r = await readBounce(Buffer.from(msg));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/declaring 201 MIME parts \(over 200\)/);
  });

  it("a message nested 150 deep (under the bound) is read in bounded time", async () => {
    let msg = "From: a@b.example\nSubject: nest\nMIME-Version: 1.0\n";
    for (let i = 0; i < 150; i++) msg += `Content-Type: multipart/mixed; boundary="b${i}"\n\n--b${i}\n`;
    msg += "Content-Type: text/plain\n\nhello\n";
    const t = Date.now();
    const r = await readBounce(Buffer.from(msg));
    expect(Date.now() - t).toBeLessThan(5000);
    expect(r.ok).toBe(false);
  });

  it("a wrong charset label still yields the verdict", async () => {
    const text = bytes("rfc3464-mailbox.eml").toString("latin1").replace("charset=us-ascii", "charset=x-no-such-charset");
    const r = await readBounce(Buffer.concat([Buffer.from(text, "latin1"), Buffer.from([0xe9, 0xff, 0xfe])]));
    expect(r.ok && r.failures.map((f) => classify(f).layer)).toEqual(["recipient-mailbox", "recipient-mailbox"]);
  });

  // A seeded fuzz: truncations, byte flips and duplicated lines of every fixture. Each input is
  // read without throwing and in bounded time; a reading is either verdicts or a reason.
  it("mutated fixtures never throw or hang", async () => {
    let seed = 1337;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const files = [...Object.keys(CORPUS), ...Object.keys(NOT_BOUNCES)];
    let verdicts = 0;
    let refusals = 0;
    for (const name of files) {
      const original = bytes(name);
      for (let k = 0; k < 25; k++) {
        let b = Buffer.from(original);
        const kind = k % 4;
        if (kind === 0) b = b.subarray(0, rand(b.length));
        else if (kind === 1) for (let i = 0; i < 1 + rand(20); i++) b[rand(b.length)] = 1 + rand(254);
        else if (kind === 2) {
          const lines = b.toString("latin1").split("\n");
          const at = rand(lines.length);
          lines.splice(at, 0, ...Array<string>(50).fill(lines[at] ?? ""));
          b = Buffer.from(lines.join("\n"), "latin1");
        } else b = Buffer.concat([b.subarray(0, rand(b.length)), Buffer.from("\n--\n\r\n;;;:::{{{\"\u00ff\u0000".repeat(rand(5)))]);
        const t = Date.now();
        const r = await readBounce(b);
        expect(Date.now() - t).toBeLessThan(5000);
        if (r.ok) {
          for (const f of r.failures) expect(classify(f).layer).toMatch(/^(relay-auth|ses|sender-auth|recipient-policy|recipient-mailbox|transient)$/);
          verdicts++;
        } else {
          expect(r.message.length).toBeGreaterThan(0);
          refusals++;
        }
      }
    }
    expect(verdicts).toBeGreaterThan(0);
    expect(refusals).toBeGreaterThan(0);
  }, 60_000);
});
