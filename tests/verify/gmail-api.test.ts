/**
 * The Gmail collector (scripts/verify/layers/gmail/collect.ts) against the loopback Gmail API
 * stand-in (gmail-fake.ts), through the real @googleapis/gmail client, in-process: what each
 * method asks (path, body) and what it makes of every answer, including the ones Gmail should
 * not give (5xx, a hang-up, a slow answer, a 200 that is not the resource). relay.gmail's
 * verdicts over the same fake, and relay-fix end to end: tests/verify/relay.test.ts and
 * relay-fix.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { GMAIL_SEND, GMAIL_UPDATE, GmailCollector } from "../../scripts/verify/layers/gmail/collect";
import { type GmailFake, type GmailFakeOptions, googleError, healthyAlias, startGmailFake } from "./gmail-fake";

const TOKEN = "ya29.gmail-api-test-token";
const OWNER = "owner@example.com";
const ALIAS = "admin@example.com";
const ALIAS_PATH = `/gmail/v1/users/${encodeURIComponent(OWNER)}/settings/sendAs/${encodeURIComponent(ALIAS)}`;
const SEND_PATH = `/gmail/v1/users/${encodeURIComponent(OWNER)}/messages/send`;
const RERUN = "Re-run; if it persists, read the alias in Gmail's settings by hand.";
const NOT_GMAIL = "Re-run; if it persists, check what answers at the Gmail API's address (a proxy on the path, or --gmail-endpoint).";
const SES_587 = { host: "email-smtp.us-east-1.amazonaws.com", port: 587, securityMode: "starttls" as const };

let fake: GmailFake | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function collector(options: Partial<GmailFakeOptions> = {}, timeoutMs = 5_000): Promise<{ gmail: GmailCollector; fake: GmailFake }> {
  fake = await startGmailFake({ token: TOKEN, me: OWNER, aliases: { [OWNER]: [{ sendAsEmail: OWNER, isPrimary: true, isDefault: true, treatAsAlias: false }, healthyAlias(ALIAS)] }, ...options });
  return { gmail: new GmailCollector({ accessToken: TOKEN, endpoint: fake.endpoint, timeoutMs }), fake };
}

describe("sendAs: users.settings.sendAs.get", () => {
  it("reads the alias with the bearer token: the fields the checks use, no others", async () => {
    const { gmail, fake } = await collector();
    // toStrictEqual: a field Gmail did not return is absent, not undefined.
    expect(await gmail.sendAs(OWNER, ALIAS)).toStrictEqual({ ok: true, value: { sendAsEmail: ALIAS, verificationStatus: "accepted", smtpMsa: SES_587 } });
    expect(fake.requests).toEqual([{ method: "GET", path: ALIAS_PATH, authorization: `Bearer ${TOKEN}` }]);
    expect(gmail.calls).toBe(1);
  });

  it("without an account, the token's own (userId me); the primary address says so", async () => {
    const { gmail, fake } = await collector();
    expect(await gmail.sendAs(undefined, OWNER)).toStrictEqual({ ok: true, value: { sendAsEmail: OWNER, isPrimary: true } });
    expect(fake.requests.map((r) => r.path)).toEqual([`/gmail/v1/users/me/settings/sendAs/${encodeURIComponent(OWNER)}`]);
  });

  it("each alias read once per run, whatever the case of its address; Gmail's own spelling kept", async () => {
    const { gmail, fake } = await collector();
    const first = await gmail.sendAs(OWNER, "Admin@Example.COM");
    expect(first).toMatchObject({ ok: true, value: { sendAsEmail: ALIAS } });
    expect(await gmail.sendAs(OWNER, ALIAS)).toBe(first);
    expect(await gmail.sendAs(OWNER, OWNER)).toMatchObject({ ok: true, value: { sendAsEmail: OWNER, isPrimary: true } });
    expect(fake.requests).toHaveLength(2);
    expect(gmail.calls).toBe(2);
    // Another account is another read.
    expect(await gmail.sendAs("other@example.com", ALIAS)).toMatchObject({ ok: false, reason: "denied", message: "Gmail denied reading alias admin@example.com of other@example.com (403: Delegation denied for owner@example.com)" });
    expect(gmail.calls).toBe(3);
  });

  it("an smtpMsa with fields missing: only those given", async () => {
    const { gmail } = await collector({ fault: () => ({ status: 200, body: { sendAsEmail: ALIAS, smtpMsa: { host: "email-smtp.us-east-1.amazonaws.com", securityMode: "starttls" } } }) });
    expect(await gmail.sendAs(OWNER, ALIAS)).toStrictEqual({ ok: true, value: { sendAsEmail: ALIAS, smtpMsa: { host: "email-smtp.us-east-1.amazonaws.com", securityMode: "starttls" } } });
  });

  it("a 200 that is not a SendAs resource (no address: empty, HTML, null): no alias concluded", async () => {
    for (const body of [{}, "<html><body>Sign in to the proxy</body></html>", { sendAsEmail: 7, smtpMsa: SES_587 }]) {
      const { gmail } = await collector({ fault: () => ({ status: 200, body }) });
      expect(await gmail.sendAs(OWNER, ALIAS)).toEqual({ ok: false, reason: "error", message: `Gmail answered without a "Send mail as" alias (alias ${ALIAS} of ${OWNER})`, needs: NOT_GMAIL });
      await fake?.stop();
      fake = undefined;
    }
    const { gmail } = await collector({ fault: () => ({ status: 200, body: "null" }) });
    expect(await gmail.sendAs(OWNER, ALIAS)).toMatchObject({ ok: false, reason: "error", message: `Gmail answered without a "Send mail as" alias (alias ${ALIAS} of ${OWNER})` });
  });

  it("a 5xx is asked once (no retries: each would take another timeout of verify's budget)", async () => {
    const { gmail, fake } = await collector({ fault: () => ({ status: 503, body: googleError(503, "UNAVAILABLE", "The service is currently unavailable.") }) });
    expect(await gmail.sendAs(OWNER, ALIAS)).toEqual({ ok: false, reason: "error", message: `Gmail answered HTTP 503: The service is currently unavailable. (alias ${ALIAS} of ${OWNER})`, needs: RERUN });
    expect(fake.requests).toHaveLength(1);
  });

  it("a 500 with a page instead of Google's error body: its status", async () => {
    const { gmail } = await collector({ fault: () => ({ status: 500, body: "<html>Internal Server Error</html>" }) });
    expect(await gmail.sendAs(OWNER, ALIAS)).toEqual({ ok: false, reason: "error", message: `Gmail answered HTTP 500: HTTP 500 (alias ${ALIAS} of ${OWNER})`, needs: RERUN });
  });

  it("429: throttled", async () => {
    const { gmail, fake } = await collector({ fault: () => ({ status: 429, body: googleError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Queries'.") }) });
    expect(await gmail.sendAs(OWNER, ALIAS)).toEqual({ ok: false, reason: "throttled", message: "Gmail: Quota exceeded for quota metric 'Queries'.", needs: "Gmail's quota was exceeded: re-run later." });
    expect(fake.requests).toHaveLength(1);
  });

  it("a connection closed without an answer: unreachable, with the code", async () => {
    const { gmail } = await collector({ fault: () => "hang up" });
    expect(await gmail.sendAs(OWNER, ALIAS)).toEqual({ ok: false, reason: "unreachable", message: "the Gmail API is unreachable (ECONNRESET)", needs: "Check the network path to gmail.googleapis.com (or --gmail-endpoint)." });
  });

  it("an answer slower than the timeout: given up", async () => {
    const { gmail } = await collector({ delayMs: 1_500 }, 200);
    const started = performance.now();
    expect(await gmail.sendAs(OWNER, ALIAS)).toEqual({ ok: false, reason: "timeout", message: `Gmail did not answer in time (alias ${ALIAS} of ${OWNER})`, needs: "Check the network path to the Gmail API, or raise --timeout." });
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});

describe("updateSmtpMsa: get, users.settings.sendAs.update, get again", () => {
  const NEW = { host: "email-smtp.eu-west-1.amazonaws.com", port: 465, securityMode: "ssl" as const, username: "AKIAEXAMPLENEWKEY001", password: "BNewSmtpPasswordExample0123456789abcdefghij" };

  it("writes the new smtpMsa over the alias, keeping its other writable fields as read (update replaces the resource), and returns it read back", async () => {
    const { gmail, fake } = await collector({ aliases: { [OWNER]: [{ ...healthyAlias(ALIAS), displayName: "Mail admin", replyToAddress: "desk@example.com", signature: "<b>Admin</b>", isDefault: false }] } });
    const r = await gmail.updateSmtpMsa(OWNER, ALIAS, NEW);
    expect(r).toStrictEqual({ ok: true, value: { sendAsEmail: ALIAS, verificationStatus: "accepted", smtpMsa: { host: NEW.host, port: 465, securityMode: "ssl" } } });
    expect(fake.requests.map((q) => `${q.method} ${q.path}`)).toEqual([`GET ${ALIAS_PATH}`, `PUT ${ALIAS_PATH}`, `GET ${ALIAS_PATH}`]);
    // isPrimary and verificationStatus are read-only: not sent.
    expect(fake.requests[1].body).toStrictEqual({ sendAsEmail: ALIAS, displayName: "Mail admin", replyToAddress: "desk@example.com", signature: "<b>Admin</b>", isDefault: false, treatAsAlias: false, smtpMsa: NEW });
    expect(gmail.calls).toBe(3);
  });

  it("fields the alias lacks, or holds as null, are not sent", async () => {
    const { gmail, fake } = await collector({ fault: ({ n }) => (n === 1 ? { status: 200, body: { sendAsEmail: ALIAS, displayName: null, signature: "", treatAsAlias: true } } : undefined) });
    expect(await gmail.updateSmtpMsa(OWNER, ALIAS, NEW)).toMatchObject({ ok: true, value: { smtpMsa: { host: NEW.host, port: 465, securityMode: "ssl" } } });
    expect(fake.requests[1].body).toStrictEqual({ sendAsEmail: ALIAS, signature: "", treatAsAlias: true, smtpMsa: NEW });
  });

  it("no such alias: nothing written", async () => {
    const { gmail, fake } = await collector({ aliases: { [OWNER]: [] } });
    expect(await gmail.updateSmtpMsa(OWNER, ALIAS, NEW)).toEqual({ ok: false, reason: "notfound", message: `the alias was not updated: Gmail: Requested entity was not found. (alias ${ALIAS} of ${OWNER})` });
    expect(fake.requests.map((q) => q.method)).toEqual(["GET"]);
    expect(gmail.calls).toBe(1);
  });

  it("a read that is not the alias: nothing written over it", async () => {
    const { gmail, fake } = await collector({ fault: ({ n }) => (n === 1 ? { status: 200, body: "" } : undefined) });
    expect(await gmail.updateSmtpMsa(OWNER, ALIAS, NEW)).toEqual({ ok: false, reason: "error", message: `the alias was not updated: Gmail answered without a "Send mail as" alias (alias ${ALIAS} of ${OWNER})`, needs: NOT_GMAIL });
    expect(fake.requests.map((q) => q.method)).toEqual(["GET"]);
  });

  it("the update refused (an alias only a delegated service account may change): says updating, and what it needs", async () => {
    const refusal = googleError(403, "PERMISSION_DENIED", "Access restricted to service accounts that have been delegated domain-wide authority");
    const { gmail, fake } = await collector({ fault: ({ method }) => (method === "PUT" ? { status: 403, body: refusal } : undefined) });
    expect(await gmail.updateSmtpMsa(OWNER, ALIAS, NEW)).toEqual({
      ok: false,
      reason: "denied",
      message: `the alias was not updated: Gmail denied updating alias ${ALIAS} of ${OWNER} (403: Access restricted to service accounts that have been delegated domain-wide authority)`,
      needs: GMAIL_UPDATE.needs,
    });
    expect(fake.requests.map((q) => q.method)).toEqual(["GET", "PUT"]);
    expect(gmail.calls).toBe(2);
  });

  it("the read before it refused: says reading", async () => {
    const { gmail } = await collector({ fault: ({ n }) => (n === 1 ? { status: 403, body: googleError(403, "PERMISSION_DENIED", "Insufficient Permission") } : undefined) });
    expect(await gmail.updateSmtpMsa(OWNER, ALIAS, NEW)).toMatchObject({ ok: false, reason: "denied", message: `the alias was not updated: Gmail denied reading alias ${ALIAS} of ${OWNER} (403: Insufficient Permission)` });
  });

  it("the read-back failing: says the alias was updated, and the read's error", async () => {
    const { gmail, fake } = await collector({ fault: ({ n }) => (n === 3 ? { status: 502, body: googleError(502, "UNAVAILABLE", "Bad Gateway") } : undefined) });
    expect(await gmail.updateSmtpMsa(OWNER, ALIAS, NEW)).toEqual({ ok: false, reason: "error", message: `the alias was updated, but reading it back failed: Gmail answered HTTP 502: Bad Gateway (alias ${ALIAS} of ${OWNER})`, needs: RERUN });
    expect(fake.requests).toHaveLength(3);
    expect(gmail.calls).toBe(3);
  });
});

describe("sendProbe: users.messages.send", () => {
  it("sends one plain-text RFC 5322 message (CRLF lines, UTF-8), base64url in raw, and returns Gmail's message id", async () => {
    const { gmail, fake } = await collector({ aliases: { [OWNER]: [{ sendAsEmail: ALIAS }] } });
    const r = await gmail.sendProbe(OWNER, ALIAS, "success@simulator.amazonses.com", "mail-infra probe", "Sent by relay-fix — ok.");
    expect(fake.requests).toEqual([{ method: "POST", path: SEND_PATH, authorization: `Bearer ${TOKEN}`, body: { raw: expect.stringMatching(/^[A-Za-z0-9_-]+$/) } }]);
    const raw = Buffer.from((fake.requests[0].body as { raw: string }).raw, "base64url").toString("utf8");
    expect(raw).toBe(
      'From: admin@example.com\r\nTo: success@simulator.amazonses.com\r\nSubject: mail-infra probe\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset="UTF-8"\r\n\r\nSent by relay-fix — ok.\r\n',
    );
    // The fake's id: "fake" and the request's number in 12 hex digits.
    expect(r).toEqual({ ok: true, value: { id: "fake000000000001" } });
    expect(gmail.calls).toBe(1);
  });

  it("a 200 without a message id: not taken as sent", async () => {
    for (const body of [{ threadId: "t1" }, { id: "" }, { id: 7 }, "null"]) {
      const { gmail } = await collector({ fault: () => ({ status: 200, body }) });
      expect(await gmail.sendProbe(OWNER, ALIAS, "success@simulator.amazonses.com", "s", "t")).toMatchObject({ ok: false, reason: "error", message: `Gmail answered without a message id (the probe from ${ALIAS} as ${OWNER})` });
      await fake?.stop();
      fake = undefined;
    }
  });

  it("refused: says sending, and the scope it needs", async () => {
    const { gmail } = await collector();
    expect(await gmail.sendProbe("other@example.com", ALIAS, "success@simulator.amazonses.com", "s", "t")).toEqual({
      ok: false,
      reason: "denied",
      message: `Gmail denied sending the probe from ${ALIAS} as other@example.com (403: Delegation denied for owner@example.com)`,
      needs: GMAIL_SEND.needs,
    });
  });
});
