/**
 * A read-only view of the stack's monitoring for the monitoring policies: the CloudWatch
 * alarms, SNS topics, their subscriptions and the EventBridge targets, with the few properties
 * the rules compare. What is unknown during preview is counted, never guessed.
 */
import * as aws from "@pulumi/aws";
import type { PolicyResource } from "@pulumi/policy";
import { isAlertsTopicName, parseTopicArn } from "../../lib/monitoring";
import { regionOf } from "./stack";
import { known } from "./unknown";
import { str, strList } from "./values";

export interface AlarmView {
  resource: PolicyResource;
  region?: string;
  namespace?: string;
  metricName?: string;
  /** Whether it has at least one alarm action (their ARNs may be unknown during preview). */
  hasActions: boolean;
  /** The topics it notifies, where their ARNs are known. */
  actionTopics: { region: string; name: string }[];
}

export interface TopicView {
  resource: PolicyResource;
  region?: string;
  name: string;
}

export interface MonitoringView {
  alarms: AlarmView[];
  topics: TopicView[];
  /** Topics (region and name) some subscription is for; subscriptions whose topic is unknown are counted. */
  subscribed: { region: string; name: string }[];
  unknownSubscriptions: { resource: PolicyResource; region?: string }[];
  /** Topics an alarm or an EventBridge rule publishes to (known ARNs only). */
  targeted: { region: string; name: string }[];
}

export function buildMonitoringView(resources: readonly PolicyResource[]): MonitoringView {
  const view: MonitoringView = { alarms: [], topics: [], subscribed: [], unknownSubscriptions: [], targeted: [] };
  const topicsOf = (arns: readonly string[]) => arns.map(parseTopicArn).filter((t): t is { region: string; name: string } => t !== undefined);
  for (const r of resources) {
    if (r.isType(aws.cloudwatch.MetricAlarm)) {
      const actions = known(() => r.props.alarmActions);
      const actionArns = known(() => strList(r.props.alarmActions)) ?? [];
      const alarm: AlarmView = {
        resource: r,
        region: regionOf(r),
        namespace: known(() => str(r.props.namespace)),
        metricName: known(() => str(r.props.metricName)),
        hasActions: Array.isArray(actions) && actions.length > 0,
        actionTopics: topicsOf(actionArns),
      };
      view.alarms.push(alarm);
      view.targeted.push(...alarm.actionTopics);
    } else if (r.isType(aws.sns.Topic)) {
      const name = known(() => str(r.props.name));
      if (name) view.topics.push({ resource: r, region: regionOf(r), name });
    } else if (r.isType(aws.sns.TopicSubscription)) {
      const topic = known(() => str(r.props.topic));
      const parsed = topic ? parseTopicArn(topic) : undefined;
      if (parsed) view.subscribed.push(parsed);
      else view.unknownSubscriptions.push({ resource: r, region: regionOf(r) });
    } else if (r.isType(aws.cloudwatch.EventTarget)) {
      const arn = known(() => str(r.props.arn));
      if (arn) view.targeted.push(...topicsOf([arn]));
    }
  }
  return view;
}

/** The alerts topics: named like mail-infra's, or notified by an alarm or an EventBridge rule. */
export function alertsTopics(view: MonitoringView): TopicView[] {
  const same = (a: { region?: string; name: string }, b: { region: string; name: string }) => a.name === b.name && (a.region === undefined || a.region === b.region);
  return view.topics.filter((t) => isAlertsTopicName(t.name) || view.targeted.some((x) => same(t, x)));
}
