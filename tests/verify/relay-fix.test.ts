/**
 * npm run relay-fix as users run it: the runbook for one sender from a manifest file, the
 * password command instead of the password, --show-password only on a terminal (reading the
 * secret from moto), and usage errors with exit 2. The runbook's lines for every kind of sender,
 * pure: tests/lib/relay-runbook.test.ts.
 */
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GMAIL_DELEGATION_SCOPES, GOOGLE_TOKEN_URI } from "../../scripts/verify/layers/gmail/delegation";
import { runCliAsync } from "../helpers/spawn";
import { startTokenEndpoint } from "../helpers/token-endpoint";
import { googleError, healthyAlias, startGmailFake } from "./gmail-fake";
import { createWorld, type SharedServers, startShared, type World } from "./world";

let shared: SharedServers;
let w: World;
let dir: string;
let manifestFile: string;
beforeAll(async () => {
  shared = await startShared();
  w = await createWorld(shared);
  dir = await mkdtemp(path.join(os.tmpdir(), "relay-fix-"));
  manifestFile = path.join(dir, "verification.json");
  await w.writeManifest(manifestFile);
});
afterAll(async () => {
  await w?.stop();
  await shared?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const noSecret = (out: string) => {
  for (const s of w.secrets()) expect(out.includes(s), "a secret value is in the output").toBe(false);
};

describe("relay-fix", () => {
  it("prints the Gmail runbook: settings path, server, port, TLS, username = access key id, the command that prints the password; never the password", async () => {
    const r = await runCliAsync("relay-fix.ts", ["--manifest", manifestFile, "--sender", "Admin@Example.com"], { env: w.env });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    noSecret(r.stdout);
    const id = w.manifest.smtp.accessKeyId;
    expect(r.stdout).toBe(
      [
        'Relay fix for admin@example.com (Gmail "Send mail as" in someone@gmail.com), stack test',
        "It must log in to SES in us-east-1 with the current SMTP key, generation 1.",
        "",
        "1. Sign in to Gmail as someone@gmail.com.",
        "2. Settings (gear) → See all settings → Accounts and Import → Send mail as.",
        '3. On admin@example.com choose "edit info" → Next Step.',
        "4. Enter:",
        "     SMTP server   email-smtp.us-east-1.amazonaws.com",
        "     Port          587",
        `     Username      ${id}   (the access key id of key generation 1; the secret's "username")`,
        "     Password      the us-east-1 password from Secrets Manager (passwords differ per region); print it with:",
        `                     aws secretsmanager get-secret-value --secret-id mail-infra/test/ses-smtp --region us-east-1 --query SecretString --output text | jq -r '.regions["us-east-1"].password'`,
        "     Select        Secured connection using TLS (recommended)",
        "5. Save Changes. Gmail tests the login at once: an error here means a wrong value (check the region).",
        "6. Send the probe: in Gmail, compose a message From admin@example.com To success@simulator.amazonses.com (any subject) and send it.",
        "   It logs in to SES in us-east-1 with the key the relay holds; SES's mailbox simulator accepts it without cost or reputation effect.",
        '   If Gmail cannot log in to SES, someone@gmail.com receives "Delivery Status Notification (Failure)" from mailer-daemon@googlemail.com: "Your message wasn\'t sent because the settings for the "Send mail as" address admin@example.com are misconfigured or out of date ... 535 Authentication Credentials Invalid". Save it (Show original → Download) and run `npm run diagnose -- FILE`: it reads it as relay-auth.',
        "7. At least 4 hours later (IAM's last-used record lags), check:",
        `     npm run verify -- --manifest ${manifestFile} --only relay`,
        `   relay.credentials for admin@example.com passes once SES shows the current key (${id}) used in us-east-1 after the rotation, and the previous key not since.`,
        "",
        "someone@gmail.com is a consumer Gmail account: no API can change this alias's SMTP settings (users.settings.sendAs.update needs a Google Workspace domain-wide delegation), so these steps are manual.",
        "Gmail never shows the stored username or password: verify judges the alias from the keys' last use after the probe (relay.credentials, relay.retire).",
        "",
      ].join("\n"),
    );
  });

  it("--show-password prints the password only on a terminal: read from the secret (moto), exit 0", async () => {
    const piped = await runCliAsync("relay-fix.ts", ["--manifest", manifestFile, "--sender", "admin@example.com", "--show-password"], { env: w.env });
    expect(piped.status).toBe(2);
    expect(piped.stderr).toMatch(/^error: --show-password prints the password only to a terminal/);
    noSecret(piped.stdout + piped.stderr);
    const tty = await runCliAsync("relay-fix.ts", ["--manifest", manifestFile, "--sender", "admin@example.com", "--show-password"], { env: w.env, tty: true });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toContain(`Password      ${w.stored.regions["us-east-1"].password}`);
    expect(tty.stdout).not.toContain("aws secretsmanager get-secret-value");
  });

  it("refuses a sender whose region the SMTP user may not send in, even when the secret still holds a password there", async () => {
    // A manifest whose SMTP regions no longer include the sender's (the secret in moto still has a us-east-1 password).
    const m = structuredClone(w.manifest);
    m.smtp.regions = m.smtp.regions.filter((r) => r.region !== "us-east-1");
    const file = path.join(dir, "west-only.json");
    await writeFile(file, JSON.stringify(m));
    const message =
      "error: admin@example.com sends through us-east-1, but the SMTP user of stack test may send only in us-west-2: no password is handed out for us-east-1. Deploy the sender's region first (mail-infra:senders or mail-infra:smtpRegions, then `pulumi up`), then run relay-fix again.";
    const r = await runCliAsync("relay-fix.ts", ["--manifest", file, "--sender", "admin@example.com"], { env: w.env });
    expect([r.status, r.stdout, r.stderr]).toEqual([1, "", `${message}\n`]);
    // On a terminal with --show-password: refused before the secret is read, no password printed.
    const tty = await runCliAsync("relay-fix.ts", ["--manifest", file, "--sender", "admin@example.com", "--show-password"], { env: w.env, tty: true });
    expect(tty.status).toBe(1);
    expect(tty.stdout).not.toContain("Password");
    noSecret(r.stdout + r.stderr + tty.stdout + tty.stderr);
  });

  it("usage errors exit 2: an unknown sender (listing the declared ones), no manifest source", async () => {
    const r = await runCliAsync("relay-fix.ts", ["--manifest", manifestFile, "--sender", "nobody@example.com"], { env: w.env });
    expect([r.status, r.stderr]).toEqual([2, "error: --sender: \"nobody@example.com\" is not a sender of stack test (its senders: admin@example.com). Senders are declared in mail-infra:senders.\n"]);
    const none = await runCliAsync("relay-fix.ts", ["--sender", "admin@example.com"], { env: w.env });
    expect([none.status, none.stderr]).toEqual([2, "error: give exactly one of --stack or --manifest (see --help).\n"]);
  });

  it("--apply (Workspace): updates the alias with the exact request body, reads it back, passes the relay check; no secret in the output", async () => {
    const token = "ya29.workspace-delegated-token-never-printed";
    const m = structuredClone(w.manifest);
    m.senders[0].account = "owner@example.com";
    const file = path.join(dir, "workspace.json");
    await writeFile(file, JSON.stringify(m));
    const stale = { ...healthyAlias("admin@example.com"), smtpMsa: { host: "email-smtp.us-west-2.amazonaws.com", port: 465, securityMode: "ssl" as const } };
    const fake = await startGmailFake({ token, me: "owner@example.com", aliases: { "owner@example.com": [stale] } });
    try {
      const r = await runCliAsync("relay-fix.ts", ["--manifest", file, "--sender", "admin@example.com", "--apply", "--gmail-endpoint", fake.endpoint], { env: { ...w.env, GMAIL_ACCESS_TOKEN: token } });
      noSecret(r.stdout + r.stderr);
      expect((r.stdout + r.stderr).includes(token)).toBe(false);
      expect([r.status, r.stderr]).toEqual([0, ""]);
      const alias = "/gmail/v1/users/owner%40example.com/settings/sendAs/admin%40example.com";
      expect(fake.requests.map((q) => `${q.method} ${q.path}`)).toEqual([`GET ${alias}`, `PUT ${alias}`, `GET ${alias}`, "POST /gmail/v1/users/owner%40example.com/messages/send"]);
      expect(fake.requests[1].body).toEqual({
        sendAsEmail: "admin@example.com",
        displayName: "Admin",
        replyToAddress: "",
        signature: "",
        treatAsAlias: false,
        smtpMsa: { host: "email-smtp.us-east-1.amazonaws.com", port: 587, securityMode: "starttls", username: w.manifest.smtp.accessKeyId, password: w.stored.regions["us-east-1"].password },
      });
      expect(r.stdout).toContain("Read back: PASS relay.gmail: Gmail returns the alias as accepted, relaying through email-smtp.us-east-1.amazonaws.com:587 (starttls)");
      // The probe: users.messages.send with the alias as From, to the SES mailbox simulator (the raw message, base64url).
      const sent = fake.requests[3].body as { raw: string };
      expect(Object.keys(sent)).toEqual(["raw"]);
      const raw = Buffer.from(sent.raw, "base64url").toString("utf8");
      expect(raw.split("\r\n").slice(0, 5)).toEqual(["From: admin@example.com", "To: success@simulator.amazonses.com", "Subject: mail-infra relay probe (test, key generation 1)", "MIME-Version: 1.0", 'Content-Type: text/plain; charset="UTF-8"']);
      expect(r.stdout).toMatch(/^Probe: sent a message From admin@example\.com To success@simulator\.amazonses\.com through the Gmail API \(message fake[0-9a-f]+\) at \S+Z; Gmail relays it through email-smtp\.us-east-1\.amazonaws\.com with the key the alias holds\.$/m);
      expect(r.stdout).toMatch(new RegExp(`^Next: after \\S+Z \\(IAM's last-used record lags up to ~4 h\\), run:\n  npm run verify -- --manifest ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} --only relay$`, "m"));
    } finally {
      await fake.stop();
    }
  });

  it("--apply with a token Gmail does not let change the alias (403 on the update): exit 1, says it was not updated and what the update needs", async () => {
    const token = "ya29.undelegated-token-never-printed";
    const m = structuredClone(w.manifest);
    m.senders[0].account = "owner@example.com";
    const file = path.join(dir, "workspace-403.json");
    await writeFile(file, JSON.stringify(m));
    const refusal = googleError(403, "PERMISSION_DENIED", "Access restricted to service accounts that have been delegated domain-wide authority");
    const fake = await startGmailFake({ token, me: "owner@example.com", aliases: { "owner@example.com": [healthyAlias("admin@example.com")] }, fault: ({ method }) => (method === "PUT" ? { status: 403, body: refusal } : undefined) });
    try {
      const r = await runCliAsync("relay-fix.ts", ["--manifest", file, "--sender", "admin@example.com", "--apply", "--gmail-endpoint", fake.endpoint], { env: { ...w.env, GMAIL_ACCESS_TOKEN: token } });
      noSecret(r.stdout + r.stderr);
      expect((r.stdout + r.stderr).includes(token)).toBe(false);
      expect([r.status, r.stderr]).toEqual([
        1,
        "error: the alias was not updated: Gmail denied updating alias admin@example.com of owner@example.com (403: Access restricted to service accounts that have been delegated domain-wide authority). " +
          "Gmail lets only a service account with domain-wide delegation change an alias other than the account's primary address, with the scope gmail.settings.basic or gmail.settings.sharing: give --gmail-service-account FILE (or a token minted from one), impersonating the alias's owner.\n",
      ]);
      expect(fake.requests.map((q) => q.method)).toEqual(["GET", "PUT"]);
    } finally {
      await fake.stop();
    }
  });

  it("--apply on a consumer gmail.com account: says the API cannot, prints the manual steps, exit 2", async () => {
    const r = await runCliAsync("relay-fix.ts", ["--manifest", manifestFile, "--sender", "admin@example.com", "--apply"], { env: { ...w.env, GMAIL_ACCESS_TOKEN: "x" } });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('error: --apply: someone@gmail.com is a consumer Gmail account: the Gmail API cannot change its "Send mail as" SMTP settings (only Google Workspace with domain-wide delegation can). Follow the manual steps printed above.\n');
    expect(r.stdout).toContain("2. Settings (gear) → See all settings → Accounts and Import → Send mail as.");
    noSecret(r.stdout);
  });

  describe("--apply --gmail-service-account: the delegated token minted with google-auth-library", () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const publicKey = createPublicKey(privateKey);
    const SA = "relay-fixer@mail-infra-test.iam.gserviceaccount.com";
    const OWNER = "owner@example.com";
    const MINTED = "ya29.minted-delegated-token-never-printed";


    async function keyFile(tokenUri: string, extra: Record<string, unknown> = {}): Promise<string> {
      const file = path.join(dir, `sa-${Math.random().toString(36).slice(2)}.json`);
      await writeFile(file, JSON.stringify({ type: "service_account", project_id: "mail-infra-test", private_key_id: "0123abcd", private_key: pem, client_email: SA, client_id: "1234567890", token_uri: tokenUri, ...extra }));
      return file;
    }

    async function workspaceManifest(): Promise<string> {
      const m = structuredClone(w.manifest);
      m.senders[0].account = OWNER;
      const file = path.join(dir, "workspace-sa.json");
      await writeFile(file, JSON.stringify(m));
      return file;
    }

    const noKeyMaterial = (out: string, assertions: readonly string[]) => {
      noSecret(out);
      for (const needle of [MINTED, pem, ...pem.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----")), ...assertions]) expect(out.includes(needle), "key material in the output").toBe(false);
    };

    it("posts a signed jwt-bearer assertion (iss = the service account, sub = the owner, the Gmail settings and send scopes) to the key's token_uri, then updates the alias with the minted token", async () => {
      const endpoint = await startTokenEndpoint(200, { access_token: MINTED, expires_in: 3599, token_type: "Bearer" }, publicKey);
      const stale = { ...healthyAlias("admin@example.com"), smtpMsa: { host: "email-smtp.us-west-2.amazonaws.com", port: 465, securityMode: "ssl" as const } };
      const fake = await startGmailFake({ token: MINTED, me: OWNER, aliases: { [OWNER]: [stale] } });
      try {
        const manifest = await workspaceManifest();
        const r = await runCliAsync("relay-fix.ts", ["--manifest", manifest, "--sender", "admin@example.com", "--apply", "--gmail-service-account", await keyFile(endpoint.uri), "--gmail-endpoint", fake.endpoint], { env: { ...w.env, GMAIL_ACCESS_TOKEN: "" } });
        noKeyMaterial(r.stdout + r.stderr, endpoint.requests.map((q) => q.form.assertion));
        expect([r.status, r.stderr]).toEqual([0, ""]);

        expect(endpoint.requests).toHaveLength(1);
        const [t] = endpoint.requests;
        expect(t.path).toBe("/token");
        expect(t.contentType).toMatch(/^application\/x-www-form-urlencoded\b/);
        expect(Object.keys(t.form).sort()).toEqual(["assertion", "grant_type"]);
        expect(t.form.grant_type).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
        expect(t.signatureValid).toBe(true);
        expect(t.header).toMatchObject({ alg: "RS256" });
        expect(t.claims).toMatchObject({ iss: SA, sub: OWNER, scope: GMAIL_DELEGATION_SCOPES.join(" "), aud: GOOGLE_TOKEN_URI });
        expect(Number(t.claims.exp) - Number(t.claims.iat)).toBe(3600);

        const alias = "/gmail/v1/users/owner%40example.com/settings/sendAs/admin%40example.com";
        expect(fake.requests.map((q) => `${q.method} ${q.path} ${q.authorization}`)).toEqual([`GET ${alias} Bearer ${MINTED}`, `PUT ${alias} Bearer ${MINTED}`, `GET ${alias} Bearer ${MINTED}`, `POST /gmail/v1/users/owner%40example.com/messages/send Bearer ${MINTED}`]);
        expect(fake.requests[1].body).toMatchObject({
          sendAsEmail: "admin@example.com",
          smtpMsa: { host: "email-smtp.us-east-1.amazonaws.com", port: 587, securityMode: "starttls", username: w.manifest.smtp.accessKeyId, password: w.stored.regions["us-east-1"].password },
        });
        expect(r.stdout).toContain("Read back: PASS relay.gmail: Gmail returns the alias as accepted, relaying through email-smtp.us-east-1.amazonaws.com:587 (starttls)");
      } finally {
        await fake.stop();
        await endpoint.stop();
      }
    });

    it("a refused delegation (unauthorized_client): exit 1, says what to authorize in the Admin console, no Gmail call, no key material", async () => {
      const endpoint = await startTokenEndpoint(401, { error: "unauthorized_client", error_description: "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested." }, publicKey);
      const fake = await startGmailFake({ token: MINTED, me: OWNER, aliases: { [OWNER]: [healthyAlias("admin@example.com")] } });
      try {
        const r = await runCliAsync("relay-fix.ts", ["--manifest", await workspaceManifest(), "--sender", "admin@example.com", "--apply", "--gmail-service-account", await keyFile(endpoint.uri), "--gmail-endpoint", fake.endpoint], { env: w.env });
        noKeyMaterial(r.stdout + r.stderr, endpoint.requests.map((q) => q.form.assertion));
        expect(r.status).toBe(1);
        expect(r.stderr).toBe(
          `error: no Gmail token: the token endpoint ${endpoint.uri} refused the service account ${SA} acting as ${OWNER} (unauthorized_client: Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.). ` +
            `In the Google Admin console (Security → Access and data control → API controls → Domain-wide delegation), authorize the service account's client ID for ${GMAIL_DELEGATION_SCOPES.join(", ")}.\n`,
        );
        expect(fake.requests).toEqual([]);
      } finally {
        await fake.stop();
        await endpoint.stop();
      }
    });

    it("bad key files and flag combinations are usage errors (exit 2) that never quote the key", async () => {
      const manifest = await workspaceManifest();
      const run = (args: string[]) => runCliAsync("relay-fix.ts", ["--manifest", manifest, "--sender", "admin@example.com", "--apply", ...args], { env: { ...w.env, GMAIL_ACCESS_TOKEN: "" } });
      const cases: [string[], string][] = [
        [["--gmail-service-account", await keyFile("http://127.0.0.1:9/token", { type: "authorized_user" })], 'is not a service account key (its "type" is "authorized_user", not "service_account")'],
        [["--gmail-service-account", await keyFile("http://127.0.0.1:9/token", { private_key: "" })], 'has no "private_key". Download a new JSON key for the service account.'],
        [["--gmail-service-account", await keyFile("http://127.0.0.1:9/token", { private_key: pem.slice(0, 200) })], '"private_key" is not a PEM private key.'],
        [["--gmail-service-account", await keyFile("http://127.0.0.1:9/token"), "--gmail-subject", "someone-else@example.com"], "--gmail-subject: the token must act as the alias's owner owner@example.com (mail-infra:senders), not \"someone-else@example.com\"."],
        [["--gmail-subject", OWNER], "--gmail-subject is the user a service account acts as: give it with --gmail-service-account FILE."],
        [["--gmail-service-account", await keyFile("http://127.0.0.1:9/token"), "--gmail-token-file", path.join(dir, "t.json")], "give one of --gmail-service-account (mint the token) and --gmail-token-file (a ready token), not both."],
      ];
      for (const [args, message] of cases) {
        const r = await run(args);
        expect([r.status, r.stderr.includes(message)], r.stderr).toEqual([2, true]);
        noKeyMaterial(r.stdout + r.stderr, []);
      }
    });
  });
});
