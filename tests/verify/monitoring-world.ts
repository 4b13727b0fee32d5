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
 * The section is the program's own (components/Monitoring.ts, run under mocks with
 * mail-infra:alertEmails); the event patterns are lib/monitoring.ts's.
 */
import { CloudTrailClient, CreateTrailCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import type { Manifest } from "../../lib/manifest";
import {
  ALARM_EVALUATION,
  feedbackEventPattern,
  iamEventPattern,
  IAM_EVENTS_REGION,
  REPUTATION_METRICS,
  REPUTATION_NAMESPACE,
  type RulePurpose,
  secretEventPattern,
  sesEventPattern,
} from "../../lib/monitoring";

/** moto's account. */
export const MOTO_ACCOUNT = "123456789012";
export const ALERT_EMAILS = ["ops@example.com", "oncall@example.org"];
/** The trail a world has when the stack did not create one (an account's own multi-region trail). */
export const ACCOUNT_TRAIL = "account-trail";

/** A rule's event pattern, as the program writes it (lib/monitoring.ts). */
function eventPattern(m: Manifest, region: string, purpose: RulePurpose): object {
  switch (purpose) {
    case "iam":
      return iamEventPattern(m.smtp.user);
    case "ses":
      return sesEventPattern();
    case "secret":
      return secretEventPattern(m.smtp.secretName, m.smtp.secretRegion, MOTO_ACCOUNT);
    case "feedback":
      return feedbackEventPattern(m.domains.flatMap((d) => d.regions.filter((r) => r.region === region).map((r) => r.configurationSet)));
  }
}

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
export async function createMonitoringResources(m: Manifest, e: MonitoringEndpoints, c: MonitoringClients): Promise<void> {
  const mon = m.monitoring;
  if (!mon) return;
  const stack = m.stack;
  await Promise.all(
    mon.regions.map(async (r) => {
      const topic = await c.sns(r.region).send(new CreateTopicCommand({ Name: r.alertsTopicArn.split(":").pop() }));
      // As the world does for the SMTP fields: the manifest names what moto really made.
      r.alertsTopicArn = topic.TopicArn ?? r.alertsTopicArn;
      for (const address of mon.alertEmails) await c.sns(r.region).send(new SubscribeCommand({ TopicArn: r.alertsTopicArn, Protocol: "email", Endpoint: address }));
      for (const rule of r.rules) {
        await c.events(r.region).send(new PutRuleCommand({ Name: rule.name, EventPattern: JSON.stringify(eventPattern(m, r.region, rule.purpose)), State: "ENABLED" }));
        await c.events(r.region).send(new PutTargetsCommand({ Rule: rule.name, Targets: [{ Id: "alerts", Arn: r.alertsTopicArn }] }));
      }
      // An account that sends: SES published low rates 6 hours ago (a rate check needs a datapoint to pass).
      await c.cloudwatch(r.region).send(
        new PutMetricDataCommand({
          Namespace: REPUTATION_NAMESPACE,
          MetricData: [
            { MetricName: REPUTATION_METRICS.bounce, Value: 0.004, Timestamp: new Date(Date.now() - 6 * 3_600_000) },
            { MetricName: REPUTATION_METRICS.complaint, Value: 0.0001, Timestamp: new Date(Date.now() - 6 * 3_600_000) },
          ],
        }),
      );
      for (const a of r.alarms) {
        await c.cloudwatch(r.region).send(
          new PutMetricAlarmCommand({
            AlarmName: a.name,
            Namespace: REPUTATION_NAMESPACE,
            MetricName: REPUTATION_METRICS[a.kind],
            Statistic: ALARM_EVALUATION.statistic,
            Period: ALARM_EVALUATION.periodSeconds,
            EvaluationPeriods: ALARM_EVALUATION.evaluationPeriods,
            Threshold: a.threshold,
            ComparisonOperator: ALARM_EVALUATION.comparisonOperator,
            TreatMissingData: ALARM_EVALUATION.treatMissingData,
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
