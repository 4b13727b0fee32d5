/**
 * The monitoring part of a stack as the engine hands it to stack policies (outputs as props):
 * per region an alerts topic, an email subscription, the four reputation alarms and a rule
 * target, named and shaped as components/Monitoring.ts declares them (lib/monitoring).
 */
import * as aws from "@pulumi/aws";
import { DEFAULT_THRESHOLDS, reputationAlarms } from "../../lib/monitoring";
import { entry, type StackEntry } from "./harness";

export const topicArnOf = (region: string, name = "mail-infra-test-alerts") => `arn:aws:sns:${region}:123456789012:${name}`;

export function monitoringEntries(regions: readonly string[] = ["us-east-1"]): StackEntry[] {
  return regions.flatMap((region) => [
    entry(aws.sns.Topic, `alerts-${region}`, { region, name: "mail-infra-test-alerts", arn: topicArnOf(region) }),
    entry(aws.sns.TopicSubscription, `alerts-${region}-ops`, { region, topic: topicArnOf(region), protocol: "email", endpoint: "ops@example.com" }),
    ...reputationAlarms("test", region, DEFAULT_THRESHOLDS).map((a) =>
      entry(aws.cloudwatch.MetricAlarm, `${a.kind}-${a.level}-${region}`, {
        region,
        name: a.name,
        namespace: "AWS/SES",
        metricName: a.metricName,
        threshold: a.threshold,
        alarmActions: [topicArnOf(region)],
      }),
    ),
    entry(aws.cloudwatch.EventTarget, `ses-target-${region}`, { region, rule: "mail-infra-test-ses-changes", arn: topicArnOf(region) }),
  ]);
}
