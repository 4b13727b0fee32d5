/**
 * The resource-kind table's pure parts (lib/resource-kinds.ts): the plan's line per type, the
 * state the mock provider makes up as AWS would (ARN formats from each service's reference), the
 * replace-forcing inputs against the installed @pulumi/aws, what breaks live mail, and types as
 * `pulumi preview` prints them. tests/resource-kinds.test.ts checks the table against the
 * components and a stack run under Pulumi's mocks.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  dnsPurposeOfName,
  inputGetter,
  type KindChange,
  keyGenerationOfName,
  type MockContext,
  mockSecretAccessKey,
  pulumiTypeName,
  RESOURCE_KINDS,
  resourceKind,
  summarize,
} from "../../lib/resource-kinds";

const A = "123456789012";
const kind = (type: string) => {
  const k = resourceKind(type);
  if (!k) throw new Error(`no kind ${type}`);
  return k;
};
const ctx = (name: string, inputs: Record<string, unknown>, region = "eu-west-1"): MockContext => ({ name, inputs, region, stack: "prod", account: A, placeholder: "placeholder" });
const state = (type: string, name: string, inputs: Record<string, unknown>, region?: string) => kind(type).mockState?.(ctx(name, inputs, region));
const id = (type: string, name: string, inputs: Record<string, unknown>) => kind(type).mockId?.(ctx(name, inputs));
const change = (kind: KindChange["kind"], name: string, inputs: Record<string, unknown>, over: Partial<KindChange> = {}): KindChange => ({ kind, name, inputs, changed: [], keysInUse: new Set([1, 2]), ...over });
const breaks = (type: string, c: KindChange) => kind(type).breaksMail?.(c);

const IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity";
const MAIL_FROM = "aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes";
const RECORD = "aws:route53/record:Record";
const USER = "aws:iam/user:User";
const KEY = "aws:iam/accessKey:AccessKey";

describe("the plan's line per resource type", () => {
  it("SES: identity, MAIL FROM, configuration set, event destination", () => {
    expect(summarize(IDENTITY, "i", { emailIdentity: "example.com", dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" }, configurationSetName: "cs" })).toBe(
      "example.com: Easy DKIM RSA_2048_BIT, default configuration set cs",
    );
    expect(summarize(MAIL_FROM, "m", { mailFromDomain: "bounce.example.com", behaviorOnMxFailure: "REJECT_MESSAGE" })).toBe("MAIL FROM bounce.example.com, on MX failure REJECT_MESSAGE");
    const set = { configurationSetName: "cs", deliveryOptions: { tlsPolicy: "REQUIRE" }, reputationOptions: { reputationMetricsEnabled: true }, suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] } };
    expect(summarize("aws:sesv2/configurationSet:ConfigurationSet", "c", set)).toBe("cs: TLS REQUIRE, reputation metrics on, suppress BOUNCE+COMPLAINT");
    expect(summarize("aws:sesv2/configurationSet:ConfigurationSet", "c", { ...set, reputationOptions: { reputationMetricsEnabled: false } })).toBe("cs: TLS REQUIRE, reputation metrics off, suppress BOUNCE+COMPLAINT");
    const dest = "aws:sesv2/configurationSetEventDestination:ConfigurationSetEventDestination";
    expect(summarize(dest, "d", { eventDestinationName: "events", eventDestination: { matchingEventTypes: ["BOUNCE", "COMPLAINT"], snsDestination: { topicArn: "t" } } })).toBe("events: BOUNCE, COMPLAINT -> SNS");
    expect(summarize(dest, "d", { eventDestinationName: "bus", eventDestination: { matchingEventTypes: ["SEND"], eventBridgeDestination: { eventBusArn: "b" } } })).toBe("bus: SEND -> EventBridge default bus");
  });

  it("DNS and the SMTP credentials", () => {
    expect(summarize(RECORD, "r", { type: "MX", name: "bounce.example.com", records: ["10 a.example", "20 b.example"] })).toBe("MX bounce.example.com -> 10 a.example | 20 b.example");
    expect(summarize(USER, "u", { path: "/mail/", name: "smtp" })).toBe("/mail/smtp");
    expect(summarize(KEY, "smtp-key-gen12", { user: "smtp", status: "Inactive" })).toBe("key generation 12 of smtp, Inactive (SMTP username = its id; the secret never leaves Pulumi state and Secrets Manager)");
    expect(summarize(KEY, "smtp-key", { user: "smtp" })).toBe("key generation ? of smtp, Active (SMTP username = its id; the secret never leaves Pulumi state and Secrets Manager)");
    expect(summarize("aws:secretsmanager/secret:Secret", "s", { name: "mail/smtp", recoveryWindowInDays: 7 })).toBe("mail/smtp: recovery window 7 days, KMS aws/secretsmanager");
    expect(summarize("aws:secretsmanager/secret:Secret", "s", { name: "mail/smtp", recoveryWindowInDays: 30, kmsKeyId: "alias/mail" })).toBe("mail/smtp: recovery window 30 days, KMS alias/mail");
    expect(summarize("aws:secretsmanager/secretVersion:SecretVersion", "v", { secretString: "x" })).toBe("username and per-region SMTP passwords [secret]");
  });

  it("the SMTP user's policy: ARNs or patterns, and the From addresses of a bounded grant, statement by statement", () => {
    const policy = (...Statement: Record<string, unknown>[]) => summarize("aws:iam/userPolicy:UserPolicy", "p", { name: "ses-send-raw-email-only", policy: JSON.stringify({ Version: "2012-10-17", Statement }) });
    expect(policy({ Effect: "Allow", Action: ["ses:SendRawEmail"], Resource: ["arn:aws:ses:us-east-1:123456789012:identity/example.com", "arn:aws:ses:us-east-1:123456789012:configuration-set/mail-infra-example-com"] })).toBe(
      "ses-send-raw-email-only: ses:SendRawEmail on 2 ARNs",
    );
    expect(
      policy({
        Effect: "Allow",
        Action: ["ses:SendRawEmail"],
        Resource: ["arn:aws:ses:us-east-1:123456789012:identity/*", "arn:aws:ses:us-east-1:123456789012:configuration-set/mail-infra-*"],
        Condition: { "ForAllValues:StringLike": {}, StringEquals: { "ses:FromAddress": ["admin@example.com", "app@example.com"] } },
      }),
    ).toBe("ses-send-raw-email-only: ses:SendRawEmail on 2 ARN patterns, as 2 From addresses");
    expect(
      policy(
        { Effect: "Allow", Action: ["ses:SendRawEmail", "ses:SendEmail"], Resource: ["arn:aws:ses:*:123456789012:identity/example.com"], Condition: { StringEquals: { "ses:FromAddress": "admin@example.com" } } },
        { Effect: "Allow", Action: ["ses:SendRawEmail"], Resource: ["arn:a"], Condition: { StringLike: { "aws:SourceIp": "10.0.0.0/8" } } },
      ),
    ).toBe("ses-send-raw-email-only: ses:SendRawEmail,ses:SendEmail on 1 ARN patterns, as 1 From address; ses:SendRawEmail on 1 ARNs");
    // One pattern among the resources makes them patterns.
    expect(policy({ Effect: "Allow", Action: ["ses:SendRawEmail"], Resource: ["arn:aws:ses:us-east-1:123456789012:identity/example.com", "arn:aws:ses:*:123456789012:configuration-set/c"] })).toBe(
      "ses-send-raw-email-only: ses:SendRawEmail on 2 ARN patterns",
    );
  });

  it("monitoring: topics, their policies and subscriptions", () => {
    expect(summarize("aws:sns/topic:Topic", "t", { name: "alerts" })).toBe("alerts");
    const topicPolicy = (Statement: unknown[]) => summarize("aws:sns/topicPolicy:TopicPolicy", "p", { policy: JSON.stringify({ Statement }) });
    const cw = { Principal: { Service: "cloudwatch.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": A }, ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:*" } } };
    const events = { Principal: { Service: "events.amazonaws.com" }, Condition: { StringEquals: { "aws:SourceAccount": A } } };
    expect(topicPolicy([cw])).toBe("lets cloudwatch.amazonaws.com publish (this account and named sources only)");
    expect(topicPolicy([cw, events])).toBe("lets cloudwatch.amazonaws.com, events.amazonaws.com publish (this account only)");
    expect(topicPolicy([{ Principal: { Service: "ses.amazonaws.com" }, Condition: { ArnLike: { "aws:SourceArn": "arn:aws:ses:*" } } }])).toBe("lets ses.amazonaws.com publish (this account only)");
    expect(topicPolicy([{ Principal: { Service: "ses.amazonaws.com" } }])).toBe("lets ses.amazonaws.com publish (this account only)");
    const sub = "aws:sns/topicSubscription:TopicSubscription";
    expect(summarize(sub, "s", { protocol: "email", endpoint: "ops@example.com", topic: "t" })).toBe("email to ops@example.com (pending until the address clicks the confirmation mail)");
    expect(summarize(sub, "s", { protocol: "lambda", endpoint: "arn:fn", topic: "arn:topic" })).toBe("SES events of arn:topic to the watch function (SNS invokes it across regions)");
  });

  it("alarms: rates as percentages for SES's reputation metrics, counts for the watch's; periods in hours or minutes", () => {
    const alarm = (over: Record<string, unknown>) =>
      summarize("aws:cloudwatch/metricAlarm:MetricAlarm", "a", { name: "a1", namespace: "AWS/SES", metricName: "Reputation.BounceRate", comparisonOperator: "GreaterThanOrEqualToThreshold", threshold: 0.05, statistic: "Average", period: 3600, treatMissingData: "ignore", ...over });
    expect(alarm({})).toBe("a1: AWS/SES Reputation.BounceRate >= 5% (Average over 1 h; missing data: ignore) -> alerts topic");
    expect(alarm({ period: 7200 })).toBe("a1: AWS/SES Reputation.BounceRate >= 5% (Average over 2 h; missing data: ignore) -> alerts topic");
    expect(alarm({ namespace: "MailInfra/Watch", metricName: "Runs", comparisonOperator: "LessThanThreshold", threshold: 1, statistic: "Sum", period: 1800, treatMissingData: "breaching" })).toBe(
      "a1: MailInfra/Watch Runs < 1 (Sum over 30 min; missing data: breaching) -> alerts topic",
    );
    expect(alarm({ period: 3599 })).toContain("over 59.983333333333334 min");
  });

  it("EventBridge rules, targets and buses", () => {
    expect(summarize("aws:cloudwatch/eventRule:EventRule", "r", { name: "ses-changes", description: "SES changes" })).toBe("ses-changes: SES changes");
    const target = (inputs: Record<string, unknown>) => summarize("aws:cloudwatch/eventTarget:EventTarget", "t", { rule: "r1", ...inputs });
    expect(target({ arn: "arn:aws:lambda:us-east-1:1:function:fn" })).toBe("r1 -> the watch function");
    expect(target({ arn: "arn:aws:lambda:us-east-1:1:function:fn", eventBusName: "bus" })).toBe("r1 (on bus) -> the watch function");
    expect(target({ arn: "arn:aws:events:us-east-1:1:event-bus/bus", roleArn: "arn:aws:iam::1:role/fwd" })).toBe("r1 -> arn:aws:events:us-east-1:1:event-bus/bus (forwarded with role fwd)");
    expect(target({ arn: "arn:aws:sns:us-east-1:1:alerts" })).toBe("r1 -> alerts topic, as a readable message (input transformer)");
    expect(target({})).toBe("r1 -> alerts topic, as a readable message (input transformer)");
    expect(summarize("aws:cloudwatch/eventBus:EventBus", "b", { name: "bus", description: "forwarded changes" })).toBe("bus: forwarded changes");
    const busPolicy = { eventBusName: "bus", policy: JSON.stringify({ Statement: [{ Principal: { AWS: "arn:aws:iam::1:role/fwd" } }, { Principal: { AWS: "arn:aws:iam::1:root" } }] }) };
    expect(summarize("aws:cloudwatch/eventBusPolicy:EventBusPolicy", "p", busPolicy)).toBe("bus: lets role fwd, arn:aws:iam::1:root put events");
  });

  it("the trail and its bucket", () => {
    const trail = "aws:cloudtrail/trail:Trail";
    expect(summarize(trail, "t", { name: "t1", isMultiRegionTrail: true, eventSelectors: [{ readWriteType: "WriteOnly" }], s3BucketName: "logs" })).toBe("t1: multi-region, management WriteOnly events, into logs");
    expect(summarize(trail, "t", { name: "t1", s3BucketName: "logs" })).toBe("t1: one region, management All events, into logs");
    expect(summarize(trail, "t", { name: "t1", eventSelectors: [{}], s3BucketName: "logs" })).toBe("t1: one region, management All events, into logs");
    expect(summarize("aws:s3/bucket:Bucket", "b", { bucket: "logs", forceDestroy: true })).toBe("logs: the trail's logs");
    expect(summarize("aws:s3/bucket:Bucket", "b", { bucket: "logs" })).toBe("logs: the trail's logs (not emptied on delete)");
    expect(summarize("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "e", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] })).toBe("encrypted at rest (AES256)");
    expect(summarize("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "e", {})).toBe("encrypted at rest (undefined)");
    expect(summarize("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "p", {})).toBe("all public access blocked");
    expect(summarize("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "l", { rules: [{ expiration: { days: 90 } }] })).toBe("log files expire after 90 days");
    expect(summarize("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "l", { rules: [{}] })).toBe("log files expire after undefined days");
    expect(summarize("aws:s3/bucketPolicy:BucketPolicy", "p", {})).toBe("only the trail may write (aws:SourceArn); HTTPS only");
  });

  it("the watch: function, permission, schedule, role, queue, log group", () => {
    const fn = { name: "w", runtime: "nodejs24.x", architectures: ["arm64"], memorySize: 256, timeout: 60, reservedConcurrentExecutions: 5, deadLetterConfig: { targetArn: "q" } };
    expect(summarize("aws:lambda/function:Function", "f", fn)).toBe("w: nodejs24.x arm64, 256 MB, 60 s, 5 reserved concurrency, failed events -> queue");
    expect(summarize("aws:lambda/function:Function", "f", { ...fn, architectures: undefined, deadLetterConfig: undefined })).toBe("w: nodejs24.x , 256 MB, 60 s, 5 reserved concurrency, failed events -> nowhere");
    expect(summarize("aws:lambda/permission:Permission", "p", { principal: "sns.amazonaws.com", function: "w", sourceArn: "arn:t" })).toBe("sns.amazonaws.com may invoke w from arn:t");
    expect(summarize("aws:scheduler/schedule:Schedule", "s", { name: "w", scheduleExpression: "rate(1 hour)" })).toBe("w: rate(1 hour) -> the watch function");
    expect(summarize("aws:iam/role:Role", "r", { name: "w", description: "runs the watch" })).toBe("w: runs the watch");
    expect(summarize("aws:iam/rolePolicy:RolePolicy", "p", { name: "read", role: "w" })).toBe("read on role w");
    expect(summarize("aws:sqs/queue:Queue", "q", { name: "w-failed", messageRetentionSeconds: 1_209_600 })).toBe("w-failed: events the watch could not process, kept 14 days");
    expect(summarize("aws:cloudwatch/logGroup:LogGroup", "l", { name: "/aws/lambda/w", retentionInDays: 30 })).toBe("/aws/lambda/w: kept 30 days (the watch's metrics, EMF)");
  });

  it("a line for every type even with its optional inputs left out (an alias record has no records, a trail no event selectors); only a policy document is read whole", () => {
    const policies = ["aws:iam/userPolicy:UserPolicy", "aws:sns/topicPolicy:TopicPolicy", "aws:cloudwatch/eventBusPolicy:EventBusPolicy"];
    for (const type of Object.keys(RESOURCE_KINDS).filter((t) => !policies.includes(t))) expect(() => summarize(type, "n", {}), type).not.toThrow();
    for (const type of policies) expect(() => summarize(type, "n", {}), type).toThrow(SyntaxError);
    expect(summarize("aws:cloudtrail/trail:Trail", "t", { name: "t1", eventSelectors: [], s3BucketName: "logs" })).toBe("t1: one region, management All events, into logs");
    expect(summarize("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "e", { rules: [] })).toBe("encrypted at rest (undefined)");
    expect(summarize("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "e", { rules: [{}] })).toBe("encrypted at rest (undefined)");
    expect(summarize("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "l", { rules: [] })).toBe("log files expire after undefined days");
  });

  it("a type the table does not know (components, providers, a name of Object.prototype) has no line and no kind", () => {
    expect(summarize("mail-infra:ses:MailDomain", "x", {})).toBe("");
    expect(resourceKind("toString")).toBeUndefined();
    expect(resourceKind("constructor")).toBeUndefined();
    expect(summarize("__proto__", "x", {})).toBe("");
  });

  it("inputGetter reads a dotted path, and undefined through anything that is not an object", () => {
    const get = inputGetter({ a: { b: { c: 1 } }, s: "text", n: null, z: 0 });
    expect([get("a.b.c"), get("a.b"), get("a.x.c"), get("s.length"), get("n.x"), get("z"), get("z.x")]).toEqual([1, { c: 1 }, undefined, undefined, undefined, 0, undefined]);
  });
});

describe("the state the mock provider returns, as AWS would assign it", () => {
  it("an SES identity: its ARN, unverified, three DKIM tokens per region, the key length asked for (SES's default RSA_2048_BIT)", () => {
    const s = state(IDENTITY, "i", { emailIdentity: "example.com", dkimSigningAttributes: { nextSigningKeyLength: "RSA_1024_BIT" } }) as Record<string, unknown> & { dkimSigningAttributes: { tokens: string[] } };
    expect(s).toMatchObject({
      arn: `arn:aws:ses:eu-west-1:${A}:identity/example.com`,
      identityType: "DOMAIN",
      verifiedForSendingStatus: false,
      dkimSigningAttributes: { nextSigningKeyLength: "RSA_1024_BIT", status: "PENDING", signingAttributesOrigin: "AWS_SES", currentSigningKeyLength: "RSA_1024_BIT" },
    });
    expect(Object.keys(s).sort()).toEqual(["arn", "dkimSigningAttributes", "identityType", "verifiedForSendingStatus"]);
    const tokens = s.dkimSigningAttributes.tokens;
    expect(tokens).toHaveLength(3);
    tokens.forEach((t, i) => expect(t).toMatch(new RegExp(`^placeholder${i + 1}-[0-9a-f]{6}-eu-west-1$`)));
    const hash = (t: string) => t.split("-")[1];
    expect(new Set(tokens.map(hash)).size).toBe(1);
    const west = state(IDENTITY, "i", { emailIdentity: "example.com" }, "us-west-2") as { dkimSigningAttributes: { tokens: string[]; currentSigningKeyLength: string } };
    expect(west.dkimSigningAttributes.currentSigningKeyLength).toBe("RSA_2048_BIT");
    expect(west.dkimSigningAttributes.tokens.map(hash)).toEqual(tokens.map(hash));
    const other = state(IDENTITY, "i", { emailIdentity: "example.org" }) as { dkimSigningAttributes: { tokens: string[] } };
    expect(hash(other.dkimSigningAttributes.tokens[0])).not.toBe(hash(tokens[0]));
  });

  it("ARNs of the other kinds (the region's, or none for IAM and S3), named by their name input, else the resource's name", () => {
    expect(state("aws:sesv2/configurationSet:ConfigurationSet", "c", { configurationSetName: "cs" })).toEqual({ arn: `arn:aws:ses:eu-west-1:${A}:configuration-set/cs` });
    expect(state(RECORD, "r", { name: "_dmarc.example.com" })).toEqual({ fqdn: "_dmarc.example.com" });
    expect(state(USER, "u", { name: "smtp", path: "/mail/" })).toEqual({ arn: `arn:aws:iam::${A}:user/mail/smtp`, uniqueId: "AIDAPLACEHOLDER" });
    expect(state(USER, "u", {})).toEqual({ arn: `arn:aws:iam::${A}:user/u`, uniqueId: "AIDAPLACEHOLDER" });
    expect(state("aws:secretsmanager/secret:Secret", "s", { name: "mail/smtp" })).toEqual({ arn: `arn:aws:secretsmanager:eu-west-1:${A}:secret:mail/smtp-PlAcEh` });
    expect(state("aws:sns/topic:Topic", "alerts-topic", {})).toEqual({ arn: `arn:aws:sns:eu-west-1:${A}:alerts-topic` });
    expect(state("aws:sns/topicSubscription:TopicSubscription", "s", { topic: "arn:t" })).toEqual({ arn: "arn:t:placeholder", pendingConfirmation: true });
    expect(state("aws:cloudwatch/metricAlarm:MetricAlarm", "a", { name: "a1" })).toEqual({ arn: `arn:aws:cloudwatch:eu-west-1:${A}:alarm:a1` });
    expect(state("aws:cloudtrail/trail:Trail", "t", { name: "t1" })).toEqual({ arn: `arn:aws:cloudtrail:eu-west-1:${A}:trail/t1` });
    expect(state("aws:s3/bucket:Bucket", "b", { bucket: "logs" })).toEqual({ arn: "arn:aws:s3:::logs", bucket: "logs" });
    expect(state("aws:s3/bucket:Bucket", "b", {})).toEqual({ arn: "arn:aws:s3:::b", bucket: "b" });
    expect(state("aws:lambda/function:Function", "f", { name: "w" })).toEqual({ arn: `arn:aws:lambda:eu-west-1:${A}:function:w` });
    expect(state("aws:scheduler/schedule:Schedule", "s", { name: "w" })).toEqual({ arn: `arn:aws:scheduler:eu-west-1:${A}:schedule/default/w` });
    expect(state("aws:iam/role:Role", "r", { name: "w" })).toEqual({ arn: `arn:aws:iam::${A}:role/w` });
    expect(state("aws:sqs/queue:Queue", "q", { name: "w-failed" })).toEqual({ arn: `arn:aws:sqs:eu-west-1:${A}:w-failed`, url: `https://sqs.eu-west-1.amazonaws.com/${A}/w-failed` });
    expect(state("aws:cloudwatch/logGroup:LogGroup", "l", { name: "/aws/lambda/w" })).toEqual({ arn: `arn:aws:logs:eu-west-1:${A}:log-group:/aws/lambda/w` });
    expect(state("aws:cloudwatch/eventBus:EventBus", "b", { name: "bus" })).toEqual({ arn: `arn:aws:events:eu-west-1:${A}:event-bus/bus` });
  });

  it("a rule's ARN names its bus unless it is the default bus", () => {
    const RULE = "aws:cloudwatch/eventRule:EventRule";
    expect(state(RULE, "r", { name: "r1" })).toEqual({ arn: `arn:aws:events:eu-west-1:${A}:rule/r1` });
    expect(state(RULE, "r", { name: "r1", eventBusName: "default" })).toEqual({ arn: `arn:aws:events:eu-west-1:${A}:rule/r1` });
    expect(state(RULE, "r", { name: "r1", eventBusName: "watch" })).toEqual({ arn: `arn:aws:events:eu-west-1:${A}:rule/watch/r1` });
    expect(state(RULE, "r", { name: "r1", eventBusName: { arn: "x" } })).toEqual({ arn: `arn:aws:events:eu-west-1:${A}:rule/r1` });
  });

  it("an access key: an AKIA id (20 characters) and a secret that differ per key and per stack; physical ids by name", () => {
    const k = state(KEY, "smtp-key-gen2", { user: "u" }) as { secret: string; status: string };
    expect(k.status).toBe("Active");
    expect(k.secret).toMatch(/^MOCKSECRET[A-Za-z0-9+/]{30}$/);
    expect(k.secret).toBe(mockSecretAccessKey("prod", "smtp-key-gen2"));
    expect(mockSecretAccessKey("prod", "smtp-key-gen3")).not.toBe(k.secret);
    expect(mockSecretAccessKey("dev", "smtp-key-gen2")).not.toBe(k.secret);
    expect(mockSecretAccessKey("prod", "smtp-key-gen2")).toBe(k.secret);
    const keyId = id(KEY, "smtp-key-gen2", {});
    expect(keyId).toMatch(/^AKIA[0-9A-F]{16}$/);
    expect(id(KEY, "smtp-key-gen3", {})).not.toBe(keyId);
    expect(id(USER, "u", { name: "smtp" })).toBe("smtp");
    expect(id(USER, "u", {})).toBe("u");
    expect(id("aws:secretsmanager/secret:Secret", "s", { name: "mail/smtp" })).toBe(`arn:aws:secretsmanager:eu-west-1:${A}:secret:mail/smtp-PlAcEh`);
    expect(id("aws:cloudwatch/eventRule:EventRule", "r", { name: "r1" })).toBe("r1");
    expect(id("aws:cloudwatch/eventRule:EventRule", "r", {})).toBe("r");
    expect(id("aws:s3/bucket:Bucket", "b", { bucket: "logs", name: "n" })).toBe("logs");
    expect(id("aws:s3/bucket:Bucket", "b", { name: "n" })).toBe("n");
    expect(id("aws:s3/bucket:Bucket", "b", {})).toBe("b");
  });
});

describe("replace-forcing inputs (replaceOn)", () => {
  /** The input names @pulumi/aws declares for a type (its `<Type>Args` interface). */
  function sdkInputs(type: string): string[] {
    const [, module, name] = /^aws:([^:]+):(\w+)$/.exec(type) ?? [];
    const dts = readFileSync(join(__dirname, "..", "..", "node_modules", "@pulumi", "aws", `${module}.d.ts`), "utf8");
    const body = new RegExp(`export interface ${name}Args \\{([\\s\\S]*?)\\n\\}`).exec(dts)?.[1] ?? "";
    return [...body.matchAll(/^ {4}(\w+)\??:/gm)].map((m) => m[1]);
  }
  const researched = Object.entries(RESOURCE_KINDS).flatMap(([type, k]) => (k.replaceOn ? [[type, k.replaceOn] as const] : []));

  it.each(researched)("%s names only inputs the installed @pulumi/aws declares", (type, props) => {
    const inputs = sdkInputs(type);
    expect(inputs.length).toBeGreaterThan(0);
    expect(props.filter((p) => !inputs.includes(p))).toEqual([]);
  });

  it("has region for the Region-aware resources only: not IAM, not Route 53 (global services)", () => {
    for (const [type, props] of researched) expect(props.includes("region"), type).toBe(sdkInputs(type).includes("region"));
    expect(sdkInputs(RECORD)).not.toContain("region");
  });

  // The global kinds, from terraform-provider-aws v6's schemas (ForceNew), as the table's comments cite them.
  it("Route 53 record: name and zone; IAM: a policy's user and name, a key's user and PGP key; a user: nothing (renames are UpdateUser)", () => {
    expect(kind(RECORD).replaceOn).toEqual(["zoneId", "name"]);
    expect(kind("aws:iam/userPolicy:UserPolicy").replaceOn).toEqual(["user", "name", "namePrefix"]);
    expect(kind(KEY).replaceOn).toEqual(["user", "pgpKey"]);
    expect(kind(USER).replaceOn).toEqual([]);
  });
});

describe("what breaks live mail", () => {
  it("the SES identity deleted or replaced (new DKIM tokens); an update or a create does not", () => {
    const c = (k: KindChange["kind"]) => breaks(IDENTITY, change(k, "i", { emailIdentity: "example.com" }));
    expect([c("delete"), c("replace"), c("update"), c("create")]).toEqual([
      "deletes the SES identity example.com: new DKIM tokens, up to 72 h to verify",
      "replaces the SES identity example.com: new DKIM tokens, up to 72 h to verify",
      undefined,
      undefined,
    ]);
  });

  it("the MAIL FROM setting deleted, replaced, or moved to another domain; its MX-failure behaviour changed is not", () => {
    const inputs = { emailIdentity: "example.com", mailFromDomain: "mail.example.com" };
    expect(breaks(MAIL_FROM, change("delete", "m", inputs))).toBe("deletes the MAIL FROM setting of example.com");
    expect(breaks(MAIL_FROM, change("replace", "m", inputs))).toBe("replaces the MAIL FROM setting of example.com");
    expect(breaks(MAIL_FROM, change("update", "m", inputs, { changed: ["mailFromDomain"], baseInputs: { mailFromDomain: "bounce.example.com" } }))).toBe(
      "changes the MAIL FROM of the live identity example.com from bounce.example.com to mail.example.com",
    );
    expect(breaks(MAIL_FROM, change("update", "m", inputs, { changed: ["behaviorOnMxFailure"] }))).toBeUndefined();
  });

  it("a DKIM, MAIL FROM, SPF or DMARC record deleted or replaced; any record updated, and a report authorization deleted, do not", () => {
    const r = (k: KindChange["kind"], name: string, fqdn: string) => breaks(RECORD, change(k, name, { name: fqdn }));
    expect(r("delete", "example.com-dns-dkim-us-east-1-1", "a._domainkey.example.com")).toBe("deletes a DKIM record (a._domainkey.example.com)");
    expect(r("replace", "example.com-dns-mail-from-mx-bounce.example.com", "bounce.example.com")).toBe("replaces a MAIL FROM MX record (bounce.example.com)");
    expect(r("delete", "example.com-dns-mail-from-spf-bounce.example.com", "bounce.example.com")).toBe("deletes a MAIL FROM SPF record (bounce.example.com)");
    expect(r("delete", "example.com-dns-spf", "example.com")).toBe("deletes the SPF record (example.com)");
    expect(r("delete", "example.com-dns-dmarc", "_dmarc.example.com")).toBe("deletes the DMARC record (_dmarc.example.com)");
    expect(r("update", "example.com-dns-dmarc", "_dmarc.example.com")).toBeUndefined();
    // RFC 7489 7.1: the record lets example.org receive example.com's reports; without it reports stop, mail does not.
    expect(r("delete", "example.com-dns-dmarc-report-auth-example.com._report._dmarc.example.org", "example.com._report._dmarc.example.org")).toBeUndefined();
    expect(r("delete", "example.com-dns-other", "x.example.com")).toBeUndefined();
  });

  it("the SMTP user deleted, replaced or renamed; a path change does not", () => {
    expect(breaks(USER, change("delete", "u", { name: "smtp" }))).toBe("deletes the SMTP user: every SMTP key goes with it");
    expect(breaks(USER, change("replace", "u", { name: "smtp" }))).toBe("replaces the SMTP user: every SMTP key goes with it");
    expect(breaks(USER, change("update", "u", { name: "smtp2" }, { changed: ["name"], baseInputs: { name: "smtp" } }))).toBe("renames the SMTP user smtp to smtp2: its keys and policy are replaced");
    expect(breaks(USER, change("update", "u", { name: "smtp", path: "/x/" }, { changed: ["path"] }))).toBeUndefined();
  });

  it("an SMTP key deleted or replaced while senders use it (the current key, the previous one while active); another key, or an update, does not", () => {
    expect(breaks(KEY, change("delete", "smtp-key-gen2", {}))).toBe("deletes SMTP key generation 2, which senders still use");
    expect(breaks(KEY, change("replace", "smtp-key-gen1", {}))).toBe("replaces SMTP key generation 1, which senders still use");
    expect(breaks(KEY, change("delete", "smtp-key-gen3", {}))).toBeUndefined();
    expect(breaks(KEY, change("update", "smtp-key-gen2", {}, { changed: ["status"] }))).toBeUndefined();
  });

  it("names: the DNS purpose and the key generation", () => {
    expect(["x-dns-dkim-us-east-1-3", "x-dns-mail-from-mx-b.x", "x-dns-mail-from-spf-b.x", "x-dns-spf", "x-dns-dmarc", "x-dns-dmarc-report-auth-x._report._dmarc.y", "x-dns-spfx", "dns-spf"].map(dnsPurposeOfName)).toEqual([
      "dkim",
      "mail-from-mx",
      "mail-from-spf",
      "spf",
      "dmarc",
      undefined,
      undefined,
      undefined,
    ]);
    expect(["smtp-key-gen2", "smtp-key-gen10", "smtp-key-gen", "smtp-key-gen2-old", "key-gen2"].map(keyGenerationOfName)).toEqual(["2", "10", undefined, undefined, undefined]);
  });
});

describe("pulumiTypeName: types as `pulumi preview` prints them", () => {
  it.each([
    ["aws:sesv2/emailIdentity:EmailIdentity", "aws:sesv2:EmailIdentity"],
    ["aws:route53/record:Record", "aws:route53:Record"],
    ["aws:cloudwatch/eventRule:EventRule", "aws:cloudwatch:EventRule"],
    ["aws:iam/accessKey:AccessKey", "aws:iam:AccessKey"],
    ["aws:a/b/record:Record", "aws:a/b:Record"],
    // Printed as they are: no module file, or one that is not the type's name.
    ["mail-infra:ses:MailDomain", "mail-infra:ses:MailDomain"],
    ["pulumi:pulumi:Stack", "pulumi:pulumi:Stack"],
    ["pulumi:providers:aws", "pulumi:providers:aws"],
    ["aws:ec2/getVpc:Vpc", "aws:ec2/getVpc:Vpc"],
    ["aws:sesv2/EmailIdentity:EmailIdentity", "aws:sesv2/EmailIdentity:EmailIdentity"],
    ["aws:sesv2/emailIdentity:", "aws:sesv2/emailIdentity:"],
    ["aws:sesv2/:", "aws:sesv2/:"],
    ["aws:sesv2/emailIdentity:EmailIdentity:x", "aws:sesv2/emailIdentity:EmailIdentity:x"],
    ["aws/record:Record", "aws/record:Record"],
    // No slash in the module: printed as it is, even when the module is the type's name.
    ["example:record:Record", "example:record:Record"],
  ])("%s -> %s", (token, shown) => {
    expect(pulumiTypeName(token)).toBe(shown);
  });
});
