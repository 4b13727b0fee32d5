/**
 * The relay layer after a rotation: relay.retire (is it safe to retire the previous key) and
 * relay.gmail (the "Send mail as" alias as Gmail returns it).
 *
 * relay.retire runs against moto: the SMTP user with two real access keys (the previous one
 * from the world, the current one created after it), so ListAccessKeys' CreateDate is moto's.
 * moto does not record a key's last use for the calls these tests can make: GetAccessKeyLastUsed
 * alone is faked (last-used.ts); every other IAM call goes to moto.
 *
 * relay.gmail runs against a loopback HTTP server answering users.settings.sendAs get/list with
 * the documented JSON shapes (gmail-fake.ts), through the real @googleapis/gmail client.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { CreateAccessKeyCommand, DeleteAccessKeyCommand } from "@aws-sdk/client-iam";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Manifest } from "../../lib/manifest";
import { type Finding, observed } from "../../lib/verify/findings";
import { checkGmailAliases, checkRetire, GMAIL_WRITE_ONLY_NOTE } from "../../lib/verify/relay";
import { GmailCollector, readGmailToken } from "../../scripts/verify/gmail";
import { formatJson, formatText } from "../../scripts/verify/report";
import { runCliAsync } from "../helpers/spawn";
import { startClosedPort } from "../sandbox";
import { closeMotoIam, fakeLastUsed, motoIam } from "./last-used";
import { type GmailFake, healthyAlias, type SendAsResource, startGmailFake } from "./gmail-fake";
import { createWorld, programManifest, type SharedServers, startShared, type World } from "./world";

const TOKEN = "ya29.relay-test-access-token-never-printed";
const ACCOUNT = "someone@gmail.com";
const ALIAS = "admin@example.com";
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

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
// relay.retire against moto
// ---------------------------------------------------------------------------------------

interface Rotated {
  w: World;
  previousId: string;
  currentId: string;
  /** The current key's CreateDate as moto reports it: the rotation time. */
  rotatedAt: Date;
}

/**
 * A world after `1 -> 2`: the world's key is the previous one, a second key (created by moto
 * after it) is the current one, and the manifest says generation 2 with the previous key `state`.
 */
async function rotatedWorld(state: "active" | "inactive", options: { deletePrevious?: boolean } = {}): Promise<Rotated> {
  let currentId = "";
  const w = await createWorld(shared, {
    moto: async (ctx) => {
      const next = await ctx.iam.send(new CreateAccessKeyCommand({ UserName: ctx.user }));
      currentId = next.AccessKey?.AccessKeyId ?? "";
      ctx.keys.set(currentId, next.AccessKey?.SecretAccessKey ?? "");
      if (options.deletePrevious) await ctx.iam.send(new DeleteAccessKeyCommand({ UserName: ctx.user, AccessKeyId: ctx.accessKeyId }));
    },
  });
  const previousId = w.manifest.smtp.accessKeyId;
  w.manifest.smtp.accessKeyId = currentId;
  w.manifest.smtp.keyGeneration = 2;
  w.manifest.smtp.previousKey = { generation: 1, accessKeyId: previousId, state };
  const c = w.collectors();
  const listed = await c.aws.accessKeys(w.manifest.smtp.user);
  c.aws.destroy();
  const created = listed.ok ? listed.value.find((k) => k.id === currentId)?.createDate : undefined;
  if (!created) throw new Error("moto did not list the current key");
  return { w, previousId, currentId, rotatedAt: new Date(created) };
}

const retire = (fs: readonly Finding[]) => fs.filter((f) => f.id === "relay.retire");

async function withRotated(state: "active" | "inactive", fn: (r: Rotated) => Promise<void>, options: { deletePrevious?: boolean } = {}) {
  const r = await rotatedWorld(state, options);
  try {
    await fn(r);
  } finally {
    closeMotoIam(r.w);
    await r.w.stop();
  }
}

describe("relay.retire against moto (two keys, last-used data)", () => {
  it("not yet: SES used the previous key after the rotation, within the quiet period; names the senders not yet confirmed", async () => {
    await withRotated("active", async ({ w, previousId, currentId, rotatedAt }) => {
      const used = new Date(rotatedAt.getTime() + 2 * HOUR);
      const r = await w.verify({
        layers: ["relay"],
        now: new Date(used.getTime() + HOUR),
        prepare: fakeLastUsed(motoIam(w), { [previousId]: { LastUsedDate: used, ServiceName: "ses", Region: "us-east-1" }, [currentId]: { LastUsedDate: used, ServiceName: "ses", Region: "us-east-1" } }),
      });
      const [f] = retire(r.findings);
      expect([f.status, f.subject]).toEqual(["fail", `previous key ${previousId} of ${w.manifest.smtp.user}`]);
      expect(f.summary).toBe(
        `not yet: SES saw a login with the previous key at ${used.toISOString()} in us-east-1, after the rotation (${rotatedAt.toISOString()}): some relay still sends with it. Not yet confirmed: ${ALIAS}`,
      );
      expect(f.evidence).toContain(`rotation: current key ${currentId} (generation 2) created ${rotatedAt.toISOString()}`);
      expect(f.evidence).toContain(`previous key ${previousId} last used ${used.toISOString()} by ses in us-east-1 (IAM status Active; stack config: active)`);
      expect(f.remediation).toContain(`npm run relay-fix -- --sender ${ALIAS}`);
      expect(f.remediation).toContain("Do not deactivate or retire the previous key yet.");
    });
  });

  it("combines the Gmail alias with the last-use evidence: relay.gmail shows both keys' last use, relay.retire the alias's verdict", async () => {
    const fake = await startGmailFake({ token: TOKEN, me: ACCOUNT, aliases: { [ACCOUNT]: [healthyAlias(ALIAS)] } });
    try {
      await withRotated("active", async ({ w, previousId, currentId, rotatedAt }) => {
        const used = new Date(rotatedAt.getTime() + HOUR);
        const fakeIam = fakeLastUsed(motoIam(w), { [previousId]: { LastUsedDate: used, ServiceName: "ses", Region: "us-east-1" } });
        const r = await w.verify({
          layers: ["relay"],
          now: new Date(used.getTime() + HOUR),
          prepare: (c) => {
            fakeIam(c);
            c.gmail = new GmailCollector({ accessToken: TOKEN, endpoint: fake.endpoint, timeoutMs: 5_000 });
          },
        });
        expect(r.findings.map((f) => `${f.id} ${f.status}`)).toEqual(["relay.credentials fail", "relay.gmail pass", "relay.retire fail"]);
        const gmail = r.findings[1];
        expect(gmail.evidence.slice(-2)).toEqual([`key ${currentId} never used`, `key ${previousId} last used ${used.toISOString()} by ses in us-east-1`]);
        expect(r.findings[2].evidence).toContain(`gmail alias ${ALIAS} (gmail-send-as in ${ACCOUNT}): pass (${gmail.summary})`);
        expect(r.notChecked).toEqual([]);
        expect(r.secrets).toContain(TOKEN);
        expectNoToken(r.findings, TOKEN);
      });
    } finally {
      await fake.stop();
    }
  });

  it("not yet, for an inactive previous key: the relays that used it fail now, and the fix says how to undo", async () => {
    await withRotated("inactive", async ({ w, previousId, rotatedAt }) => {
      const used = new Date(rotatedAt.getTime() + HOUR);
      const r = await w.verify({ layers: ["relay"], now: new Date(used.getTime() + 2 * DAY), prepare: fakeLastUsed(motoIam(w), { [previousId]: { LastUsedDate: used, ServiceName: "ses", Region: "us-east-1" } }) });
      const [f] = retire(r.findings);
      expect(f.status).toBe("fail");
      expect(f.remediation).toContain("set mail-infra:smtpPreviousKey back to active");
      expect(f.evidence.at(-1)).toBe("quiet period: 7 days without SES use after the rotation (--relay-quiet-days); 2 so far");
    });
  });

  it("safe: the previous key's last SES login is before the rotation (next step for an active key: inactive)", async () => {
    await withRotated("active", async ({ w, previousId, rotatedAt }) => {
      const used = new Date(rotatedAt.getTime() - DAY);
      const r = await w.verify({ layers: ["relay"], now: new Date(rotatedAt.getTime() + DAY), prepare: fakeLastUsed(motoIam(w), { [previousId]: { LastUsedDate: used, ServiceName: "ses", Region: "us-east-1" } }) });
      const [f] = retire(r.findings);
      expect([f.status, f.summary]).toEqual([
        "pass",
        `safe to retire the previous key: its last SES login (${used.toISOString()}) is before the rotation (${rotatedAt.toISOString()}). Next: set mail-infra:smtpPreviousKey to inactive and run \`pulumi up\` (reversible), re-run verify, then set it to retired.`,
      ]);
    });
  });

  it("safe: used after the rotation but not for longer than the quiet period; an inactive key's next step is retired", async () => {
    await withRotated("inactive", async ({ w, previousId, rotatedAt }) => {
      const used = new Date(rotatedAt.getTime() + HOUR);
      const r = await w.verify({ layers: ["relay"], now: new Date(used.getTime() + 8 * DAY), prepare: fakeLastUsed(motoIam(w), { [previousId]: { LastUsedDate: used, ServiceName: "ses", Region: "us-east-1" } }) });
      const [f] = retire(r.findings);
      expect([f.status, f.summary]).toEqual(["pass", "safe to retire the previous key: SES last saw it 8 days ago, more than 7 days without use. Next: set mail-infra:smtpPreviousKey to retired and run `pulumi up` (this deletes the key)."]);
    });
  });

  it("safe: the previous key was never used (ServiceName N/A), or only by another service", async () => {
    await withRotated("active", async ({ w, previousId, rotatedAt }) => {
      const never = await w.verify({ layers: ["relay"], now: rotatedAt, prepare: fakeLastUsed(motoIam(w), {}) });
      expect(retire(never.findings).map((f) => [f.status, f.summary.split(".")[0]])).toEqual([["pass", "safe to retire the previous key: it was never used"]]);
      const other = await w.verify({
        layers: ["relay"],
        now: rotatedAt,
        prepare: fakeLastUsed(motoIam(w), { [previousId]: { LastUsedDate: new Date(rotatedAt.getTime() + HOUR), ServiceName: "iam", Region: "us-east-1" } }),
      });
      expect(retire(other.findings).map((f) => [f.status, f.summary.split(".")[0]])).toEqual([["pass", "safe to retire the previous key: it was last used by iam, not SES"]]);
    });
  });

  it("inconclusive when the last use cannot be read; a warning when the previous key is already gone", async () => {
    await withRotated("active", async ({ w, previousId }) => {
      const r = await w.verify({ layers: ["relay"], prepare: fakeLastUsed(motoIam(w), { [previousId]: "denied" }) });
      const [f] = retire(r.findings);
      expect([f.status, f.remediation]).toEqual(["inconclusive", "Grant iam:GetAccessKeyLastUsed to the credentials verify runs with (or use credentials that have it)."]);
    });
    await withRotated(
      "inactive",
      async ({ w }) => {
        const r = await w.verify({ layers: ["relay"], prepare: fakeLastUsed(motoIam(w), {}) });
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
      "the alias is accepted and relays through email-smtp.us-east-1.amazonaws.com:587 (starttls); its username and password are not readable",
    ]);
    expect(f.evidence).toContain(GMAIL_WRITE_ONLY_NOTE);
    expect(f.evidence).toContain(`key ${manifest.smtp.accessKeyId}: last use not read`);
    // 465 with ssl is the other mode SES accepts.
    const [ssl] = await gmailVerdict({ ...healthyAlias(ALIAS), smtpMsa: { host: "email-smtp.us-east-1.amazonaws.com", port: 465, securityMode: "ssl" } });
    expect(ssl.status).toBe("pass");
  });

  it("missing alias: fail, with how to add it", async () => {
    const [f] = await gmailVerdict(undefined);
    expect([f.status, f.summary]).toEqual(["fail", `the account has no "Send mail as" alias ${ALIAS}`]);
    expect(f.evidence).toEqual([`Gmail: Requested entity was not found. (alias ${ALIAS} of ${ACCOUNT})`]);
    expect(f.remediation).toContain("Settings → Accounts and Import → Send mail as");
  });

  it("not accepted: fail while the alias is pending", async () => {
    const [f] = await gmailVerdict({ ...healthyAlias(ALIAS), verificationStatus: "pending" });
    expect([f.status, f.summary]).toEqual(["fail", "the alias is pending, not accepted: Gmail will not send as it until the confirmation link is followed"]);
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
    expect(r.stdout).toContain("Relays using the credentials: relay.gmail (no Gmail credentials");
    expect(r.stdout).not.toContain("mail path healthy");
    expect(r.status).toBe(0);
  });

  it("with a token file and --gmail-endpoint: the alias passes, the JSON names relay.gmail, and the token is in no output", async () => {
    const file = path.join(dir, "cli-token.json");
    await writeFile(file, JSON.stringify({ access_token: TOKEN }));
    const r = await runCliAsync("verify.ts", ["--manifest", manifestFile, "--only", "relay", "--gmail-token-file", file, "--gmail-endpoint", fake.endpoint, "--json"], { env: w.env });
    const doc = JSON.parse(r.stdout) as { notChecked: unknown[]; findings: { id: string; status: string; evidence: string[] }[] };
    expect(doc.notChecked.filter((n) => (n as { layer: string }).layer === "relay")).toEqual([]);
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
