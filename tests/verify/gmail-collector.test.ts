/**
 * The Gmail collector's pure parts (scripts/verify/layers/gmail/collect.ts): what each error of
 * the Gmail API client becomes (Google's error body {"error": {"code", "message", "status"}},
 * gaxios's errors), and where the access token is read from. The reads against the loopback
 * Gmail stand-in: tests/verify/relay.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { classifyGmailError, GMAIL_API_ROOT, GMAIL_SEND, GMAIL_UPDATE, GmailCollector, readGmailToken } from "../../scripts/verify/layers/gmail/collect";
import { GMAIL_CREDENTIALS } from "../../scripts/verify/layers/relay/check";

const WHAT = "alias admin@example.com of owner@example.com";
const apiError = (status: number, message: string) => ({ response: { status, data: { error: { code: status, message, status: "X" } } } });

describe("classifyGmailError", () => {
  it("404, 401, 403, 429: Google's message, and what to do", () => {
    expect(classifyGmailError(apiError(404, "Requested entity was not found."), WHAT)).toEqual({ ok: false, reason: "notfound", message: `Gmail: Requested entity was not found. (${WHAT})` });
    expect(classifyGmailError(apiError(401, "Request had invalid authentication credentials.\nMore lines."), WHAT)).toEqual({
      ok: false,
      reason: "denied",
      message: "Gmail refused the access token (401: Request had invalid authentication credentials.)",
      needs: GMAIL_CREDENTIALS.remediation,
      cause: GMAIL_CREDENTIALS,
    });
    expect(classifyGmailError(apiError(403, "Insufficient Permission"), WHAT)).toEqual({
      ok: false,
      reason: "denied",
      message: `Gmail denied reading ${WHAT} (403: Insufficient Permission)`,
      needs: "The token lacks the scope gmail.settings.basic (or gmail.readonly), or belongs to another account than the alias's owner.",
    });
    expect(classifyGmailError(apiError(429, "Quota exceeded"), WHAT)).toEqual({ ok: false, reason: "throttled", message: "Gmail: Quota exceeded", needs: "Gmail's quota was exceeded: re-run later." });
  });

  it("a 403 names what was refused and what that request needs: reading (the default), updating an alias, sending", () => {
    // Google's reference: sendAs.update of an address other than the primary one only for a
    // delegated service account (scope settings.basic or settings.sharing); messages.send: gmail.send.
    const restricted = apiError(403, "Access restricted to service accounts that have been delegated domain-wide authority");
    expect(classifyGmailError(restricted, WHAT, GMAIL_UPDATE)).toEqual({
      ok: false,
      reason: "denied",
      message: `Gmail denied updating ${WHAT} (403: Access restricted to service accounts that have been delegated domain-wide authority)`,
      needs:
        "Gmail lets only a service account with domain-wide delegation change an alias other than the account's primary address, with the scope gmail.settings.basic or gmail.settings.sharing: give --gmail-service-account FILE (or a token minted from one), impersonating the alias's owner.",
    });
    expect(classifyGmailError(apiError(403, "Insufficient Permission"), "the probe from admin@example.com as owner@example.com", GMAIL_SEND)).toEqual({
      ok: false,
      reason: "denied",
      message: "Gmail denied sending the probe from admin@example.com as owner@example.com (403: Insufficient Permission)",
      needs: "The token lacks the scope gmail.send, or belongs to another account than the alias's owner.",
    });
  });

  it("the status on the error itself, and a body without Google's message: the HTTP status", () => {
    expect(classifyGmailError({ status: 404 }, WHAT)).toEqual({ ok: false, reason: "notfound", message: `Gmail: HTTP 404 (${WHAT})` });
    expect(classifyGmailError({ response: { status: 401, data: { error: { message: 7 } } } }, WHAT)).toMatchObject({ message: "Gmail refused the access token (401: HTTP 401)" });
    expect(classifyGmailError({ response: { status: 500, data: "<html>" } }, WHAT)).toEqual({ ok: false, reason: "error", message: `Gmail answered HTTP 500: HTTP 500 (${WHAT})`, needs: "Re-run; if it persists, read the alias in Gmail's settings by hand." });
    expect(classifyGmailError({ response: { status: 503, data: { error: { message: "Backend Error" } } } }, WHAT)).toMatchObject({ reason: "error", message: `Gmail answered HTTP 503: Backend Error (${WHAT})` });
  });

  it("no answer: a timeout or abort, an unreachable API (with the code), anything else", () => {
    const timeout = { ok: false, reason: "timeout", message: `Gmail did not answer in time (${WHAT})`, needs: "Check the network path to the Gmail API, or raise --timeout." };
    expect(classifyGmailError({ name: "AbortError", message: "This operation was aborted" }, WHAT)).toEqual(timeout);
    expect(classifyGmailError({ code: "ETIMEDOUT" }, WHAT)).toEqual(timeout);
    // The name alone, as fetch's abort and AbortSignal.timeout() name their errors.
    expect(classifyGmailError({ name: "AbortError" }, WHAT)).toEqual(timeout);
    expect(classifyGmailError({ name: "TimeoutError" }, WHAT)).toEqual(timeout);
    expect(classifyGmailError({ message: "network timeout at: https://gmail.googleapis.com/" }, WHAT)).toEqual(timeout);
    const unreachable = (code: string) => ({ ok: false, reason: "unreachable", message: `the Gmail API is unreachable (${code})`, needs: "Check the network path to gmail.googleapis.com (or --gmail-endpoint)." });
    expect(classifyGmailError({ code: "ECONNREFUSED", message: "connect ECONNREFUSED 127.0.0.1:9" }, WHAT)).toEqual(unreachable("ECONNREFUSED"));
    expect(classifyGmailError({ code: "EAI_AGAIN" }, WHAT)).toEqual(unreachable("EAI_AGAIN"));
    expect(classifyGmailError({ name: "TypeError", message: "fetch failed" }, WHAT)).toEqual(unreachable("network error"));
    expect(classifyGmailError(new Error("something else"), WHAT)).toEqual({ ok: false, reason: "error", message: `Gmail answered with an error (${WHAT})`, needs: "Re-run; if it persists, read the alias in Gmail's settings by hand." });
    expect(classifyGmailError(undefined, WHAT)).toMatchObject({ reason: "error", message: `Gmail answered with an error (${WHAT})` });
  });
});

describe("readGmailToken", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gmail-token-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  const file = (text: string) => {
    const f = path.join(dir, `t-${n++}.json`);
    writeFileSync(f, text);
    return f;
  };

  it("GMAIL_ACCESS_TOKEN when no file is given (trimmed; blank is none)", () => {
    expect(readGmailToken(undefined, { GMAIL_ACCESS_TOKEN: "  ya29.env  " })).toBe("ya29.env");
    expect(readGmailToken(undefined, { GMAIL_ACCESS_TOKEN: "   " })).toBeUndefined();
    expect(readGmailToken(undefined, {})).toBeUndefined();
  });

  it("the file's access_token, else its token (google-auth's authorized-user files), trimmed; the file wins over the variable", () => {
    expect(readGmailToken(file(JSON.stringify({ access_token: " ya29.a ", token: "ya29.b" })), { GMAIL_ACCESS_TOKEN: "ya29.env" })).toBe("ya29.a");
    expect(readGmailToken(file(JSON.stringify({ token: "ya29.b\n" })), {})).toBe("ya29.b");
    expect(readGmailToken(file(JSON.stringify({ access_token: 5, token: "ya29.c" })), {})).toBe("ya29.c");
  });

  it("a file that cannot be read: a usage error naming the flag", () => {
    const missing = path.join(dir, "no-such-token.json");
    expect(() => readGmailToken(missing, {})).toThrow(`cannot read --gmail-token-file "${missing}": there is no such file.`);
  });

  it("a file without a token, or not JSON: a usage error naming the file, never the content", () => {
    for (const text of [JSON.stringify({ access_token: "  " }), "null", JSON.stringify({ refresh_token: "1//secret" }), JSON.stringify({ token: 5 })]) {
      const f = file(text);
      expect(() => readGmailToken(f, {})).toThrow(`--gmail-token-file: ${f} has no "access_token" field. Give the OAuth token JSON (with an access_token) for the account that owns the aliases.`);
    }
    const f = file("ya29.raw-token-not-json");
    expect(() => readGmailToken(f, {})).toThrow(`--gmail-token-file: ${f} is not JSON. Give the OAuth token file (JSON with an "access_token") that Google's tools write.`);
  });
});

describe("GmailCollector", () => {
  it("lists its token as a secret; Google's API root by default", () => {
    expect(new GmailCollector({ accessToken: "ya29.secret", timeoutMs: 1_000 }).secrets()).toEqual(["ya29.secret"]);
    expect(GMAIL_API_ROOT).toBe("https://gmail.googleapis.com/");
  });
});
