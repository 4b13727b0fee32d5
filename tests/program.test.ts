import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { parseManifest, parseStackManifest } from "../lib/manifest";
import { deriveSmtpPasswordV4 } from "../lib/smtp-password";
import { isSecretValue, mockSecretAccessKey, MOCK_ACCOUNT_ID } from "../scripts/lib/mock-program";
import { PROD_LIKE } from "./helpers/config";
import { resolve, runWithConfig } from "./helpers/program";

const T = {
  identity: "aws:sesv2/emailIdentity:EmailIdentity",
  mailFrom: "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes",
  configSet: "aws:sesv2/configurationSet:ConfigurationSet",
  eventDest: "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  record: "aws:route53/record:Record",
  user: "aws:iam/user:User",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  key: "aws:iam/accessKey:AccessKey",
  secret: "aws:secretsmanager/secret:Secret",
  secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  trail: "aws:cloudtrail/trail:Trail",
  bucket: "aws:s3/bucket:Bucket",
};

describe("the prod stack under mocks", async () => {
  const run = await runWithConfig(PROD_LIKE, "prod");
  const manifest = parseManifest(run.outputs.verification, "verification output");

  it("declares exactly the expected resources", () => {
    const counts = Object.fromEntries(Object.values(T).map((t) => [t, run.byType(t).length]));
    expect(counts).toEqual({
      // per region: an SNS destination and an EventBridge one (monitoring); an event topic and an alerts topic
      [T.identity]: 2, [T.mailFrom]: 2, [T.configSet]: 2, [T.eventDest]: 4, [T.topic]: 4, [T.topicPolicy]: 4,
      // per region 3 DKIM + MX + MAIL FROM SPF; plus apex SPF and DMARC
      [T.record]: 12,
      [T.user]: 1, [T.userPolicy]: 1, [T.key]: 1, [T.secret]: 1, [T.secretVersion]: 1,
      // monitoring (tests/monitoring.test.ts): one address, 2 regions, 4 alarms each, iam+ses+secret+feedback in us-east-1, ses+feedback in us-west-2, no trail
      [T.subscription]: 2, [T.alarm]: 8, [T.rule]: 6, [T.target]: 6, [T.trail]: 0, [T.bucket]: 0,
    });
    const components = run.resources.filter((r) => !r.custom).map((r) => `${r.type} ${r.name}`);
    expect(components.sort()).toEqual([
      "mail-infra:dns:DnsRecords queenofsandiego.com-dns",
      "mail-infra:iam:SmtpCredentials smtp",
      "mail-infra:monitoring:Monitoring monitoring",
      "mail-infra:ses:MailDomain queenofsandiego.com",
      "mail-infra:ses:SesIdentity queenofsandiego.com-us-east-1",
      "mail-infra:ses:SesIdentity queenofsandiego.com-us-west-2",
    ]);
    for (const r of run.resources.filter((x) => x.custom)) expect(r.parent, r.urn).toBeDefined();
  });

  it.each(["us-east-1", "us-west-2"])("identity in %s: Easy DKIM 2048, default configuration set", (region) => {
    const id = run.one(T.identity, region);
    expect(id.inputs).toMatchObject({
      region,
      emailIdentity: "queenofsandiego.com",
      configurationSetName: "mail-infra-queenofsandiego-com",
      dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
    });
  });

  it("MAIL FROM per region, each under the domain, falling back to amazonses.com on MX failure (the default)", () => {
    expect(run.byType(T.mailFrom).map((r) => [r.inputs.region, r.inputs.mailFromDomain, r.inputs.behaviorOnMxFailure])).toEqual([
      ["us-east-1", "bounce.queenofsandiego.com", "USE_DEFAULT_VALUE"],
      ["us-west-2", "bounce-us-west-2.queenofsandiego.com", "USE_DEFAULT_VALUE"],
    ]);
  });

  it("configuration set: TLS required, reputation metrics, BOUNCE and COMPLAINT suppressed", () => {
    for (const cs of run.byType(T.configSet)) {
      expect(cs.inputs).toMatchObject({
        deliveryOptions: { tlsPolicy: "REQUIRE" },
        reputationOptions: { reputationMetricsEnabled: true },
        sendingOptions: { sendingEnabled: true },
        suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] },
      });
    }
  });

  it("event destination publishes feedback to the region's SNS topic", () => {
    for (const region of ["us-east-1", "us-west-2"]) {
      const ed = run.one(T.eventDest, `${region}-event-destination`);
      expect(ed.inputs).toMatchObject({
        region,
        configurationSetName: "mail-infra-queenofsandiego-com",
        eventDestination: {
          enabled: true,
          matchingEventTypes: ["BOUNCE", "COMPLAINT", "REJECT", "DELIVERY_DELAY", "RENDERING_FAILURE"],
          snsDestination: { topicArn: `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:mail-infra-queenofsandiego-com-ses-events` },
        },
      });
      const topicPolicy = run.one(T.topicPolicy, `${region}-events-policy`);
      const policy = JSON.parse(String(topicPolicy.inputs.policy));
      // Only SES, only this account, only this configuration set (confused deputy).
      expect(policy.Statement).toEqual([
        {
          Sid: "AllowSesPublish",
          Effect: "Allow",
          Principal: { Service: "ses.amazonaws.com" },
          Action: "sns:Publish",
          Resource: `arn:aws:sns:${region}:${MOCK_ACCOUNT_ID}:mail-infra-queenofsandiego-com-ses-events`,
          Condition: {
            StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID, "aws:SourceArn": `arn:aws:ses:${region}:${MOCK_ACCOUNT_ID}:configuration-set/mail-infra-queenofsandiego-com` },
          },
        },
      ]);
      // The destination is created only once SES may publish to the topic.
      expect(ed.options.dependsOn).toContain(topicPolicy.urn);
    }
  });

  it("DNS: DKIM CNAMEs per region to the region's signing host, MX to the region's feedback host, one SPF, DMARC", () => {
    const records = run.byType(T.record).map((r) => ({ name: r.inputs.name, type: r.inputs.type, records: r.inputs.records, zoneId: r.inputs.zoneId }));
    const tokens = Object.fromEntries(manifest.domains[0].regions.map((r) => [r.region, r.dkimTokens]));
    expect(tokens["us-east-1"]).toHaveLength(3);
    expect(tokens["us-east-1"]).not.toEqual(tokens["us-west-2"]);
    const zoneId = records[0].zoneId;
    expect(zoneId).toMatch(/^Z/);
    expect(records).toEqual(
      expect.arrayContaining([
        ...["us-east-1", "us-west-2"].flatMap((region) =>
          tokens[region].map((t) => ({ name: `${t}._domainkey.queenofsandiego.com`, type: "CNAME", records: [`${t}.dkim.amazonses.com`], zoneId })),
        ),
        { name: "bounce.queenofsandiego.com", type: "MX", records: ["10 feedback-smtp.us-east-1.amazonses.com"], zoneId },
        { name: "bounce.queenofsandiego.com", type: "TXT", records: ["v=spf1 include:amazonses.com ~all"], zoneId },
        { name: "bounce-us-west-2.queenofsandiego.com", type: "MX", records: ["10 feedback-smtp.us-west-2.amazonses.com"], zoneId },
        { name: "bounce-us-west-2.queenofsandiego.com", type: "TXT", records: ["v=spf1 include:amazonses.com ~all"], zoneId },
        { name: "queenofsandiego.com", type: "TXT", records: ["v=spf1 ~all"], zoneId },
        { name: "_dmarc.queenofsandiego.com", type: "TXT", records: ["v=DMARC1; p=none; rua=mailto:dmarc-reports@queenofsandiego.com"], zoneId },
      ]),
    );
    const spfAtApex = records.filter((r) => r.name === "queenofsandiego.com" && (r.records as string[])[0].startsWith("v=spf1"));
    expect(spfAtApex).toHaveLength(1);
  });

  it("SMTP user: path /mail/, only ses:SendRawEmail as the senders, in the senders' region", () => {
    expect(run.one(T.user).inputs).toMatchObject({ name: "mail-infra-smtp-prod", path: "/mail/" });
    const doc = JSON.parse(String(run.one(T.userPolicy).inputs.policy));
    expect(doc.Statement).toHaveLength(1);
    expect(doc.Statement[0].Action).toEqual(["ses:SendRawEmail"]);
    expect(doc.Statement[0].Condition).toEqual({ StringEqualsIgnoreCase: { "ses:FromAddress": ["admin@queenofsandiego.com"] } });
    // The one sender relays through us-east-1: us-west-2 is not granted. The identities are a
    // region pattern; the From address names whose (lib/iam.ts smtpGrant).
    expect([...doc.Statement[0].Resource].sort()).toEqual(
      [`arn:aws:ses:us-east-1:${MOCK_ACCOUNT_ID}:identity/*`, `arn:aws:ses:us-east-1:${MOCK_ACCOUNT_ID}:configuration-set/mail-infra-*`].sort(),
    );
  });

  it("access key named by generation; secret in the primary region with a recovery window", () => {
    expect(run.one(T.key).name).toBe("smtp-key-gen1");
    expect(run.one(T.secret).inputs).toMatchObject({ region: "us-east-1", name: "mail-infra/prod/ses-smtp", recoveryWindowInDays: 30 });
    expect(String(run.one(T.secret).inputs.description)).toMatch(/SMTP/);
  });

  it("the secret holds the username and a correct v4 password per region, and is marked secret", async () => {
    const version = run.one(T.secretVersion);
    expect(isSecretValue(version.inputs.secretString)).toBe(true);
    expect(await pulumi.isSecret(run.stackObjects.smtp!.secretValue)).toBe(true);
    const value = JSON.parse(await resolve(run.stackObjects.smtp!.secretValue));
    const secretKey = mockSecretAccessKey("prod", "smtp-key-gen1");
    expect(value).toEqual({
      username: manifest.smtp.accessKeyId,
      keyGeneration: 1,
      regions: {
        "us-east-1": { host: "email-smtp.us-east-1.amazonaws.com", port: 587, password: deriveSmtpPasswordV4(secretKey, "us-east-1") },
      },
    });
  });

  it("no plaintext secret in any non-secret output", async () => {
    const secretKey = mockSecretAccessKey("prod", "smtp-key-gen1");
    const needles = [secretKey, deriveSmtpPasswordV4(secretKey, "us-east-1"), deriveSmtpPasswordV4(secretKey, "us-west-2")];
    expect(run.secretOutputs).toEqual([]);
    const published = JSON.stringify(run.outputs);
    for (const n of needles) expect(published).not.toContain(n);
    expect(await pulumi.isSecret(run.stackObjects.outputs.verification)).toBe(false);
  });

  it("the verification manifest carries what verify needs", () => {
    expect(manifest.domains[0].regions.map((r) => [r.region, r.primary, r.mailFromDomain, r.signingHostedZone, r.configurationSet, r.smtpEndpoint])).toEqual([
      ["us-east-1", true, "bounce.queenofsandiego.com", "dkim.amazonses.com", "mail-infra-queenofsandiego-com", "email-smtp.us-east-1.amazonaws.com"],
      ["us-west-2", false, "bounce-us-west-2.queenofsandiego.com", "dkim.amazonses.com", "mail-infra-queenofsandiego-com", "email-smtp.us-west-2.amazonaws.com"],
    ]);
    expect(manifest.domains[0].records).toHaveLength(12);
    expect(manifest.smtp).toMatchObject({ user: "mail-infra-smtp-prod", secretName: "mail-infra/prod/ses-smtp", secretRegion: "us-east-1", port: 587, keyGeneration: 1 });
    expect(manifest.smtp.accessKeyId).toMatch(/^AKIA/);
    expect(manifest.smtp.secretId).toMatch(/^arn:aws:secretsmanager:us-east-1:/);
    expect(manifest.senders).toEqual([
      { address: "admin@queenofsandiego.com", kind: "gmail-send-as", account: "owner@gmail.com", region: "us-east-1", smtpEndpoint: "email-smtp.us-east-1.amazonaws.com" },
    ]);
    expect(run.outputs.zoneFile).toBeUndefined();
  });
});

describe("other stack shapes", () => {
  it("a multi-domain stack gives each domain its own tree and one SMTP user for all", async () => {
    const run = await runWithConfig({ domains: ["a.example", "b.example"], regions: ["eu-west-1"], smtpAllowedFromAddresses: ["app@a.example", "app@b.example"] });
    expect(run.byType("mail-infra:ses:MailDomain").map((r) => r.name)).toEqual(["a.example", "b.example"]);
    expect(run.byType(T.identity).map((r) => r.inputs.emailIdentity)).toEqual(["a.example", "b.example"]);
    expect(run.byType(T.record)).toHaveLength(14);
    expect(run.byType(T.user)).toHaveLength(1);
    const doc = JSON.parse(String(run.one(T.userPolicy).inputs.policy));
    // One region: two patterns, whatever the number of domains (lib/iam.ts smtpGrant).
    expect(doc.Statement[0].Resource).toHaveLength(2);
    expect(doc.Statement[0].Condition).toEqual({ StringEqualsIgnoreCase: { "ses:FromAddress": ["app@a.example", "app@b.example"] } });
    const zoneIds = new Set(run.byType(T.record).map((r) => `${String(r.inputs.name).endsWith("b.example")}:${r.inputs.zoneId}`));
    expect(zoneIds.size).toBe(2);
  });

  it("a regional signing host is used where SES has one", async () => {
    const run = await runWithConfig({ domain: "example.com", regions: ["eu-south-1"] });
    const cnames = run.byType(T.record).filter((r) => r.inputs.type === "CNAME");
    expect(cnames.map((r) => (r.inputs.records as string[])[0])).toEqual(
      [1, 2, 3].map((i) => expect.stringMatching(new RegExp(`^placeholder${i}-.*\\.dkim\\.eu-south-1\\.amazonses\\.com$`))),
    );
  });

  it("external DNS mode creates no Route 53 resource and exports the records and a zone fragment", async () => {
    const run = await runWithConfig({ domain: "example.com", regions: ["us-east-1"], dnsMode: "external" });
    expect(run.byType(T.record)).toHaveLength(0);
    expect(run.resources.some((r) => r.type.startsWith("aws:route53"))).toBe(false);
    const manifest = parseStackManifest(run.outputs.verification, "verification");
    expect(manifest.domains[0].dns).toEqual({ mode: "external" });
    expect(manifest.domains[0].records).toHaveLength(7);
    const zone = String(run.outputs.zoneFile);
    expect(zone).toContain("bounce.example.com.");
    expect(zone).toMatch(/bounce\.example\.com\.\s+600 IN MX\s+10 feedback-smtp\.us-east-1\.amazonses\.com\./);
    expect(zone).toMatch(/_dmarc\.example\.com\.\s+600 IN TXT\s+"v=DMARC1; p=none; rua=mailto:dmarc-reports@example\.com"/);
  });

  it("apexTxtValues are declared in the one apex TXT record, after the SPF record", async () => {
    const r = await runWithConfig({ domain: "example.com", regions: ["us-east-1"], spfMechanisms: ["include:_spf.google.com"], apexTxtValues: ["google-site-verification=abc", "MS=ms1"] });
    const apex = r.byType(T.record).filter((x) => x.inputs.name === "example.com" && x.inputs.type === "TXT");
    expect(apex).toHaveLength(1);
    expect(apex[0].name).toBe("example.com-dns-spf");
    expect(apex[0].inputs.records).toEqual(["v=spf1 include:_spf.google.com ~all", "google-site-verification=abc", "MS=ms1"]);
  });

  it("MAIL FROM attributes wait for their MAIL FROM domain's MX and SPF records (dependsOn), none with external DNS", async () => {
    const r = await runWithConfig({ domain: "example.com", regions: ["us-east-1", "us-west-2"] });
    for (const [region, mailFrom] of [["us-east-1", "bounce.example.com"], ["us-west-2", "bounce-us-west-2.example.com"]]) {
      const mf = r.one(T.mailFrom, `example.com-${region}-mail-from`);
      const own = r.byType(T.record).filter((x) => x.inputs.name === mailFrom).map((x) => x.urn);
      expect(own).toHaveLength(2);
      for (const urn of own) expect(mf.options.dependsOn).toContain(urn);
      // Only its own: not the other region's records.
      const other = r.byType(T.record).filter((x) => String(x.inputs.name).startsWith("bounce") && x.inputs.name !== mailFrom).map((x) => x.urn);
      for (const urn of other) expect(mf.options.dependsOn).not.toContain(urn);
    }
    const ext = await runWithConfig({ domain: "example.com", regions: ["us-east-1"], dnsMode: "external" });
    expect(ext.one(T.mailFrom).options.dependsOn.filter((u) => u.includes("route53"))).toEqual([]);
  });

  it("a zone given by id is used as is", async () => {
    const run = await runWithConfig({ domain: "example.com", regions: ["us-east-1"], route53Zones: ["example.com=Z0123456789ABCDEFGHIJ"] });
    expect(new Set(run.byType(T.record).map((r) => r.inputs.zoneId))).toEqual(new Set(["Z0123456789ABCDEFGHIJ"]));
  });

  it("a first deployment at generation 2 declares key 2 and, unless retired, key 1", async () => {
    const run = await runWithConfig({ domain: "example.com", regions: ["us-east-1"], smtpCredentials: "any-address", smtpKeyGeneration: 2 });
    expect(run.byType(T.key).map((r) => [r.name, r.inputs.status])).toEqual([["smtp-key-gen2", "Active"], ["smtp-key-gen1", "Active"]]);
    const retired = await runWithConfig({ domain: "example.com", regions: ["us-east-1"], smtpCredentials: "any-address", smtpKeyGeneration: 2, smtpPreviousKey: "retired" });
    expect(retired.byType(T.key).map((r) => r.name)).toEqual(["smtp-key-gen2"]);
  });

  it("insecure but legal settings reach the resources unchanged (the policy pack judges them)", async () => {
    const run = await runWithConfig({
      domain: "example.com", regions: ["us-east-1"], tlsPolicy: "OPTIONAL", mailFromBehaviorOnMxFailure: "USE_DEFAULT_VALUE",
      dkimSigningKeyLength: "RSA_1024_BIT", smtpSecretRecoveryWindowDays: 0, smtpSecretKmsKeyId: "alias/mail", smtpCredentials: "any-address",
    });
    expect(run.one(T.configSet).inputs).toMatchObject({ deliveryOptions: { tlsPolicy: "OPTIONAL" } });
    expect(run.one(T.mailFrom).inputs).toMatchObject({ behaviorOnMxFailure: "USE_DEFAULT_VALUE" });
    expect(run.one(T.identity).inputs).toMatchObject({ dkimSigningAttributes: { nextSigningKeyLength: "RSA_1024_BIT" } });
    expect(run.one(T.secret).inputs).toMatchObject({ recoveryWindowInDays: 0, kmsKeyId: "alias/mail" });
  });
});
