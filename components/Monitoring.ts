import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringConfig } from "../lib/config";
import type { ManifestMonitoring } from "../lib/manifest";
import {
  ALARM_EVALUATION,
  alertsTopicName,
  feedbackEventPattern,
  FEEDBACK_EVENT_DESTINATION_NAME,
  FEEDBACK_EVENT_TYPES,
  iamEventPattern,
  monitoringRegions,
  REPUTATION_NAMESPACE,
  reputationAlarms,
  RULE_DESCRIPTIONS,
  ruleName,
  type RulePurpose,
  ruleTransformer,
  secretEventPattern,
  sesEventPattern,
  TRAIL_LOG_RETENTION_DAYS,
  trailBucketName,
  trailName,
  trailRegions,
} from "../lib/monitoring";
import { slug } from "../lib/names";
import { regionalArn } from "../lib/regions";
import { type ProtectedRole, protectionOptions } from "../lib/protection";

/** One configuration set whose bounces and complaints also go to people (EventBridge destination). */
export interface FeedbackSource {
  /** Resource-name part, e.g. example.com-us-east-1. */
  key: string;
  region: string;
  /** The name as config gives it (lib/names configurationSetName), for the rule's filter. */
  name: string;
  /** The declared configuration set's name (an Output), so the destination waits for it. */
  configurationSetName: pulumi.Input<string>;
}

export interface MonitoringArgs {
  stack: string;
  config: MonitoringConfig;
  /** The SES regions, primary first. */
  sesRegions: readonly string[];
  smtpUserName: pulumi.Input<string>;
  secretName: string;
  secretRegion: string;
  feedbackSources: readonly FeedbackSource[];
  accountId: pulumi.Input<string>;
  tags?: Record<string, string>;
  /** mail-infra:protect (lib/protection). */
  protect: boolean;
  /** mail-infra:snsKmsKeyId: the customer-managed key of the alerts topics (its key policy must let CloudWatch and EventBridge use it). */
  snsKmsKeyId?: pulumi.Input<string>;
  /**
   * Existing alerts topics by region (the component package's `alertTopicArns`; the stack has
   * none): the alarms and rules of such a region publish there, and no topic, topic policy or
   * subscription is declared in it. The topic's owner adds the statements of `topicPolicies`.
   */
  existingTopicArns?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Alarms of other components (the watch, lib/watch) that publish to this region's alerts topic. */
  extraAlarms?: { region: string; names: readonly string[] };
}

/**
 * Monitoring (issue 12): in every region that needs one, an alerts topic with an email
 * subscription per address; the SES reputation alarms in each SES region; EventBridge rules
 * that turn CloudTrail's IAM, SES and Secrets Manager change events and SES's bounces and
 * complaints into readable messages on that topic; and, with createTrail, a multi-region trail
 * with its own bucket. Which region gets what is lib/monitoring#monitoringRegions.
 */
export class Monitoring extends pulumi.ComponentResource {
  /** The alerts topics this component declares, by region (none where an existing topic was given). */
  readonly topics: Record<string, aws.sns.Topic>;
  /** The alerts topic ARN of every monitoring region: a declared topic's or the existing one's. */
  readonly topicArns: Record<string, pulumi.Output<string>>;
  /**
   * The policy (JSON) each region's alerts topic needs so that the alarms and rules may publish:
   * declared as a TopicPolicy on the topics this component creates; an existing topic's owner
   * must add these statements to its policy (one policy per topic: declaring it here would
   * replace theirs, and deleting it would reset it).
   */
  readonly topicPolicies: Record<string, pulumi.Output<string>>;
  readonly trail: aws.cloudtrail.Trail | undefined;
  /** The manifest's `monitoring` section (lib/manifest). */
  readonly manifest: pulumi.Output<ManifestMonitoring>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mail-infra:monitoring:Monitoring", name, {}, opts);
    const child = (role: ProtectedRole): pulumi.CustomResourceOptions => ({ parent: this, ...protectionOptions(role, args.protect) });
    const { stack, config } = args;
    const accountId = pulumi.output(args.accountId);
    const plan = monitoringRegions(args.sesRegions, args.secretRegion);

    this.topics = {};
    this.topicArns = {};
    this.topicPolicies = {};
    for (const p of plan) {
      const { region } = p;
      const prefix = `${name}-${region}`;
      const existing = args.existingTopicArns?.[region];
      let topic: aws.sns.Topic | undefined;
      let topicArn: pulumi.Output<string>;
      if (existing === undefined) {
        topic = new aws.sns.Topic(`${prefix}-alerts`, { region, name: alertsTopicName(stack), tags: args.tags, ...(args.snsKmsKeyId ? { kmsMasterKeyId: args.snsKmsKeyId } : {}) }, child("alerts-topic"));
        this.topics[region] = topic;
        topicArn = topic.arn;
      } else {
        topicArn = pulumi.output(existing);
      }
      this.topicArns[region] = topicArn;

      const alarms = p.alarms ? reputationAlarms(stack, region, config.thresholds) : [];
      const alarmNames = [...alarms.map((a) => a.name), ...(args.extraAlarms?.region === region ? args.extraAlarms.names : [])];
      // Only this account's alarms and rules of this stack may publish (the confused-deputy conditions).
      const policy = pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          publishStatement("AllowEventBridgeRules", "events", region, topicArn, accountId, p.rules.map((purpose) => `rule/${ruleName(stack, purpose)}`)),
          ...(alarmNames.length > 0 ? [publishStatement("AllowReputationAlarms", "cloudwatch", region, topicArn, accountId, alarmNames.map((n) => `alarm:${n}`))] : []),
        ],
      });
      this.topicPolicies[region] = policy;
      // An existing topic is someone else's: its policy, subscriptions and key stay theirs.
      if (topic) {
        new aws.sns.TopicPolicy(`${prefix}-alerts-policy`, { region, arn: topic.arn, policy }, child("alerts-topic-policy"));
        // Named after the address, not its position: reordering alertEmails changes nothing.
        for (const address of config.alertEmails) {
          new aws.sns.TopicSubscription(
            `${prefix}-alerts-${slug(address)}`,
            { region, topic: topic.arn, protocol: "email", endpoint: address },
            child("alerts-subscription"),
          );
        }
      }

      for (const a of alarms) {
        new aws.cloudwatch.MetricAlarm(
          `${prefix}-${a.kind}-rate-${a.level}`,
          {
            region,
            name: a.name,
            alarmDescription: a.description,
            namespace: REPUTATION_NAMESPACE,
            metricName: a.metricName,
            statistic: ALARM_EVALUATION.statistic,
            period: ALARM_EVALUATION.periodSeconds,
            evaluationPeriods: ALARM_EVALUATION.evaluationPeriods,
            comparisonOperator: ALARM_EVALUATION.comparisonOperator,
            threshold: a.threshold,
            treatMissingData: ALARM_EVALUATION.treatMissingData,
            alarmActions: [topicArn],
            okActions: [topicArn],
            tags: args.tags,
          },
          child("reputation-alarm"),
        );
      }

      const feedback = args.feedbackSources.filter((f) => f.region === region);
      for (const purpose of p.rules) {
        const pattern = rulePattern(purpose, args, accountId, feedback.map((f) => f.name));
        const rule = new aws.cloudwatch.EventRule(
          `${prefix}-${purpose}-rule`,
          { region, name: ruleName(stack, purpose), description: RULE_DESCRIPTIONS[purpose], eventPattern: pattern, state: "ENABLED", tags: args.tags },
          child("alert-rule"),
        );
        const transformer = ruleTransformer(stack, purpose);
        new aws.cloudwatch.EventTarget(
          `${prefix}-${purpose}-target`,
          {
            region,
            rule: rule.name,
            targetId: "alerts-topic",
            arn: topicArn,
            inputTransformer: { inputPaths: { ...transformer.inputPaths }, inputTemplate: transformer.inputTemplate },
          },
          child("alert-rule-target"),
        );
      }

      // SES publishes bounces and complaints to the region's default event bus, where the
      // feedback rule summarises them (the SNS destination keeps the raw events for machines).
      for (const f of feedback) {
        new aws.sesv2.ConfigurationSetEventDestination(
          `${name}-${f.key}-feedback-destination`,
          {
            region,
            configurationSetName: f.configurationSetName,
            eventDestinationName: FEEDBACK_EVENT_DESTINATION_NAME,
            eventDestination: {
              enabled: true,
              matchingEventTypes: [...FEEDBACK_EVENT_TYPES],
              eventBridgeDestination: { eventBusArn: accountId.apply((a) => regionalArn("events", region, a, "event-bus/default")) },
            },
          },
          child("feedback-event-destination"),
        );
      }
    }

    this.trail = config.createTrail ? this.declareTrail(name, args, accountId, child) : undefined;

    const regions = pulumi.all(plan.map((p) => this.topicArns[p.region])).apply((arns) =>
      plan.map((p, i) => ({
        region: p.region,
        alertsTopicArn: arns[i],
        alarms: (p.alarms ? reputationAlarms(stack, p.region, config.thresholds) : []).map((a) => ({ name: a.name, kind: a.kind, level: a.level, threshold: a.threshold })),
        rules: p.rules.map((purpose) => ({ name: ruleName(stack, purpose), purpose })),
      })),
    );
    this.manifest = regions.apply(
      (r): ManifestMonitoring => ({
        alertEmails: [...config.alertEmails],
        regions: r,
        trail: { regions: trailRegions(plan), ...(config.createTrail ? { created: trailName(stack) } : {}) },
      }),
    );
    this.registerOutputs({ manifest: this.manifest });
  }

  /**
   * A multi-region trail of management write events (EventBridge receives CloudTrail's write
   * events only), global service events included (IAM), into its own bucket: SSE-S3 encrypted,
   * public access blocked, TLS only, writable by this trail only, log files kept
   * TRAIL_LOG_RETENTION_DAYS days. The trail lives in the primary SES region.
   */
  private declareTrail(
    name: string,
    args: MonitoringArgs,
    accountId: pulumi.Output<string>,
    child: (role: ProtectedRole) => pulumi.CustomResourceOptions,
  ): aws.cloudtrail.Trail {
    const region = args.sesRegions[0];
    const trail = trailName(args.stack);
    const trailArn = accountId.apply((a) => regionalArn("cloudtrail", region, a, `trail/${trail}`));
    const bucket = new aws.s3.Bucket(
      `${name}-trail-bucket`,
      { region, bucket: accountId.apply((a) => trailBucketName(args.stack, a)), forceDestroy: false, tags: args.tags },
      child("trail-bucket"),
    );
    const settings = child("trail-bucket-settings");
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-trail-bucket-encryption`,
      { region, bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      settings,
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-trail-bucket-public-access`,
      { region, bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      settings,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-trail-bucket-lifecycle`,
      {
        region,
        bucket: bucket.id,
        rules: [
          {
            id: "expire-trail-logs",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: TRAIL_LOG_RETENTION_DAYS },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      settings,
    );
    const policy = new aws.s3.BucketPolicy(
      `${name}-trail-bucket-policy`,
      {
        region,
        bucket: bucket.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AWSCloudTrailAclCheck",
              Effect: "Allow",
              Principal: { Service: "cloudtrail.amazonaws.com" },
              Action: "s3:GetBucketAcl",
              Resource: bucket.arn,
              Condition: { StringEquals: { "aws:SourceArn": trailArn } },
            },
            {
              Sid: "AWSCloudTrailWrite",
              Effect: "Allow",
              Principal: { Service: "cloudtrail.amazonaws.com" },
              Action: "s3:PutObject",
              Resource: pulumi.interpolate`${bucket.arn}/AWSLogs/${accountId}/*`,
              Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
            },
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
      },
      // A public access block and a bucket policy written at once conflict: one after the other.
      { ...settings, dependsOn: [publicAccess] },
    );
    return new aws.cloudtrail.Trail(
      `${name}-trail`,
      {
        region,
        name: trail,
        s3BucketName: bucket.id,
        isMultiRegionTrail: true,
        includeGlobalServiceEvents: true,
        enableLogFileValidation: true,
        enableLogging: true,
        eventSelectors: [{ readWriteType: "WriteOnly", includeManagementEvents: true }],
        tags: args.tags,
      },
      // CloudTrail checks the bucket policy when the trail is created.
      { ...child("trail"), dependsOn: [policy, encryption] },
    );
  }
}

/** The event pattern (JSON text) of one rule. */
function rulePattern(purpose: RulePurpose, args: MonitoringArgs, accountId: pulumi.Output<string>, configurationSets: readonly string[]): pulumi.Input<string> {
  switch (purpose) {
    case "iam":
      return pulumi.output(args.smtpUserName).apply((user) => JSON.stringify(iamEventPattern(user)));
    case "ses":
      return JSON.stringify(sesEventPattern());
    case "secret":
      return accountId.apply((a) => JSON.stringify(secretEventPattern(args.secretName, args.secretRegion, a)));
    case "feedback":
      return JSON.stringify(feedbackEventPattern(configurationSets));
  }
}

/**
 * A topic policy statement: the AWS service `service` (events, cloudwatch) may publish to the
 * topic only for this account and only from the named resources of that service in `region`
 * (the confused-deputy conditions; ARNs carry the region's partition).
 */
function publishStatement(sid: string, service: string, region: string, topicArn: pulumi.Output<string>, accountId: pulumi.Output<string>, resources: readonly string[]) {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: `${service}.amazonaws.com` },
    Action: "sns:Publish",
    Resource: topicArn,
    Condition: {
      StringEquals: { "aws:SourceAccount": accountId },
      ArnEquals: { "aws:SourceArn": resources.map((r) => accountId.apply((a) => regionalArn(service, region, a, r))) },
    },
  };
}
