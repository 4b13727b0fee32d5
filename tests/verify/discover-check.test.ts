/**
 * Discovery mode (scripts/verify/discover.ts `discoverManifest`): the manifest built from SES,
 * STS, Secrets Manager and IAM alone, over pure stand-in reads (tests/helpers/collectors.ts).
 * Every value is either what AWS answered or marked unknown with why; nothing is invented.
 * Expected manifests are written out: ARNs, endpoints and record names from AWS's formats.
 */
import { describe, expect, it } from "vitest";
import { observed, type Unobservable } from "../../lib/verify/findings";
import { discoverManifest } from "../../scripts/verify/discover";
import type { SesIdentityState } from "../../scripts/verify/layers/ses/check";
import { type FakeAnswers, fakeCollectors } from "../helpers/collectors";

const D = "example.com";
const ACCOUNT = "123456789012";
const tokens = (region: string) => [1, 2, 3].map((i) => `tok${i}${region.replace(/-/g, "")}`);

function discover(input: { regions: string[]; secretId?: string }, aws: FakeAnswers["aws"]) {
  const { c, calls } = fakeCollectors({ aws });
  return { calls, manifest: discoverManifest({ domain: D, ...input }, c.aws) };
}

const identity = (region: string, over: Partial<SesIdentityState> = {}): SesIdentityState => ({
  verifiedForSending: true,
  verificationStatus: "SUCCESS",
  dkim: { signingEnabled: true, status: "SUCCESS", tokens: tokens(region), signingHostedZone: "dkim.amazonses.com", currentSigningKeyLength: "RSA_1024_BIT", nextSigningKeyLength: "RSA_1024_BIT" },
  mailFrom: { domain: `bounce.${D}`, status: "SUCCESS", behaviorOnMxFailure: "REJECT_MESSAGE" },
  configurationSetName: `cs-${region}`,
  ...over,
});

const cname = (token: string, region: string, i: number, zone: string) => ({ key: `dkim-${region}-${i}`, purpose: "dkim", name: `${token}._domainkey.${D}`, type: "CNAME", ttl: 0, values: [`${token}.${zone}`], region });

describe("discoverManifest: the setup as SES has it", () => {
  it("takes every value from SES and STS; a name two regions share gets one MX, the first region's", async () => {
    const { manifest, calls } = discover(
      { regions: ["us-east-1", "eu-south-1"] },
      {
        callerAccount: async () => observed(ACCOUNT),
        identity: async (region) =>
          observed(
            region === "us-east-1"
              ? identity(region)
              : identity(region, {
                  dkim: { signingEnabled: true, tokens: tokens(region) },
                  mailFrom: { domain: `Bounce.${D}`, behaviorOnMxFailure: "USE_DEFAULT_VALUE" },
                }),
          ),
      },
    );
    const m = await manifest;
    expect(calls).toEqual(["aws.callerAccount", `aws.identity us-east-1 ${D}`, `aws.identity eu-south-1 ${D}`]);
    expect(m).toStrictEqual({
      version: 1,
      project: "mail-infra",
      stack: "(discovered)",
      domains: [
        {
          domain: D,
          dns: { mode: "external" },
          regions: [
            {
              region: "us-east-1",
              primary: true,
              identityArn: `arn:aws:ses:us-east-1:${ACCOUNT}:identity/${D}`,
              dkimTokens: tokens("us-east-1"),
              dkimSigningKeyLength: "RSA_1024_BIT",
              signingHostedZone: "dkim.amazonses.com",
              mailFromDomain: `bounce.${D}`,
              mailFromBehaviorOnMxFailure: "REJECT_MESSAGE",
              configurationSet: "cs-us-east-1",
              configurationSetArn: `arn:aws:ses:us-east-1:${ACCOUNT}:configuration-set/cs-us-east-1`,
              eventTopicArn: "",
              tlsPolicy: "REQUIRE",
              smtpEndpoint: "email-smtp.us-east-1.amazonaws.com",
            },
            {
              region: "eu-south-1",
              primary: false,
              identityArn: `arn:aws:ses:eu-south-1:${ACCOUNT}:identity/${D}`,
              dkimTokens: tokens("eu-south-1"),
              // SES did not say: 2048 bits (SES's default), and the region's own signing host (AWS's table).
              dkimSigningKeyLength: "RSA_2048_BIT",
              signingHostedZone: "dkim.eu-south-1.amazonses.com",
              mailFromDomain: `Bounce.${D}`,
              mailFromBehaviorOnMxFailure: "USE_DEFAULT_VALUE",
              configurationSet: "cs-eu-south-1",
              configurationSetArn: `arn:aws:ses:eu-south-1:${ACCOUNT}:configuration-set/cs-eu-south-1`,
              eventTopicArn: "",
              tlsPolicy: "REQUIRE",
              smtpEndpoint: "email-smtp.eu-south-1.amazonaws.com",
            },
          ],
          records: [
            ...tokens("us-east-1").map((t, i) => cname(t, "us-east-1", i + 1, "dkim.amazonses.com")),
            ...tokens("eu-south-1").map((t, i) => cname(t, "eu-south-1", i + 1, "dkim.eu-south-1.amazonses.com")),
            { key: "mail-from-mx-us-east-1", purpose: "mail-from-mx", name: `bounce.${D}`, type: "MX", ttl: 0, values: ["10 feedback-smtp.us-east-1.amazonses.com"], region: "us-east-1" },
          ],
        },
      ],
      smtp: {
        user: "",
        userArn: "",
        accessKeyId: "",
        keyGeneration: 0,
        secretId: "",
        secretName: "",
        secretRegion: "us-east-1",
        port: 587,
        regions: [
          { region: "us-east-1", endpoint: "email-smtp.us-east-1.amazonaws.com" },
          { region: "eu-south-1", endpoint: "email-smtp.eu-south-1.amazonaws.com" },
        ],
      },
      senders: [],
    });
  });

  it("each region's own MAIL FROM name gets its own MX, naming its region's feedback host", async () => {
    const { manifest } = discover(
      { regions: ["us-east-1", "us-west-2"] },
      { callerAccount: async () => observed(ACCOUNT), identity: async (region) => observed(identity(region, { mailFrom: { domain: `bounce-${region}.${D}` } })) },
    );
    expect((await manifest).domains[0].records.filter((r) => r.type === "MX")).toEqual([
      { key: "mail-from-mx-us-east-1", purpose: "mail-from-mx", name: `bounce-us-east-1.${D}`, type: "MX", ttl: 0, values: ["10 feedback-smtp.us-east-1.amazonses.com"], region: "us-east-1" },
      { key: "mail-from-mx-us-west-2", purpose: "mail-from-mx", name: `bounce-us-west-2.${D}`, type: "MX", ttl: 0, values: ["10 feedback-smtp.us-west-2.amazonses.com"], region: "us-west-2" },
    ]);
  });

  it("an identity without DKIM tokens, MAIL FROM or configuration set: each marked absent (a real answer), nothing invented", async () => {
    const { manifest } = discover(
      { regions: ["us-east-1"] },
      { callerAccount: async () => observed(ACCOUNT), identity: async (region) => observed(identity(region, { dkim: { signingEnabled: false, tokens: [] }, mailFrom: undefined, configurationSetName: undefined })) },
    );
    const [r] = (await manifest).domains[0].regions;
    expect(r).toMatchObject({ dkimTokens: [], mailFromDomain: "", configurationSet: "", configurationSetArn: "", identityArn: `arn:aws:ses:us-east-1:${ACCOUNT}:identity/${D}` });
    expect(r.unknown).toStrictEqual({
      dkimTokens: { ok: false, reason: "notfound", message: "the identity has no DKIM tokens in us-east-1" },
      mailFromDomain: { ok: false, reason: "notfound", message: "the identity has no custom MAIL FROM domain in us-east-1" },
      configurationSet: { ok: false, reason: "notfound", message: "the identity has no default configuration set in us-east-1" },
    });
    expect((await manifest).domains[0].records).toEqual([]);
    // An empty MAIL FROM domain counts as none.
    const empty = discover({ regions: ["us-east-1"] }, { callerAccount: async () => observed(ACCOUNT), identity: async (region) => observed(identity(region, { mailFrom: { domain: "" } })) });
    expect((await empty.manifest).domains[0].regions[0].unknown).toStrictEqual({ mailFromDomain: { ok: false, reason: "notfound", message: "the identity has no custom MAIL FROM domain in us-east-1" } });
  });

  it("no identity, or one that cannot be read, or no account: the values are unknown with the identity's or the account's cause", async () => {
    const denied: Unobservable = { ok: false, reason: "denied", message: "AccessDeniedException: ses:GetEmailIdentity", needs: "Grant ses:GetEmailIdentity." };
    const noAccount: Unobservable = { ok: false, reason: "denied", message: "AccessDenied: sts:GetCallerIdentity", needs: "Grant sts:GetCallerIdentity." };
    const notFound: Unobservable = { ok: false, reason: "notfound", message: "NotFoundException" };
    const { manifest } = discover({ regions: ["us-east-1", "us-west-2"] }, { callerAccount: async () => noAccount, identity: async (region) => (region === "us-east-1" ? notFound : denied) });
    const m = await manifest;
    const [east, west] = m.domains[0].regions;
    const account = { ok: false, reason: "denied", message: "the AWS account could not be read (AccessDenied: sts:GetCallerIdentity)", needs: "Grant sts:GetCallerIdentity.", cause: { key: "denied: AccessDenied: sts:GetCallerIdentity" } };
    const byIdentity = (u: Unobservable, why: string) => ({ ok: false, reason: u.reason, message: why, needs: u.needs, cause: { key: `${u.reason}: ${u.message}` } });
    const none = "there is no SES identity for example.com in us-east-1";
    expect(east.unknown).toEqual({
      account,
      dkimTokens: byIdentity(notFound, `DKIM tokens unknown: ${none}`),
      mailFromDomain: byIdentity(notFound, `MAIL FROM domain unknown: ${none}`),
      configurationSet: byIdentity(notFound, `configuration set unknown: ${none}`),
    });
    const unreadable = "the SES identity could not be read (AccessDeniedException: ses:GetEmailIdentity)";
    expect(west.unknown).toEqual({
      account,
      dkimTokens: byIdentity(denied, `DKIM tokens unknown: ${unreadable}`),
      mailFromDomain: byIdentity(denied, `MAIL FROM domain unknown: ${unreadable}`),
      configurationSet: byIdentity(denied, `configuration set unknown: ${unreadable}`),
    });
    expect(east).toMatchObject({
      identityArn: "",
      dkimTokens: [],
      dkimSigningKeyLength: "RSA_2048_BIT",
      signingHostedZone: "dkim.amazonses.com",
      mailFromDomain: "",
      mailFromBehaviorOnMxFailure: "REJECT_MESSAGE",
      configurationSet: "",
      configurationSetArn: "",
    });
    expect(m.domains[0].records).toEqual([]);
    // Only the account unknown: the identity's values are read, the ARNs are left empty.
    const onlyAccount = discover({ regions: ["us-east-1"] }, { callerAccount: async () => noAccount, identity: async (region) => observed(identity(region)) });
    const [r] = (await onlyAccount.manifest).domains[0].regions;
    expect(Object.keys(r.unknown ?? {})).toEqual(["account"]);
    expect([r.identityArn, r.configurationSetArn, r.configurationSet]).toEqual(["", "", "cs-us-east-1"]);
  });
});

describe("discoverManifest: the SMTP credentials through the secret", () => {
  const secret = JSON.stringify({ username: "AKIAEXAMPLECURRENT01", regions: { "us-east-1": { host: "email-smtp.us-east-1.amazonaws.com", port: 587, password: "PASSWORD-EAST-0001" } } });
  const base: FakeAnswers["aws"] = { callerAccount: async () => observed(ACCOUNT), identity: async (region) => observed(identity(region)) };

  it("the secret's region comes from its ARN; its key names the user, whose ARN IAM gives", async () => {
    const arn = `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:mail-infra/prod/ses-smtp-AbCdEf`;
    const { manifest, calls } = discover(
      { regions: ["us-east-1", "us-west-2"], secretId: arn },
      {
        ...base,
        secretValue: async () => observed(secret),
        keyLastUsed: async () => observed({ userName: "mail-infra-smtp-prod", lastUsedDate: "2026-12-01T00:00:00Z", serviceName: "ses", region: "us-east-1" }),
        userArn: async (u) => observed(`arn:aws:iam::${ACCOUNT}:user/mail/${u}`),
      },
    );
    const m = await manifest;
    expect(calls.slice(3)).toEqual([`aws.secretValue eu-west-1 ${arn}`, "aws.keyLastUsed AKIAEXAMPLECURRENT01", "aws.userArn mail-infra-smtp-prod"]);
    expect(m.smtp).toStrictEqual({
      user: "mail-infra-smtp-prod",
      userArn: `arn:aws:iam::${ACCOUNT}:user/mail/mail-infra-smtp-prod`,
      accessKeyId: "AKIAEXAMPLECURRENT01",
      keyGeneration: 0,
      secretId: arn,
      secretName: arn,
      secretRegion: "eu-west-1",
      port: 587,
      regions: [
        { region: "us-east-1", endpoint: "email-smtp.us-east-1.amazonaws.com" },
        { region: "us-west-2", endpoint: "email-smtp.us-west-2.amazonaws.com" },
      ],
    });
    // Another partition's ARN names its region the same way.
    const gov = discover({ regions: ["us-gov-west-1"], secretId: `arn:aws-us-gov:secretsmanager:us-gov-east-1:${ACCOUNT}:secret:s-AbCdEf` }, { ...base, secretValue: async () => observed(secret) });
    expect((await gov.manifest).smtp.secretRegion).toBe("us-gov-east-1");
  });

  it("a secret named without an ARN is read in the first region", async () => {
    const { manifest, calls } = discover({ regions: ["us-west-2", "us-east-1"], secretId: "mail-infra/prod/ses-smtp" }, { ...base, secretValue: async () => observed(secret) });
    const m = await manifest;
    expect(calls).toContain("aws.secretValue us-west-2 mail-infra/prod/ses-smtp");
    expect([m.smtp.secretRegion, m.smtp.secretId, m.smtp.secretName]).toEqual(["us-west-2", "mail-infra/prod/ses-smtp", "mail-infra/prod/ses-smtp"]);
  });

  it("what cannot be read stays empty, and nothing is asked about an empty name", async () => {
    // An unreadable secret: no key, no user.
    const a = discover({ regions: ["us-east-1"], secretId: "s" }, { ...base, secretValue: async () => ({ ok: false, reason: "denied", message: "AccessDenied" }) });
    expect((await a.manifest).smtp).toMatchObject({ accessKeyId: "", user: "", userArn: "", secretRegion: "us-east-1" });
    expect(a.calls.some((c) => c.startsWith("aws.keyLastUsed") || c.startsWith("aws.userArn"))).toBe(false);
    // A secret that is not the SMTP secret's JSON: no key.
    const b = discover({ regions: ["us-east-1"], secretId: "s" }, { ...base, secretValue: async () => observed("{}") });
    expect((await b.manifest).smtp.accessKeyId).toBe("");
    expect(b.calls.some((c) => c.startsWith("aws.keyLastUsed"))).toBe(false);
    // IAM names no user for the key (or cannot be asked): no user, no ARN asked.
    for (const owner of [observed({ lastUsedDate: "2026-12-01T00:00:00Z" }), { ok: false as const, reason: "denied" as const, message: "AccessDenied" }]) {
      const c = discover({ regions: ["us-east-1"], secretId: "s" }, { ...base, secretValue: async () => observed(secret), keyLastUsed: async () => owner });
      expect((await c.manifest).smtp).toMatchObject({ accessKeyId: "AKIAEXAMPLECURRENT01", user: "", userArn: "" });
      expect(c.calls.some((x) => x.startsWith("aws.userArn"))).toBe(false);
    }
    // The user's ARN cannot be read: empty.
    const d = discover({ regions: ["us-east-1"], secretId: "s" }, { ...base, secretValue: async () => observed(secret), keyLastUsed: async () => observed({ userName: "u" }), userArn: async () => ({ ok: false, reason: "denied", message: "AccessDenied" }) });
    expect((await d.manifest).smtp).toMatchObject({ user: "u", userArn: "" });
    // No secret given: nothing read.
    const e = discover({ regions: ["us-east-1"] }, base);
    await e.manifest;
    expect(e.calls.some((x) => x.startsWith("aws.secretValue"))).toBe(false);
  });
});
