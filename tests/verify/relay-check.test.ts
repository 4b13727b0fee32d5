/**
 * relay.gmail (scripts/verify/layers/relay/check.ts checkGmailAliases) on hand-built Gmail
 * observations: every branch of the alias verdict, the key-use evidence it carries, and the
 * Gmail credentials cause. tests/verify/relay.test.ts reads the same aliases through a loopback
 * Gmail API (a server test, slow under mutation testing); this file is pure, so Stryker runs it
 * against every mutant of the check. checkRetire has its own file (retire.test.ts).
 *
 * The settings SES accepts from Gmail are from the SES SMTP documentation: the endpoint
 * email-smtp.<region>.amazonaws.com, port 587 with STARTTLS or 465 with TLS wrapper ("ssl" in
 * Gmail's smtpMsa.securityMode).
 */
import { describe, expect, it } from "vitest";
import type { Manifest } from "../../lib/manifest";
import { groupByCause, type Observation, observed, type Unobservable } from "../../lib/verify/findings";
import { checkGmailAliases, GMAIL_CREDENTIALS, type GmailSendAs, type RelayObservations } from "../../scripts/verify/layers/relay/check";
import type { AccessKeyState, KeyLastUsed } from "../../scripts/verify/layers/smtp/check";

const CUR = "AKIAEXAMPLECURRENT01";
const PREV = "AKIAEXAMPLEPREVIOUS1";
const ADMIN = "admin@example.com";
const OPS = "ops@example.com";
const US = "email-smtp.us-east-1.amazonaws.com";

/** The previous key the manifest declares; null: none (a stack that never rotated). */
type Prev = NonNullable<Manifest["smtp"]["previousKey"]> | null;
function manifest(prev: Prev = { generation: 1, accessKeyId: PREV, state: "active" }): Manifest {
  return {
    stack: "prod",
    smtp: { user: "mail-infra-smtp-prod", accessKeyId: CUR, keyGeneration: 2, secretName: "mail-infra/prod/ses-smtp", secretRegion: "us-east-1", port: 587, ...(prev ? { previousKey: prev } : {}) },
    senders: [
      { kind: "gmail-send-as", account: "someone@gmail.com", address: ADMIN, region: "us-east-1", smtpEndpoint: US },
      { kind: "smtp-client", address: "app@example.com", region: "us-east-1", smtpEndpoint: US },
      { kind: "gmail-send-as", address: OPS, region: "eu-west-1", smtpEndpoint: "email-smtp.eu-west-1.amazonaws.com" },
    ],
  } as unknown as Manifest;
}
const KEYS: AccessKeyState[] = [
  { id: CUR, status: "Active", createDate: "2026-11-29T11:00:00.000Z" },
  { id: PREV, status: "Active", createDate: "2025-01-01T00:00:00.000Z" },
] as AccessKeyState[];
const accepted = (host = US, port = 587, securityMode = "starttls"): GmailSendAs => ({ sendAsEmail: ADMIN, verificationStatus: "accepted", smtpMsa: { host, port, securityMode } });
const denied: Unobservable = { ok: false, reason: "denied", message: "Gmail answered 403: insufficient scope", needs: "Grant the scope gmail.settings.basic." };

function obs(admin: Observation<GmailSendAs> | undefined, over: Partial<RelayObservations> = {}): RelayObservations {
  const lastUsed = new Map<string, Observation<KeyLastUsed>>([
    [CUR, observed({ lastUsedDate: "2026-11-29T12:00:00.000Z", serviceName: "ses", region: "us-east-1" })],
    [PREV, observed({})],
  ]);
  const gmail = new Map<string, Observation<GmailSendAs>>([[OPS, observed({ sendAsEmail: OPS, verificationStatus: "accepted", smtpMsa: { host: "email-smtp.eu-west-1.amazonaws.com", port: 465, securityMode: "ssl" } })]]);
  if (admin) gmail.set(ADMIN, admin);
  return { accessKeys: observed(KEYS), lastUsed, gmail, ...over };
}
/** The finding for admin@example.com (the first gmail-send-as sender). */
const admin = (o: RelayObservations, m: Manifest = manifest()) => {
  const fs = checkGmailAliases(m, o);
  expect(fs.map((f) => f.subject)).toEqual([`${ADMIN} (gmail-send-as in someone@gmail.com)`, `${OPS} (gmail-send-as)`]);
  return fs[0]!;
};
const FIX = "Fix it in Gmail: `npm run relay-fix -- --sender admin@example.com` prints the steps (docs/operations.md#fix-a-gmail-send-mail-as-alias).";
const writeOnly = expect.stringMatching(/^Gmail never returns the alias's SMTP username or password \(write-only fields\)/);

describe("relay.gmail: an alias SES accepts", () => {
  it("accepted, the SES endpoint of the sender's region, 587 with starttls: pass, with what Gmail returned and the keys' last use", () => {
    expect(admin(obs(observed(accepted())))).toEqual({
      layer: "relay",
      id: "relay.gmail",
      subject: `${ADMIN} (gmail-send-as in someone@gmail.com)`,
      status: "pass",
      summary: `Gmail returns the alias as accepted, relaying through ${US}:587 (starttls); which key it holds is not readable here (relay.credentials judges that)`,
      evidence: ["verificationStatus accepted", `smtpMsa ${US}:587 (starttls)`, writeOnly, `key ${CUR} last used 2026-11-29T12:00:00.000Z by ses in us-east-1`, `key ${PREV} never used`],
    });
  });

  it("465 with ssl is the other mode; the host is compared without regard to case (RFC 4343); a sender without an account is named without one", () => {
    const fs = checkGmailAliases(manifest(), obs(observed(accepted("Email-SMTP.US-East-1.amazonaws.com", 465, "ssl"))));
    expect(fs.map((f) => [f.subject, f.status])).toEqual([
      [`${ADMIN} (gmail-send-as in someone@gmail.com)`, "pass"],
      [`${OPS} (gmail-send-as)`, "pass"],
    ]);
  });

  it("no Gmail observations at all (the check was not made): no finding", () => {
    const { gmail: _none, ...rest } = obs(observed(accepted()));
    expect(checkGmailAliases(manifest(), rest)).toEqual([]);
  });
});

describe("relay.gmail: an alias that is missing or unreadable", () => {
  it("Gmail has no such alias: fail, with its answer and how to add the alias", () => {
    const f = admin(obs({ ok: false, reason: "notfound", message: "Gmail: Requested entity was not found." }));
    expect([f.layer, f.id, f.status, f.summary, f.evidence]).toEqual(["relay", "relay.gmail", "fail", `the account has no "Send mail as" alias ${ADMIN}`, ["Gmail: Requested entity was not found."]]);
    expect(f.remediation).toMatch(/^Add the alias in Gmail as someone@gmail\.com: Settings → /);
  });

  it("an alias Gmail would not show, or one not read: inconclusive, passing the reason on", () => {
    const f = admin(obs(denied));
    expect(f).toMatchObject({ layer: "relay", id: "relay.gmail", status: "inconclusive", summary: "could not check the Gmail alias: Gmail answered 403: insufficient scope", remediation: "Grant the scope gmail.settings.basic." });
    const unread = admin(obs(undefined));
    expect(unread).toMatchObject({ layer: "relay", id: "relay.gmail", status: "inconclusive", summary: "could not check the Gmail alias: the alias was not read", evidence: ["error: the alias was not read"] });
  });

  it("a refused token: each alias depends on the same cause, reported once as gmail.credentials with the token fix", () => {
    const refused: Unobservable = { ok: false, reason: "denied", message: "Gmail refused the access token (401: invalid)", needs: GMAIL_CREDENTIALS.remediation, cause: GMAIL_CREDENTIALS };
    const o = obs(refused, { gmail: new Map([[ADMIN, refused], [OPS, refused]]) });
    const fs = checkGmailAliases(manifest(), o);
    expect(fs.map((f) => f.cause)).toEqual([
      expect.objectContaining({ key: "gmail.credentials", id: "gmail.credentials" }),
      expect.objectContaining({ key: "gmail.credentials", id: "gmail.credentials" }),
    ]);
    const [one, ...rest] = groupByCause(fs);
    expect(rest).toEqual([]);
    expect(one).toMatchObject({
      id: "gmail.credentials",
      subject: "Gmail API credentials",
      status: "inconclusive",
      summary: "the Gmail API refused the access token, so no Gmail alias could be read",
      blocked: [
        { layer: "relay", id: "relay.gmail", subject: `${ADMIN} (gmail-send-as in someone@gmail.com)`, status: "inconclusive" },
        { layer: "relay", id: "relay.gmail", subject: `${OPS} (gmail-send-as)`, status: "inconclusive" },
      ],
    });
    // Scopes that allow users.settings.sendAs.get (Gmail API reference), and where the token goes.
    for (const part of ["https://www.googleapis.com/auth/gmail.settings.basic", "gmail.readonly", "--gmail-token-file FILE", "GMAIL_ACCESS_TOKEN"]) expect(one!.remediation).toContain(part);
  });
});

describe("relay.gmail: an alias that does not relay through SES", () => {
  it("pending: fail; the fix is the confirmation alone, not the SMTP settings", () => {
    const f = admin(obs(observed({ ...accepted(), verificationStatus: "pending" })));
    expect([f.status, f.summary, f.evidence.slice(0, 2)]).toEqual([
      "fail",
      "the alias is pending, not accepted: Gmail will not send as it until the confirmation link is followed",
      ["verificationStatus pending", `smtpMsa ${US}:587 (starttls)`],
    ]);
    expect(f.remediation).toMatch(/^Gmail is waiting for the confirmation of admin@example\.com: /);
    expect(f.remediation).not.toContain("Then:");
    expect(f.remediation).not.toContain("relay-fix");
    // No status at all is not accepted either.
    const { verificationStatus: _s, ...bare } = accepted();
    const none = admin(obs(observed(bare)));
    expect([none.status, none.summary, none.evidence[0]]).toEqual(["fail", "the alias is not verified, not accepted: Gmail will not send as it until the confirmation link is followed", "verificationStatus (none)"]);
  });

  it("pending and relaying elsewhere: both problems, the confirmation first, then the relay fix", () => {
    const f = admin(obs(observed({ ...accepted("smtp.gmail.com", 465, "starttls"), verificationStatus: "pending" })));
    expect(f.summary).toBe(
      "the alias is pending, not accepted: Gmail will not send as it until the confirmation link is followed; " +
        `the alias relays through smtp.gmail.com, not ${US} (the SES endpoint of us-east-1); ` +
        "port 465 with starttls is not one SES accepts from Gmail: use 587 with TLS (starttls) or 465 with SSL",
    );
    expect(f.remediation).toMatch(/^Gmail is waiting for the confirmation of admin@example\.com: .* The SMTP settings need no change for this\. Then: Fix it in Gmail: /);
    expect(f.remediation!.endsWith(` Then: ${FIX}`)).toBe(true);
  });

  it("no SMTP server: Gmail sends from its own servers; the port is not judged then", () => {
    const { smtpMsa: _m, ...direct } = accepted();
    const f = admin(obs(observed(direct)));
    expect([f.status, f.summary, f.evidence.slice(0, 2), f.remediation]).toEqual([
      "fail",
      `the alias has no SMTP server: Gmail sends it from its own servers, not through SES ${US}`,
      ["verificationStatus accepted", "no smtpMsa: Gmail sends this alias through its own servers"],
      FIX,
    ]);
    const hostless = admin(obs(observed({ ...accepted(), smtpMsa: { port: 25 } })));
    expect([hostless.summary, hostless.evidence[1]]).toEqual([`the alias has no SMTP server: Gmail sends it from its own servers, not through SES ${US}`, "smtpMsa ?:25 (?)"]);
  });

  it("another region's endpoint: fail, naming both hosts", () => {
    const f = admin(obs(observed(accepted("email-smtp.us-west-2.amazonaws.com"))));
    expect([f.layer, f.id, f.status, f.summary, f.remediation]).toEqual(["relay", "relay.gmail", "fail", `the alias relays through email-smtp.us-west-2.amazonaws.com, not ${US} (the SES endpoint of us-east-1)`, FIX]);
  });

  it("a port and mode SES does not pair: 587 with ssl, 465 with starttls, 25 with starttls, none given", () => {
    for (const [port, mode] of [[587, "ssl"], [465, "starttls"], [25, "starttls"]] as const) {
      const f = admin(obs(observed(accepted(US, port, mode))));
      expect([f.status, f.summary, f.remediation]).toEqual(["fail", `port ${port} with ${mode} is not one SES accepts from Gmail: use 587 with TLS (starttls) or 465 with SSL`, FIX]);
    }
    const f = admin(obs(observed({ ...accepted(), smtpMsa: { host: US } })));
    expect([f.summary, f.evidence[1]]).toEqual(["port ? with no security mode is not one SES accepts from Gmail: use 587 with TLS (starttls) or 465 with SSL", `smtpMsa ${US}:? (?)`]);
  });
});

describe("relay.gmail: the keys' last use in the evidence", () => {
  const tail = (o: RelayObservations, m?: Manifest) => admin(o, m).evidence.slice(3);

  it("the previous key from the manifest, or else the user's other key; none once retired or absent", () => {
    expect(tail(obs(observed(accepted())))).toEqual([`key ${CUR} last used 2026-11-29T12:00:00.000Z by ses in us-east-1`, `key ${PREV} never used`]);
    // No id in the manifest: the user's key that is not the current one.
    expect(tail(obs(observed(accepted())), manifest({ generation: 1, state: "inactive" }))[1]).toBe(`key ${PREV} never used`);
    expect(tail(obs(observed(accepted())), manifest({ generation: 1, accessKeyId: PREV, state: "retired" }))).toEqual([`key ${CUR} last used 2026-11-29T12:00:00.000Z by ses in us-east-1`]);
    expect(tail(obs(observed(accepted())), manifest(null))).toEqual([`key ${CUR} last used 2026-11-29T12:00:00.000Z by ses in us-east-1`]);
    // The keys unreadable and no id in the manifest: no previous key to name.
    expect(tail(obs(observed(accepted()), { accessKeys: denied }), manifest({ generation: 1, state: "active" }))).toEqual([`key ${CUR} last used 2026-11-29T12:00:00.000Z by ses in us-east-1`]);
  });

  it("a record not read, unreadable, or without service and region", () => {
    const lastUsed = new Map<string, Observation<KeyLastUsed>>([[PREV, denied]]);
    expect(tail(obs(observed(accepted()), { lastUsed }))).toEqual([`key ${CUR}: last use not read`, `key ${PREV}: last use unknown (Gmail answered 403: insufficient scope)`]);
    const bare = new Map<string, Observation<KeyLastUsed>>([[CUR, observed({ lastUsedDate: "2026-11-29T12:00:00.000Z" })]]);
    expect(tail(obs(observed(accepted()), { lastUsed: bare }))[0]).toBe(`key ${CUR} last used 2026-11-29T12:00:00.000Z by ? in ?`);
  });
});
