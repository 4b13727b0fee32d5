/**
 * The smtp layer's pure checks (scripts/verify/layers/smtp/check.ts) where tests/verify/checks.test.ts
 * does not look: the secret's parse errors, the unknown SMTP user of discovery, the simulator's
 * questions and every answer smtp.permission can get, smtp.auth withheld during a rotation, a
 * 554 naming an address identity, and relay.credentials' guards. tests/verify/permission.test.ts
 * and tests/address-identities.test.ts make some of these cases against moto and the program's
 * own manifest (slow under mutation testing); here the manifest is built by hand.
 *
 * From the AWS documentation: the SES SMTP username is the access key id and the password is
 * derived per region (SMTP password v4); IAM's policy simulator answers allowed, implicitDeny or
 * explicitDeny and lists the condition keys it was not given (MissingContextValues); SES answers
 * a send that IAM refuses with 554 Access denied naming the resource.
 */
import { describe, expect, it } from "vitest";
import { DISCOVERED_STACK, type Manifest } from "../../lib/manifest";
import { smtpEndpoint } from "../../lib/regions";
import { deriveSmtpPasswordV4 } from "../../lib/smtp-password";
import { type Finding, type Observation, observed, type Unobservable } from "../../lib/verify/findings";
import {
  type AccessKeyState,
  checkPermissions as checkPermissionsOf,
  checkRelays as checkRelaysOf,
  checkSmtpLayer as checkSmtpLayerOf,
  duringRotation,
  type KeyLastUsed,
  parseSmtpSecret,
  type SimulationQuestion,
  type SimulationResult,
  simulationQuestions,
  type SmtpObservations,
  unknownSmtpUser,
} from "../../scripts/verify/layers/smtp/check";
import { ACCOUNT, manifestRegion } from "../helpers/manifest";

const D = "example.com";
const CUR = "AKIAEXAMPLECURRENT01";
const OLD = "AKIAEXAMPLEOLDKEY001";
const SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCURRENTKEY";
const USER = "mail-infra-smtp-prod";
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/${USER}`;
const SECRET_ID = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mail-infra/prod/ses-smtp-AbCdEf`;
const REGIONS = ["us-east-1", "us-west-2"];

function manifest(over: Partial<Manifest> = {}): Manifest {
  return {
    version: 1,
    project: "mail-infra",
    stack: "prod",
    domains: [{ domain: D, dns: { mode: "external" }, regions: REGIONS.map((r) => manifestRegion(D, r, `bounce.${D}`)), records: [] }],
    smtp: {
      user: USER,
      userArn: USER_ARN,
      accessKeyId: CUR,
      keyGeneration: 2,
      secretId: SECRET_ID,
      secretName: "mail-infra/prod/ses-smtp",
      secretRegion: "us-east-1",
      port: 587,
      regions: REGIONS.map((region) => ({ region, endpoint: smtpEndpoint(region) })),
    },
    senders: [
      { address: "admin@example.com", kind: "gmail-send-as", account: "someone@gmail.com", region: "us-east-1", smtpEndpoint: smtpEndpoint("us-east-1") },
      { address: "app@Example.COM", kind: "smtp-client", region: "us-west-2", smtpEndpoint: smtpEndpoint("us-west-2") },
    ],
    ...over,
  } as Manifest;
}
const M = manifest();
const [EAST, WEST] = M.domains[0]!.regions;

const secret = (username = CUR, regions = REGIONS, key = SECRET_KEY) =>
  JSON.stringify({ username, keyGeneration: 2, regions: Object.fromEntries(regions.map((r) => [r, { host: smtpEndpoint(r), port: 587, password: deriveSmtpPasswordV4(key, r) }])) });
const KEYS: AccessKeyState[] = [{ id: CUR, status: "Active", createDate: "2026-04-29T00:00:00.000Z" }];
const denied: Unobservable = { ok: false, reason: "denied", message: "AccessDenied", needs: "Grant secretsmanager:GetSecretValue." };
function obs(over: Partial<SmtpObservations> = {}): SmtpObservations {
  return {
    secret: observed(secret()),
    accessKeys: observed(KEYS),
    lastUsed: new Map([[CUR, observed({ lastUsedDate: "2026-04-30T10:00:00.000Z", serviceName: "ses", region: "us-east-1" })]]),
    auth: new Map(REGIONS.map((r) => [r, observed({ code: 235, ms: 120, message: "235 Authentication successful" })])),
    simulations: [],
    ...over,
  };
}
/** Every finding these checks make names its layer and one of the layer's check ids. */
const LAYER_OF: Record<string, string> = {
  "smtp.secret": "smtp",
  "smtp.key": "smtp",
  "smtp.password": "smtp",
  "smtp.auth": "smtp",
  "smtp.permission": "smtp",
  "smtp.send-test": "smtp",
  "relay.credentials": "relay",
};
function named(fs: Finding[]): Finding[] {
  for (const f of fs) expect([f.id, f.layer], f.summary).toEqual([f.id, LAYER_OF[f.id] ?? "(no such check)"]);
  return fs;
}
const checkSmtpLayer = (...a: Parameters<typeof checkSmtpLayerOf>) => named(checkSmtpLayerOf(...a));
const checkRelays = (...a: Parameters<typeof checkRelaysOf>) => named(checkRelaysOf(...a));
const checkPermissions = (...a: Parameters<typeof checkPermissionsOf>) => named(checkPermissionsOf(...a));
const byId = (fs: Finding[], id: string) => fs.filter((f) => f.id === id);

describe("the secret", () => {
  it("parse errors name the fields, never values; '(root)' when the JSON is no object", () => {
    expect(parseSmtpSecret("{")).toEqual({ ok: false, message: "the secret value is not JSON" });
    expect(parseSmtpSecret(JSON.stringify({ username: "", regions: { "us-east-1": { host: "h", port: 587 } } }))).toEqual({ ok: false, message: "the secret JSON lacks username, regions.us-east-1.password" });
    expect(parseSmtpSecret("[]")).toEqual({ ok: false, message: "the secret JSON lacks (root)" });
    expect(parseSmtpSecret(secret())).toMatchObject({ ok: true, value: { username: CUR } });
  });

  it("smtp.secret's pass names the regions and the username; an invalid secret is one cause for every AUTH not tried", () => {
    const [pass] = checkSmtpLayer(M, obs());
    expect(pass).toMatchObject({ id: "smtp.secret", subject: "secret mail-infra/prod/ses-smtp", status: "pass", summary: "holds the username and a password for us-east-1, us-west-2" });
    const fs = checkSmtpLayer(M, obs({ secret: observed("[]"), auth: new Map() }));
    const [bad] = byId(fs, "smtp.secret");
    expect([bad!.status, bad!.summary, bad!.evidence, bad!.remediation]).toEqual(["fail", "the secret JSON lacks (root)", [SECRET_ID], "Run `pulumi up --refresh` to write the secret again."]);
    const auths = byId(fs, "smtp.auth");
    expect(auths.map((f) => [f.status, f.summary, f.remediation])).toEqual(
      REGIONS.map(() => ["inconclusive", "could not check SMTP AUTH: no password to try: the secret mail-infra/prod/ses-smtp is not valid", "Fix the smtp.secret check first."]),
    );
    expect(new Set([bad!.cause?.key, ...auths.map((f) => f.cause?.key)])).toEqual(new Set([`smtp.secret invalid ${SECRET_ID}`]));
    expect(auths[0]!.evidence).toEqual(["error: no password to try: the secret mail-infra/prod/ses-smtp is not valid"]);
  });

  it("a secret that lacks a region: that region's AUTH shares the secret's cause", () => {
    const fs = checkSmtpLayer(M, obs({ secret: observed(secret(CUR, ["us-east-1"])), auth: new Map([["us-east-1", observed({ code: 235, ms: 1, message: "ok" })]]) }));
    const [s] = byId(fs, "smtp.secret");
    expect([s!.summary, s!.evidence, s!.remediation, s!.cause?.key]).toEqual(["no password for us-west-2", [`secret id ${SECRET_ID}`], "Run `pulumi up --refresh` to write the passwords for every region.", `smtp.secret regions ${SECRET_ID}`]);
    expect(byId(fs, "smtp.auth")[1]).toMatchObject({ evidence: ["error: no password to try: the secret holds none for us-west-2"], remediation: "Fix the smtp.secret check first.", cause: { key: `smtp.secret regions ${SECRET_ID}` } });
    const three = manifest({ smtp: { ...M.smtp, regions: ["us-east-1", "us-west-2", "eu-west-1"].map((region) => ({ region, endpoint: smtpEndpoint(region) })) } });
    expect(byId(checkSmtpLayer(three, obs({ secret: observed(secret(CUR, ["us-east-1"])) })), "smtp.secret")[0]!.summary).toBe("no password for us-west-2, eu-west-1");
  });

  it("a secret that does not exist or cannot be read: each AUTH says so, with the secret's own cause and fix", () => {
    const gone = checkSmtpLayer(M, obs({ secret: { ok: false, reason: "notfound", message: "ResourceNotFoundException" }, auth: new Map() }));
    expect(byId(gone, "smtp.secret")[0]).toMatchObject({ status: "fail", evidence: [SECRET_ID], remediation: "Restore it (`aws secretsmanager restore-secret`) or run `pulumi up --refresh`.", cause: { key: "notfound: ResourceNotFoundException" } });
    expect(byId(gone, "smtp.auth")[0]).toMatchObject({ evidence: ["error: no password to try: the secret mail-infra/prod/ses-smtp does not exist"], remediation: "Fix the smtp.secret check first.", cause: { key: "notfound: ResourceNotFoundException" } });
    const unread = checkSmtpLayer(M, obs({ secret: denied, auth: new Map() }));
    expect(byId(unread, "smtp.secret")[0]).toMatchObject({ status: "inconclusive", summary: "could not check the secret: AccessDenied" });
    expect(byId(unread, "smtp.auth")[0]).toMatchObject({
      summary: "could not check SMTP AUTH: no password to try: the secret mail-infra/prod/ses-smtp could not be read",
      evidence: ["denied: no password to try: the secret mail-infra/prod/ses-smtp could not be read"],
      remediation: "Grant secretsmanager:GetSecretValue.",
      cause: { key: "denied: AccessDenied" },
    });
    const noNeeds = checkSmtpLayer(M, obs({ secret: { ok: false, reason: "timeout", message: "no answer" }, auth: new Map() }));
    expect(byId(noNeeds, "smtp.auth")[0]!.remediation).toBe("Fix the smtp.secret check first.");
  });
});

describe("the SMTP user discovery could not learn", () => {
  const smtp = { ...M.smtp, user: "", userArn: "", accessKeyId: "" };

  it("through the secret: missing, unreadable, invalid, or a key IAM names no user for", () => {
    expect(unknownSmtpUser(smtp, { ok: false, reason: "notfound", message: "ResourceNotFoundException" })).toEqual({
      ok: false,
      reason: "error",
      message: `the SMTP user is unknown: it is found through the access key in the secret ${SECRET_ID}, which does not exist`,
      needs: "Fix the smtp.secret check first, or run verify with --stack so the user comes from the stack's manifest.",
      cause: { key: "notfound: ResourceNotFoundException" },
    });
    expect(unknownSmtpUser(smtp, denied)).toMatchObject({ reason: "denied", message: `the SMTP user is unknown: it is found through the access key in the secret ${SECRET_ID}, which could not be read`, cause: { key: "denied: AccessDenied" } });
    expect(unknownSmtpUser(smtp, observed("{"))).toEqual({
      ok: false,
      reason: "error",
      message: `the SMTP user is unknown: the secret ${SECRET_ID} is not valid (the secret value is not JSON)`,
      needs: "Fix the smtp.secret check first, or run verify with --stack so the user comes from the stack's manifest.",
      cause: { key: `smtp.secret invalid ${SECRET_ID}` },
    });
    expect(unknownSmtpUser(smtp, observed(secret()))).toEqual({
      ok: false,
      reason: "error",
      message: `the SMTP user is unknown: IAM named no user for the access key ${CUR} stored in ${SECRET_ID} (GetAccessKeyLastUsed)`,
      needs: "Check that the key still exists (`aws iam get-access-key-last-used --access-key-id <id>`), or run verify with --stack.",
    });
  });

  it("smtp.key without a user or key: no blank names; a missing user is not claimed when there is none to look for", () => {
    const m = { ...M, smtp };
    const u = unknownSmtpUser(smtp, { ok: false, reason: "notfound", message: "ResourceNotFoundException" });
    const [key] = byId(checkSmtpLayer(m, obs({ secret: { ok: false, reason: "notfound", message: "gone" }, accessKeys: u })), "smtp.key");
    expect([key!.subject, key!.status]).toEqual(["the SMTP access key", "inconclusive"]);
    const [keyOnly] = byId(checkSmtpLayer(m, obs({ accessKeys: { ok: false, reason: "notfound", message: "NoSuchEntity" } })), "smtp.key");
    expect([keyOnly!.subject, keyOnly!.status, keyOnly!.summary]).toEqual([`access key ${CUR}`, "inconclusive", "could not check the user's access keys: NoSuchEntity"]);
    const [missing] = byId(checkSmtpLayer(M, obs({ accessKeys: { ok: false, reason: "notfound", message: "NoSuchEntity" } })), "smtp.key");
    expect([missing!.subject, missing!.status, missing!.remediation, missing!.cause?.key]).toEqual([
      `access key ${CUR} of ${USER}`,
      "fail",
      "Run `pulumi up --refresh` (the refresh drops the deleted user from the state, so the program creates it again).",
      "notfound: NoSuchEntity",
    ]);
  });
});

describe("smtp.key", () => {
  it("lists the user's other keys, with what is unknown as '?'", () => {
    const keys = observed([{ id: CUR, status: "Active" }, { id: OLD, status: "Inactive", createDate: "2025-01-01T00:00:00.000Z" }, { id: "AKIATHIRD", status: "Active" }]);
    const [pass] = byId(checkSmtpLayer(M, obs({ accessKeys: keys })), "smtp.key");
    expect([pass!.status, pass!.summary, pass!.evidence]).toEqual(["pass", "exists and is Active", ["created ?", `other key ${OLD} (Inactive, created 2025-01-01T00:00:00.000Z)`, "other key AKIATHIRD (Active, created ?)"]]);
    const [inactive] = byId(checkSmtpLayer(M, obs({ accessKeys: observed([{ id: CUR, status: "Inactive" }, { id: OLD, status: "Active" }]) })), "smtp.key");
    expect(inactive!.evidence).toEqual(["created ?", `other key ${OLD} (Active, created ?)`]);
    const [listed] = byId(checkSmtpLayer(M, obs({ accessKeys: observed([{ id: OLD, status: "Active" }, { id: "AKIATHIRD", status: "Inactive" }]) })), "smtp.key");
    expect([listed!.status, listed!.evidence]).toEqual(["fail", [`keys of ${USER}: ${OLD} (Active), AKIATHIRD (Inactive)`]]);
    const [stale] = byId(checkSmtpLayer(M, obs({ accessKeys: observed([]) })), "smtp.key");
    expect([stale!.status, stale!.summary, stale!.evidence, stale!.remediation]).toEqual([
      "fail",
      `the secret's username ${CUR} is not an access key of ${USER}: the secret is stale`,
      [`keys of ${USER}: none`],
      "Run `pulumi up --refresh` so the secret is rewritten from the current key; then update every relay (see the relay layer).",
    ]);
  });
});

describe("smtp.password", () => {
  it("checked only with a secret key; a supplied key with no readable secret is inconclusive; a region it cannot derive for is stale", () => {
    expect(byId(checkSmtpLayer(M, obs()), "smtp.password")).toEqual([]);
    const [pass] = byId(checkSmtpLayer(M, obs({ secret: observed(JSON.stringify({ ...JSON.parse(secret()), secretAccessKey: SECRET_KEY })) })), "smtp.password");
    expect(pass).toMatchObject({ subject: "passwords in mail-infra/prod/ses-smtp", status: "pass", summary: "each stored password is the v4 derivation of the key for its region" });
    const [unread] = byId(checkSmtpLayer(M, obs({ secret: observed("{"), suppliedSecretKey: SECRET_KEY })), "smtp.password");
    expect([unread!.subject, unread!.status, unread!.summary]).toEqual(["passwords in mail-infra/prod/ses-smtp", "inconclusive", "could not check the stored passwords: no password to try: the secret mail-infra/prod/ses-smtp is not valid"]);
    // A region SES has no SMTP endpoint in: the derivation refuses it, so its password cannot be this key's.
    const odd = JSON.parse(secret()) as { regions: Record<string, unknown> };
    odd.regions["xx-nowhere-1"] = { host: "h", port: 587, password: "x" };
    const [stale] = byId(checkSmtpLayer(M, obs({ secret: observed(JSON.stringify(odd)), suppliedSecretKey: SECRET_KEY })), "smtp.password");
    expect([stale!.subject, stale!.status, stale!.summary, stale!.remediation]).toEqual([
      "passwords in mail-infra/prod/ses-smtp",
      "fail",
      "the stored password for xx-nowhere-1 is not derived from this key",
      "Run `pulumi up --refresh` to rewrite the secret (or derive it with `npm run smtp-password -- --region <r>`).",
    ]);
  });
});

describe("smtp.password, more", () => {
  it("names every region whose password is another key's; a stack declaring no SMTP region with an invalid secret does not fail", () => {
    const [f] = byId(checkSmtpLayer(M, obs({ secret: observed(secret(CUR, REGIONS, "another+secret+key")), suppliedSecretKey: SECRET_KEY })), "smtp.password");
    expect(f!.summary).toBe("the stored password for us-east-1, us-west-2 is not derived from this key");
    const none = manifest({ smtp: { ...M.smtp, regions: [] } });
    expect(byId(checkSmtpLayer(none, obs({ secret: observed("{"), suppliedSecretKey: SECRET_KEY })), "smtp.password").map((x) => x.status)).toEqual(["inconclusive"]);
  });
});

describe("smtp.auth", () => {
  it("an AUTH that could not be made: inconclusive, passing the reason on", () => {
    const auth = new Map<string, Observation<{ code: number; ms: number; message: string }>>([["us-east-1", { ok: false, reason: "timeout", message: "no greeting", needs: "Check port 587." }]]);
    const [east] = byId(checkSmtpLayer(M, obs({ auth })), "smtp.auth");
    expect([east!.status, east!.summary, east!.remediation]).toEqual(["inconclusive", "could not check SMTP AUTH: no greeting", "Check port 587."]);
  });

  it("says where the session went when the endpoint was overridden, passing or failing", () => {
    const auth = new Map<string, Observation<{ code: number; ms: number; message: string; connectedTo?: string }>>([
      ["us-east-1", observed({ code: 235, ms: 12, message: "ok", connectedTo: "connected to 127.0.0.1:2587 (override for us-east-1)" })],
      ["us-west-2", observed({ code: 535, ms: 15, message: "535 Authentication Credentials Invalid", connectedTo: "connected to 127.0.0.1:2588 (override for us-west-2)" })],
    ]);
    const [east, west] = byId(checkSmtpLayer(M, obs({ auth })), "smtp.auth");
    expect(east!.evidence).toEqual([`username ${CUR}`, "EHLO, STARTTLS (certificate valid), AUTH; no mail sent", "connected to 127.0.0.1:2587 (override for us-east-1)"]);
    expect([west!.status, west!.evidence, west!.remediation]).toEqual([
      "fail",
      [`username ${CUR}`, "server said: 535 Authentication Credentials Invalid", "connected to 127.0.0.1:2588 (override for us-west-2)"],
      "If the smtp.key check passed, the password is stale: run `pulumi up --refresh` to rewrite the secret from the current key.",
    ]);
    expect(east!.evidence).toHaveLength(3);
    const [plain] = byId(checkSmtpLayer(M, obs()), "smtp.auth");
    expect(plain!.evidence).toEqual([`username ${CUR}`, "EHLO, STARTTLS (certificate valid), AUTH; no mail sent"]);
  });

  it("during a rotation: not attempted, saying why and what was checked instead", () => {
    const keys = observed([...KEYS, { id: OLD, status: "Active" }]);
    const simulations = [
      { question: { sender: "admin@example.com", region: "us-east-1", resources: [], context: [] }, result: observed<SimulationResult>({ decision: "allowed", deniedResources: [] }) },
      { question: { region: "us-east-1", resources: [], context: [] }, result: { ok: false, reason: "error", message: "500" } as Unobservable },
      { question: { sender: "app@example.com", region: "us-west-2", resources: [], context: [] }, result: observed<SimulationResult>({ decision: "implicitDeny", deniedResources: [] }) },
    ];
    const o = obs({ accessKeys: keys, auth: new Map(), authWithheld: { keys: [CUR, OLD] }, simulations, suppliedSecretKey: SECRET_KEY });
    const [east] = byId(checkSmtpLayer(M, o), "smtp.auth");
    expect(east).toMatchObject({
      subject: "email-smtp.us-east-1.amazonaws.com:587 (us-east-1)",
      status: "inconclusive",
      summary: "not attempted during a rotation: a login with the current key would be recorded as its use by SES in us-east-1, which relay.retire could not tell from a relay's (and it would overwrite the relay's own record)",
      evidence: [
        `the user ${USER} has keys ${CUR}, ${OLD}: the rotation to ${CUR} is in progress until the previous key is retired`,
        "checked instead: the stored us-east-1 password is the v4 derivation of the current key's secret for us-east-1 (smtp.password)",
        `checked instead: key ${CUR} is Active (smtp.key)`,
        "checked instead: IAM said allowed for ses:SendRawEmail as admin@example.com in us-east-1 (smtp.permission)",
        "checked instead: IAM did not answer for ses:SendRawEmail in us-east-1 (smtp.permission)",
      ],
      remediation:
        "Nothing to fix: smtp.auth logs in again once the previous key is retired. To log in now anyway: `npm run verify -- --stack prod --smtp-auth-during-rotation`; relay evidence in us-east-1 then counts only for a probe sent after that login (the relay findings print the login's time).",
    });
    // Without the secret key, with another one, or keys unread.
    const noKey = byId(checkSmtpLayer(M, { ...o, suppliedSecretKey: undefined }), "smtp.auth")[0]!;
    expect(noKey.evidence[1]).toBe("checked instead: not re-derived: the secret holds no secret access key (give it with --secret-key-stdin to check that the us-east-1 password is derived from the current key)");
    const other = byId(checkSmtpLayer(M, { ...o, suppliedSecretKey: "another+secret+key" }), "smtp.auth")[0]!;
    expect(other.evidence[1]).toBe("checked instead: the stored us-east-1 password is NOT the v4 derivation of the key's secret (smtp.password fails)");
    // The secret's key is found by its id, wherever IAM lists it.
    const reordered = byId(checkSmtpLayer(M, { ...o, accessKeys: observed([{ id: OLD, status: "Inactive" }, ...KEYS]) }), "smtp.auth")[0]!;
    expect(reordered.evidence[2]).toBe(`checked instead: key ${CUR} is Active (smtp.key)`);
    const unread = byId(checkSmtpLayer(M, { ...o, accessKeys: denied }), "smtp.auth")[0]!;
    expect(unread.evidence[2]).toBe(`checked instead: key ${CUR}: not found among the user's keys (smtp.key)`);
  });

  it("during a rotation with an invalid secret: AUTH and the test send are not tried for want of a password", () => {
    const o = obs({ secret: observed("{"), auth: new Map(), authWithheld: { keys: [CUR, OLD] }, sendTest: new Map() });
    const fs = checkSmtpLayer(M, o);
    expect(byId(fs, "smtp.auth").map((f) => f.summary)).toEqual(REGIONS.map(() => "could not check SMTP AUTH: no password to try: the secret mail-infra/prod/ses-smtp is not valid"));
    expect(byId(fs, "smtp.send-test")).toEqual([]);
  });

  it("during a rotation, a region the secret has no password for, or with an answer, is judged as usual", () => {
    const o = obs({ secret: observed(secret(CUR, ["us-east-1"])), auth: new Map([["us-east-1", observed({ code: 235, ms: 1, message: "ok" })]]), authWithheld: { keys: [CUR, OLD] } });
    expect(byId(checkSmtpLayer(M, o), "smtp.auth").map((f) => [f.status, f.summary])).toEqual([
      ["pass", "AUTH accepted (235) in 1 ms"],
      ["inconclusive", "could not check SMTP AUTH: no password to try: the secret holds none for us-west-2"],
    ]);
  });
});

describe("smtp.send-test", () => {
  const DENIED = "554 Access denied: User `arn:aws:iam::123456789012:user/mail-infra-smtp-prod' is not authorized to perform `ses:SendRawEmail' on resource `arn:aws:ses:us-west-2:123456789012:identity/Admin@example.com'";
  const sent = (m: Manifest, message: string) => byId(checkSmtpLayer(m, obs({ sendTest: new Map([["us-west-2", observed({ code: 554, ms: 40, message })]]) })), "smtp.send-test")[0]!;

  it("a 554 on an address identity of the domain: that cause, and the fix of the mode", () => {
    const f = sent(M, DENIED);
    expect([f.subject, f.status, f.summary, f.evidence]).toEqual([
      "test message via us-west-2 to success@simulator.amazonses.com",
      "fail",
      "refused (554): SES authorised the send against the email-address identity admin@example.com (us-west-2), which the SMTP user's policy does not name",
      [DENIED, "an address identity takes precedence over its domain's identity: arn:aws:ses:us-west-2:123456789012:identity/Admin@example.com"],
    ]);
    expect(f.remediation).toBe(
      "Add admin@example.com to mail-infra:smtpAddressIdentities and run `pulumi up` (the send policy then names it in every SMTP region), or, if nothing needs that identity's own settings, delete it: `aws sesv2 delete-email-identity --email-identity admin@example.com --region us-west-2` (the domain identity then applies).",
    );
    expect(sent(manifest({ stack: DISCOVERED_STACK }), DENIED).remediation).toMatch(/^Add arn:aws:ses:us-west-2:123456789012:identity\/Admin@example\.com to the Resource list of the SMTP user's send policy, or, if nothing/);
  });

  it("any other refusal: the server's answer, and where to look", () => {
    const f = sent(M, "554 Message rejected: Email address is not verified.");
    expect([f.summary, f.evidence, f.remediation]).toEqual(["refused (554)", ["554 Message rejected: Email address is not verified."], "Read the server's answer above; the SES layer usually names the cause."]);
    const [ok] = byId(checkSmtpLayer(M, obs({ sendTest: new Map([["us-east-1", observed({ code: 250, ms: 300, message: "250 Ok 0100018e" })]]) })), "smtp.send-test");
    expect([ok!.status, ok!.summary, ok!.evidence]).toEqual(["pass", "accepted (250) in 300 ms", ["250 Ok 0100018e"]]);
  });

  it("a test send that could not be made: inconclusive", () => {
    const [f] = byId(checkSmtpLayer(M, obs({ sendTest: new Map([["us-east-1", { ok: false, reason: "unreachable", message: "refused" }]]) })), "smtp.send-test");
    expect([f!.layer, f!.status, f!.summary]).toEqual(["smtp", "inconclusive", "could not check the test send: refused"]);
  });

  it("during a rotation: not sent, for each region with a password that was not sent in", () => {
    const o = obs({ secret: observed(secret(CUR, ["us-east-1"])), auth: new Map(), authWithheld: { keys: [CUR, OLD] }, sendTest: new Map() });
    expect(byId(checkSmtpLayer(M, o), "smtp.send-test")).toEqual([
      {
        layer: "smtp",
        id: "smtp.send-test",
        subject: "test message via us-east-1 to success@simulator.amazonses.com",
        status: "inconclusive",
        summary: "not sent during a rotation: it logs in with the current key, which IAM would record as that key's use by SES in this region (see smtp.auth)",
        evidence: [],
        remediation: "Send it once the previous key is retired, or now with --smtp-auth-during-rotation (read smtp.auth first: it costs the relay evidence in us-east-1).",
      },
    ]);
    // Sent anyway (forced) in a region: that result, not the note.
    const forced = byId(checkSmtpLayer(M, { ...o, sendTest: new Map([["us-east-1", observed({ code: 250, ms: 1, message: "250 Ok" })]]) }), "smtp.send-test");
    expect(forced.map((f) => f.status)).toEqual(["pass"]);
    // Not asked for: nothing.
    expect(byId(checkSmtpLayer(M, { ...o, sendTest: undefined }), "smtp.send-test")).toEqual([]);
  });
});

describe("smtp.permission", () => {
  it("the questions: per sender its domain's identity and set in its region (domain lowercased), its address and region; unknown ARNs left out", () => {
    expect(simulationQuestions(M)).toEqual([
      { sender: "admin@example.com", region: "us-east-1", resources: [EAST!.identityArn, EAST!.configurationSetArn], context: [{ key: "ses:FromAddress", values: ["admin@example.com"] }, { key: "aws:RequestedRegion", values: ["us-east-1"] }] },
      { sender: "app@Example.COM", region: "us-west-2", resources: [WEST!.identityArn, WEST!.configurationSetArn], context: [{ key: "ses:FromAddress", values: ["app@Example.COM"] }, { key: "aws:RequestedRegion", values: ["us-west-2"] }] },
    ]);
    const unknown = manifest({ senders: [{ address: "x@other.example", kind: "smtp-client", region: "us-east-1", smtpEndpoint: smtpEndpoint("us-east-1") }] });
    expect(simulationQuestions(unknown)[0]!.resources).toEqual([]);
    const discovered = manifest({ domains: [{ ...M.domains[0]!, regions: [{ ...EAST!, configurationSetArn: "" }, WEST!] }], senders: [] });
    expect(simulationQuestions(discovered)).toEqual([
      { region: "us-east-1", resources: [EAST!.identityArn], context: [{ key: "aws:RequestedRegion", values: ["us-east-1"] }] },
      { region: "us-west-2", resources: [WEST!.identityArn, WEST!.configurationSetArn], context: [{ key: "aws:RequestedRegion", values: ["us-west-2"] }] },
    ]);
  });

  const q: SimulationQuestion = { sender: "admin@example.com", region: "us-east-1", resources: [EAST!.identityArn, EAST!.configurationSetArn], context: [{ key: "ses:FromAddress", values: ["admin@example.com"] }, { key: "aws:RequestedRegion", values: ["us-east-1", "us-east-2"] }] };
  const noSender: SimulationQuestion = { region: "us-east-1", resources: [EAST!.identityArn], context: [{ key: "aws:RequestedRegion", values: ["us-east-1"] }] };
  const asked = `asked IAM (SimulatePrincipalPolicy): ses:SendRawEmail on ${EAST!.identityArn}, ${EAST!.configurationSetArn} with ses:FromAddress=admin@example.com, aws:RequestedRegion=us-east-1|us-east-2`;
  const judge = (result: SimulationResult, question = q, m = M) => checkPermissions(m, [{ question, result: observed(result) }])[0]!;

  it("allowed: pass, with the question and the policy that allowed it (or that IAM named none)", () => {
    expect(judge({ decision: "allowed", deniedResources: [], matchedPolicies: ["a", "b"] })).toEqual({
      layer: "smtp",
      id: "smtp.permission",
      subject: `${USER} sending as admin@example.com in us-east-1`,
      status: "pass",
      summary: "IAM allows ses:SendRawEmail as admin@example.com in us-east-1",
      evidence: [asked, "allowed by a, b"],
    });
    const bare = judge({ decision: "allowed", deniedResources: [] }, noSender, manifest({ smtp: { ...M.smtp, user: "" } }));
    expect([bare.subject, bare.summary, bare.evidence[1]]).toEqual(["the SMTP user sending in us-east-1", "IAM allows ses:SendRawEmail in us-east-1", "allowed by a statement IAM did not name"]);
    expect(judge({ decision: "allowed", deniedResources: [], matchedPolicies: [] }).evidence[1]).toBe("allowed by a statement IAM did not name");
    expect(judge({ decision: "allowed", deniedResources: [] }, q, manifest({ smtp: { ...M.smtp, user: "" } })).subject).toBe("the SMTP user sending as admin@example.com in us-east-1");
  });

  it("an explicit Deny: fail, naming the denied resources and the policies", () => {
    const f = judge({ decision: "explicitDeny", deniedResources: [EAST!.identityArn], matchedPolicies: ["deny-all-ses"] });
    expect([f.status, f.summary, f.evidence, f.remediation]).toEqual([
      "fail",
      "an explicit Deny refuses ses:SendRawEmail as admin@example.com in us-east-1: SES refuses this sender's mail",
      [asked, `denied: ${EAST!.identityArn}`, "denied by deny-all-ses"],
      `Find the Deny statement (deny-all-ses) and remove it or narrow it so it does not match this sender; \`aws iam list-user-policies --user-name ${USER}\` lists the inline ones.`,
    ]);
    const unnamed = judge({ decision: "explicitDeny", deniedResources: [], matchedPolicies: [] }, noSender);
    expect([unnamed.summary, unnamed.evidence.length, unnamed.remediation]).toEqual([
      "an explicit Deny refuses ses:SendRawEmail in us-east-1: SES refuses this sender's mail",
      1,
      `Find the Deny statement (the user's policies, its permissions boundary) and remove it or narrow it so it does not match this sender; \`aws iam list-user-policies --user-name ${USER}\` lists the inline ones.`,
    ]);
    const none = judge({ decision: "explicitDeny", deniedResources: [] });
    expect([none.evidence, none.remediation]).toEqual([[asked], `Find the Deny statement (the user's policies, its permissions boundary) and remove it or narrow it so it does not match this sender; \`aws iam list-user-policies --user-name ${USER}\` lists the inline ones.`]);
    const two = judge({ decision: "explicitDeny", deniedResources: [], matchedPolicies: ["p1", "p2"] });
    expect([two.evidence[1], two.remediation]).toEqual(["denied by p1, p2", expect.stringMatching(/^Find the Deny statement \(p1, p2\) and remove it/)]);
  });

  it("no sender known and a policy that narrows From: inconclusive, with the question to ask by hand", () => {
    const f = judge({ decision: "implicitDeny", deniedResources: [EAST!.identityArn], missingContext: ["SES:FromAddress"] }, noSender);
    expect([f.status, f.summary, f.evidence]).toEqual([
      "inconclusive",
      "the policy allows only listed From addresses (ses:FromAddress) and no sender is known (none declared, or discovery mode), so there is no real From address to ask IAM about",
      [`asked IAM (SimulatePrincipalPolicy): ses:SendRawEmail on ${EAST!.identityArn} with aws:RequestedRegion=us-east-1`, "IAM said implicitDeny; condition keys not supplied: SES:FromAddress"],
    ]);
    expect(f.remediation).toBe(
      `List the senders in mail-infra:senders (each gets its own permission check), or ask IAM for an address by hand: \`aws iam simulate-principal-policy --policy-source-arn ${USER_ARN} --action-names ses:SendRawEmail --resource-arns ${EAST!.identityArn} --context-entries ContextKeyName=ses:FromAddress,ContextKeyValues=<address>,ContextKeyType=string\`.`,
    );
    const discovered = judge({ decision: "implicitDeny", deniedResources: [], missingContext: ["ses:FromAddress"] }, { ...noSender, resources: ["r1", "r2"] }, manifest({ smtp: { ...M.smtp, userArn: "" } }));
    expect(discovered.remediation).toContain("--policy-source-arn <user ARN> --action-names ses:SendRawEmail --resource-arns r1 r2 --context-entries");
    expect(judge({ decision: "implicitDeny", deniedResources: [], missingContext: ["ses:FromAddress", "aws:SourceIp"] }, noSender).evidence[1]).toBe("IAM said implicitDeny; condition keys not supplied: ses:FromAddress, aws:SourceIp");
  });

  it("other condition keys verify cannot supply: inconclusive, not a verdict", () => {
    const f = judge({ decision: "implicitDeny", deniedResources: [EAST!.configurationSetArn], missingContext: ["aws:SourceIp", "aws:CurrentTime"] });
    expect([f.status, f.summary, f.evidence, f.remediation]).toEqual([
      "inconclusive",
      "IAM said implicitDeny, but the policies use condition keys verify does not know the values of (aws:SourceIp, aws:CurrentTime): the answer does not stand for a real SMTP login",
      [asked, `denied: ${EAST!.configurationSetArn}`],
      `Simulate with those keys by hand (\`aws iam simulate-principal-policy --policy-source-arn ${USER_ARN} --action-names ses:SendRawEmail --context-entries ...\`), or remove the conditions the stack did not write.`,
    ]);
    const other = judge({ decision: "implicitDeny", deniedResources: [], missingContext: ["aws:SourceIp"] }, noSender, manifest({ smtp: { ...M.smtp, userArn: "" } }));
    expect([other.summary, other.remediation]).toEqual([
      "IAM said implicitDeny, but the policies use condition keys verify does not know the values of (aws:SourceIp): the answer does not stand for a real SMTP login",
      expect.stringContaining("--policy-source-arn <user ARN> "),
    ]);
    // A sender known: ses:FromAddress was given, so a missing key is another one, and it is only that.
    expect(judge({ decision: "implicitDeny", deniedResources: [], missingContext: ["ses:FromAddress"] }).summary).toMatch(/^IAM said implicitDeny, but the policies use condition keys/);
  });

  it("implicitDeny with every key given: fail, with the refresh as the fix", () => {
    const f = judge({ decision: "implicitDeny", deniedResources: [EAST!.identityArn], missingContext: [] }, noSender);
    expect([f.status, f.summary, f.evidence, f.remediation]).toEqual([
      "fail",
      "no statement allows ses:SendRawEmail in us-east-1 (implicitDeny): SES rejects mail sent with these credentials there",
      [`asked IAM (SimulatePrincipalPolicy): ses:SendRawEmail on ${EAST!.identityArn} with aws:RequestedRegion=us-east-1`, `denied: ${EAST!.identityArn}`],
      "Run `pulumi up --refresh` to restore the user's inline policy (it allows the senders' addresses in their regions). If the sender or its region is new, add it to mail-infra:senders first; a permissions boundary may also lack ses:SendRawEmail.",
    ]);
  });
});

describe("duringRotation", () => {
  it("another key beside the login key; without the keys, a previous key not retired; a login with another key never", () => {
    const other = { id: OLD, status: "Inactive" };
    expect(duringRotation(M, observed([...KEYS, other]))).toBe(true);
    expect(duringRotation(M, observed(KEYS))).toBe(false);
    expect(duringRotation(M, observed([other]))).toBe(false);
    expect(duringRotation(M, observed([...KEYS, other]), OLD)).toBe(false);
    const prev = (state: "active" | "inactive" | "retired") => manifest({ smtp: { ...M.smtp, previousKey: { generation: 1, state } } });
    expect(duringRotation(prev("inactive"), denied)).toBe(true);
    expect(duringRotation(prev("retired"), denied)).toBe(false);
    expect(duringRotation(M, denied)).toBe(false);
  });
});

describe("relay.credentials: the guards before the evidence", () => {
  const relays = (o: Partial<SmtpObservations>, m = M) => checkRelays(m, obs(o), new Date("2026-05-01T12:00:00.000Z"));
  const ses = (at: string, region = "us-east-1"): KeyLastUsed => ({ lastUsedDate: at, serviceName: "ses", region });

  it("no senders: nothing; subjects name the kind and account; an smtp client gets the rotation runbook", () => {
    expect(relays({}, manifest({ senders: [] }))).toEqual([]);
    const [gmail, client] = relays({ lastUsed: new Map([[CUR, observed(ses("2026-04-30T10:00:00.000Z", "us-west-2"))]]) });
    expect(gmail!.subject).toBe("admin@example.com (gmail-send-as in someone@gmail.com) via us-east-1");
    expect([client!.subject, client!.status]).toEqual(["app@Example.COM (smtp-client) via us-west-2", "pass"]);
    const two = observed([...KEYS, { id: OLD, status: "Active" }]);
    const [open, unconfirmed] = relays({ accessKeys: two, lastUsed: new Map([[CUR, observed({})], [OLD, observed({})]]) });
    expect(open!.remediation).toContain("docs/operations.md#fix-a-gmail-send-mail-as-alias");
    expect(unconfirmed!.remediation).toContain("docs/operations.md#after-a-rotation");
    expect(unconfirmed!.remediation).toContain("send one message through the relay From app@Example.COM To success@simulator.amazonses.com");
  });

  it("the current key missing or undated, or a last-used record missing or unreadable: inconclusive, naming which", () => {
    const [missing] = relays({ accessKeys: observed([{ id: OLD, status: "Active", createDate: "2025-01-01T00:00:00.000Z" }]) });
    expect([missing!.status, missing!.summary, missing!.evidence, missing!.remediation]).toEqual([
      "inconclusive",
      `could not check which key the relay uses: the current key ${CUR} is not an access key of ${USER}`,
      [`error: the current key ${CUR} is not an access key of ${USER}`],
      "Fix the smtp.key check first.",
    ]);
    const [unlisted] = relays({ accessKeys: denied });
    expect([unlisted!.status, unlisted!.summary]).toEqual(["inconclusive", "could not check which key the relay uses: AccessDenied"]);
    const [undated] = relays({ accessKeys: observed([{ id: CUR, status: "Active" }]) });
    expect(undated!.summary).toBe(`could not check which key the relay uses: the current key ${CUR} has no creation date`);
    const [noCur] = relays({ lastUsed: new Map() });
    expect([noCur!.summary, noCur!.evidence]).toEqual(["could not check the current key's last use: not read", ["error: not read"]]);
    const [curDown] = relays({ lastUsed: new Map([[CUR, denied]]) });
    expect([curDown!.summary, curDown!.remediation]).toEqual(["could not check the current key's last use: AccessDenied", "Grant secretsmanager:GetSecretValue."]);
    const two = observed([...KEYS, { id: OLD, status: "Active" }]);
    const [noOther] = relays({ accessKeys: two });
    expect([noOther!.summary, noOther!.evidence]).toEqual([`could not check the other key ${OLD}'s last use: not read`, ["error: not read"]]);
    const [otherDown] = relays({ accessKeys: two, lastUsed: new Map<string, Observation<KeyLastUsed>>([[CUR, observed({})], [OLD, denied]]) });
    expect(otherDown!.summary).toBe(`could not check the other key ${OLD}'s last use: AccessDenied`);
  });

  it("the evidence: the AUTH result, both keys' uses ('?' and 'never' where unknown), verify's own logins", () => {
    const two = observed([...KEYS, { id: OLD, status: "Inactive" }]);
    const [f] = relays({
      accessKeys: two,
      lastUsed: new Map([[CUR, observed({ lastUsedDate: "2026-04-30T10:00:00.000Z" })], [OLD, observed({})]]),
      ownLogins: new Map([["us-east-1", new Date("2026-04-30T09:00:00.000Z")]]),
      loginsThisRun: new Map([["us-east-1", new Date("2026-05-01T12:00:00.000Z")]]),
    });
    expect(f!.evidence.slice(0, 3)).toEqual([
      "current credentials work at email-smtp.us-east-1.amazonaws.com (235)",
      `read at 2026-05-01T12:00:00.000Z: current key ${CUR} (created 2026-04-29T00:00:00.000Z) last used 2026-04-30T10:00:00.000Z by ? in ?`,
      `read at 2026-05-01T12:00:00.000Z: other key ${OLD} (Inactive, created ?) last used never`,
    ]);
    expect(f!.evidence[3]).toMatch(/^verify's own login in us-east-1 at 2026-04-30T09:00:00\.000Z \(--smtp-login-at\)/);
    expect(f!.evidence[4]).toMatch(/^verify itself logged in with the current key in us-east-1 at 2026-05-01T12:00:00\.000Z/);
    expect(f!.evidence).toHaveLength(6);
  });

  it("no AUTH result for the region, or an unreadable one: nothing said about the credentials, the evidence judged alone", () => {
    const [none] = relays({ auth: new Map() });
    expect([none!.status, none!.evidence[0]]).toEqual(["pass", `read at 2026-05-01T12:00:00.000Z: current key ${CUR} (created 2026-04-29T00:00:00.000Z) last used 2026-04-30T10:00:00.000Z by ses in us-east-1`]);
    const [unread] = relays({ auth: new Map([["us-east-1", { ok: false, reason: "timeout", message: "no greeting" }]]) });
    expect([unread!.status, unread!.evidence[0]]).toEqual(["pass", none!.evidence[0]]);
    const stale = relays({ auth: new Map(), accessKeys: observed([...KEYS, { id: OLD, status: "Active" }]), lastUsed: new Map([[CUR, observed({})], [OLD, observed(ses("2026-04-30T10:00:00.000Z"))]]) });
    expect(stale[0]!.status).toBe("fail");
  });

  it("the remediations, word for word: rejected credentials, not enough evidence, nothing waiting", () => {
    const runbook = "Put the current username and the us-east-1 password into the relay (`npm run relay-fix -- --stack prod --sender admin@example.com`, docs/operations.md#fix-a-gmail-send-mail-as-alias), then send the probe: admin@example.com (us-east-1): in Gmail (someone@gmail.com), compose a message From admin@example.com To success@simulator.amazonses.com and send it.";
    const [rejected] = relays({ auth: new Map([["us-east-1", observed({ code: 535, ms: 1, message: "535" })]]) });
    expect([rejected!.layer, rejected!.id, rejected!.status, rejected!.remediation]).toEqual(["relay", "relay.credentials", "warn", `Fix the SMTP credentials first (the smtp layer says how), then p${runbook.slice(1)}`]);
    const [alone] = relays({ lastUsed: new Map([[CUR, observed({})]]) });
    expect(alone!.remediation).toBe(
      "Nothing waits on this (no other key exists). To confirm the relay works, send the probe: admin@example.com (us-east-1): in Gmail (someone@gmail.com), compose a message From admin@example.com To success@simulator.amazonses.com and send it; a bounce naming the relay is read by `npm run diagnose`.",
    );
    const [open] = relays({ accessKeys: observed([...KEYS, { id: OLD, status: "Active" }]), lastUsed: new Map([[CUR, observed({})], [OLD, observed({})]]) });
    expect(open!.remediation).toBe(
      `If the relay was not moved yet: ${runbook} Otherwise send the probe only: admin@example.com (us-east-1): in Gmail (someone@gmail.com), compose a message From admin@example.com To success@simulator.amazonses.com and send it; then re-run \`npm run verify -- --stack prod --only relay\` at least 4 hours later.`,
    );
    expect(open!.evidence.length).toBeGreaterThan(1);
  });

  it("verify's own login at the time of the current key's use is not the relay's", () => {
    const at = new Date("2026-04-30T10:00:00.000Z");
    expect(relays({})[0]!.status).toBe("pass");
    expect(relays({ ownLogins: new Map([["us-east-1", at]]) })[0]!.status).not.toBe("pass");
  });

  it("a recent use not yet confirmed: when to look again; carried evidence from an earlier read counts", () => {
    const two = observed([...KEYS, { id: OLD, status: "Active" }]);
    const lastUsed = new Map([[CUR, observed(ses("2026-05-01T11:00:00.000Z"))], [OLD, observed(ses("2026-04-28T00:00:00.000Z"))]]);
    const [f] = relays({ accessKeys: two, lastUsed });
    expect(f!.status).toBe("inconclusive");
    expect(f!.remediation).toMatch(/ If the probe was sent already, re-run verify after 2026-05-01T15:00:00\.000Z\.$/);
    expect(f!.remediation).toMatch(/^If the relay was not moved yet: Put the current username and the us-east-1 password into the relay/);
    const carried = checkRelays(M, obs({ accessKeys: two, lastUsed }), new Date("2026-05-01T12:00:00.000Z"), new Map([["us-east-1", new Date("2026-04-30T00:00:00.000Z")]]));
    expect(carried[0]!.status).toBe("pass");
  });
});
