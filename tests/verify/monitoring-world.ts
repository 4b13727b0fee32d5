/**
 * The monitoring part of a test world: the manifest's `monitoring` section, and the resources
 * it names created with the AWS SDK as the program would (names from lib/monitoring.ts):
 *
 * - SNS (moto): an alerts topic per region, an email subscription per alert address (moto
 *   confirms email subscriptions at once; PendingConfirmation needs an in-process fake);
 * - EventBridge (moto): each rule with an event pattern and the alerts topic as its target;
 * - CloudTrail (moto): the stack's multi-region trail, logging, over an S3 bucket;
 * - CloudWatch (cloudwatch-fake.ts, as moto cannot answer this SDK): the reputation alarms.
 *
 * Until the program writes the section (issue 12, components/Monitoring.ts), the world builds
 * it from the program's own manifest: alarms and the ses and feedback rules in each SES region,
 * the iam rule in us-east-1, the secret rule in the secret's region, an alerts topic in each of
 * those regions, and a trail for every region with a CloudTrail-driven rule.
 */
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import type { Manifest, ManifestMonitoring } from "../../lib/manifest";
import {
  ALARM_LEVELS,
  alertsTopicName,
  DEFAULT_THRESHOLDS,
  IAM_EVENTS_REGION,
  REPUTATION_METRICS,
  REPUTATION_NAMESPACE,
  type ReputationKind,
  reputationAlarmName,
  ruleName,
  type RulePurpose,
  trailName,
} from "../../lib/monitoring";

/** moto's account. */
export const MOTO_ACCOUNT = "123456789012";
export const ALERT_EMAILS = ["ops@example.com", "oncall@example.org"];
/** The trail a world has when the stack did not create one (an account's own multi-region trail). */
export const ACCOUNT_TRAIL = "account-trail";

export function monitoringSection(m: Manifest, emails: readonly string[] = ALERT_EMAILS, account = MOTO_ACCOUNT): ManifestMonitoring {
  const sesRegions = [...new Set(m.domains.flatMap((d) => d.regions.map((r) => r.region)))];
  const regions = [...new Set([...sesRegions, IAM_EVENTS_REGION, m.smtp.secretRegion])];
  const purposes = (region: string): RulePurpose[] => [
    ...(region === IAM_EVENTS_REGION ? (["iam"] as const) : []),
    ...(sesRegions.includes(region) ? (["ses"] as const) : []),
    ...(region === m.smtp.secretRegion ? (["secret"] as const) : []),
    ...(sesRegions.includes(region) ? (["feedback"] as const) : []),
  ];
  return {
    alertEmails: [...emails],
    regions: regions.map((region) => ({
      region,
      alertsTopicArn: `arn:aws:sns:${region}:${account}:${alertsTopicName(m.stack)}`,
      alarms: sesRegions.includes(region)
        ? (Object.keys(REPUTATION_METRICS) as ReputationKind[]).flatMap((kind) =>
            ALARM_LEVELS.map((level) => ({ name: reputationAlarmName(m.stack, kind, level), kind, level, threshold: DEFAULT_THRESHOLDS[kind][level] })),
          )
        : [],
      rules: purposes(region).map((purpose) => ({ name: ruleName(m.stack, purpose), purpose })),
    })),
    trail: { regions: regions.filter((r) => purposes(r).some((p) => p !== "feedback")), created: trailName(m.stack) },
  };
}

const PATTERNS: Record<RulePurpose, object> = {
  iam: { source: ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"], detail: { eventName: ["CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey", "PutUserPolicy", "DeleteUserPolicy", "AttachUserPolicy", "DetachUserPolicy"] } },
  ses: { source: ["aws.ses"], "detail-type": ["AWS API Call via CloudTrail"] },
  secret: { source: ["aws.secretsmanager"], "detail-type": ["AWS API Call via CloudTrail"], detail: { eventName: ["PutSecretValue", "UpdateSecret", "DeleteSecret"] } },
  feedback: { source: ["aws.ses"], "detail-type": ["Email Bounced", "Email Complaint Received"] },
};

export interface MonitoringEndpoints {
  /** moto (SNS, EventBridge, CloudTrail, S3), directly. */
  moto: string;
  cloudwatch: string;
}

export interface MonitoringClients {
  sns(region: string): SNSClient;
  events(region: string): EventBridgeClient;
  cloudwatch(region: string): CloudWatchClient;
  cloudtrail(region: string): CloudTrailClient;
  destroy(): void;
}

export function monitoringClients(e: MonitoringEndpoints): MonitoringClients {
  const made: { destroy(): void }[] = [];
  const base = { credentials: { accessKeyId: "AKIAMONITORINGSETUP", secretAccessKey: "monitoring-setup-not-a-secret" }, maxAttempts: 1 };
  const cache = new Map<string, unknown>();
  const get = <T extends { destroy(): void }>(key: string, make: () => T): T => {
    let c = cache.get(key) as T | undefined;
    if (!c) {
      cache.set(key, (c = make()));
      made.push(c);
    }
    return c;
  };
  return {
    sns: (region) => get(`sns:${region}`, () => new SNSClient({ ...base, region, endpoint: e.moto })),
    events: (region) => get(`events:${region}`, () => new EventBridgeClient({ ...base, region, endpoint: e.moto })),
    cloudtrail: (region) => get(`cloudtrail:${region}`, () => new CloudTrailClient({ ...base, region, endpoint: e.moto })),
    cloudwatch: (region) => get(`cloudwatch:${region}`, () => new CloudWatchClient({ ...base, region, endpoint: e.cloudwatch })),
    destroy: () => {
      for (const c of made) c.destroy();
    },
  };
}

/** Create everything the section names, as the program would (and a trail, as the account would have one). */
export async function createMonitoringResources(mon: ManifestMonitoring, stack: string, e: MonitoringEndpoints, c: MonitoringClients): Promise<void> {
  await Promise.all(
    mon.regions.map(async (r) => {
      const topic = await c.sns(r.region).send(new CreateTopicCommand({ Name: r.alertsTopicArn.split(":").pop() }));
      // As the world does for the SMTP fields: the manifest names what moto really made.
      r.alertsTopicArn = topic.TopicArn ?? r.alertsTopicArn;
      for (const address of mon.alertEmails) await c.sns(r.region).send(new SubscribeCommand({ TopicArn: r.alertsTopicArn, Protocol: "email", Endpoint: address }));
      for (const rule of r.rules) {
        await c.events(r.region).send(new PutRuleCommand({ Name: rule.name, EventPattern: JSON.stringify(PATTERNS[rule.purpose]), State: "ENABLED" }));
        await c.events(r.region).send(new PutTargetsCommand({ Rule: rule.name, Targets: [{ Id: "alerts", Arn: r.alertsTopicArn }] }));
      }
      for (const a of r.alarms) {
        await c.cloudwatch(r.region).send(
          new PutMetricAlarmCommand({
            AlarmName: a.name,
            Namespace: REPUTATION_NAMESPACE,
            MetricName: REPUTATION_METRICS[a.kind],
            Statistic: "Average",
            Period: 3600,
            EvaluationPeriods: 1,
            Threshold: a.threshold,
            ComparisonOperator: "GreaterThanOrEqualToThreshold",
            TreatMissingData: "ignore",
            AlarmActions: [r.alertsTopicArn],
            OKActions: [r.alertsTopicArn],
          }),
        );
      }
    }),
  );
  if (mon.trail.regions.length > 0) {
    // The stack's own trail, or (mail-infra:createTrail false) the account's existing one.
    const name = mon.trail.created ?? ACCOUNT_TRAIL;
    const bucket = `${stack}-trail-${MOTO_ACCOUNT}`;
    // moto checks that the trail's bucket exists; the project has no S3 SDK, so a plain signed-looking PUT.
    const put = await fetch(`${e.moto}/${bucket}`, { method: "PUT", headers: { authorization: `AWS4-HMAC-SHA256 Credential=AKIAMONITORINGSETUP/20260101/${IAM_EVENTS_REGION}/s3/aws4_request, SignedHeaders=host, Signature=0` } });
    if (put.status !== 200) throw new Error(`creating the trail bucket in moto: HTTP ${put.status} ${await put.text()}`);
    const ct = c.cloudtrail(IAM_EVENTS_REGION);
    await ct.send(new CreateTrailCommand({ Name: name, S3BucketName: bucket, IsMultiRegionTrail: true, IncludeGlobalServiceEvents: true }));
    await ct.send(new StartLoggingCommand({ Name: name }));
  }
}
