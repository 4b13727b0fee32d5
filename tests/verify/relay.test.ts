/**
 * The relay layer after a rotation: relay.retire (is it safe to retire the previous key) and
 * relay.gmail (the "Send mail as" alias as Gmail returns it).
 *
 * relay.retire and relay.credentials run against moto: the SMTP user with two real access keys
 * (the previous one from the world, the current one created after it), so ListAccessKeys'
 * CreateDate is moto's, and the keys' last use is moto's own record of the SMTP logins the SES
 * stand-in saw (world.ts recordLastUse). Only what moto's clock cannot make (a use 25 h ago, a
 * denied read) fakes GetAccessKeyLastUsed (last-used.ts).
 *
 * relay.gmail runs against a loopback HTTP server answering users.settings.sendAs get/list with
 * the documented JSON shapes (gmail-fake.ts), through the real @googleapis/gmail client.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import { PROBE_ADDRESS } from "../../lib/verify/key-evidence";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../../lib/manifest";
import { exitCodeFor, type Finding, observed } from "../../lib/verify/findings";
import { checkGmailAliases, checkRetire, GMAIL_WRITE_ONLY_NOTE } from "../../scripts/verify/layers/relay/check";
import { GmailCollector, readGmailToken } from "../../scripts/verify/layers/gmail/collect";
import { formatJson, formatText } from "../../scripts/verify/report";
import { runCliAsync } from "../helpers/spawn";
import { startClosedPort } from "../sandbox";
import { fakeLastUsed, motoIam } from "./last-used";
import { credentials, lastUse, nextSecond, relaySend, retire, usedBeforeRotation, withRotated } from "./rotated-world";
import { type GmailFake, healthyAlias, type SendAsResource, startGmailFake } from "./gmail-fake";
import { createWorld, programManifest, type SharedServers, startShared, WORLD_CONFIG, type World } from "./world";

const TOKEN = "ya29.relay-test-access-token-never-printed";
const ACCOUNT = "someone@gmail.com";
const ALIAS = "admin@example.com";
const HOUR = 3_600_000;

let shared: SharedServers;
let dir: string;
beforeAll(async () => {
  shared = await startShared();
  dir = await mkdtemp(path.join(os.tmpdir(), "verify-relay-"));
});
afterAll(async () => {
  await shared?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------
// relay.retire and relay.credentials against moto, with REAL last-used records
// ---------------------------------------------------------------------------------------
//
// The world's SMTP servers (the SES stand-in) record every successful login in moto with a
// signed SES call in their region (WorldOptions.recordLastUse), so GetAccessKeyLastUsed answers
// from moto itself: service "ses", the region, moto's clock. A relay is an SMTP client logging
// in with a key (as Gmail does for an alias). moto's clock is the wall clock, so "later" is
// made by waiting a second (IAM dates are second-precise) and the read time is verify's `now`.

const LAG = 4 * HOUR;

describe("relay.retire and relay.credentials against moto (real last-used records)", () => {
  it("records: an SMTP login at the SES stand-in shows in moto as the key's last use by ses in that region", async () => {
    await withRotated(
      shared,
      "active",
      async (r) => {
        const before = await lastUse(r, r.previousId);
        expect([before.service, before.region]).toEqual(["ses", "us-east-1"]);
        expect(before.at < r.rotatedAt).toBe(true);
        await relaySend(r, "us-west-2", r.currentId);
        const after = await lastUse(r, r.currentId);
        expect([after.service, after.region]).toEqual(["ses", "us-west-2"]);
        expect(after.at >= r.rotatedAt).toBe(true);
        expect(r.w.smtp["us-west-2"].messages().map((m) => [m.user, m.to])).toEqual([[r.currentId, [PROBE_ADDRESS]]]);
      },
      { recordLastUse: "immediate", before: usedBeforeRotation(shared) },
    );
  });

  it("the incident: key 2 an hour old and never used, key 1 last used by SES before the rotation: not enough evidence (exit 1), naming the sender and the probe", async () => {
    await withRotated(
      shared,
      "active",
      async ({ w, previousId, currentId, rotatedAt }) => {
        const now = new Date(rotatedAt.getTime() + HOUR);
        const r = await w.verify({ layers: ["relay"], now });
        const [f] = retire(r.findings);
        expect([f.status, f.summary]).toEqual(["inconclusive", `not enough evidence yet to deactivate the previous key: not confirmed us-east-1 (${ALIAS})`]);
        expect(f.evidence).toContain(`read at ${now.toISOString()}: current key ${currentId} never used`);
        expect(f.evidence.find((e) => e.startsWith(`read at ${now.toISOString()}: previous key ${previousId} last used `))).toMatch(/ by ses in us-east-1 \(IAM status Active; stack config: active\)$/);
        expect(f.remediation).toContain(`${ALIAS} (us-east-1): in Gmail (${ACCOUNT}), compose a message From ${ALIAS} To ${PROBE_ADDRESS} and send it`);
        expect(f.remediation).toContain("Do not deactivate or retire the previous key yet.");
        const [c] = credentials(r.findings);
        expect(c.status).toBe("inconclusive");
        expect(exitCodeFor(r.findings)).toBe(1);
      },
      { recordLastUse: "immediate", before: usedBeforeRotation(shared) },
    );
  });

  it("the relay moved: the probe logs in with key 2 in the sender's region, key 1 quiet since: safe once the read is 4 h after the probe", async () => {
    await withRotated(
      shared,
      "active",
      async (r) => {
        await relaySend(r, "us-east-1", r.currentId);
        const seen = await lastUse(r, r.currentId);
        const v = await r.w.verify({ layers: ["relay"], now: new Date(seen.at.getTime() + LAG) });
        const [f] = retire(v.findings);
        expect([f.status, f.summary]).toEqual([
          "pass",
          `safe to deactivate the previous key: in us-east-1 (${ALIAS}) the current key was used by SES after the rotation and the previous key not since. Next: set mail-infra:smtpPreviousKey to inactive and run \`pulumi up\` (reversible), send the probe from each sender again (a bounce means a relay still held the previous key: set it back to active), re-run verify, then set it to retired.`,
        ]);
        expect(f.evidence).toContain(`read at ${new Date(seen.at.getTime() + LAG).toISOString()}: current key ${r.currentId} last used ${seen.at.toISOString()} by ses in us-east-1`);
        expect(credentials(v.findings).map((x) => x.status)).toEqual(["pass"]);
        expect(exitCodeFor(v.findings)).toBe(0);
      },
      { recordLastUse: "immediate", before: usedBeforeRotation(shared) },
    );
  });

  it("the lag: a probe whose record has not appeared yet, then one younger than 4 h: not enough evidence, saying when to look again; then safe", async () => {
    await withRotated(
      shared,
      "active",
      async (r) => {
        await relaySend(r, "us-east-1", r.currentId);
        expect(r.w.lastUse.pending()).toBe(1);
        const early = await r.w.verify({ layers: ["relay"], now: new Date(r.rotatedAt.getTime() + HOUR) });
        expect(retire(early.findings)[0].status).toBe("inconclusive");
        expect(retire(early.findings)[0].evidence).toContain(`read at ${new Date(r.rotatedAt.getTime() + HOUR).toISOString()}: current key ${r.currentId} never used`);
        await r.w.lastUse.release();
        const seen = await lastUse(r, r.currentId);
        const young = retire((await r.w.verify({ layers: ["relay"], now: new Date(seen.at.getTime() + HOUR) })).findings)[0];
        expect(young.status).toBe("inconclusive");
        expect(young.remediation).toMatch(new RegExp(`^Wait: re-run \`npm run verify -- --stack test --only relay\` after ${new Date(seen.at.getTime() + LAG).toISOString().replace(/\./g, "\\.")} `));
        expect(retire((await r.w.verify({ layers: ["relay"], now: new Date(seen.at.getTime() + LAG) })).findings)[0].status).toBe("pass");
      },
      { recordLastUse: "held", before: usedBeforeRotation(shared) },
    );
  });

  it("the previous key used after the current key (a second relay still on key 1): fails, for an active and an inactive key", async () => {
    for (const state of ["active", "inactive"] as const) {
      await withRotated(
        shared,
        state,
        async (r) => {
          await relaySend(r, "us-east-1", r.currentId);
          await nextSecond();
          await relaySend(r, "us-east-1", r.previousId);
          const seen = await lastUse(r, r.previousId);
          const v = await r.w.verify({ layers: ["relay"], now: new Date(seen.at.getTime() + 5 * HOUR) });
          const [f] = retire(v.findings);
          expect(f.status).toBe("fail");
          expect(f.summary).toMatch(/^not yet: the previous key was used by SES in us-east-1 at \S+, at or after the current key's use by SES in us-east-1 at \S+: a relay in us-east-1 still sends with the previous key \(senders there: admin@example\.com\)$/);
          expect(f.remediation).toContain(state === "active" ? "Do not deactivate or retire the previous key yet." : "set mail-infra:smtpPreviousKey back to active");
          expect(credentials(v.findings).map((x) => x.status)).toEqual(["fail"]);
        },
        { recordLastUse: "immediate", before: usedBeforeRotation(shared) },
      );
    }
  });

  it("one key shared by senders in two regions: one read confirms one region; the other is named; carried with --relay-seen, the next read is safe", async () => {
    const config = {
      ...WORLD_CONFIG,
      senders: [...WORLD_CONFIG.senders, "address=app@example.com; kind=smtp-client; region=us-west-2"],
    };
    await withRotated(
      shared,
      "active",
      async (r) => {
        await relaySend(r, "us-west-2", r.currentId, "app@example.com");
        const west = await lastUse(r, r.currentId);
        const first = await r.w.verify({ layers: ["relay"], now: new Date(west.at.getTime() + LAG) });
        const [f] = retire(first.findings);
        expect([f.status, f.summary]).toEqual(["inconclusive", `not enough evidence yet to deactivate the previous key: not confirmed us-east-1 (${ALIAS}); confirmed us-west-2`]);
        expect(f.remediation).toContain(`add --relay-seen us-west-2=${west.at.toISOString()} to the next verify`);
        expect(credentials(first.findings).map((x) => [x.subject.split(" ")[0], x.status])).toEqual([
          [ALIAS, "inconclusive"],
          ["app@example.com", "pass"],
        ]);
        // The probe from the us-east-1 sender overwrites the record: us-west-2 is no longer in it.
        await nextSecond();
        await relaySend(r, "us-east-1", r.currentId);
        const east = await lastUse(r, r.currentId);
        const now = new Date(east.at.getTime() + LAG);
        expect(retire((await r.w.verify({ layers: ["relay"], now })).findings)[0].status).toBe("inconclusive");
        const second = await r.w.verify({ layers: ["relay"], now, relaySeen: new Map([["us-west-2", west.at]]) });
        expect(retire(second.findings)[0].status).toBe("pass");
        expect(credentials(second.findings).map((x) => x.status)).toEqual(["pass", "pass"]);
      },
      { recordLastUse: "immediate", before: usedBeforeRotation(shared), config },
    );
  });

  it("relay-fix --apply on a Workspace alias sends the probe through Gmail, which logs in to SES with the key just written; verify then sees it", async () => {
    await withRotated(
      shared,
      "active",
      async (r) => {
        const token = "ya29.probe-test-token-never-printed";
        const m = structuredClone(r.w.manifest);
        m.senders[0].account = "owner@example.com";
        const file = path.join(dir, "probe-workspace.json");
        await writeFile(file, JSON.stringify(m));
        const fake = await startGmailFake({
          token,
          me: "owner@example.com",
          aliases: { "owner@example.com": [healthyAlias(ALIAS)] },
          smtpRoutes: { "email-smtp.us-east-1.amazonaws.com": r.w.smtpEndpoints["us-east-1"] },
          ca: r.w.ca.caCertPem,
          // Before the fix the alias held key 1.
          credentials: { [ALIAS]: { username: r.previousId, password: deriveSmtpPasswordV4(r.secrets.get(r.previousId)!, "us-east-1") } },
        });
        try {
          const out = await runCliAsync("relay-fix.ts", ["--manifest", file, "--sender", ALIAS, "--apply", "--gmail-endpoint", fake.endpoint], { env: { ...r.w.env, GMAIL_ACCESS_TOKEN: token } });
          expect([out.status, out.stderr]).toEqual([0, ""]);
          for (const secret of [...r.w.secrets(), token]) expect(out.stdout.includes(secret)).toBe(false);
          expect(fake.deliveries).toEqual([{ from: ALIAS, to: [PROBE_ADDRESS], username: r.currentId, ok: true, response: expect.stringMatching(/^250 /) }]);
          const seen = await lastUse(r, r.currentId);
          expect([seen.service, seen.region]).toEqual(["ses", "us-east-1"]);
          const v = await r.w.verify({ layers: ["relay"], now: new Date(seen.at.getTime() + LAG) });
          expect(retire(v.findings)[0].status).toBe("pass");
        } finally {
          await fake.stop();
        }
      },
      { recordLastUse: "immediate", before: usedBeforeRotation(shared) },
    );
  });

  it("what the user sees when Gmail cannot log in: the relay answers 535 Authentication Credentials Invalid, which Gmail mails back as a relay-auth bounce", async () => {
    await withRotated(
      shared,
      "active",
      async (r) => {
        const token = "ya29.bounce-test-token";
        const fake = await startGmailFake({
          token,
          me: ACCOUNT,
          aliases: { [ACCOUNT]: [healthyAlias(ALIAS)] },
          smtpRoutes: { "email-smtp.us-east-1.amazonaws.com": r.w.smtpEndpoints["us-east-1"] },
          ca: r.w.ca.caCertPem,
          credentials: { [ALIAS]: { username: r.currentId, password: "a-stale-password-from-another-key" } },
        });
        try {
          const gmail = new GmailCollector({ accessToken: token, endpoint: fake.endpoint, timeoutMs: 5_000 });
          const sent = await gmail.sendProbe(ACCOUNT, ALIAS, PROBE_ADDRESS, "probe", "probe");
          expect(sent.ok).toBe(true);
          expect(fake.deliveries).toEqual([{ from: ALIAS, to: [PROBE_ADDRESS], username: r.currentId, ok: false, response: "535 Authentication Credentials Invalid" }]);
          // Nothing was recorded: the current key has no use, so verify still lacks the evidence.
          const v = await r.w.verify({ layers: ["relay"], now: new Date(r.rotatedAt.getTime() + 5 * HOUR) });
          expect(retire(v.findings)[0].status).toBe("inconclusive");
        } finally {
          await fake.stop();
        }
      },
      { recordLastUse: "immediate", before: usedBeforeRotation(shared) },
    );
  });

  it("made-up records for what moto's clock cannot make (key 1 last used exactly 25 h before a read one hour after the rotation): not enough evidence", async () => {
    await withRotated(shared, "active", async ({ w, previousId, rotatedAt }) => {
      const now = new Date(rotatedAt.getTime() + HOUR);
      const r = await w.verify({ layers: ["relay"], now, prepare: fakeLastUsed(motoIam(w), { [previousId]: { LastUsedDate: new Date(now.getTime() - 25 * HOUR), ServiceName: "ses", Region: "us-east-1" } }) });
      expect(retire(r.findings).map((f) => f.status)).toEqual(["inconclusive"]);
      expect(credentials(r.findings).map((f) => f.status)).toEqual(["inconclusive"]);
    });
  });

  it("inconclusive when the last use cannot be read; a warning when the previous key is already gone", async () => {
    await withRotated(shared, "active", async ({ w, previousId }) => {
      const r = await w.verify({ layers: ["relay"], prepare: fakeLastUsed(motoIam(w), { [previousId]: "denied" }) });
      // relay.credentials and relay.retire share the cause: reported once, relay.retire listed as blocked.
      const f = r.findings.find((x) => x.id === "relay.retire" || x.blocked?.some((b) => b.id === "relay.retire"))!;
      expect(f.blocked?.map((b) => `${b.id} ${b.status}`)).toContain("relay.retire inconclusive");
      expect([f.status, f.remediation]).toEqual(["inconclusive", "Grant iam:GetAccessKeyLastUsed to the credentials verify runs with (or use credentials that have it)."]);
    });
    await withRotated(
      shared,
      "inactive",
      async ({ w }) => {
        const r = await w.verify({ layers: ["relay"] });
        const [f] = retire(r.findings);
        expect([f.status, f.summary]).toEqual(["warn", `not needed: the previous key (generation 1) is no longer an access key of ${w.manifest.smtp.user}`]);
      },
      { deletePrevious: true },
    );
  });

  it("no verdict while there is no previous key (generation 1, or retired)", async () => {
    const m = await programManifest();
    const none = { accessKeys: observed([{ id: m.smtp.accessKeyId, status: "Active", createDate: "2026-01-01T00:00:00.000Z" }]), lastUsed: new Map() };
    expect(checkRetire(m, none, [], new Date())).toEqual([]);
    expect(checkRetire({ ...m, smtp: { ...m.smtp, keyGeneration: 2, previousKey: { generation: 1, state: "retired" } } }, none, [], new Date())).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------
// relay.gmail against a loopback Gmail API
// ---------------------------------------------------------------------------------------

describe("relay.gmail against a loopback Gmail API", () => {
  let manifest: Manifest;
  beforeAll(async () => {
    manifest = await programManifest();
  });

  /** The relay.gmail findings for the world's alias as the fake returns `alias` (undefined: no such alias). */
  async function gmailVerdict(alias: SendAsResource | undefined, token = TOKEN) {
    const fake = await startGmailFake({ token: TOKEN, me: ACCOUNT, aliases: { [ACCOUNT]: alias ? [healthyAlias("someone@gmail.com"), alias] : [healthyAlias("someone@gmail.com")] } });
    try {
      const gmail = new GmailCollector({ accessToken: token, endpoint: fake.endpoint, timeoutMs: 5_000 });
      const o = await gmail.sendAs(ACCOUNT, ALIAS);
      const obs = { accessKeys: observed([{ id: manifest.smtp.accessKeyId, status: "Active", createDate: "2026-01-01T00:00:00.000Z" }]), lastUsed: new Map(), gmail: new Map([[ALIAS, o]]) };
      const fs = checkGmailAliases(manifest, obs);
      expect(fake.requests).toEqual([{ method: "GET", path: `/gmail/v1/users/${encodeURIComponent(ACCOUNT)}/settings/sendAs/${encodeURIComponent(ALIAS)}`, authorization: `Bearer ${token}` }]);
      expectNoToken(fs, token);
      return fs;
    } finally {
      await fake.stop();
    }
  }

  it("healthy: accepted, SES endpoint of the sender's region, 587 with starttls; says Gmail never returns the username or password", async () => {
    const [f] = await gmailVerdict(healthyAlias(ALIAS));
    expect([f.id, f.status, f.subject, f.summary]).toEqual([
      "relay.gmail",
      "pass",
      `${ALIAS} (gmail-send-as in ${ACCOUNT})`,
      "Gmail returns the alias as accepted, relaying through email-smtp.us-east-1.amazonaws.com:587 (starttls); which key it holds is not readable here (relay.credentials judges that)",
    ]);
    expect(f.evidence).toContain(GMAIL_WRITE_ONLY_NOTE);
    expect(f.evidence).toContain(`key ${manifest.smtp.accessKeyId}: last use not read`);
    // 465 with ssl is the other mode SES accepts.
    const [ssl] = await gmailVerdict({ ...healthyAlias(ALIAS), smtpMsa: { host: "email-smtp.us-east-1.amazonaws.com", port: 465, securityMode: "ssl" } });
    expect(ssl.status).toBe("pass");
  });

  it("missing alias: fail, with how to add it and the exact settings (host, port, TLS, username = access key id, the password command)", async () => {
    const [f] = await gmailVerdict(undefined);
    expect([f.status, f.summary]).toEqual(["fail", `the account has no "Send mail as" alias ${ALIAS}`]);
    expect(f.evidence).toEqual([`Gmail: Requested entity was not found. (alias ${ALIAS} of ${ACCOUNT})`]);
    expect(f.remediation).toBe(
      `Add the alias in Gmail as ${ACCOUNT}: Settings → See all settings → Accounts and Import → Send mail as → Add another email address; Email address ${ALIAS}; Next Step; then ` +
        `SMTP Server email-smtp.us-east-1.amazonaws.com, Port 587, Username ${manifest.smtp.accessKeyId} (the access key id, the secret's "username"), Password = the us-east-1 password (\`aws secretsmanager get-secret-value --secret-id mail-infra/test/ses-smtp --region us-east-1 --query SecretString --output text | jq -r '.regions["us-east-1"].password'\`), Secured connection using TLS (recommended); Add Account. ` +
        `Gmail then mails a confirmation link to ${ALIAS}: follow it. Then send the probe (From ${ALIAS} To success@simulator.amazonses.com) and re-run verify at least 4 hours later.`,
    );
    expect(f.remediation).not.toContain("edit info");
  });

  it("not accepted: fail while the alias is pending; the fix is the confirmation link, not the SMTP settings", async () => {
    const [f] = await gmailVerdict({ ...healthyAlias(ALIAS), verificationStatus: "pending" });
    expect([f.status, f.summary]).toEqual(["fail", "the alias is pending, not accepted: Gmail will not send as it until the confirmation link is followed"]);
    expect(f.remediation).toBe(
      `Gmail is waiting for the confirmation of ${ALIAS}: open the message "Gmail Confirmation - Send Mail as ${ALIAS}" delivered to ${ALIAS} and follow its link (or enter its code in Gmail). ` +
        `No mail arrived? In Gmail (${ACCOUNT}), Settings → Accounts and Import → Send mail as → "Resend email" next to the alias. The SMTP settings need no change for this.`,
    );
    // Pending and on the wrong host: both fixes, the confirmation first.
    const [g] = await gmailVerdict({ ...healthyAlias(ALIAS), verificationStatus: "pending", smtpMsa: { host: "smtp.gmail.com", port: 587, securityMode: "starttls" } });
    expect(g.remediation).toMatch(/^Gmail is waiting for the confirmation .* Then: Fix it in Gmail: `npm run relay-fix -- --sender admin@example\.com` prints the steps/);
  });

  it("wrong host: another region's endpoint, or no SMTP server at all", async () => {
    const [f] = await gmailVerdict({ ...healthyAlias(ALIAS), smtpMsa: { host: "email-smtp.us-west-2.amazonaws.com", port: 587, securityMode: "starttls" } });
    expect([f.status, f.summary]).toEqual(["fail", "the alias relays through email-smtp.us-west-2.amazonaws.com, not email-smtp.us-east-1.amazonaws.com (the SES endpoint of us-east-1)"]);
    const { smtpMsa: _none, ...direct } = healthyAlias(ALIAS);
    const [g] = await gmailVerdict(direct);
    expect(g.summary).toBe("the alias has no SMTP server: Gmail sends it from its own servers, not through SES email-smtp.us-east-1.amazonaws.com");
  });

  it("wrong port or security mode: 587 with ssl, 465 with starttls, 25 without security", async () => {
    for (const [port, securityMode] of [[587, "ssl"], [465, "starttls"], [25, "none"]] as const) {
      const [f] = await gmailVerdict({ ...healthyAlias(ALIAS), smtpMsa: { host: "email-smtp.us-east-1.amazonaws.com", port, securityMode } });
      expect([f.status, f.summary]).toEqual(["fail", `port ${port} with ${securityMode} is not one SES accepts from Gmail: use 587 with TLS (starttls) or 465 with SSL`]);
    }
  });

  it("a refused token (401): inconclusive, one cause (gmail.credentials), the token never in the finding", async () => {
    const wrong = "ya29.a-wrong-token-that-must-not-leak";
    const [f] = await gmailVerdict(healthyAlias(ALIAS), wrong);
    expect([f.status, f.summary]).toEqual(["inconclusive", "could not check the Gmail alias: Gmail refused the access token (401: Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.)"]);
    expect(f.cause?.id).toBe("gmail.credentials");
    expect(f.remediation).toContain("--gmail-token-file FILE or GMAIL_ACCESS_TOKEN");
  });

  it("an unreachable API: inconclusive, naming the endpoint to check", async () => {
    const closed = await startClosedPort();
    try {
      const gmail = new GmailCollector({ accessToken: TOKEN, endpoint: `http://127.0.0.1:${closed.port}/`, timeoutMs: 2_000 });
      const o = await gmail.sendAs(ACCOUNT, ALIAS);
      expect(o.ok ? "observed" : o.reason).toBe("unreachable");
    } finally {
      await closed.stop();
    }
  });

  it("reads the token from --gmail-token-file (access_token) or GMAIL_ACCESS_TOKEN; a file without one is a usage error that does not echo it", async () => {
    const file = path.join(dir, "token.json");
    await writeFile(file, JSON.stringify({ access_token: TOKEN, token_type: "Bearer", expiry_date: 1 }));
    expect(readGmailToken(file, {})).toBe(TOKEN);
    expect(readGmailToken(undefined, { GMAIL_ACCESS_TOKEN: TOKEN })).toBe(TOKEN);
    expect(readGmailToken(undefined, {})).toBeUndefined();
    const bad = path.join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ refresh_token: TOKEN }));
    expect(() => readGmailToken(bad, {})).toThrow(`--gmail-token-file: ${bad} has no "access_token" field.`);
    await writeFile(bad, `not json ${TOKEN}`);
    expect(() => readGmailToken(bad, {})).toThrow(/is not JSON/);
    try {
      readGmailToken(bad, {});
    } catch (e) {
      expect((e as Error).message.includes(TOKEN)).toBe(false);
    }
  });
});

function expectNoToken(fs: readonly Finding[], token: string): void {
  const layers = ["relay"] as const;
  for (const out of [formatText(fs, { target: "t", layers, verbose: true, color: false }), formatJson(fs, { target: "t", layers })]) expect(out.includes(token)).toBe(false);
}

// ---------------------------------------------------------------------------------------
// The CLI: --only relay, with and without Gmail credentials
// ---------------------------------------------------------------------------------------

describe("npm run verify -- --only relay", () => {
  let w: World;
  let fake: GmailFake;
  let manifestFile: string;
  beforeAll(async () => {
    w = await createWorld(shared);
    fake = await startGmailFake({ token: TOKEN, me: ACCOUNT, aliases: { [ACCOUNT]: [healthyAlias(ALIAS)] } });
    manifestFile = path.join(dir, "verification.json");
    await w.writeManifest(manifestFile);
  });
  afterAll(async () => {
    await fake?.stop();
    await w?.stop();
  });

  it("without Gmail credentials: relay.gmail is listed as not checked, with why, never a pass", async () => {
    const r = await runCliAsync("verify.ts", ["--manifest", manifestFile, "--only", "relay"], { env: { ...w.env, GMAIL_ACCESS_TOKEN: "" } });
    expect(r.stdout).toContain("\nRelays using the credentials: not fully checked\n");
    expect(r.stdout).toMatch(/\n {2}---- {2}relay\.gmail +not checked \(no Gmail credentials: give --gmail-token-file FILE \(OAuth token JSON with an access_token\) or set GMAIL_ACCESS_TOKEN\)\n/);
    expect(r.stdout).toContain("checked layers healthy; not checked:");
    // The summary names the layer; why is above it, on the relay.gmail line.
    expect(r.stdout).toMatch(/— checked layers healthy; not checked: [a-z, ]*relay[a-z, ]*\.\n$/);
    expect(r.stdout).not.toContain("mail path healthy");
    expect(r.status).toBe(0);
  });

  it("with a token file and --gmail-endpoint: the alias passes, the JSON names relay.gmail, and the token is in no output", async () => {
    const file = path.join(dir, "cli-token.json");
    await writeFile(file, JSON.stringify({ access_token: TOKEN }));
    const r = await runCliAsync("verify.ts", ["--manifest", manifestFile, "--only", "relay", "--gmail-token-file", file, "--gmail-endpoint", fake.endpoint, "--json"], { env: w.env });
    const doc = JSON.parse(r.stdout) as { notChecked: unknown[]; findings: { id: string; status: string; evidence: string[] }[] };
    expect(doc.notChecked.filter((n) => (n as { layer: string }).layer === "relay")).toEqual([]);
    // Generation 1, the key last used by SES in the sender's region (the world's record): positive evidence.
    expect(doc.findings.map((f) => `${f.id} ${f.status}`)).toEqual(["relay.credentials pass", "relay.gmail pass"]);
    expect(doc.findings[1].evidence).toContain(GMAIL_WRITE_ONLY_NOTE);
    expect(fake.requests.at(-1)?.authorization).toBe(`Bearer ${TOKEN}`);
    expect((r.stdout + r.stderr).includes(TOKEN)).toBe(false);
    expect(r.status).toBe(0);
  });

  it("a refused token: exit 1, one gmail.credentials finding, the token in no output (also when given via the environment)", async () => {
    const wrong = "ya29.cli-wrong-token-never-printed";
    const r = await runCliAsync("verify.ts", ["--manifest", manifestFile, "--only", "relay", "--gmail-endpoint", fake.endpoint], { env: { ...w.env, GMAIL_ACCESS_TOKEN: wrong } });
    expect(r.stdout).toMatch(/\?\?\?\? {2}relay\.gmail +admin@example\.com \(gmail-send-as in someone@gmail\.com\): could not check the Gmail alias: Gmail refused the access token \(401/);
    expect((r.stdout + r.stderr).includes(wrong)).toBe(false);
    expect(r.status).toBe(1);
  });

  it("bad Gmail options are usage errors (exit 2)", async () => {
    const r = await runCliAsync("verify.ts", ["--manifest", manifestFile, "--only", "relay", "--gmail-token-file", path.join(dir, "nope.json")], { env: w.env });
    expect([r.status, r.stderr]).toEqual([2, `error: cannot read --gmail-token-file "${path.join(dir, "nope.json")}": there is no such file.\n`]);
    const e = await runCliAsync("verify.ts", ["--manifest", manifestFile, "--only", "relay", "--gmail-endpoint", "gmail"], { env: w.env });
    expect([e.status, e.stderr]).toEqual([2, 'error: --gmail-endpoint: "gmail" is not an http(s) URL (e.g. http://127.0.0.1:8080/).\n']);
  });
});
