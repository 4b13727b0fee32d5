/**
 * adopt's discovery against moto (Route 53 zones and record sets, IAM users and policies) and
 * the SES v2 fake the verify tests use (in-process through aws-sdk-client-mock, and over HTTP
 * for the spawned CLI). Cases: the two-region setup with one MAIL FROM shared by both regions,
 * a one-region setup, external DNS, and a zone that holds unrelated TXT values.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, Route53Client, type RRType } from "@aws-sdk/client-route-53";
import type { GetEmailIdentityResponse } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { Hash } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import { type LiveSetup, planAdoption, renderAdoptionMd, SMTP_COMPONENT, TYPES } from "../../lib/adopt";
import { validateConfig } from "../../lib/config";
import type { Manifest } from "../../lib/manifest";
import { discoverLive } from "../../scripts/adopt/discover";
import { AwsCollector } from "../../scripts/verify/aws";
import { TEXT_WIDTH } from "../../scripts/lib/wrap";
import { consoleTranscript, docOutput, stable } from "../docs/doc-examples";
import { type CliResult, ROOT, runCliAsync } from "../helpers/spawn";
import { type MotoSandbox, startMoto } from "../sandbox";
import { installSesMock, SesFake, startAwsFront, type AwsFront } from "../verify/aws-fakes";
import { expectProgramMatches } from "./consistency";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const D = "example.com";
const CREDS = { AWS_ACCESS_KEY_ID: "AKIAADOPTTESTCALLER1", AWS_SECRET_ACCESS_KEY: "adopt-test-caller-secret-not-a-real-one", AWS_REGION: "us-east-1" };
const tokens = (region: string) => [1, 2, 3].map((i) => `adopt${i}${region.replace(/-/g, "")}`);

let moto: MotoSandbox;
let front: AwsFront;
let fake: SesFake;
let zoneId = "";
let smtpSecret = "";
let smtpKeyId = "";
let restoreSes: () => void;
const savedEnv: Record<string, string | undefined> = {};

function identity(region: string, mailFrom?: string): GetEmailIdentityResponse {
  return {
    IdentityType: "DOMAIN",
    VerifiedForSendingStatus: true,
    VerificationStatus: "SUCCESS",
    DkimAttributes: { SigningEnabled: true, Status: "SUCCESS", Tokens: tokens(region), SigningAttributesOrigin: "AWS_SES", NextSigningKeyLength: "RSA_2048_BIT", CurrentSigningKeyLength: "RSA_2048_BIT" },
    ...(mailFrom ? { MailFromAttributes: { MailFromDomain: mailFrom, MailFromDomainStatus: "SUCCESS", BehaviorOnMxFailure: "REJECT_MESSAGE" } } : {}),
    ConfigurationSetName: "legacy-set",
  };
}

/** SES state: `regions` maps a region to its identity of D (absent: none there). */
function setSes(regions: Record<string, GetEmailIdentityResponse>): void {
  fake.regions.clear();
  for (const [region, id] of Object.entries(regions)) {
    fake.regions.set(region, { account: {}, identities: new Map([[D, id]]), configurationSets: new Map(), eventDestinations: new Map(), suppressed: new Map() });
  }
}

beforeAll(async () => {
  moto = await startMoto();
  fake = new SesFake({ domains: [] } as unknown as Manifest);
  front = await startAwsFront(fake, moto.endpoint);
  const direct = { endpoint: moto.directEndpoint, region: "us-east-1", credentials: { accessKeyId: CREDS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDS.AWS_SECRET_ACCESS_KEY }, maxAttempts: 1 };
  const r53 = new Route53Client(direct);
  const zone = await r53.send(new CreateHostedZoneCommand({ Name: D, CallerReference: "adopt-test" }));
  zoneId = (zone.HostedZone?.Id ?? "").replace("/hostedzone/", "");
  const upsert = (name: string, type: RRType, values: string[], ttl = 3600) => ({ Action: "UPSERT" as const, ResourceRecordSet: { Name: name, Type: type, TTL: ttl, ResourceRecords: values.map((Value) => ({ Value })) } });
  await r53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          ...["us-east-1", "us-west-2"].flatMap((r) => tokens(r).map((t) => upsert(`${t}._domainkey.${D}`, "CNAME", [`${t}.dkim.amazonses.com`]))),
          upsert(`bounce.${D}`, "MX", ["10 feedback-smtp.us-west-2.amazonses.com"]),
          upsert(`bounce.${D}`, "TXT", ['"v=spf1 include:amazonses.com ~all"']),
          // The apex holds unrelated TXT values next to SPF; other names hold their own.
          upsert(D, "TXT", ['"v=spf1 include:_spf.google.com ~all"', '"google-site-verification=Zx9_adopt"', '"apple-domain-verification=QwErTy"']),
          upsert(`_github-challenge-org.${D}`, "TXT", ['"abc123def"']),
          upsert(`_dmarc.${D}`, "TXT", ['"v=DMARC1; p=none; rua=mailto:reports@example.com"']),
        ],
      },
    }),
  );
  r53.destroy();
  const iam = new IAMClient(direct);
  await iam.send(new CreateUserCommand({ UserName: "ses-smtp-user.legacy" }));
  await iam.send(new PutUserPolicyCommand({ UserName: "ses-smtp-user.legacy", PolicyName: "AmazonSesSendingAccess", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ses:SendRawEmail", Resource: "*" }] }) }));
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: "ses-smtp-user.legacy" }));
  smtpSecret = key.AccessKey?.SecretAccessKey ?? "";
  smtpKeyId = key.AccessKey?.AccessKeyId ?? "";
  await iam.send(new CreateUserCommand({ UserName: "backup-writer" }));
  await iam.send(new PutUserPolicyCommand({ UserName: "backup-writer", PolicyName: "s3", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: "*" }] }) }));
  iam.destroy();

  // The legacy user logs in to SES (an SES v1 call signed with its key, as an SMTP login is
  // recorded): GetAccessKeyLastUsed then reports service "ses".
  await sesLogin(moto.directEndpoint, smtpKeyId, smtpSecret);

  const env = {
    ...CREDS,
    AWS_ENDPOINT_URL_ROUTE_53: moto.endpoint,
    AWS_ENDPOINT_URL_IAM: moto.endpoint,
    AWS_ENDPOINT_URL_STS: moto.endpoint,
    AWS_ENDPOINT_URL_SNS: moto.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint,
  };
  for (const [k, v] of Object.entries(env)) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
  restoreSes = installSesMock(fake);
}, 60_000);

afterAll(async () => {
  restoreSes?.();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await front?.stop();
  await moto?.stop();
});

/** One SES (v1 query API) call signed with an access key: moto records it as the key's last use by "ses". */
async function sesLogin(endpoint: string, accessKeyId: string, secretAccessKey: string): Promise<void> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service: "ses", region: "us-east-1", credentials: { accessKeyId, secretAccessKey }, sha256: Hash.bind(null, "sha256") });
  const body = "Action=GetSendQuota&Version=2010-12-01";
  const signed = await signer.sign({ method: "POST", protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: "/", query: {}, headers: { host: url.host, "content-type": "application/x-www-form-urlencoded" }, body });
  const r = await fetch(`${endpoint}/`, { method: "POST", headers: signed.headers, body });
  if (!r.ok) throw new Error(`SES login against moto: HTTP ${r.status} ${await r.text()}`);
}

async function discover(regions: string[], domain = D, zone?: string, stack = "prod") {
  const aws = new AwsCollector({ timeoutMs: 5000 });
  try {
    return await discoverLive({ domain, regions, stack, ...(zone ? { zone } : {}) }, aws);
  } finally {
    aws.destroy();
  }
}

describe("adopt discovery (moto + SES v2 fake)", () => {
  it("two regions sharing one MAIL FROM: the region its MX names keeps it, the other moves (staged with USE_DEFAULT_VALUE); consistent with the program", async () => {
    setSes({ "us-east-1": identity("us-east-1", `bounce.${D}`), "us-west-2": identity("us-west-2", `bounce.${D}`) });
    const live = await discover(["us-east-1", "us-west-2"]);
    expect(live.identities.map((i) => [i.region, i.mailFrom?.domain, i.dkimTokens.length])).toEqual([
      ["us-east-1", `bounce.${D}`, 3],
      ["us-west-2", `bounce.${D}`, 3],
    ]);
    expect(live.dns.mode).toBe("route53");
    if (live.dns.mode !== "route53") return;
    expect(live.dns.zoneId).toBe(zoneId);

    const plan = planAdoption(live, "prod");
    // The MX names us-west-2, so us-west-2 keeps bounce.example.com and the primary moves.
    expect(plan.config["mail-infra:mailFromSubdomain"]).toBe(`bounce-us-east-1.${D}`);
    expect(plan.config["mail-infra:regionalMailFromSubdomains"]).toEqual([`us-west-2=bounce.${D}`]);
    expect(plan.config["mail-infra:mailFromBehaviorOnMxFailure"]).toBe("USE_DEFAULT_VALUE");
    expect(plan.imports.resources).toContainEqual({ type: TYPES.mailFrom, name: `${D}-us-west-2-mail-from`, id: `${D}@us-west-2`, parent: `${D}-us-west-2` });
    expect(plan.imports.resources).toContainEqual({ type: TYPES.record, name: `${D}-dns-mail-from-mx-bounce.${D}`, id: `${zoneId}_bounce.${D}_MX`, parent: `${D}-dns` });
    expect(plan.risks).toContainEqual(expect.stringMatching(/^MAIL FROM in us-east-1: bounce\.example\.com -> bounce-us-east-1\.example\.com \(bounce\.example\.com is shared with us-west-2, whose feedback host its MX names/));
    // moto's zone ids are not of Route 53's Z... form: the zone is named instead.
    expect(plan.config["mail-infra:route53Zones"]).toEqual([`${D}=${/^Z[A-Z0-9]{6,32}$/.test(zoneId) ? zoneId : D}`]);
    await expectProgramMatches(plan, live);
    expect(JSON.stringify(plan)).not.toContain(smtpSecret);
  });

  it("email-address identities under the domain (ListEmailIdentities, EMAIL_ADDRESS) are found and written to smtpAddressIdentities; other domains' are not", async () => {
    setSes({ "us-east-1": identity("us-east-1", `bounce.${D}`), "us-west-2": identity("us-west-2", `bounce.${D}`) });
    const address = (name: string): GetEmailIdentityResponse => ({ IdentityType: "EMAIL_ADDRESS", VerifiedForSendingStatus: true, VerificationStatus: "SUCCESS" });
    fake.region("us-east-1").identities.set(`admin@${D}`, address(`admin@${D}`));
    fake.region("us-east-1").identities.set("someone@other.org", address("someone@other.org"));
    const live = await discover(["us-east-1", "us-west-2"]);
    expect(live.addressIdentities).toEqual([{ region: "us-east-1", address: `admin@${D}` }]);
    const plan = planAdoption(live, "prod");
    expect(plan.config["mail-infra:smtpAddressIdentities"]).toEqual([`admin@${D}`]);
    expect(fake.count("ListEmailIdentities")).toBeGreaterThan(0);
  });

  it("a zone that holds unrelated TXT values: the apex ones are kept verbatim in apexTxtValues, other names are neither imported nor changed", async () => {
    setSes({ "us-east-1": identity("us-east-1", `bounce.${D}`), "us-west-2": identity("us-west-2", `bounce.${D}`) });
    const live = await discover(["us-east-1", "us-west-2"]);
    if (live.dns.mode !== "route53") throw new Error("route53 expected");
    expect(live.dns.recordSets.find((r) => r.name === D && r.type === "TXT")?.values).toEqual(["v=spf1 include:_spf.google.com ~all", "google-site-verification=Zx9_adopt", "apple-domain-verification=QwErTy"]);
    const plan = planAdoption(live, "prod");
    expect(plan.config["mail-infra:apexTxtValues"]).toEqual(["google-site-verification=Zx9_adopt", "apple-domain-verification=QwErTy"]);
    expect(plan.config["mail-infra:spfMechanisms"]).toEqual(["include:_spf.google.com"]);
    expect(plan.imports.resources).toContainEqual({ type: TYPES.record, name: `${D}-dns-spf`, id: `${zoneId}_${D}_TXT`, parent: `${D}-dns` });
    // The apex TXT set is declared with every live value: no update to it at all.
    expect(plan.changes.some((c) => c.subject === `TXT ${D}`)).toBe(false);
    expect(JSON.stringify(plan.imports)).not.toContain("_github-challenge");
    expect(plan.changes.some((c) => c.subject.includes("_github-challenge"))).toBe(false);
    expect(renderAdoptionMd(plan)).toMatch(/kept, verbatim, through `mail-infra:apexTxtValues`[^\n]*\n\n- `google-site-verification=Zx9_adopt`\n- `apple-domain-verification=QwErTy`/);
  });

  it("weighted record sets are read apart: those at a name and type the stack declares are named as the first risk, others are ignored silently", async () => {
    setSes({ "us-east-1": identity("us-east-1", `bounce.${D}`), "us-west-2": identity("us-west-2", `bounce.${D}`) });
    const r53 = new Route53Client({ endpoint: moto.directEndpoint, region: "us-east-1", credentials: { accessKeyId: CREDS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDS.AWS_SECRET_ACCESS_KEY }, maxAttempts: 1 });
    // us-east-1's MAIL FROM moves to bounce-us-east-1.example.com (the MX names us-west-2), where
    // two weighted MX sets live; www.example.com holds weighted TXT sets the stack never declares.
    const weighted = (name: string, type: RRType, id: string, value: string) => ({ Name: name, Type: type, SetIdentifier: id, Weight: 50, TTL: 300, ResourceRecords: [{ Value: value }] });
    const sets = [
      weighted(`bounce-us-east-1.${D}`, "MX", "blue", "10 feedback-smtp.us-east-1.amazonses.com"),
      weighted(`bounce-us-east-1.${D}`, "MX", "green", "10 mx.other-provider.example.net"),
      weighted(`www.${D}`, "TXT", "a", '"hello"'),
    ];
    const change = (Action: "CREATE" | "DELETE") => r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: sets.map((ResourceRecordSet) => ({ Action, ResourceRecordSet })) } }));
    await change("CREATE");
    try {
      const live = await discover(["us-east-1", "us-west-2"]);
      if (live.dns.mode !== "route53") throw new Error("route53 expected");
      expect(live.dns.routedSets).toEqual([
        { name: `bounce-us-east-1.${D}`, type: "MX", setIdentifier: "blue", alias: false },
        { name: `bounce-us-east-1.${D}`, type: "MX", setIdentifier: "green", alias: false },
        { name: `www.${D}`, type: "TXT", setIdentifier: "a", alias: false },
      ]);
      expect(live.dns.recordSets.some((r) => r.name === `bounce-us-east-1.${D}` || r.name === `www.${D}`)).toBe(false);
      const plan = planAdoption(live, "prod");
      expect(plan.config["mail-infra:mailFromSubdomain"]).toBe(`bounce-us-east-1.${D}`);
      expect(plan.risks[0]).toMatch(/^MX bounce-us-east-1\.example\.com is held in Route 53 by record sets adopt cannot adopt \(set "blue", set "green"\), so the first pulumi up fails creating the declared MX bounce-us-east-1\.example\.com\. /);
      expect(plan.risks.filter((r) => r.includes("adopt cannot adopt"))).toHaveLength(1);
      expect(JSON.stringify(plan)).not.toContain(`www.${D}`);
    } finally {
      await change("DELETE");
      r53.destroy();
    }
  });

  it("the live SMTP user with a recent SES login is listed as the one the Gmail alias still uses, left untouched, with the relay-fix command", async () => {
    setSes({ "us-east-1": identity("us-east-1", `bounce.${D}`) });
    const live = await discover(["us-east-1"]);
    expect(live.sendUsers.map((u) => [u.userName, u.grantedBy, u.lastSesLogin?.accessKeyId])).toEqual([["ses-smtp-user.legacy", ["inline AmazonSesSendingAccess"], smtpKeyId]]);
    expect(live.sendUsers[0].lastSesLogin?.date).toMatch(/^\d{4}-\d\d-\d\dT/);
    const plan = planAdoption(live, "prod");
    expect(plan.risks).toContainEqual(expect.stringMatching(/^IAM user ses-smtp-user\.legacy is an existing SMTP user that the Gmail alias \(or another relay\) still uses, left untouched \(not imported, not changed\), to retire after relay-fix: SES saw an SMTP login with its key AKIA\w+ on .*`npm run relay-fix -- --stack prod --sender <the alias's From address>`/));
    expect(plan.imports.resources.some((e) => e.id === "ses-smtp-user.legacy")).toBe(false);
    expect(JSON.stringify(plan)).not.toContain(smtpSecret);
  });

  it("one region: the identity exists in us-east-1 only", async () => {
    setSes({ "us-east-1": identity("us-east-1", `bounce.${D}`) });
    const live = await discover(["us-east-1", "us-west-2"]);
    const plan = planAdoption(live, "prod");
    expect(plan.config["mail-infra:regions"]).toEqual(["us-east-1"]);
    expect(plan.notes).toContainEqual(expect.stringMatching(/No SES identity for example\.com in us-west-2/));
    expect(plan.imports.resources.some((e) => e.name.includes("us-west-2"))).toBe(false);
    await expectProgramMatches(plan, live);
  });

  it("no MAIL FROM in either region: each gets one, created under USE_DEFAULT_VALUE; nothing of MAIL FROM imported but the records that exist", async () => {
    setSes({ "us-east-1": identity("us-east-1"), "us-west-2": identity("us-west-2") });
    const live = await discover(["us-east-1", "us-west-2"]);
    const plan = planAdoption(live, "prod");
    expect(plan.imports.resources.some((e) => e.type === TYPES.mailFrom)).toBe(false);
    expect(plan.config["mail-infra:mailFromBehaviorOnMxFailure"]).toBe("USE_DEFAULT_VALUE");
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: "MAIL FROM (us-west-2)", action: "create", live: "(none: amazonses.com)" }));
    await expectProgramMatches(plan, live);
  });

  it("external DNS: no hosted zone for the domain; dnsMode external, said so; consistent with the program", async () => {
    const other = "elsewhere.test";
    fake.regions.clear();
    fake.regions.set("us-east-1", { account: {}, identities: new Map([[other, identity("us-east-1", `bounce.${other}`)]]), configurationSets: new Map(), eventDestinations: new Map(), suppressed: new Map() });
    const live = await discover(["us-east-1"], other);
    expect(live.dns).toEqual({ mode: "external", why: `no public Route 53 hosted zone for ${other} or a parent of it` });
    const plan = planAdoption(live, "prod");
    expect(plan.config["mail-infra:dnsMode"]).toBe("external");
    expect(renderAdoptionMd(plan)).toMatch(/DNS: external \(not in Route 53: you publish the records\)/);
    expect(plan.notes).toContainEqual(expect.stringMatching(/mail-infra:dnsMode external.*pulumi stack output zoneFile/));
    await expectProgramMatches(plan, live);
  });
});

describe("adopt discovery: live resources with the program's names (moto: SNS, Secrets Manager, IAM; SES fake: configuration set)", () => {
  const C = "collide.test";
  const CS = "mail-infra-collide-test";
  it("are found by name, imported into the program's resources, their settings compared; consistent with the program", async () => {
    const direct = { endpoint: moto.directEndpoint, region: "us-east-1", credentials: { accessKeyId: CREDS.AWS_ACCESS_KEY_ID, secretAccessKey: CREDS.AWS_SECRET_ACCESS_KEY }, maxAttempts: 1 };
    const sns = new SNSClient(direct);
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: "mail-infra-collide-test-ses-events" }))).TopicArn ?? "";
    sns.destroy();
    const sm = new SecretsManagerClient(direct);
    const secretArn = (await sm.send(new CreateSecretCommand({ Name: "mail-infra/coll/ses-smtp", SecretString: "{}" }))).ARN ?? "";
    sm.destroy();
    const iam = new IAMClient(direct);
    await iam.send(new CreateUserCommand({ UserName: "mail-infra-smtp-coll", Path: "/mail/" }));
    iam.destroy();
    fake.regions.clear();
    fake.regions.set("us-east-1", {
      account: {},
      identities: new Map([[C, { ...identity("us-east-1", `bounce.${C}`), ConfigurationSetName: CS }]]),
      configurationSets: new Map([[CS, { ConfigurationSetName: CS, DeliveryOptions: { TlsPolicy: "OPTIONAL" }, ReputationOptions: { ReputationMetricsEnabled: true }, SendingOptions: { SendingEnabled: false }, SuppressionOptions: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] } }]]),
      eventDestinations: new Map([[CS, { EventDestinations: [{ Name: "sns-feedback", Enabled: true, MatchingEventTypes: ["BOUNCE", "COMPLAINT", "REJECT", "DELIVERY_DELAY", "RENDERING_FAILURE"], SnsDestination: { TopicArn: topicArn } }] }]]),
      suppressed: new Map(),
    });

    const live: LiveSetup = await discover(["us-east-1"], C, undefined, "coll");
    expect(live.namesakes?.topics).toEqual([{ region: "us-east-1", arn: topicArn }]);
    expect(live.namesakes?.secrets.map((x) => [x.region, x.name, x.arn, x.deletedDate])).toEqual([["us-east-1", "mail-infra/coll/ses-smtp", secretArn, undefined]]);
    expect(live.namesakes?.user).toMatchObject({ userName: "mail-infra-smtp-coll", path: "/mail/", accessKeyIds: [] });
    expect(live.namesakes?.configurationSets.map((c) => [c.name, c.tlsPolicy, c.sendingEnabled])).toEqual([[CS, "OPTIONAL", false]]);

    const plan = planAdoption(live, "coll");
    const r = plan.imports.resources;
    expect(r).toContainEqual({ type: TYPES.configurationSet, name: `${C}-us-east-1-configuration-set`, id: `${CS}@us-east-1`, parent: `${C}-us-east-1` });
    expect(r).toContainEqual({ type: TYPES.eventDestination, name: `${C}-us-east-1-event-destination`, id: `${CS}|sns-feedback@us-east-1`, parent: `${C}-us-east-1` });
    expect(r).toContainEqual({ type: TYPES.topic, name: `${C}-us-east-1-events`, id: topicArn, parent: `${C}-us-east-1` });
    expect(r).toContainEqual({ type: TYPES.user, name: "smtp-user", id: "mail-infra-smtp-coll", parent: SMTP_COMPONENT });
    expect(r).toContainEqual({ type: TYPES.secret, name: "smtp-secret", id: secretArn, parent: SMTP_COMPONENT });
    // Live settings against declared: TLS and sending differ; the event destination matches.
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: `configuration set ${CS} (us-east-1): TLS policy`, action: "update", live: "OPTIONAL", declared: "REQUIRE" }));
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: `configuration set ${CS} (us-east-1): sending`, action: "update", live: "disabled", declared: "enabled" }));
    expect(plan.changes).toContainEqual(expect.objectContaining({ subject: `event destination sns-feedback of ${CS} (us-east-1)`, action: "keep" }));
    await expectProgramMatches(plan, live);
  });
});

describe("adopt discovery: --zone", () => {
  it("a zone given by name is used; a zone that does not exist means external DNS, said so", async () => {
    setSes({ "us-east-1": identity("us-east-1", `bounce.${D}`) });
    const named = await discover(["us-east-1"], D, D);
    expect(named.dns.mode === "route53" && named.dns.zoneId).toBe(zoneId);
    const missing = await discover(["us-east-1"], D, "nope.test");
    expect(missing.dns).toEqual({ mode: "external", why: "no public Route 53 hosted zone named nope.test" });
  });
});

describe("npm run adopt (spawned, SES v2 over HTTP, moto behind it)", () => {
  let dir = "";
  const env = () => ({ ...CREDS, AWS_ENDPOINT_URL: front.endpoint });
  const args = (out: string) => ["--domain", D, "--region", "us-east-1", "--region", "us-west-2", "--stack", "prod", "--out", out];
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "adopt-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes the three files, validated; re-runs safely; refuses to clobber files it did not write; no secret anywhere", async () => {
    setSes({ "us-east-1": identity("us-east-1", `bounce.${D}`), "us-west-2": identity("us-west-2", `bounce.${D}`) });
    const out = path.join(dir, "out");
    const r = await runCliAsync("adopt.ts", args(out), { env: env(), timeoutMs: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Read example\.com: SES identity in us-east-1, us-west-2; Route 53 zone \S+ \(\d+ record sets under example\.com\); 1 IAM user that can send\./);
    expect(r.stdout).toMatch(/Kept 2 other apex TXT values \(mail-infra:apexTxtValues\)\./);
    expect(r.stdout).toMatch(/Nothing was written to AWS\.$/m);
    const yamlText = readFileSync(path.join(out, "Pulumi.prod.yaml"), "utf8");
    const config = (parseYaml(yamlText) as { config: Record<string, unknown> }).config;
    expect(() => validateConfig(config, "prod")).not.toThrow();
    const imports = JSON.parse(readFileSync(path.join(out, "import.json"), "utf8")) as { resources: { type: string; name: string; id?: string }[] };
    expect(imports.resources.filter((e) => e.type === TYPES.emailIdentity).map((e) => e.id)).toEqual([`${D}@us-east-1`, `${D}@us-west-2`]);
    const md = readFileSync(path.join(out, "adoption.md"), "utf8");
    expect(md).toMatch(/retire the old SMTP user by hand: ses-smtp-user\.legacy/);
    // The count is the engine's (the program run under mocks, minus what is imported), the same in both places.
    const count = /After the import, pulumi preview counts (\d+) to create \((\d+) of them components\), nothing to delete/.exec(r.stdout);
    expect(count).not.toBeNull();
    expect(md).toContain(`counts **${count?.[1]} to create**`);
    for (const text of [r.stdout, r.stderr, yamlText, md, JSON.stringify(imports)]) expect(text).not.toContain(smtpSecret);

    // Re-running overwrites its own files.
    const again = await runCliAsync("adopt.ts", args(out), { env: env(), timeoutMs: 60_000 });
    expect(again.status).toBe(0);

    // A hand-edited file is not overwritten, and neither is a file adopt never wrote.
    writeFileSync(path.join(out, "adoption.md"), md + "\nmy notes\n");
    const edited = await runCliAsync("adopt.ts", args(out), { env: env(), timeoutMs: 60_000 });
    expect(edited.status).toBe(2);
    expect(edited.stderr).toMatch(/adoption\.md already exists and was not written by adopt \(or changed since\): nothing was written/);
    expect(readFileSync(path.join(out, "adoption.md"), "utf8")).toContain("my notes");

    const foreign = path.join(dir, "foreign");
    mkdirSync(foreign);
    writeFileSync(path.join(foreign, "Pulumi.prod.yaml"), "config: {}\n");
    const refused = await runCliAsync("adopt.ts", args(foreign), { env: env(), timeoutMs: 60_000 });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/Pulumi\.prod\.yaml already exists/);
    expect(existsSync(path.join(foreign, "import.json"))).toBe(false);
  });

  it("docs/adopting.md's walk-through, run for real: adopt, adopt beside an existing Pulumi.prod.yaml, plan, policy and relay-fix of the adopted config", async () => {
    setSes({ "us-east-1": identity("us-east-1", `bounce.${D}`), "us-west-2": identity("us-west-2", `bounce.${D}`) });
    fake.region("us-east-1").identities.set(`admin@${D}`, { IdentityType: "EMAIL_ADDRESS", VerifiedForSendingStatus: true, VerificationStatus: "SUCCESS" });
    const adoptArgs = ["--domain", D, "--region", "us-east-1", "--region", "us-west-2", "--stack", "prod"];
    // As printed at the default width (COLUMNS unset), with what differs per run replaced: moto's
    // zone id, key ids, times (each of a fixed length, so the line breaks do not move).
    const atDefaultWidth = { ...env(), COLUMNS: "" };
    const shown = (command: string, r: CliResult) => consoleTranscript(command, { ...r, stdout: stable(r.stdout.split(zoneId).join("ZONEID")) });
    const fits = (r: CliResult) => expect(r.stdout.split("\n").filter((l) => l.length > TEXT_WIDTH)).toEqual([]);
    const write = docOutput;

    // 1. adopt, in a project without Pulumi.prod.yaml.
    const project = path.join(dir, "walkthrough");
    mkdirSync(project);
    const r = await runCliAsync("adopt.ts", adoptArgs, { cwd: project, env: atDefaultWidth, timeoutMs: 60_000 });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    fits(r);
    expect(r.stdout).toMatch(/^4 risks to read first:$/m);
    expect(r.stdout.replace(/\n +/g, " ")).toContain("(554 Access denied ... on resource ...:identity/admin@example.com).");
    for (const text of [r.stdout, r.stderr]) expect(text).not.toContain(smtpSecret);
    await write("adopt-walkthrough", shown(`npm run -s adopt -- ${adoptArgs.join(" ")}`, r));
    // The files it wrote, as docs/adopting.md shows them ("Review the three files").
    // adopt writes the zone's id to route53Zones when it looks like Route 53's (isRoute53ZoneId), else
    // the zone's name: moto's ids are 15 random capitals and digits, one in 36 starting with Z. The
    // docs show the id, as a real zone writes it.
    const wrote = (file: string) => stable(readFileSync(path.join(project, "adopt-prod", file), "utf8").split(zoneId).join("ZONEID").split(`${D}=${D}`).join(`${D}=ZONEID`));
    await write("adopt-pulumi-prod-yaml", wrote("Pulumi.prod.yaml"));
    await write("adopt-import-json", wrote("import.json"));

    // The same run beside the repository's Pulumi.prod.yaml (its domain changed to example.com).
    const existing = path.join(dir, "walkthrough-existing");
    mkdirSync(existing);
    writeFileSync(path.join(existing, "Pulumi.prod.yaml"), readFileSync(path.join(ROOT, "Pulumi.prod.yaml"), "utf8").replaceAll("queenofsandiego.com", D));
    const merged = await runCliAsync("adopt.ts", adoptArgs, { cwd: existing, env: atDefaultWidth, timeoutMs: 60_000 });
    expect([merged.status, merged.stderr]).toEqual([0, ""]);
    fits(merged);
    await write("adopt-walkthrough-existing", shown(`npm run -s adopt -- ${adoptArgs.join(" ")}     # beside an existing Pulumi.prod.yaml`, merged));

    // 3. plan and policy of the adopted config, offline.
    copyFileSync(path.join(project, "adopt-prod", "Pulumi.prod.yaml"), path.join(project, "Pulumi.prod.yaml"));
    copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    const plan = await runCliAsync("plan.ts", ["--stack", "prod"], { cwd: project, env: { COLUMNS: "" }, timeoutMs: 120_000 });
    expect([plan.status, plan.stderr]).toEqual([0, ""]);
    await write("adopt-plan", shown("npm run -s plan -- --stack prod", plan));
    const policy = await runCliAsync("policy.ts", ["--stack", "prod"], { cwd: project, env: { COLUMNS: "" }, timeoutMs: 120_000 });
    expect([policy.status, policy.stderr]).toEqual([0, ""]);
    await write("adopt-policy", shown("npm run -s policy -- --stack prod", policy));

    // 6. relay-fix, with the stack's verification output made offline from the adopted config plus the alias.
    const sender = `address=admin@${D}; kind=gmail-send-as; account=owner@gmail.com; region=us-east-1`;
    const withSender = readFileSync(path.join(project, "Pulumi.prod.yaml"), "utf8").replace(/^config:\n/m, `config:\n  mail-infra:senders:\n    - "${sender}"\n`);
    writeFileSync(path.join(project, "Pulumi.prod.yaml"), withSender);
    const json = await runCliAsync("plan.ts", ["--stack", "prod", "--json"], { cwd: project, timeoutMs: 120_000 });
    expect(json.status, json.stderr).toBe(0);
    writeFileSync(path.join(project, "verification.json"), JSON.stringify((JSON.parse(json.stdout) as { outputs: { verification: unknown } }).outputs.verification));
    const relayArgs = ["--manifest", "verification.json", "--sender", `admin@${D}`];
    const relay = await runCliAsync("relay-fix.ts", relayArgs, { cwd: project, env: { COLUMNS: "" }, timeoutMs: 60_000 });
    expect([relay.status, relay.stderr]).toEqual([0, ""]);
    await write("adopt-relay-fix", shown(`npm run -s relay-fix -- ${relayArgs.join(" ")}`, relay));
  });

  it("an existing Pulumi.prod.yaml in the project is never overwritten: the merge is written beside, comments and senders kept, the differences shown", async () => {
    setSes({ "us-east-1": identity("us-east-1", `bounce.${D}`), "us-west-2": identity("us-west-2", `bounce.${D}`) });
    const project = path.join(dir, "project");
    mkdirSync(project);
    const mine = [
      "# my prod stack",
      "config:",
      "  aws:region: us-east-1",
      `  mail-infra:domain: ${D}`,
      "  # the Gmail alias",
      "  mail-infra:senders:",
      `    - "address=admin@${D}; kind=gmail-send-as; account=someone@gmail.com; region=us-east-1"`,
      "  mail-infra:alertEmails:",
      "    - someone@gmail.com",
      "",
    ].join("\n");
    writeFileSync(path.join(project, "Pulumi.prod.yaml"), mine);
    const r = await runCliAsync("adopt.ts", ["--domain", D, "--region", "us-east-1", "--region", "us-west-2", "--stack", "prod", "--out", "adopt-prod"], { cwd: project, env: env(), timeoutMs: 60_000 });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(readFileSync(path.join(project, "Pulumi.prod.yaml"), "utf8")).toBe(mine);
    expect(r.stdout).toContain(`Pulumi.prod.yaml already exists here: it was NOT overwritten. Its merge with the adopted config is ${path.join("adopt-prod", "Pulumi.prod.merged.yaml")}:`);
    expect(r.stdout).toMatch(/^  kept    mail-infra:senders$/m);
    expect(r.stdout).toMatch(/^  added   mail-infra:regions$/m);
    const merged = readFileSync(path.join(project, "adopt-prod", "Pulumi.prod.merged.yaml"), "utf8");
    expect(merged).toContain("# the Gmail alias");
    const config = (parseYaml(merged) as { config: Record<string, unknown> }).config;
    expect(validateConfig(config, "prod").senders.map((x) => x.address)).toEqual([`admin@${D}`]);
    expect(config["mail-infra:alertEmails"]).toEqual(["someone@gmail.com"]);
    expect(config["mail-infra:regionalMailFromSubdomains"]).toEqual([`us-west-2=bounce.${D}`]);
    const md = readFileSync(path.join(project, "adopt-prod", "adoption.md"), "utf8");
    expect(md).toContain("1. Pulumi.prod.yaml already exists: do not copy over it");
    expect(md).toContain("`diff Pulumi.prod.yaml adopt-prod/Pulumi.prod.merged.yaml`");
  });

  it("external DNS: the summary says the config has dnsMode external and that the records are to be published by hand", async () => {
    const other = "elsewhere.test";
    fake.regions.clear();
    fake.regions.set("us-east-1", { account: {}, identities: new Map([[other, identity("us-east-1", `bounce.${other}`)]]), configurationSets: new Map(), eventDestinations: new Map(), suppressed: new Map() });
    const out = path.join(dir, "external");
    const r = await runCliAsync("adopt.ts", ["--domain", other, "--region", "us-east-1", "--stack", "ext", "--out", out], { env: env(), timeoutMs: 60_000 });
    expect([r.status, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(/; DNS outside Route 53 \(dnsMode external\);/);
    expect(r.stdout).toMatch(/^DNS: no public Route 53 hosted zone for elsewhere\.test or a parent of it: the config says dnsMode external; publish the records yourself\.$/m);
    const config = (parseYaml(readFileSync(path.join(out, "Pulumi.ext.yaml"), "utf8")) as { config: Record<string, unknown> }).config;
    expect(config["mail-infra:dnsMode"]).toBe("external");
    expect(readFileSync(path.join(out, "adoption.md"), "utf8")).toMatch(/DNS: external \(not in Route 53: you publish the records\)/);
  });

  it("AWS unreachable: exit 1, the message says what could not be read, no stack trace", async () => {
    const r = await runCliAsync("adopt.ts", [...args(path.join(dir, "unreachable")), "--timeout", "1"], { env: { ...CREDS, AWS_ENDPOINT_URL: "http://127.0.0.1:9" }, timeoutMs: 60_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: could not read the SES identity example\.com in us-east-1: .*127\.0\.0\.1:9/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(existsSync(path.join(dir, "unreachable"))).toBe(false);
  });

  it("bad input exits 2 with a message: no region, no domain or several, nothing to adopt", async () => {
    const noRegion = await runCliAsync("adopt.ts", ["--domain", D], { env: env() });
    expect([noRegion.status, noRegion.stderr]).toEqual([2, expect.stringMatching(/give at least one --region/)]);
    const twoDomains = await runCliAsync("adopt.ts", ["--domain", D, "--domain", "example.org", "--region", "us-east-1"], { env: env() });
    expect([twoDomains.status, twoDomains.stderr]).toEqual([2, expect.stringMatching(/adopt reads one domain per run \(given: "example\.com", "example\.org"\).*Run it once per domain, each with its own --stack/)]);
    const noDomain = await runCliAsync("adopt.ts", ["--region", "us-east-1"], { env: env() });
    expect([noDomain.status, noDomain.stderr]).toEqual([2, expect.stringMatching(/give the domain to adopt: --domain/)]);
    setSes({});
    const nothing = await runCliAsync("adopt.ts", args(path.join(dir, "none")), { env: env(), timeoutMs: 60_000 });
    expect(nothing.status).toBe(2);
    expect(nothing.stderr).toMatch(/no SES identity for example\.com in us-east-1, us-west-2: nothing to adopt/);
    expect(nothing.stderr).not.toMatch(/at .*\.ts:\d+/);
  });
});
