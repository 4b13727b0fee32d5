/**
 * Domain-wide delegation (scripts/verify/layers/gmail/delegation.ts) in-process: reading a
 * service account key file, and minting a Gmail token at a loopback OAuth token endpoint that
 * answers as Google's does (RFC 6749 5.1 and 5.2: {"access_token"...} or {"error",
 * "error_description"}). relay-fix's own tests (tests/verify/relay-fix.test.ts) run the same
 * through the spawned CLI, which mutation testing cannot run.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startTokenEndpoint } from "../helpers/token-endpoint";
import { GMAIL_DELEGATION_SCOPES, GOOGLE_TOKEN_URI, mintDelegatedToken, readServiceAccountKey, type ServiceAccountKey } from "../../scripts/verify/layers/gmail/delegation";

const dir = mkdtempSync(path.join(os.tmpdir(), "delegation-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const SA = "relay-fixer@mail-infra-test.iam.gserviceaccount.com";
const OWNER = "owner@example.com";

let n = 0;
function keyFile(content: unknown): string {
  const file = path.join(dir, `key-${n++}.json`);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}
const key = (extra: Record<string, unknown> = {}) => ({ type: "service_account", project_id: "mail-infra-test", private_key_id: "0123abcd", private_key: pem, client_email: SA, client_id: "1234567890", token_uri: "https://oauth2.googleapis.com/token", ...extra });

describe("readServiceAccountKey", () => {
  it("a key as the Cloud console downloads it: the account, the key and its id, the token endpoint", () => {
    expect(readServiceAccountKey(keyFile(key()))).toEqual({ clientEmail: SA, privateKey: pem, tokenUri: "https://oauth2.googleapis.com/token" });
    expect(GOOGLE_TOKEN_URI).toBe("https://oauth2.googleapis.com/token");
  });

  it("without token_uri: Google's endpoint; another http(s) endpoint is kept", () => {
    expect(readServiceAccountKey(keyFile(key({ token_uri: undefined })))).toEqual({ clientEmail: SA, privateKey: pem, tokenUri: "https://oauth2.googleapis.com/token" });
    expect(readServiceAccountKey(keyFile(key({ token_uri: "http://127.0.0.1:8080/token" })))).toEqual({ clientEmail: SA, privateKey: pem, tokenUri: "http://127.0.0.1:8080/token" });
  });

  it("refuses what is not a service account key, naming the flag and the file, never the key", () => {
    const bad = (content: unknown) => {
      const file = keyFile(content);
      try {
        readServiceAccountKey(file);
      } catch (e) {
        const message = (e as Error).message;
        expect(message.startsWith(`--gmail-service-account: "${file}"`), message).toBe(true);
        expect(message).not.toContain("PRIVATE KEY");
        expect((e as Error).name).toBe("UsageError");
        return message.slice(`--gmail-service-account: "${file}"`.length);
      }
      throw new Error("accepted");
    };
    expect(bad("{not json")).toBe(" is not JSON. Give the service account's JSON key file (IAM & Admin → Service accounts → Keys → Add key → JSON).");
    expect(bad("null")).toBe(' is not a service account key (its "type" is missing, not "service_account"). An OAuth token file goes to --gmail-token-file instead.');
    expect(bad({ ...key(), type: 3 })).toBe(' is not a service account key (its "type" is missing, not "service_account"). An OAuth token file goes to --gmail-token-file instead.');
    expect(bad(key({ type: "authorized_user" }))).toBe(' is not a service account key (its "type" is "authorized_user", not "service_account"). An OAuth token file goes to --gmail-token-file instead.');
    const long = bad(key({ type: "x".repeat(60) }));
    expect(long.startsWith(' is not a service account key (its "type" is "xxxxxxxxxx')).toBe(true);
    expect(long).not.toContain("x".repeat(41)); // a foreign value is shown cut (40 characters)
    expect(bad(key({ client_email: undefined }))).toBe(' has no "client_email". Download a new JSON key for the service account.');
    expect(bad(key({ private_key: "  " }))).toBe(' has no "private_key". Download a new JSON key for the service account.');
    expect(bad(key({ client_email: 5, private_key: undefined }))).toBe(' has no "client_email" or "private_key". Download a new JSON key for the service account.');
    expect(bad(key({ private_key: pem.slice(0, 200) }))).toBe(': "private_key" is not a PEM private key. Download a new JSON key for the service account.');
    expect(bad(key({ token_uri: 42 }))).toBe(': "token_uri" is not an http(s) URL.');
    expect(bad(key({ token_uri: ["https://oauth2.googleapis.com/token"] }))).toBe(': "token_uri" is not an http(s) URL.');
    expect(bad(key({ token_uri: "ftp://oauth2.googleapis.com/token" }))).toBe(': "token_uri" is not an http(s) URL.');
    expect(bad(key({ token_uri: "https:// oauth2.googleapis.com/token" }))).toBe(': "token_uri" is not an http(s) URL.');
    expect(bad(key({ token_uri: "see https://oauth2.googleapis.com/token" }))).toBe(': "token_uri" is not an http(s) URL.');
  });
});


const saKey = (tokenUri: string): ServiceAccountKey => ({ clientEmail: SA, privateKey: pem, tokenUri });

describe("mintDelegatedToken", () => {
  it("posts a jwt-bearer assertion for the subject with the three Gmail scopes to the key's token_uri; the token comes back", async () => {
    const t = await startTokenEndpoint(200, { access_token: "ya29.minted", expires_in: 3599, token_type: "Bearer" });
    try {
      expect(await mintDelegatedToken(saKey(t.uri), OWNER, 5_000)).toEqual({ ok: true, token: "ya29.minted" });
      expect(t.requests).toHaveLength(1);
      const [r] = t.requests;
      expect(r?.path).toBe("/token");
      expect(r?.form.grant_type).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
      expect(r?.header).toMatchObject({ alg: "RS256" });
      expect(r?.claims).toMatchObject({ iss: SA, sub: OWNER, scope: "https://www.googleapis.com/auth/gmail.settings.basic https://www.googleapis.com/auth/gmail.settings.sharing https://www.googleapis.com/auth/gmail.send" });
      expect(GMAIL_DELEGATION_SCOPES).toEqual(["https://www.googleapis.com/auth/gmail.settings.basic", "https://www.googleapis.com/auth/gmail.settings.sharing", "https://www.googleapis.com/auth/gmail.send"]);
    } finally {
      await t.stop();
    }
  });

  it("the endpoint's OAuth errors: its code and words, and what to fix for each", async () => {
    const cases: [unknown, string][] = [
      [
        { error: "unauthorized_client", error_description: "Client is unauthorized to retrieve access tokens using this method." },
        `(unauthorized_client: Client is unauthorized to retrieve access tokens using this method.). In the Google Admin console (Security → Access and data control → API controls → Domain-wide delegation), authorize the service account's client ID for https://www.googleapis.com/auth/gmail.settings.basic, https://www.googleapis.com/auth/gmail.settings.sharing, https://www.googleapis.com/auth/gmail.send.`,
      ],
      [{ error: "invalid_grant", error_description: "Invalid email or User ID" }, `(invalid_grant: Invalid email or User ID). Check that ${OWNER} is a user of the Workspace domain, that the key is not deleted or expired, and that this machine's clock is right.`],
      [{ error: "invalid_scope" }, "(invalid_scope). Check the key file and the delegation in the Google Admin console."],
      [{ error: "access_denied", error_description: `Denied\n\n  for   this ${"x".repeat(400)}` }, `(access_denied: Denied for this ${"x".repeat(300 - "Denied for this ".length)}). Check the key file and the delegation in the Google Admin console.`],
    ];
    for (const [body, said] of cases) {
      const t = await startTokenEndpoint(400, body);
      try {
        expect(await mintDelegatedToken(saKey(t.uri), OWNER, 5_000)).toEqual({ ok: false, message: `the token endpoint ${t.uri} refused the service account ${SA} acting as ${OWNER} ${said}` });
      } finally {
        await t.stop();
      }
    }
  });

  it("an answer without an OAuth error or without a token: the HTTP status, or that no access_token came", async () => {
    const t500 = await startTokenEndpoint(500, "<html>oops</html>");
    const t200 = await startTokenEndpoint(200, { token_type: "Bearer", expires_in: 3599 });
    try {
      expect(await mintDelegatedToken(saKey(t500.uri), OWNER, 5_000)).toEqual({ ok: false, message: `the token endpoint ${t500.uri} answered HTTP 500 for the service account ${SA} acting as ${OWNER}, with no token.` });
      expect(await mintDelegatedToken(saKey(t200.uri), OWNER, 5_000)).toEqual({ ok: false, message: `the token endpoint ${t200.uri} answered without an access_token for the service account ${SA} acting as ${OWNER}.` });
      // Asked once: the library's own retries of the token POST (3 on a 5xx) are off.
      expect(t500.requests).toHaveLength(1);
    } finally {
      await t500.stop();
      await t200.stop();
    }
  });

  it("nothing listening at the endpoint: it cannot be reached, with the network error's code", async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const uri = `http://127.0.0.1:${port}/token`;
    expect(await mintDelegatedToken(saKey(uri), OWNER, 5_000)).toEqual({ ok: false, message: `cannot reach the token endpoint ${uri} (ECONNREFUSED). Check the network path to it.` });
  });

  it("a failure without a code (an endpoint that redirects to itself, until the client gives up): a network error", async () => {
    const loop = await startTokenEndpoint(302, "", undefined, { location: "/token" });
    try {
      expect(await mintDelegatedToken(saKey(loop.uri), OWNER, 5_000)).toEqual({ ok: false, message: `cannot reach the token endpoint ${loop.uri} (network error). Check the network path to it.` });
      // The first request and the 20 redirects the client follows.
      expect(loop.requests).toHaveLength(21);
    } finally {
      await loop.stop();
    }
  });

  it("an endpoint that never answers: given up after the timeout", async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const uri = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/token`;
    try {
      const started = performance.now();
      const r = await mintDelegatedToken(saKey(uri), OWNER, 300);
      expect(performance.now() - started).toBeLessThan(3_000);
      expect(r.ok).toBe(false);
      expect(r.ok ? "" : r.message).toMatch(new RegExp(`^cannot reach the token endpoint ${uri.replace(/\./g, "\\.")} \\(.+\\)\\. Check the network path to it\\.$`));
    } finally {
      silent.close();
    }
  });
});
