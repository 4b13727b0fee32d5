/**
 * Monitoring (issue 12) under mocks: every resource and its region, the exact event patterns
 * and messages, the thresholds (defaults and configured), the topic policies' conditions, the
 * trail (createTrail true and false), the manifest's `monitoring` section; and the config keys.
 */
import { describe, expect, it } from "vitest";
import { validateConfig } from "../lib/config";
import { parseManifest, parseStackManifest } from "../lib/manifest";
import {
  alertsTopicArnProblem,
  DEFAULT_THRESHOLDS,
  existingTopicProblems,
  formatRate,
  monitoringRegions,
  parseRate,
  type RulePurpose,
  ruleTransformer,
  trailBucketName,
  trailRegions,
} from "../lib/monitoring";
import { MOCK_ACCOUNT_ID } from "../scripts/lib/mock-program";
import { configIssues, pulumiConfig, PROD_LIKE } from "./helpers/config";
import { runWithConfig, type TestRun } from "./helpers/program";

const T = {
  topic: "aws:sns/topic:Topic",
  topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
  subscription: "aws:sns/topicSubscription:TopicSubscription",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  rule: "aws:cloudwatch/eventRule:EventRule",
  target: "aws:cloudwatch/eventTarget:EventTarget",
  eventDest: "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination",
  trail: "aws:cloudtrail/trail:Trail",
  bucket: "aws:s3/bucket:Bucket",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
};
const A = MOCK_ACCOUNT_ID;
const monitoringOf = (run: TestRun) => run.resources.filter((r) => r.parent?.endsWith("::monitoring"));
const topicArn = (region: string) => `arn:aws:sns:${region}:${A}:mail-infra-prod-alerts`;

describe("monitoring of the prod stack", async () => {
  const run = await runWithConfig(PROD_LIKE, "prod");
  const manifest = parseManifest(run.outputs.verification, "verification output");

  it("an alerts topic per region that needs one (the SES regions; IAM's and the secret's region is us-east-1), each with the address subscribed", () => {
    expect(run.byType(T.topic).filter((t) => t.name.startsWith("monitoring-")).map((t) => [t.name, t.inputs.region, t.inputs.name])).toEqual([
      ["monitoring-us-east-1-alerts", "us-east-1", "mail-infra-prod-alerts"],
      ["monitoring-us-west-2-alerts", "us-west-2", "mail-infra-prod-alerts"],
    ]);
    expect(run.byType(T.subscription).map((s) => [s.name, s.inputs])).toEqual([
      ["monitoring-us-east-1-alerts-owner-gmail-com", { region: "us-east-1", topic: topicArn("us-east-1"), protocol: "email", endpoint: "owner@gmail.com" }],
      ["monitoring-us-west-2-alerts-owner-gmail-com", { region: "us-west-2", topic: topicArn("us-west-2"), protocol: "email", endpoint: "owner@gmail.com" }],
    ]);
    for (const r of monitoringOf(run)) expect(r.parent, r.name).toBe("urn:pulumi:prod::mail-infra::mail-infra:monitoring:Monitoring::monitoring");
  });

  it("four reputation alarms per SES region, account-wide, at the default thresholds, missing data ignored, actions to the region's topic", () => {
    const alarms = run.byType(T.alarm);
    expect(alarms.map((a) => [a.inputs.region, a.inputs.name, a.inputs.metricName, a.inputs.threshold])).toEqual(
      ["us-east-1", "us-west-2"].flatMap((region) => [
        [region, "mail-infra-prod-bounce-rate-warning", "Reputation.BounceRate", 0.02],
        [region, "mail-infra-prod-bounce-rate-alarm", "Reputation.BounceRate", 0.05],
        [region, "mail-infra-prod-complaint-rate-warning", "Reputation.ComplaintRate", 0.0005],
        [region, "mail-infra-prod-complaint-rate-alarm", "Reputation.ComplaintRate", 0.001],
      ]),
    );
    for (const a of alarms) {
      const region = String(a.inputs.region);
      expect(a.inputs).toMatchObject({
        namespace: "AWS/SES",
        statistic: "Maximum",
        period: 3600,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "ignore",
        alarmActions: [topicArn(region)],
        okActions: [topicArn(region)],
      });
      expect(a.inputs.dimensions).toBeUndefined();
      expect(String(a.inputs.alarmDescription)).toContain(region);
    }
  });

  it("the rules per region: iam and secret in us-east-1 only, ses and feedback in each SES region, all enabled", () => {
    expect(run.byType(T.rule).map((r) => [r.inputs.region, r.inputs.name, r.inputs.state]).sort()).toEqual(
      [
        ["us-east-1", "mail-infra-prod-iam-changes", "ENABLED"],
        ["us-east-1", "mail-infra-prod-ses-changes", "ENABLED"],
        ["us-east-1", "mail-infra-prod-secret-changes", "ENABLED"],
        ["us-east-1", "mail-infra-prod-feedback", "ENABLED"],
        ["us-west-2", "mail-infra-prod-ses-changes", "ENABLED"],
        ["us-west-2", "mail-infra-prod-feedback", "ENABLED"],
      ].sort(),
    );
    // Each rule's one target is the alerts topic of its own region.
    for (const rule of run.byType(T.rule)) {
      const region = String(rule.inputs.region);
      const target = run.one(T.target, rule.name.replace(/-rule$/, "-target"));
      expect(target.inputs).toMatchObject({ region, rule: rule.inputs.name, arn: topicArn(region), targetId: "alerts-topic" });
    }
  });

  const pattern = (name: string) => JSON.parse(String(run.one(T.rule, name).inputs.eventPattern)) as unknown;

  it("the IAM rule: the SMTP user's key and policy calls, from CloudTrail", () => {
    expect(pattern("monitoring-us-east-1-iam-rule")).toEqual({
      source: ["aws.iam"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        eventSource: ["iam.amazonaws.com"],
        eventName: ["CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey", "PutUserPolicy", "DeleteUserPolicy", "AttachUserPolicy", "DetachUserPolicy"],
        requestParameters: { userName: ["mail-infra-smtp-prod"] },
      },
    });
  });

  it("the SES rule: identity, configuration set, event destination and suppression calls of API v1 and v2", () => {
    const p = pattern("monitoring-us-west-2-ses-rule") as { source: string[]; "detail-type": string[]; detail: { eventSource: string[]; eventName: string[] } };
    expect(p.source).toEqual(["aws.ses"]);
    expect(p["detail-type"]).toEqual(["AWS API Call via CloudTrail"]);
    expect(p.detail.eventSource).toEqual(["ses.amazonaws.com"]);
    expect(p.detail.eventName).toEqual(
      expect.arrayContaining([
        "DeleteEmailIdentity", "PutEmailIdentityMailFromAttributes", "PutEmailIdentityDkimAttributes", "PutEmailIdentityDkimSigningAttributes",
        "DeleteConfigurationSet", "CreateConfigurationSetEventDestination", "UpdateConfigurationSetEventDestination", "DeleteConfigurationSetEventDestination",
        "PutSuppressedDestination", "DeleteSuppressedDestination", "PutAccountSuppressionAttributes", "PutConfigurationSetSuppressionOptions",
        "DeleteIdentity", "SetIdentityMailFromDomain", "SetIdentityDkimEnabled",
      ]),
    );
    expect(new Set(p.detail.eventName).size).toBe(p.detail.eventName.length);
    expect(Object.keys(p.detail)).toEqual(["eventSource", "eventName"]);
    expect(pattern("monitoring-us-east-1-ses-rule")).toEqual(p);
  });

  it("the secret rule: the SMTP secret by name or by its ARN (never another secret that shares the prefix)", () => {
    expect(pattern("monitoring-us-east-1-secret-rule")).toEqual({
      source: ["aws.secretsmanager"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: {
        eventSource: ["secretsmanager.amazonaws.com"],
        eventName: ["PutSecretValue", "UpdateSecret", "UpdateSecretVersionStage", "DeleteSecret", "RestoreSecret", "RotateSecret", "CancelRotateSecret", "PutResourcePolicy", "DeleteResourcePolicy"],
        requestParameters: { secretId: ["mail-infra/prod/ses-smtp", { prefix: `arn:aws:secretsmanager:us-east-1:${A}:secret:mail-infra/prod/ses-smtp-` }] },
      },
    });
  });

  it("feedback: each configuration set also publishes BOUNCE and COMPLAINT to the default event bus, and a rule summarises them", () => {
    for (const region of ["us-east-1", "us-west-2"]) {
      expect(run.one(T.eventDest, `monitoring-queenofsandiego.com-${region}-feedback-destination`).inputs).toEqual({
        region,
        configurationSetName: "mail-infra-queenofsandiego-com",
        eventDestinationName: "eventbridge-alerts",
        eventDestination: { enabled: true, matchingEventTypes: ["BOUNCE", "COMPLAINT"], eventBridgeDestination: { eventBusArn: `arn:aws:events:${region}:${A}:event-bus/default` } },
      });
      expect(pattern(`monitoring-${region}-feedback-rule`)).toEqual({
        source: ["aws.ses"],
        "detail-type": ["Email Bounced", "Email Complaint Received"],
        detail: { mail: { tags: { "ses:configuration-set": ["mail-infra-queenofsandiego-com"] } } },
      });
    }
  });

  it("every message says who, what, which resource, when and where, and every placeholder has a path", () => {
    for (const target of run.byType(T.target)) {
      const t = target.inputs.inputTransformer as { inputPaths: Record<string, string>; inputTemplate: string };
      const text = JSON.parse(t.inputTemplate) as string;
      const placeholders = [...text.matchAll(/<([A-Za-z0-9]+)>/g)].map((m) => m[1]);
      expect(placeholders.filter((p) => !(p in t.inputPaths)), target.name).toEqual([]);
      expect(Object.keys(t.inputPaths).filter((k) => !placeholders.includes(k)), target.name).toEqual([]);
      expect(text).toMatch(/^mail-infra prod: /);
      expect(text).toContain("docs/monitoring.md#");
    }
    const iam = JSON.parse((run.one(T.target, "us-east-1-iam-target").inputs.inputTransformer as { inputTemplate: string }).inputTemplate) as string;
    expect(iam.split("\n")).toEqual([
      "mail-infra prod: the SMTP user's access keys or permissions changed",
      "",
      "Who: <who>",
      "What: <what>",
      "User: <user>",
      "Access key: <key><newKey> (status: <status>)",
      "Policy: <policy><policyArn>",
      "When: <when> in <region>, from <ip> (<agent>)",
      "Error code (empty when the call succeeded): <error>",
      "",
      "Expected? If nobody on the team made this change, treat it as an incident: docs/monitoring.md#iam-changes",
    ]);
    expect((run.one(T.target, "us-east-1-iam-target").inputs.inputTransformer as { inputPaths: Record<string, string> }).inputPaths).toMatchObject({
      who: "$.detail.userIdentity.arn",
      what: "$.detail.eventName",
      user: "$.detail.requestParameters.userName",
    });
  });

  it("alerts topic policies: EventBridge for exactly this region's rules, CloudWatch for exactly its alarms, this account only", () => {
    for (const [region, purposes] of [["us-east-1", ["iam", "ses", "secret", "feedback"]], ["us-west-2", ["ses", "feedback"]]] as const) {
      const policy = JSON.parse(String(run.one(T.topicPolicy, `monitoring-${region}-alerts-policy`).inputs.policy)) as { Statement: unknown[] };
      const ruleArn = (p: RulePurpose) => `arn:aws:events:${region}:${A}:rule/${p === "feedback" ? "mail-infra-prod-feedback" : `mail-infra-prod-${p}-changes`}`;
      expect(policy.Statement).toEqual([
        {
          Sid: "AllowEventBridgeRules",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sns:Publish",
          Resource: topicArn(region),
          Condition: { StringEquals: { "aws:SourceAccount": A }, ArnEquals: { "aws:SourceArn": purposes.map(ruleArn) } },
        },
        {
          Sid: "AllowReputationAlarms",
          Effect: "Allow",
          Principal: { Service: "cloudwatch.amazonaws.com" },
          Action: "sns:Publish",
          Resource: topicArn(region),
          Condition: {
            StringEquals: { "aws:SourceAccount": A },
            ArnEquals: {
              "aws:SourceArn": ["bounce-rate-warning", "bounce-rate-alarm", "complaint-rate-warning", "complaint-rate-alarm"].map((n) => `arn:aws:cloudwatch:${region}:${A}:alarm:mail-infra-prod-${n}`),
            },
          },
        },
      ]);
    }
  });

  it("no trail without createTrail", () => {
    expect(run.byType(T.trail)).toEqual([]);
    expect(run.resources.filter((r) => r.type.startsWith("aws:s3/"))).toEqual([]);
  });

  it("fills the manifest's monitoring section (what verify's monitoring layer reads)", () => {
    const alarms = [
      { name: "mail-infra-prod-bounce-rate-warning", kind: "bounce", level: "warning", threshold: 0.02 },
      { name: "mail-infra-prod-bounce-rate-alarm", kind: "bounce", level: "alarm", threshold: 0.05 },
      { name: "mail-infra-prod-complaint-rate-warning", kind: "complaint", level: "warning", threshold: 0.0005 },
      { name: "mail-infra-prod-complaint-rate-alarm", kind: "complaint", level: "alarm", threshold: 0.001 },
    ];
    expect(manifest.monitoring).toEqual({
      alertEmails: ["owner@gmail.com"],
      regions: [
        {
          region: "us-east-1",
          alertsTopicArn: topicArn("us-east-1"),
          alarms,
          rules: [
            { name: "mail-infra-prod-iam-changes", purpose: "iam" },
            { name: "mail-infra-prod-ses-changes", purpose: "ses" },
            { name: "mail-infra-prod-secret-changes", purpose: "secret" },
            { name: "mail-infra-prod-feedback", purpose: "feedback" },
          ],
        },
        {
          region: "us-west-2",
          alertsTopicArn: topicArn("us-west-2"),
          alarms,
          rules: [
            { name: "mail-infra-prod-ses-changes", purpose: "ses" },
            { name: "mail-infra-prod-feedback", purpose: "feedback" },
          ],
        },
      ],
      trail: { regions: ["us-east-1", "us-west-2"] },
    });
  });
});

describe("monitoring in other shapes", () => {
  it("configured thresholds reach the alarms and the manifest", async () => {
    const run = await runWithConfig(
      { ...PROD_LIKE, bounceRateWarning: "1%", bounceRateAlarm: "4.5 %", complaintRateWarning: "0.02%", complaintRateAlarm: "0.08%" },
      "prod",
    );
    const thresholds = run.byType(T.alarm).filter((a) => a.inputs.region === "us-west-2").map((a) => [a.inputs.name, a.inputs.threshold]);
    expect(thresholds).toEqual([
      ["mail-infra-prod-bounce-rate-warning", 0.01],
      ["mail-infra-prod-bounce-rate-alarm", 0.045],
      ["mail-infra-prod-complaint-rate-warning", 0.0002],
      ["mail-infra-prod-complaint-rate-alarm", 0.0008],
    ]);
    const manifest = parseManifest(run.outputs.verification, "verification");
    expect(manifest.monitoring?.regions[1].alarms.map((a) => a.threshold)).toEqual([0.01, 0.045, 0.0002, 0.0008]);
  });

  it("without alertEmails nothing of monitoring is declared, and the manifest has no monitoring section", async () => {
    const { alertEmails: _unused, ...quiet } = PROD_LIKE;
    const run = await runWithConfig(quiet, "prod");
    expect(run.resources.filter((r) => r.type === "mail-infra:monitoring:Monitoring" || r.parent?.endsWith("::monitoring"))).toEqual([]);
    expect(run.byType(T.topic)).toHaveLength(2);
    expect(parseManifest(run.outputs.verification, "verification").monitoring).toBeUndefined();
  });

  it("SES outside us-east-1: us-east-1 still gets a topic for the IAM rule, with no alarm and no SES rule there", async () => {
    const run = await runWithConfig({ domain: "example.com", regions: ["eu-west-1"], alertEmails: ["a@example.org", "b@example.org"] }, "eu");
    expect(run.byType(T.topic).filter((t) => t.name.startsWith("monitoring-")).map((t) => t.inputs.region)).toEqual(["eu-west-1", "us-east-1"]);
    expect(run.byType(T.subscription).map((s) => [s.inputs.region, s.inputs.endpoint])).toEqual([
      ["eu-west-1", "a@example.org"], ["eu-west-1", "b@example.org"], ["us-east-1", "a@example.org"], ["us-east-1", "b@example.org"],
    ]);
    expect(new Set(run.byType(T.alarm).map((a) => a.inputs.region))).toEqual(new Set(["eu-west-1"]));
    expect(run.byType(T.rule).map((r) => [r.inputs.region, r.inputs.name]).sort()).toEqual(
      [["eu-west-1", "mail-infra-eu-ses-changes"], ["eu-west-1", "mail-infra-eu-secret-changes"], ["eu-west-1", "mail-infra-eu-feedback"], ["us-east-1", "mail-infra-eu-iam-changes"]].sort(),
    );
    const policy = JSON.parse(String(run.one(T.topicPolicy, "monitoring-us-east-1-alerts-policy").inputs.policy)) as { Statement: { Sid: string }[] };
    expect(policy.Statement.map((s) => s.Sid)).toEqual(["AllowEventBridgeRules"]);
    const manifest = parseStackManifest(run.outputs.verification, "verification");
    expect(manifest.monitoring?.trail).toEqual({ regions: ["eu-west-1", "us-east-1"] });
    expect(manifest.monitoring?.regions.map((r) => [r.region, r.alarms.length, r.rules.map((x) => x.purpose)])).toEqual([
      ["eu-west-1", 4, ["ses", "secret", "feedback"]],
      ["us-east-1", 0, ["iam"]],
    ]);
  });

  it("mail-infra:snsKmsKeyId encrypts every SNS topic of the stack, events and alerts topics in every region; without it none is", async () => {
    const cfg = { domain: "example.com", regions: ["us-east-1", "us-west-2"], alertEmails: ["ops@example.org"] };
    const run = await runWithConfig({ ...cfg, snsKmsKeyId: "alias/mail-sns" }, "kms");
    const topics = run.byType(T.topic);
    expect(topics.map((t) => [t.name, t.inputs.region])).toEqual(expect.arrayContaining([["monitoring-us-west-2-alerts", "us-west-2"], ["example.com-us-east-1-events", "us-east-1"]]));
    expect(topics.length).toBe(4);
    expect(topics.map((t) => t.inputs.kmsMasterKeyId)).toEqual(topics.map(() => "alias/mail-sns"));
    const plain = await runWithConfig(cfg, "plain");
    expect(plain.byType(T.topic).map((t) => t.inputs.kmsMasterKeyId)).toEqual(plain.byType(T.topic).map(() => undefined));
  });

  it("a multi-domain stack's feedback rule covers every configuration set of the region", async () => {
    const run = await runWithConfig({ domains: ["a.example", "b.example"], regions: ["us-east-1"], alertEmails: ["ops@a.example"], smtpAllowedFromAddresses: ["app@a.example"] }, "multi");
    expect(JSON.parse(String(run.one(T.rule, "feedback-rule").inputs.eventPattern)).detail).toEqual({
      mail: { tags: { "ses:configuration-set": ["mail-infra-a-example", "mail-infra-b-example"] } },
    });
    expect(run.byType(T.eventDest).filter((d) => d.name.startsWith("monitoring-")).map((d) => d.inputs.configurationSetName)).toEqual(["mail-infra-a-example", "mail-infra-b-example"]);
  });

  describe("createTrail", async () => {
    const run = await runWithConfig({ ...PROD_LIKE, createTrail: "true" }, "prod");
    const bucketName = `mail-infra-prod-trail-${A}`;
    const trailArn = `arn:aws:cloudtrail:us-east-1:${A}:trail/mail-infra-prod`;

    it("a multi-region trail of management write events, IAM's global events included, log file validation on", () => {
      expect(run.one(T.trail).inputs).toEqual({
        region: "us-east-1",
        name: "mail-infra-prod",
        s3BucketName: bucketName,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        enableLogging: true,
        eventSelectors: [{ readWriteType: "WriteOnly", includeManagementEvents: true }],
        tags: { "managed-by": "mail-infra", "mail-infra:stack": "prod" },
      });
      expect(run.one(T.trail).options.dependsOn).toContain(run.one(T.bucketPolicy).urn);
    });

    it("its own bucket: encrypted, public access blocked, a lifecycle rule, no forceDestroy", () => {
      expect(run.one(T.bucket).inputs).toMatchObject({ region: "us-east-1", bucket: bucketName, forceDestroy: false });
      expect(run.one(T.encryption).inputs).toMatchObject({ bucket: bucketName, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
      expect(run.one(T.publicAccess).inputs).toMatchObject({ bucket: bucketName, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
      expect(run.one(T.lifecycle).inputs).toMatchObject({
        bucket: bucketName,
        rules: [{ id: "expire-trail-logs", status: "Enabled", expiration: { days: 365 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 7 } }],
      });
    });

    it("the bucket policy lets only this trail write (aws:SourceArn) and refuses plain HTTP", () => {
      const policy = JSON.parse(String(run.one(T.bucketPolicy).inputs.policy)) as { Statement: unknown[] };
      expect(policy.Statement).toEqual([
        { Sid: "AWSCloudTrailAclCheck", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:GetBucketAcl", Resource: `arn:aws:s3:::${bucketName}`, Condition: { StringEquals: { "aws:SourceArn": trailArn } } },
        {
          Sid: "AWSCloudTrailWrite",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `arn:aws:s3:::${bucketName}/AWSLogs/${A}/*`,
          Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
        },
        { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${bucketName}`, `arn:aws:s3:::${bucketName}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
      ]);
    });

    it("the manifest names the created trail", () => {
      expect(parseManifest(run.outputs.verification, "verification").monitoring?.trail).toEqual({ regions: ["us-east-1", "us-west-2"], created: "mail-infra-prod" });
    });
  });
});

const issues = configIssues;

describe("config: monitoring keys", () => {
  const base = { domain: "example.com", regions: ["us-east-1"] };

  it("defaults: no monitoring without alertEmails; the default thresholds with them", () => {
    expect(validateConfig(pulumiConfig(base), "test").monitoring).toBeUndefined();
    expect(validateConfig(pulumiConfig({ ...base, alertEmails: ["Ops@Example.org"] }), "test").monitoring).toEqual({
      alertEmails: ["ops@example.org"],
      thresholds: DEFAULT_THRESHOLDS,
      createTrail: false,
    });
  });

  it("parses the configured thresholds as fractions", () => {
    const m = validateConfig(pulumiConfig({ ...base, alertEmails: ["ops@example.org"], bounceRateWarning: "3%", bounceRateAlarm: "4%", complaintRateWarning: ".03%", complaintRateAlarm: "0.09%", createTrail: "true" }), "test").monitoring;
    expect(m).toEqual({ alertEmails: ["ops@example.org"], thresholds: { bounce: { warning: 0.03, alarm: 0.04 }, complaint: { warning: 0.0003, alarm: 0.0009 } }, createTrail: true });
  });

  it("refuses a rate without a % sign, out of range, or a warning not below its alarm, naming the key", () => {
    expect(issues({ ...base, bounceRateWarning: "0.02", bounceRateAlarm: "100%", complaintRateWarning: "0%" })).toEqual([
      'mail-infra:bounceRateWarning: "0.02" is not a percentage. Write it with a % sign, e.g. "2%" or "0.05%".',
      'mail-infra:bounceRateAlarm: "100%" is out of range. Use a rate above 0% and below 100%.',
      'mail-infra:complaintRateWarning: "0%" is out of range. Use a rate above 0% and below 100%.',
    ]);
    expect(issues({ ...base, complaintRateWarning: "0.1%" })).toEqual([
      "mail-infra:complaintRateWarning: the complaint warning level 0.1% is not below the alarm level 0.1% (complaintRateAlarm). The warning must fire first: lower it, or raise the alarm level.",
    ]);
  });

  it("refuses an address that is not one, a duplicate, and createTrail without addresses", () => {
    expect(issues({ ...base, alertEmails: ["ops@example.org", "not-an-address", "OPS@example.org"] })).toEqual([
      'mail-infra:alertEmails[1]: "not-an-address" is not an email address. List the addresses that should receive the alerts, e.g. ops@example.com.',
      'mail-infra:alertEmails[2]: "OPS@example.org" is listed twice. Remove the duplicate.',
    ]);
    expect(issues({ ...base, createTrail: "true" })).toEqual([
      "mail-infra:createTrail: is true, but mail-infra:alertEmails is empty: the trail only feeds the change alerts, which are declared for alert addresses. Set mail-infra:alertEmails, or remove createTrail.",
    ]);
    expect(issues({ ...base, createTrail: "yes" })).toEqual(['mail-infra:createTrail: must be true or false, got a string: "yes".']);
  });
});

describe("lib/monitoring", () => {
  it("parseRate and formatRate round-trip the defaults", () => {
    expect(["2%", "5%", "0.05%", "0.1%"].map((r) => parseRate(r))).toEqual([{ fraction: 0.02 }, { fraction: 0.05 }, { fraction: 0.0005 }, { fraction: 0.001 }]);
    expect([0.02, 0.05, 0.0005, 0.001].map(formatRate)).toEqual(["2%", "5%", "0.05%", "0.1%"]);
    expect(parseRate("5")).toHaveProperty("error");
    expect(parseRate("-1%")).toHaveProperty("error");
  });

  it("monitoringRegions: SES regions first, then us-east-1 for IAM, then the secret's region", () => {
    expect(monitoringRegions(["eu-west-1", "eu-central-1"], "eu-west-1")).toEqual([
      { region: "eu-west-1", alarms: true, rules: ["ses", "secret", "feedback"] },
      { region: "eu-central-1", alarms: true, rules: ["ses", "feedback"] },
      { region: "us-east-1", alarms: false, rules: ["iam"] },
    ]);
    expect(trailRegions(monitoringRegions(["eu-west-1"], "eu-west-1"))).toEqual(["eu-west-1", "us-east-1"]);
  });

  it("every message template is a JSON string literal", () => {
    for (const p of ["iam", "ses", "secret", "feedback"] as const) expect(typeof JSON.parse(ruleTransformer("s", p).inputTemplate)).toBe("string");
  });

  it("trailBucketName is a valid S3 name, even for a long or odd stack name", () => {
    expect(trailBucketName("prod", A)).toBe(`mail-infra-prod-trail-${A}`);
    const long = trailBucketName("A_very_long_Stack_name_that_goes_on_and_on_and_on", A);
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
    expect(long).toContain(A);
  });

  it("alertsTopicArnProblem: a standard topic of the alarm's own region", () => {
    expect(alertsTopicArnProblem("arn:aws:sns:eu-west-1:123456789012:ops-alerts", "eu-west-1")).toBeUndefined();
    expect(alertsTopicArnProblem("arn:aws:sns:us-east-1:123456789012:ops-alerts", "eu-west-1")).toMatch(/is in us-east-1, not eu-west-1/);
    expect(alertsTopicArnProblem("arn:aws:sns:eu-west-1:123456789012:ops.fifo", "eu-west-1")).toMatch(/FIFO/);
    expect(alertsTopicArnProblem("ops-alerts", "eu-west-1")).toMatch(/not an SNS topic ARN/);
  });

  it("existingTopicProblems: entries only for regions with alerts; addresses exactly while a topic is created", () => {
    const plan = monitoringRegions(["eu-west-1"], "eu-west-1");
    expect(existingTopicProblems(plan, ["eu-west-1", "us-east-1"], 0, false)).toEqual([]);
    expect(existingTopicProblems(plan, ["eu-west-1"], 1, true)).toEqual([]);
    expect(existingTopicProblems(plan, ["eu-west-1", "eu-central-1"], 1, false)).toEqual([{ input: "alertTopicArns", region: "eu-central-1", message: expect.stringContaining("has no alerts: they go to eu-west-1, us-east-1") }]);
    expect(existingTopicProblems(plan, ["eu-west-1"], 0, false)).toEqual([{ input: "alertEmails", message: expect.stringContaining("the alerts of us-east-1 go to a topic this component creates") }]);
    expect(existingTopicProblems(plan, ["eu-west-1", "us-east-1"], 2, true).map((p) => p.input)).toEqual(["alertEmails", "snsKmsKeyId"]);
  });
});
