/**
 * The bounce corpus (tests/fixtures/bounces): each fixture with its expected layer, cause and
 * evidence, read the way the CLI reads it (readBounce + classify), and a fuzz over mutations.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classify } from "../../lib/diagnose/classify";
import type { DiagnoseLayer } from "../../lib/diagnose/types";
import { readBounce } from "../../scripts/diagnose/message";

const DIR = join(__dirname, "..", "fixtures", "bounces");
const bytes = (name: string) => readFileSync(join(DIR, name));

interface Expected {
  recipient: string;
  layer: DiagnoseLayer;
  confidence: "high" | "medium" | "low";
  cause: RegExp;
  evidence: string;
  next?: string;
}

const CORPUS: Record<string, Expected[]> = {
  "gmail-relay-auth.eml": [{ recipient: "ops@steigerwald-dougherty.com", layer: "relay-auth", confidence: "high", cause: /authenticate to SES at email-smtp\.us-east-1\.amazonaws\.com/, evidence: "Diagnostic-Code: smtp; 535 Authentication Credentials Invalid", next: "npm run relay-fix -- --stack STACK --sender admin@queenofsandiego.com" }],
  "gmail-relay-auth-text.eml": [{ recipient: "crew@example.org", layer: "relay-auth", confidence: "medium", cause: /could not authenticate/, evidence: "The response from the remote server was: 535 Authentication Credentials Invalid", next: "npm run relay-fix -- --stack STACK --sender admin@queenofsandiego.com" }],
  "gmail-relay-ses-unverified.eml": [{ recipient: "ops@steigerwald-dougherty.com", layer: "ses", confidence: "high", cause: /not a verified identity/, evidence: "Remote-MTA: dns; email-smtp.us-east-1.amazonaws.com. (44.210.164.28, the server for the domain.)" }],
  "exchange-policy.eml": [{ recipient: "ops@steigerwald-dougherty.com", layer: "recipient-policy", confidence: "high", cause: /Exchange Online refused the message/, evidence: "Status: 5.7.1", next: "npm run verify -- --stack STACK --only dns,ses --recipient ops@steigerwald-dougherty.com" }],
  "exchange-dmarc-text.eml": [{ recipient: "billing@contoso.com", layer: "sender-auth", confidence: "high", cause: /sender authentication/, evidence: "Generating server: SN6PR04MB4960.namprd04.prod.outlook.com", next: "npm run verify -- --stack STACK --only dns" }],
  "exchange-mailbox-text.eml": [{ recipient: "josé@fabrikam.com", layer: "recipient-mailbox", confidence: "high", cause: /does not exist \(5\.1\.10\/550\)/, evidence: "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'" }],
  "gmail-dmarc.eml": [{ recipient: "friend@gmail.com", layer: "sender-auth", confidence: "high", cause: /\(5\.7\.26\/550\)/, evidence: "Remote-MTA: dns; gmail-smtp-in.l.google.com" }],
  "rfc3464-mailbox.eml": [
    { recipient: "nobody@example.net", layer: "recipient-mailbox", confidence: "high", cause: /does not exist/, evidence: "Status: 5.1.1" },
    { recipient: "full@example.net", layer: "recipient-mailbox", confidence: "high", cause: /full, disabled/, evidence: "Status: 5.2.2" },
  ],
  "rfc3464-transient.eml": [{ recipient: "slow@example.com", layer: "transient", confidence: "high", cause: /retries/, evidence: "Action: delayed" }],
  "ses-bounce-suppressed.json": [{ recipient: "gone@example.com", layer: "ses", confidence: "high", cause: /account's suppression list/, evidence: "Bounce: bounceType Permanent, bounceSubType OnAccountSuppressionList" }],
  "sns-ses-bounce-mailbox.json": [{ recipient: "nobody@example.org", layer: "recipient-mailbox", confidence: "high", cause: /does not exist/, evidence: "diagnosticCode: smtp; 550 5.1.1 user unknown" }],
  "ses-event-transient.json": [{ recipient: "busy@example.com", layer: "transient", confidence: "high", cause: /temporary failure \(4\.4\.7\/421\)/, evidence: "Bounce: bounceType Transient, bounceSubType General" }],
  "sns-ses-complaint.json": [{ recipient: "angry@example.com", layer: "recipient-policy", confidence: "high", cause: /marked the message as spam/, evidence: "Complaint: complaintFeedbackType abuse" }],
};
const NOT_BOUNCES: Record<string, RegExp> = {
  "not-a-bounce.eml": /from "friend@example\.com" \(subject "Lunch on Friday\?"\) with no delivery status report .*not a bounce/,
  "ses-delivery.json": /SES feedback of type "Delivery", which reports no failed recipient/,
};

describe("the bounce corpus", () => {
  it("every fixture file is in the corpus or the not-a-bounce list", () => {
    expect(readdirSync(DIR).sort()).toEqual([...Object.keys(CORPUS), ...Object.keys(NOT_BOUNCES)].sort());
  });

  it.each(Object.entries(CORPUS))("%s", async (name, expected) => {
    const r = await readBounce(bytes(name));
    if (!r.ok) throw new Error(r.message);
    const verdicts = r.failures.map((f) => classify(f));
    expect(verdicts).toHaveLength(expected.length);
    expected.forEach((e, i) => {
      const v = verdicts[i]!;
      expect({ recipient: v.recipient, layer: v.layer, confidence: v.confidence }).toEqual({ recipient: e.recipient, layer: e.layer, confidence: e.confidence });
      expect(v.cause).toMatch(e.cause);
      expect(v.evidence).toContain(e.evidence);
      if (e.next) expect(v.next).toBe(e.next);
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
