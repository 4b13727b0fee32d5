/**
 * What the smtp and relay layers read about the SMTP credentials
 * (scripts/verify/layers/smtp/observe.ts `credentialObservations`), over pure stand-in collectors
 * (tests/helpers/collectors.ts): which calls are made, with what, in which order, and the
 * observations the checks get. The world tests (tests/verify/verify.test.ts, moto and a real SMTP
 * server) cover the same paths end to end; here each branch is one hand-built case.
 */
import { describe, expect, it } from "vitest";
import type { Manifest } from "../../lib/manifest";
import { smtpEndpoint } from "../../lib/regions";
import { type Observation, observed, type Unobservable } from "../../lib/verify/findings";
import { credentialObservations } from "../../scripts/verify/layers/smtp/observe";
import type { AccessKeyState, SmtpAuthResult } from "../../scripts/verify/layers/smtp/check";
import { EAST, type FakeAnswers, KEY, layerRun, SECRET_ID, USER, USER_ARN, verifyManifest, WEST } from "../helpers/collectors";
import { ACCOUNT } from "../helpers/manifest";

const OLD = "AKIAEXAMPLEOLDKEY001";
const manifest = verifyManifest;

/** The stored secret: the username and a password per region given. */
const secretJson = (username: string, regions: Record<string, string>, extra: Record<string, string> = {}) =>
  JSON.stringify({ username, regions: Object.fromEntries(Object.entries(regions).map(([r, password]) => [r, { host: smtpEndpoint(r), port: 587, password }])), ...extra });

const accepted: SmtpAuthResult = { code: 235, ms: 12, message: "235 Authentication successful." };
const rejected: SmtpAuthResult = { code: 535, ms: 12, message: "535 Authentication Credentials Invalid" };
const keys = (...ids: string[]): Observation<AccessKeyState[]> => observed(ids.map((id) => ({ id, status: "Active", createDate: "2026-11-01T00:00:00Z" })));
const denied: Unobservable = { ok: false, reason: "denied", message: "AccessDeniedException: secretsmanager:GetSecretValue", needs: "Grant secretsmanager:GetSecretValue." };

/** A healthy stack's answers: the secret holds `regions`' passwords, the user has `keyIds`, every login is accepted. */
function healthy(regions: Record<string, string>, keyIds: string[] = [KEY], extra: Record<string, string> = {}): FakeAnswers {
  return {
    aws: {
      secretValue: async () => observed(secretJson(KEY, regions, extra)),
      accessKeys: async () => keys(...keyIds),
      keyLastUsed: async (id) => observed({ lastUsedDate: "2026-12-01T10:00:00Z", serviceName: "ses", region: EAST, ...(id === OLD ? { region: WEST } : {}) }),
      simulateSend: async () => observed({ decision: "allowed", deniedResources: [] }),
    },
    smtp: { auth: async () => observed(accepted), sendTest: async () => observed({ code: 250, ms: 30, message: "250 Ok" }) },
  };
}

const target = (region: string, host = smtpEndpoint(region), port = 587) => JSON.stringify({ serverName: smtpEndpoint(region), host, port });

describe("credentialObservations: what the smtp and relay layers read", () => {
  it("reads the secret, the user's keys, each key's last use once, and logs in where the secret has a password, after the last uses are read", async () => {
    const { r, calls, tracked } = layerRun(manifest(), {}, healthy({ [EAST]: "PASSWORD-EAST-0001" }, [KEY], { secretAccessKey: "SECRET-ACCESS-KEY-0001" }));
    const { obs, loginsThisRun } = await credentialObservations(r);
    expect(calls).toEqual([
      `aws.secretValue ${EAST} ${SECRET_ID}`,
      `aws.accessKeys ${USER}`,
      "smtp.prepare",
      `aws.simulateSend ${USER_ARN} ["arn:aws:ses:us-east-1:${ACCOUNT}:identity/example.com","arn:aws:ses:us-east-1:${ACCOUNT}:configuration-set/mail-infra-example-com"] [{"key":"ses:FromAddress","values":["admin@example.com"]},{"key":"aws:RequestedRegion","values":["us-east-1"]}]`,
      `aws.keyLastUsed ${KEY}`,
      `smtp.auth ${target(EAST)} ${KEY} PASSWORD-EAST-0001 ${EAST}`,
    ]);
    expect(tracked).toEqual(["SMTP secret", "SMTP user keys", "SMTP permissions admin@example.com", `key last used ${KEY}`, `SMTP AUTH ${EAST}`]);
    expect(obs).toStrictEqual({
      secret: observed(secretJson(KEY, { [EAST]: "PASSWORD-EAST-0001" }, { secretAccessKey: "SECRET-ACCESS-KEY-0001" })),
      accessKeys: keys(KEY),
      lastUsed: new Map([[KEY, observed({ lastUsedDate: "2026-12-01T10:00:00Z", serviceName: "ses", region: EAST })]]),
      auth: new Map([[EAST, observed(accepted)]]),
      simulations: [
        {
          question: {
            sender: "admin@example.com",
            region: EAST,
            resources: [`arn:aws:ses:us-east-1:${ACCOUNT}:identity/example.com`, `arn:aws:ses:us-east-1:${ACCOUNT}:configuration-set/mail-infra-example-com`],
            context: [
              { key: "ses:FromAddress", values: ["admin@example.com"] },
              { key: "aws:RequestedRegion", values: [EAST] },
            ],
          },
          result: observed({ decision: "allowed", deniedResources: [] }),
        },
      ],
    });
    expect(loginsThisRun).toEqual(new Map());
    // The passwords and the stored secret key are never printed (the report scrubs them).
    expect(r.secrets).toEqual(["PASSWORD-EAST-0001", "SECRET-ACCESS-KEY-0001"]);
  });

  it("is started once per run: the relay layer asking again gets the same observations, nothing is read twice", async () => {
    const { r, calls } = layerRun(manifest(), {}, healthy({ [EAST]: "PASSWORD-EAST-0001" }));
    const first = credentialObservations(r);
    const again = credentialObservations(r);
    expect(again).toBe(first);
    await first;
    expect(calls.filter((c) => c.startsWith("aws.secretValue"))).toHaveLength(1);
  });

  it("--smtp-endpoint: a region's own override, else '*', else the endpoint itself and the manifest's port; certificates are still checked against the endpoint", async () => {
    const passwords = { [EAST]: "PASSWORD-EAST-0001", [WEST]: "PASSWORD-WEST-0001" };
    const both = await (async () => {
      const { r, calls } = layerRun(manifest({ port: 2465 }), { layers: ["smtp"], smtpEndpoints: { "*": { host: "127.0.0.1", port: 2587 }, [WEST]: { host: "10.0.0.2", port: 2588 } } }, healthy(passwords));
      await credentialObservations(r);
      return calls.filter((c) => c.startsWith("smtp.auth"));
    })();
    expect(both).toEqual([`smtp.auth ${target(EAST, "127.0.0.1", 2587)} ${KEY} PASSWORD-EAST-0001 ${EAST}`, `smtp.auth ${target(WEST, "10.0.0.2", 2588)} ${KEY} PASSWORD-WEST-0001 ${WEST}`]);
    const { r, calls } = layerRun(manifest({ port: 2465 }), { layers: ["smtp"] }, healthy(passwords));
    await credentialObservations(r);
    expect(calls.filter((c) => c.startsWith("smtp.auth"))).toEqual([`smtp.auth ${target(EAST, smtpEndpoint(EAST), 2465)} ${KEY} PASSWORD-EAST-0001 ${EAST}`, `smtp.auth ${target(WEST, smtpEndpoint(WEST), 2465)} ${KEY} PASSWORD-WEST-0001 ${WEST}`]);
  });

  it("--send-test sends only where the login was accepted, from the region's sender or else verify@<first domain>", async () => {
    const answers = healthy({ [EAST]: "PASSWORD-EAST-0001", [WEST]: "PASSWORD-WEST-0001" });
    const sent: SmtpAuthResult = { code: 250, ms: 30, message: "250 Ok" };
    const { r, calls } = layerRun(manifest(), { layers: ["smtp"], sendTest: true }, answers);
    const { obs } = await credentialObservations(r);
    expect(calls.filter((c) => c.startsWith("smtp.sendTest"))).toEqual([
      `smtp.sendTest ${target(EAST)} ${KEY} PASSWORD-EAST-0001 admin@example.com ${EAST}`,
      `smtp.sendTest ${target(WEST)} ${KEY} PASSWORD-WEST-0001 verify@example.com ${WEST}`,
    ]);
    expect(obs.sendTest).toEqual(new Map([[EAST, observed(sent)], [WEST, observed(sent)]]));

    // A rejected login (535) or one that could not be made sends nothing.
    const refusing: FakeAnswers = { ...answers, smtp: { ...answers.smtp, auth: async (_t, _u, _p, region) => (region === EAST ? observed(rejected) : { ok: false, reason: "timeout", message: "no greeting" }) } };
    const second = layerRun(manifest(), { layers: ["smtp"], sendTest: true }, refusing);
    const o2 = await credentialObservations(second.r);
    expect(second.calls.filter((c) => c.startsWith("smtp.sendTest"))).toEqual([]);
    expect(o2.obs.sendTest).toEqual(new Map());
    // Without --send-test there is no sendTest observation at all.
    const third = layerRun(manifest(), { layers: ["smtp"] }, answers);
    expect("sendTest" in (await credentialObservations(third.r)).obs).toBe(false);
  });

  it("the relay layer alone: every key's last use and the secret's key's, no login, no simulation, nothing prepared", async () => {
    const answers = healthy({ [EAST]: "PASSWORD-EAST-0001" }, [KEY, OLD]);
    const secondUser = "AKIAEXAMPLETHIRD0001";
    const { r, calls, tracked } = layerRun(manifest(), { layers: ["relay"] }, { ...answers, aws: { ...answers.aws, secretValue: async () => observed(secretJson(secondUser, { [EAST]: "PASSWORD-EAST-0001" })) } });
    const { obs } = await credentialObservations(r);
    expect(calls).toEqual([`aws.secretValue ${EAST} ${SECRET_ID}`, `aws.accessKeys ${USER}`, `aws.keyLastUsed ${KEY}`, `aws.keyLastUsed ${OLD}`, `aws.keyLastUsed ${secondUser}`]);
    expect(tracked).toEqual(["SMTP secret", "SMTP user keys", `key last used ${KEY}`, `key last used ${OLD}`, `key last used ${secondUser}`]);
    expect([...obs.lastUsed.keys()]).toEqual([KEY, OLD, secondUser]);
    expect(obs.lastUsed.get(OLD)).toEqual(observed({ lastUsedDate: "2026-12-01T10:00:00Z", serviceName: "ses", region: WEST }));
    expect(obs.simulations).toEqual([]);
    expect(obs.auth).toEqual(new Map());
  });

  it("the relay layer with an unreadable secret reads the manifest's key; with no key named anywhere, only the listed keys", async () => {
    const answers = healthy({}, [OLD]);
    const unreadable: FakeAnswers = { ...answers, aws: { ...answers.aws, secretValue: async () => denied } };
    const a = layerRun(manifest(), { layers: ["relay"] }, unreadable);
    await credentialObservations(a.r);
    expect(a.calls.filter((c) => c.startsWith("aws.keyLastUsed"))).toEqual([`aws.keyLastUsed ${OLD}`, `aws.keyLastUsed ${KEY}`]);
    const b = layerRun(manifest({ accessKeyId: "" }), { layers: ["relay"] }, unreadable);
    await credentialObservations(b.r);
    expect(b.calls.filter((c) => c.startsWith("aws.keyLastUsed"))).toEqual([`aws.keyLastUsed ${OLD}`]);
    // Keys that cannot be listed: only the secret's key.
    const c = layerRun(manifest(), { layers: ["relay"] }, { ...answers, aws: { ...answers.aws, accessKeys: async () => denied } });
    await credentialObservations(c.r);
    expect(c.calls.filter((x) => x.startsWith("aws.keyLastUsed"))).toEqual([`aws.keyLastUsed ${KEY}`]);
  });

  it("the smtp layer alone reads no last use", async () => {
    const { r, calls } = layerRun(manifest(), { layers: ["smtp"] }, healthy({ [EAST]: "PASSWORD-EAST-0001" }));
    const { obs } = await credentialObservations(r);
    expect(calls.some((c) => c.startsWith("aws.keyLastUsed"))).toBe(false);
    expect(obs.lastUsed).toEqual(new Map());
    expect(calls).toContain("smtp.prepare");
  });

  it("no readable secret: no login, no password to scrub; an invalid one the same", async () => {
    for (const secret of [denied, observed("not json"), observed(JSON.stringify({ username: KEY }))]) {
      const answers = healthy({});
      const { r, calls } = layerRun(manifest(), { layers: ["smtp"], sendTest: true }, { ...answers, aws: { ...answers.aws, secretValue: async () => secret } });
      const { obs } = await credentialObservations(r);
      expect(calls.filter((c) => c.startsWith("smtp.auth") || c.startsWith("smtp.sendTest"))).toEqual([]);
      expect(obs.auth).toEqual(new Map());
      expect(obs.secret).toEqual(secret);
      expect(r.secrets).toEqual([]);
    }
  });

  it("discovery without a user: no call on an empty name; the keys and the permissions are unknown with why", async () => {
    const answers = healthy({ [EAST]: "PASSWORD-EAST-0001" });
    const { r, calls } = layerRun(manifest({ user: "", userArn: "", accessKeyId: KEY }), {}, answers);
    const { obs } = await credentialObservations(r);
    expect(calls.some((c) => c.startsWith("aws.accessKeys") || c.startsWith("aws.simulateSend"))).toBe(false);
    const unknownUser = {
      ok: false,
      reason: "error",
      message: `the SMTP user is unknown: IAM named no user for the access key ${KEY} stored in ${SECRET_ID} (GetAccessKeyLastUsed)`,
      needs: "Check that the key still exists (`aws iam get-access-key-last-used --access-key-id <id>`), or run verify with --stack.",
    };
    expect(obs.accessKeys).toEqual(unknownUser);
    expect(obs.simulations.map((s) => s.result)).toEqual([unknownUser]);
    // The keys unknown, the login key's rotation cannot be seen: it logs in.
    expect(calls.filter((c) => c.startsWith("smtp.auth"))).toHaveLength(1);
  });

  it("a user without a known ARN: the permission questions get the unknown user, the keys are still listed", async () => {
    const { r, calls } = layerRun(manifest({ userArn: "" }), { layers: ["smtp"] }, healthy({ [EAST]: "PASSWORD-EAST-0001" }));
    const { obs } = await credentialObservations(r);
    expect(calls).toContain(`aws.accessKeys ${USER}`);
    expect(calls.some((c) => c.startsWith("aws.simulateSend"))).toBe(false);
    expect(obs.simulations).toHaveLength(1);
    expect(obs.simulations[0]?.result).toMatchObject({ ok: false, reason: "error", message: expect.stringMatching(/^the SMTP user is unknown: IAM named no user for the access key/) });
  });

  it("an account discovery could not read: every permission question says the ARNs are unknown, with the account's cause", async () => {
    const m = manifest();
    const account: Unobservable = { ok: false, reason: "denied", message: "AccessDenied: sts:GetCallerIdentity", needs: "Grant sts:GetCallerIdentity." };
    // Only the second region of the domain carries it.
    m.domains[0] = { ...m.domains[0], regions: [m.domains[0].regions[0], { ...m.domains[0].regions[1], unknown: { account } }] };
    const { r, calls } = layerRun(m, { layers: ["smtp"] }, healthy({ [EAST]: "PASSWORD-EAST-0001" }));
    const { obs } = await credentialObservations(r);
    expect(calls.some((c) => c.startsWith("aws.simulateSend"))).toBe(false);
    expect(obs.simulations.map((s) => s.result)).toEqual([
      { ok: false, reason: "denied", message: "the SES resource ARNs are unknown: AccessDenied: sts:GetCallerIdentity", needs: "Grant sts:GetCallerIdentity.", cause: { key: "denied: AccessDenied: sts:GetCallerIdentity" } },
    ]);
  });

  it("a question with no resource (a sender's region the stack has no identity in) is an error saying so, not a call", async () => {
    const senders: Manifest["senders"] = [{ address: "ops@example.com", kind: "smtp-client", region: "eu-west-1", smtpEndpoint: smtpEndpoint("eu-west-1") }];
    const a = layerRun(manifest({}, senders), { layers: ["smtp"] }, healthy({ [EAST]: "PASSWORD-EAST-0001" }));
    const { obs } = await credentialObservations(a.r);
    expect(a.calls.some((c) => c.startsWith("aws.simulateSend"))).toBe(false);
    const noIdentity = (who: string) => ({ ok: false, reason: "error", message: `the stack declares no identity for ${who} in eu-west-1`, needs: "Add the region to mail-infra:regions, or correct the sender's region." });
    expect(obs.simulations.map((s) => s.result)).toEqual([noIdentity("ops@example.com")]);
    // Without senders, one question per SMTP region: "its domains".
    const b = layerRun(manifest({ regions: [{ region: "eu-west-1", endpoint: smtpEndpoint("eu-west-1") }] }, []), { layers: ["smtp"] }, healthy({}));
    expect((await credentialObservations(b.r)).obs.simulations.map((s) => s.result)).toEqual([noIdentity("its domains")]);
    const c = layerRun(manifest({}, []), { layers: ["smtp"] }, healthy({}));
    await credentialObservations(c.r);
    expect(c.calls.filter((x) => x.startsWith("aws.simulateSend")).map((x) => x.split(" ")[1])).toEqual([USER_ARN, USER_ARN]);
  });

  it("during a rotation it does not log in, and says which keys make it one; forced, it logs in and remembers when", async () => {
    const passwords = { [EAST]: "PASSWORD-EAST-0001" };
    const { r, calls } = layerRun(manifest(), {}, healthy(passwords, [KEY, OLD]));
    const { obs, loginsThisRun } = await credentialObservations(r);
    expect(calls.some((c) => c.startsWith("smtp.auth"))).toBe(false);
    expect(obs.authWithheld).toEqual({ keys: [KEY, OLD] });
    expect(obs.auth).toEqual(new Map());
    expect(loginsThisRun).toEqual(new Map());
    expect("loginsThisRun" in obs).toBe(false);

    const before = Date.now();
    const forced = layerRun(manifest(), { smtpAuthDuringRotation: true }, healthy(passwords, [KEY, OLD]));
    const f = await credentialObservations(forced.r);
    expect(forced.calls.filter((c) => c.startsWith("smtp.auth"))).toHaveLength(1);
    expect("authWithheld" in f.obs).toBe(false);
    expect([...f.loginsThisRun.keys()]).toEqual([EAST]);
    expect(f.loginsThisRun.get(EAST)?.getTime()).toBeGreaterThanOrEqual(before);
    expect(f.obs.loginsThisRun).toBe(f.loginsThisRun);

    // Not rotating (one key), even when forced: no login time is kept.
    const single = layerRun(manifest(), { smtpAuthDuringRotation: true }, healthy(passwords, [KEY]));
    expect((await credentialObservations(single.r)).loginsThisRun).toEqual(new Map());
  });

  it("the rotation is judged for the key the secret logs in with, not the manifest's", async () => {
    // The secret holds the old key: logging in with it is no use of the current key, so it goes ahead.
    const answers = healthy({ [EAST]: "PASSWORD-EAST-0001" }, [KEY, OLD]);
    const oldSecret: FakeAnswers = { ...answers, aws: { ...answers.aws, secretValue: async () => observed(secretJson(OLD, { [EAST]: "PASSWORD-EAST-0001" })) } };
    const a = layerRun(manifest(), { layers: ["smtp"] }, oldSecret);
    const o = await credentialObservations(a.r);
    expect(a.calls.filter((c) => c.startsWith("smtp.auth"))).toEqual([`smtp.auth ${target(EAST)} ${OLD} PASSWORD-EAST-0001 ${EAST}`]);
    expect("authWithheld" in o.obs).toBe(false);
    // An unreadable secret: the manifest's key is the login key, and two keys make a rotation.
    const b = layerRun(manifest(), { layers: ["smtp"] }, { ...answers, aws: { ...answers.aws, secretValue: async () => denied } });
    expect((await credentialObservations(b.r)).obs.authWithheld).toEqual({ keys: [KEY, OLD] });
  });

  it("keys that cannot be listed: the manifest's previous key decides the rotation, and the withheld keys are the manifest's", async () => {
    const answers = healthy({ [EAST]: "PASSWORD-EAST-0001" });
    const unlisted: FakeAnswers = { ...answers, aws: { ...answers.aws, accessKeys: async () => denied } };
    const a = layerRun(manifest({ previousKey: { generation: 1, accessKeyId: OLD, state: "active" } }), { layers: ["smtp"] }, unlisted);
    expect((await credentialObservations(a.r)).obs.authWithheld).toEqual({ keys: [KEY, OLD] });
    const b = layerRun(manifest({ previousKey: { generation: 1, state: "inactive" } }), { layers: ["smtp"] }, unlisted);
    expect((await credentialObservations(b.r)).obs.authWithheld).toEqual({ keys: [KEY] });
  });

  it("carries the supplied secret key and verify's own earlier logins; an empty --smtp-login-at list is left out", async () => {
    const own = new Map([[EAST, new Date("2026-12-06T08:00:00Z")]]);
    const { r } = layerRun(manifest(), { layers: ["smtp"], secretKey: "SUPPLIED-SECRET-KEY-01", ownLogins: own }, healthy({ [EAST]: "PASSWORD-EAST-0001" }));
    const { obs } = await credentialObservations(r);
    expect(obs.suppliedSecretKey).toBe("SUPPLIED-SECRET-KEY-01");
    expect(obs.ownLogins).toBe(own);
    const b = layerRun(manifest(), { layers: ["smtp"], ownLogins: new Map() }, healthy({ [EAST]: "PASSWORD-EAST-0001" }));
    const o = (await credentialObservations(b.r)).obs;
    expect("ownLogins" in o || "suppliedSecretKey" in o).toBe(false);
  });
});
