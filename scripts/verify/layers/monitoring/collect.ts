/**
 * Collectors of the `monitoring` layer: CloudWatch alarms and reputation metrics, SNS
 * subscriptions, EventBridge rules and targets, CloudTrail trails, their status and event
 * selectors. Every call goes through AwsCollector.call (counted, memoised, bounded by the
 * timeout, its budget and the run's deadline, failures as Unobservable naming the permission)
 * with the collector's clients (AWS_ENDPOINT_URL_<SERVICE> overrides, retries, socket bound).
 *
 * Everything starts at once: each region's reads are independent, and only a trail's status
 * and selectors wait for DescribeTrails (they need its ARN and home region). Each service's SDK
 * loads with its first call (AwsCollector.call), so the clients below are made inside calls.
 */
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { CloudWatchClient, DescribeAlarmsCommandOutput } from "@aws-sdk/client-cloudwatch";
import type { EventBridgeClient, ListTargetsByRuleCommandOutput } from "@aws-sdk/client-eventbridge";
import type { ListSubscriptionsByTopicCommandOutput, SNSClient } from "@aws-sdk/client-sns";
import type { ManifestMonitoring } from "../../../../lib/manifest";
import { ALARM_EVALUATION, REPUTATION_METRICS, REPUTATION_NAMESPACE, type ReputationKind } from "../../../../lib/monitoring";
import { type Observation, observed } from "../../../../lib/verify/findings";
import {
  type AlarmState,
  type MonitoringObservations,
  type MonitoringRegionObservations,
  RATE_WINDOW_HOURS,
  type RateSample,
  type RuleState,
  type SubscriptionState,
  type TrailSelectors,
  type TrailState,
} from "./check";
import { type AwsCollector, awsSdk } from "../../aws";
import type { MetricSum } from "../watch/check";

/** The datapoint period of the rate check (SES publishes the reputation metrics about every few minutes). */
export const RATE_PERIOD_SECONDS = 300;

/** The monitoring reads of one verify run, on the run's AwsCollector. */
export class MonitoringCollector {
  constructor(private readonly aws: AwsCollector) {}

  cloudwatch(region: string): CloudWatchClient {
    return this.aws.client("CLOUDWATCH", region, (c) => new (awsSdk("CLOUDWATCH").CloudWatchClient)(c));
  }
  sns(region: string): SNSClient {
    return this.aws.client("SNS", region, (c) => new (awsSdk("SNS").SNSClient)(c));
  }
  events(region: string): EventBridgeClient {
    return this.aws.client("EVENTBRIDGE", region, (c) => new (awsSdk("EVENTBRIDGE").EventBridgeClient)(c));
  }
  cloudtrail(region: string): CloudTrailClient {
    return this.aws.client("CLOUDTRAIL", region, (c) => new (awsSdk("CLOUDTRAIL").CloudTrailClient)(c));
  }

  /** The named alarms that exist (DescribeAlarms, every page). */
  alarms(region: string, names: readonly string[]): Promise<Observation<AlarmState[]>> {
    return this.aws.call("CLOUDWATCH", `cloudwatch:${region}`, `cloudwatch:DescribeAlarms:${region}:${names.join(",")}`, "cloudwatch:DescribeAlarms", async (abortSignal, sdk) => {
      const out: AlarmState[] = [];
      let token: string | undefined;
      for (let page = 0; page < 100; page++) {
        const r: DescribeAlarmsCommandOutput = await this.cloudwatch(region).send(
          new sdk.DescribeAlarmsCommand({ AlarmNames: [...names], AlarmTypes: ["MetricAlarm"], MaxRecords: 100, ...(token ? { NextToken: token } : {}) }),
          { abortSignal },
        );
        for (const a of r.MetricAlarms ?? []) {
          out.push({
            name: a.AlarmName ?? "?",
            namespace: a.Namespace,
            metricName: a.MetricName,
            statistic: a.Statistic ?? a.ExtendedStatistic,
            dimensions: (a.Dimensions ?? []).map((d) => ({ name: d.Name ?? "?", value: d.Value ?? "?" })),
            comparison: a.ComparisonOperator,
            threshold: a.Threshold,
            actionsEnabled: a.ActionsEnabled ?? true,
            alarmActions: a.AlarmActions ?? [],
            treatMissingData: a.TreatMissingData,
            state: a.StateValue,
            stateReason: a.StateReason,
            stateUpdated: a.StateUpdatedTimestamp?.toISOString(),
            ...(a.AlarmDescription ? { description: a.AlarmDescription } : {}),
          });
        }
        token = r.NextToken;
        if (!token) break;
      }
      return out;
    });
  }

  /** A metric's Sum over [now - windowMs, now) in periods of periodSeconds (the watch's Runs, Lambda's Invocations and Errors). */
  metricSum(region: string, namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>, now: Date, windowMs: number, periodSeconds: number): Promise<Observation<MetricSum>> {
    const dims = Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value }));
    return this.aws.call("CLOUDWATCH", `cloudwatch:${region}`, `cloudwatch:GetMetricStatistics:${region}:${namespace}:${metricName}:${JSON.stringify(dims)}:${windowMs}`, "cloudwatch:GetMetricStatistics", async (abortSignal, sdk) => {
      const r = await this.cloudwatch(region).send(
        new sdk.GetMetricStatisticsCommand({ Namespace: namespace, MetricName: metricName, Dimensions: dims, StartTime: new Date(now.getTime() - windowMs), EndTime: now, Period: periodSeconds, Statistics: ["Sum"] }),
        { abortSignal },
      );
      const points = (r.Datapoints ?? []).filter((p) => p.Timestamp && p.Sum !== undefined);
      points.sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0));
      return { sum: points.reduce((s, p) => s + (p.Sum ?? 0), 0), datapoints: points.length, ...(points[0] ? { latest: points[0].Timestamp?.toISOString() } : {}) };
    });
  }

  /** The latest datapoint of a reputation metric in the last RATE_WINDOW_HOURS (the account's, no dimensions; the alarms' statistic). */
  latestRate(region: string, kind: ReputationKind, now: Date): Promise<Observation<RateSample | undefined>> {
    return this.aws.call("CLOUDWATCH", `cloudwatch:${region}`, `cloudwatch:GetMetricStatistics:${region}:${kind}`, "cloudwatch:GetMetricStatistics", async (abortSignal, sdk) => {
      const r = await this.cloudwatch(region).send(
        new sdk.GetMetricStatisticsCommand({
          Namespace: REPUTATION_NAMESPACE,
          MetricName: REPUTATION_METRICS[kind],
          StartTime: new Date(now.getTime() - RATE_WINDOW_HOURS * 3600_000),
          EndTime: now,
          Period: RATE_PERIOD_SECONDS,
          // The statistic the alarms evaluate, so the value is comparable with their thresholds.
          Statistics: [ALARM_EVALUATION.statistic],
        }),
        { abortSignal },
      );
      const points = (r.Datapoints ?? []).filter((p) => p.Timestamp && p[ALARM_EVALUATION.statistic] !== undefined);
      points.sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0));
      const latest = points[0];
      return latest ? { value: latest[ALARM_EVALUATION.statistic] ?? 0, timestamp: latest.Timestamp?.toISOString() ?? "?" } : undefined;
    });
  }

  subscriptions(region: string, topicArn: string): Promise<Observation<SubscriptionState[]>> {
    return this.aws.call("SNS", `sns:${region}`, `sns:ListSubscriptionsByTopic:${topicArn}`, "sns:ListSubscriptionsByTopic", async (abortSignal, sdk) => {
      const out: SubscriptionState[] = [];
      let token: string | undefined;
      for (let page = 0; page < 100; page++) {
        const r: ListSubscriptionsByTopicCommandOutput = await this.sns(region).send(new sdk.ListSubscriptionsByTopicCommand({ TopicArn: topicArn, ...(token ? { NextToken: token } : {}) }), { abortSignal });
        for (const s of r.Subscriptions ?? []) out.push({ protocol: s.Protocol ?? "?", endpoint: s.Endpoint ?? "?", arn: s.SubscriptionArn ?? "?" });
        token = r.NextToken;
        if (!token) break;
      }
      return out;
    });
  }

  rule(region: string, name: string): Promise<Observation<RuleState>> {
    return this.aws.call("EVENTBRIDGE", `events:${region}`, `events:DescribeRule:${region}:${name}`, "events:DescribeRule", async (abortSignal, sdk) => {
      const r = await this.events(region).send(new sdk.DescribeRuleCommand({ Name: name }), { abortSignal });
      return { name: r.Name ?? name, state: r.State, eventPattern: r.EventPattern };
    });
  }

  ruleTargets(region: string, name: string): Promise<Observation<string[]>> {
    return this.aws.call("EVENTBRIDGE", `events:${region}`, `events:ListTargetsByRule:${region}:${name}`, "events:ListTargetsByRule", async (abortSignal, sdk) => {
      const out: string[] = [];
      let token: string | undefined;
      for (let page = 0; page < 100; page++) {
        const r: ListTargetsByRuleCommandOutput = await this.events(region).send(new sdk.ListTargetsByRuleCommand({ Rule: name, Limit: 100, ...(token ? { NextToken: token } : {}) }), { abortSignal });
        for (const t of r.Targets ?? []) out.push(t.Arn ?? "?");
        token = r.NextToken;
        if (!token) break;
      }
      return out;
    });
  }

  /** The trails that apply to a region: its own and the shadows of multi-region trails. */
  trails(region: string): Promise<Observation<{ name: string; arn: string; homeRegion: string; multiRegion: boolean }[]>> {
    return this.aws.call("CLOUDTRAIL", `cloudtrail:${region}`, `cloudtrail:DescribeTrails:${region}`, "cloudtrail:DescribeTrails", async (abortSignal, sdk) => {
      const r = await this.cloudtrail(region).send(new sdk.DescribeTrailsCommand({ includeShadowTrails: true }), { abortSignal });
      return (r.trailList ?? []).map((t) => ({ name: t.Name ?? "?", arn: t.TrailARN ?? t.Name ?? "?", homeRegion: t.HomeRegion ?? region, multiRegion: t.IsMultiRegionTrail ?? false }));
    });
  }

  /** GetTrailStatus in the trail's home region, by ARN (once per trail, however many regions it covers). */
  trailLogging(arn: string, homeRegion: string): Promise<Observation<boolean>> {
    return this.aws.call("CLOUDTRAIL", `cloudtrail:${homeRegion}`, `cloudtrail:GetTrailStatus:${arn}`, "cloudtrail:GetTrailStatus", async (abortSignal, sdk) => {
      const r = await this.cloudtrail(homeRegion).send(new sdk.GetTrailStatusCommand({ Name: arn }), { abortSignal });
      return r.IsLogging ?? false;
    });
  }

  eventSelectors(arn: string, homeRegion: string): Promise<Observation<TrailSelectors>> {
    return this.aws.call("CLOUDTRAIL", `cloudtrail:${homeRegion}`, `cloudtrail:GetEventSelectors:${arn}`, "cloudtrail:GetEventSelectors", async (abortSignal, sdk) => {
      const r = await this.cloudtrail(homeRegion).send(new sdk.GetEventSelectorsCommand({ TrailName: arn }), { abortSignal });
      return {
        basic: (r.EventSelectors ?? []).map((s) => ({ readWriteType: s.ReadWriteType, includeManagementEvents: s.IncludeManagementEvents })),
        advanced: (r.AdvancedEventSelectors ?? []).map((s) => ({
          name: s.Name,
          fieldSelectors: (s.FieldSelectors ?? []).map((f) => ({ field: f.Field ?? "?", equals: f.Equals ?? [], notEquals: f.NotEquals ?? [] })),
        })),
      };
    });
  }
}

/** One MonitoringCollector per AwsCollector, so tests can reach the clients a run uses (e.g. to fake one call). */
const collectors = new WeakMap<AwsCollector, MonitoringCollector>();
export function monitoringCollector(aws: AwsCollector): MonitoringCollector {
  let c = collectors.get(aws);
  if (!c) collectors.set(aws, (c = new MonitoringCollector(aws)));
  return c;
}

export type Track = <T>(label: string, work: Promise<T>) => Promise<T>;

/** Every observation the layer needs, all started at once. */
export async function collectMonitoring(mon: ManifestMonitoring, aws: AwsCollector, now: Date, track: Track = (_l, w) => w): Promise<MonitoringObservations> {
  const c = monitoringCollector(aws);
  const regions = Promise.all(
    mon.regions.map(async (r): Promise<readonly [string, MonitoringRegionObservations]> => {
      const names = r.alarms.map((a) => a.name);
      const alarms = names.length > 0 ? track(`alarms ${r.region}`, c.alarms(r.region, names)) : Promise.resolve(observed<AlarmState[]>([]));
      const none = Promise.resolve(observed<RateSample | undefined>(undefined));
      const bounce = names.length > 0 ? track(`bounce rate ${r.region}`, c.latestRate(r.region, "bounce", now)) : none;
      const complaint = names.length > 0 ? track(`complaint rate ${r.region}`, c.latestRate(r.region, "complaint", now)) : none;
      const subscriptions = track(`alert subscriptions ${r.region}`, c.subscriptions(r.region, r.alertsTopicArn));
      const rules = Promise.all(
        r.rules.map(async (rule) => {
          const [d, t] = await Promise.all([track(`rule ${rule.name} ${r.region}`, c.rule(r.region, rule.name)), c.ruleTargets(r.region, rule.name)]);
          return [rule.name, { rule: d, targets: t }] as const;
        }),
      );
      const [a, s, b, k, ru] = await Promise.all([alarms, subscriptions, bounce, complaint, rules]);
      return [r.region, { alarms: a, subscriptions: s, rates: { bounce: b, complaint: k }, rules: new Map(ru) }] as const;
    }),
  );
  const trails = Promise.all(
    mon.trail.regions.map(async (region): Promise<readonly [string, Observation<TrailState[]>]> => {
      const listed = await track(`trails ${region}`, c.trails(region));
      if (!listed.ok) return [region, listed];
      const states = await Promise.all(
        listed.value.map(async (t): Promise<TrailState> => {
          const [logging, selectors] = await Promise.all([c.trailLogging(t.arn, t.homeRegion), c.eventSelectors(t.arn, t.homeRegion)]);
          return { ...t, logging, selectors };
        }),
      );
      return [region, observed(states)];
    }),
  );
  const [r, t] = await Promise.all([regions, trails]);
  return { regions: new Map(r), trails: new Map(t) };
}
