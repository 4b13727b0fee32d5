/**
 * The monitoring and watch collectors (scripts/verify/layers/monitoring/collect.ts,
 * layers/watch/collect.ts) in-process: the requests they make (CloudWatch, SNS, EventBridge,
 * CloudTrail) and what each answer becomes. The SDK clients are faked with aws-sdk-client-mock,
 * answers shaped as the API references give them; expected values are written out here. The
 * same reads against moto and the CloudWatch stand-in: tests/verify/monitoring.test.ts.
 */
import { CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand } from "@aws-sdk/client-cloudwatch";
import { DescribeRuleCommand, EventBridgeClient, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ManifestMonitoring, ManifestWatch } from "../../lib/manifest";
import { AwsCollector, loadAwsSdks } from "../../scripts/verify/aws";
import { collectMonitoring, monitoringCollector, RATE_PERIOD_SECONDS } from "../../scripts/verify/layers/monitoring/collect";
import { collectWatch } from "../../scripts/verify/layers/watch/collect";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const cw = mockClient(CloudWatchClient);
const sns = mockClient(SNSClient);
const events = mockClient(EventBridgeClient);
const trail = mockClient(CloudTrailClient);

beforeAll(async () => {
  for (const k of ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL_SNS", "AWS_ENDPOINT_URL_EVENTBRIDGE", "AWS_ENDPOINT_URL_CLOUDTRAIL"]) delete process.env[k];
  await loadAwsSdks(["CLOUDWATCH", "SNS", "EVENTBRIDGE", "CLOUDTRAIL"]);
});

const collectors: AwsCollector[] = [];
const aws = () => {
  const c = new AwsCollector({ timeoutMs: 2_000 });
  collectors.push(c);
  return c;
};
afterEach(() => {
  for (const c of collectors.splice(0)) c.destroy();
  // Every request went out with the call's abort signal.
  for (const m of [cw, sns, events, trail]) for (const c of m.calls()) expect(((c.args as unknown[])[1] as { abortSignal?: unknown } | undefined)?.abortSignal).toBeInstanceOf(AbortSignal);
  for (const m of [cw, sns, events, trail]) m.reset();
});

const NOW = new Date("2026-12-07T06:00:00.000Z");
const TOPIC = "arn:aws:sns:us-east-1:123456789012:mail-alerts";

describe("MonitoringCollector", () => {
  it("one collector per AwsCollector, one client per service and region", async () => {
    const a = aws();
    const m = monitoringCollector(a);
    expect(monitoringCollector(a)).toBe(m);
    expect(monitoringCollector(aws())).not.toBe(m);
    expect(m.cloudwatch("eu-west-1")).toBe(m.cloudwatch("eu-west-1"));
    expect(m.cloudwatch("us-east-1")).not.toBe(m.cloudwatch("eu-west-1"));
    for (const c of [m.cloudwatch("eu-west-1"), m.sns("eu-west-1"), m.events("eu-west-1"), m.cloudtrail("eu-west-1")]) expect(await c.config.region()).toBe("eu-west-1");
    expect(m.sns("eu-west-1")).toBe(m.sns("eu-west-1"));
    expect(m.events("eu-west-1")).toBe(m.events("eu-west-1"));
    expect(m.cloudtrail("eu-west-1")).toBe(m.cloudtrail("eu-west-1"));
  });

  it("DescribeAlarms: the named metric alarms, every page, field by field", async () => {
    cw.on(DescribeAlarmsCommand)
      .resolvesOnce({
        MetricAlarms: [
          {
            AlarmName: "ses-bounce-alarm",
            AlarmDescription: "SES bounce rate at 5 %",
            Namespace: "AWS/SES",
            MetricName: "Reputation.BounceRate",
            Statistic: "Maximum",
            Dimensions: [{ Name: "Region", Value: "us-east-1" }, {} as { Name: string; Value: string }],
            ComparisonOperator: "GreaterThanOrEqualToThreshold",
            Threshold: 0.05,
            ActionsEnabled: false,
            AlarmActions: [TOPIC],
            TreatMissingData: "notBreaching",
            StateValue: "OK",
            StateReason: "Threshold Crossed: no datapoints",
            StateUpdatedTimestamp: new Date("2026-12-06T00:00:00Z"),
          },
        ],
        NextToken: "p2",
      })
      .resolvesOnce({ MetricAlarms: [{ ExtendedStatistic: "p99" }] })
      .resolves({ MetricAlarms: [{ AlarmName: "read-too-far" }] });
    expect(await monitoringCollector(aws()).alarms("us-east-1", ["ses-bounce-alarm", "ses-complaint-alarm"])).toEqual({
      ok: true,
      value: [
        {
          name: "ses-bounce-alarm",
          namespace: "AWS/SES",
          metricName: "Reputation.BounceRate",
          statistic: "Maximum",
          dimensions: [
            { name: "Region", value: "us-east-1" },
            { name: "?", value: "?" },
          ],
          comparison: "GreaterThanOrEqualToThreshold",
          threshold: 0.05,
          actionsEnabled: false,
          alarmActions: [TOPIC],
          treatMissingData: "notBreaching",
          state: "OK",
          stateReason: "Threshold Crossed: no datapoints",
          stateUpdated: "2026-12-06T00:00:00.000Z",
          description: "SES bounce rate at 5 %",
        },
        { name: "?", namespace: undefined, metricName: undefined, statistic: "p99", dimensions: [], comparison: undefined, threshold: undefined, actionsEnabled: true, alarmActions: [], treatMissingData: undefined, state: undefined, stateReason: undefined, stateUpdated: undefined },
      ],
    });
    expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toEqual([
      { AlarmNames: ["ses-bounce-alarm", "ses-complaint-alarm"], AlarmTypes: ["MetricAlarm"], MaxRecords: 100 },
      { AlarmNames: ["ses-bounce-alarm", "ses-complaint-alarm"], AlarmTypes: ["MetricAlarm"], MaxRecords: 100, NextToken: "p2" },
    ]);
  });

  it("DescribeAlarms of other names or another region is another call; none found is an empty list", async () => {
    cw.on(DescribeAlarmsCommand).resolves({});
    const m = monitoringCollector(aws());
    expect(await m.alarms("us-east-1", ["a"])).toEqual({ ok: true, value: [] });
    await m.alarms("us-east-1", ["a"]);
    await m.alarms("us-east-1", ["a", "b"]);
    await m.alarms("eu-west-1", ["a"]);
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(3);
  });

  it("metricSum: the Sum over the window, the datapoints counted, the latest one's time", async () => {
    cw.on(GetMetricStatisticsCommand).resolves({
      Datapoints: [
        { Timestamp: new Date("2026-12-07T04:00:00Z"), Sum: 2 },
        { Timestamp: new Date("2026-12-07T05:00:00Z"), Sum: 3 },
        { Timestamp: new Date("2026-12-07T03:00:00Z"), Sum: 1 },
        { Sum: 100 },
        { Timestamp: new Date("2026-12-07T05:30:00Z") },
      ],
    });
    const m = monitoringCollector(aws());
    expect(await m.metricSum("us-east-1", "MailInfra/Watch", "Runs", { Stack: "prod" }, NOW, 2 * 3600_000, 3600)).toEqual({ ok: true, value: { sum: 6, datapoints: 3, latest: "2026-12-07T05:00:00.000Z" } });
    expect(cw.commandCalls(GetMetricStatisticsCommand)[0]?.args[0].input).toEqual({
      Namespace: "MailInfra/Watch",
      MetricName: "Runs",
      Dimensions: [{ Name: "Stack", Value: "prod" }],
      StartTime: new Date("2026-12-07T04:00:00.000Z"),
      EndTime: NOW,
      Period: 3600,
      Statistics: ["Sum"],
    });
    // Another metric, other dimensions or another window: other questions.
    await m.metricSum("us-east-1", "MailInfra/Watch", "Runs", { Stack: "prod" }, NOW, 2 * 3600_000, 3600);
    await m.metricSum("us-east-1", "MailInfra/Watch", "Runs", { Stack: "dev" }, NOW, 2 * 3600_000, 3600);
    await m.metricSum("us-east-1", "MailInfra/Watch", "Runs", { Stack: "prod" }, NOW, 3600_000, 3600);
    await m.metricSum("us-east-1", "AWS/Lambda", "Runs", { Stack: "prod" }, NOW, 2 * 3600_000, 3600);
    await m.metricSum("us-east-1", "MailInfra/Watch", "Errors", { Stack: "prod" }, NOW, 2 * 3600_000, 3600);
    await m.metricSum("eu-west-1", "MailInfra/Watch", "Runs", { Stack: "prod" }, NOW, 2 * 3600_000, 3600);
    expect(cw.commandCalls(GetMetricStatisticsCommand)).toHaveLength(6);
  });

  it("metricSum without datapoints: zero, none, no latest", async () => {
    cw.on(GetMetricStatisticsCommand).resolves({});
    expect(await monitoringCollector(aws()).metricSum("us-east-1", "AWS/Lambda", "Errors", {}, NOW, 3600_000, 3600)).toEqual({ ok: true, value: { sum: 0, datapoints: 0 } });
  });

  it("latestRate: the newest Maximum of the account's reputation metric over 24 hours, 5-minute periods", async () => {
    cw.on(GetMetricStatisticsCommand, { MetricName: "Reputation.BounceRate" }).resolves({
      Datapoints: [
        { Timestamp: new Date("2026-12-07T05:00:00Z"), Maximum: 0.01, Average: 0.5 },
        { Timestamp: new Date("2026-12-07T05:55:00Z"), Maximum: 0.02 },
        { Timestamp: new Date("2026-12-07T05:59:00Z"), Average: 0.9 },
        { Maximum: 0.9 },
      ],
    });
    cw.on(GetMetricStatisticsCommand, { MetricName: "Reputation.ComplaintRate" }).resolves({ Datapoints: [] });
    const m = monitoringCollector(aws());
    expect(await m.latestRate("us-east-1", "bounce", NOW)).toEqual({ ok: true, value: { value: 0.02, timestamp: "2026-12-07T05:55:00.000Z" } });
    expect(await m.latestRate("us-east-1", "complaint", NOW)).toEqual({ ok: true, value: undefined });
    expect(RATE_PERIOD_SECONDS).toBe(300);
    expect(cw.commandCalls(GetMetricStatisticsCommand).map((c) => c.args[0].input)).toEqual([
      { Namespace: "AWS/SES", MetricName: "Reputation.BounceRate", StartTime: new Date("2026-12-06T06:00:00.000Z"), EndTime: NOW, Period: 300, Statistics: ["Maximum"] },
      { Namespace: "AWS/SES", MetricName: "Reputation.ComplaintRate", StartTime: new Date("2026-12-06T06:00:00.000Z"), EndTime: NOW, Period: 300, Statistics: ["Maximum"] },
    ]);
    await m.latestRate("eu-west-1", "bounce", NOW);
    expect(cw.commandCalls(GetMetricStatisticsCommand)).toHaveLength(3);
  });

  it("ListSubscriptionsByTopic: every page; protocol, endpoint and ARN (PendingConfirmation as SNS writes it)", async () => {
    sns
      .on(ListSubscriptionsByTopicCommand)
      .resolvesOnce({ Subscriptions: [{ Protocol: "email", Endpoint: "ops@example.com", SubscriptionArn: "PendingConfirmation", TopicArn: TOPIC }], NextToken: "n2" })
      .resolvesOnce({ Subscriptions: [{ Protocol: "https", Endpoint: "https://hooks.example.com/ses", SubscriptionArn: `${TOPIC}:0f1e`, TopicArn: TOPIC }, {}] })
      .resolves({ Subscriptions: [{ Protocol: "sms", Endpoint: "+15555550100", SubscriptionArn: "read-too-far" }] });
    expect(await monitoringCollector(aws()).subscriptions("us-east-1", TOPIC)).toEqual({
      ok: true,
      value: [
        { protocol: "email", endpoint: "ops@example.com", arn: "PendingConfirmation" },
        { protocol: "https", endpoint: "https://hooks.example.com/ses", arn: `${TOPIC}:0f1e` },
        { protocol: "?", endpoint: "?", arn: "?" },
      ],
    });
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand).map((c) => c.args[0].input)).toEqual([{ TopicArn: TOPIC }, { TopicArn: TOPIC, NextToken: "n2" }]);
  });

  it("DescribeRule and ListTargetsByRule: the rule's state and pattern; every target's ARN, every page", async () => {
    events.on(DescribeRuleCommand, { Name: "mail-iam-changes" }).resolves({ Name: "mail-iam-changes", State: "ENABLED", EventPattern: '{"source":["aws.iam"]}', Arn: "arn:aws:events:us-east-1:123456789012:rule/mail-iam-changes" });
    events.on(DescribeRuleCommand, { Name: "bare" }).resolves({});
    events
      .on(ListTargetsByRuleCommand)
      .resolvesOnce({ Targets: [{ Id: "alerts", Arn: TOPIC }], NextToken: "t2" })
      .resolvesOnce({ Targets: [{ Id: "x" } as never] })
      .resolves({ Targets: [{ Id: "far", Arn: "read-too-far" }] });
    const m = monitoringCollector(aws());
    expect(await m.rule("us-east-1", "mail-iam-changes")).toEqual({ ok: true, value: { name: "mail-iam-changes", state: "ENABLED", eventPattern: '{"source":["aws.iam"]}' } });
    expect(await m.rule("us-east-1", "bare")).toEqual({ ok: true, value: { name: "bare", state: undefined, eventPattern: undefined } });
    expect(await m.ruleTargets("us-east-1", "mail-iam-changes")).toEqual({ ok: true, value: [TOPIC, "?"] });
    expect(events.commandCalls(ListTargetsByRuleCommand).map((c) => c.args[0].input)).toEqual([
      { Rule: "mail-iam-changes", Limit: 100 },
      { Rule: "mail-iam-changes", Limit: 100, NextToken: "t2" },
    ]);
  });

  it("CloudTrail: the trails with shadows, each one's status and selectors asked in its home region by ARN", async () => {
    const ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail";
    trail.on(DescribeTrailsCommand).resolvesOnce({
      trailList: [
        { Name: "org-trail", TrailARN: ARN, HomeRegion: "us-east-1", IsMultiRegionTrail: true },
        { Name: "local" },
        {},
      ],
    });
    trail.on(GetTrailStatusCommand, { Name: ARN }).resolves({ IsLogging: true });
    trail.on(GetTrailStatusCommand, { Name: "other" }).resolves({});
    trail.on(GetEventSelectorsCommand, { TrailName: ARN }).resolves({
      EventSelectors: [{ ReadWriteType: "All", IncludeManagementEvents: true }],
      AdvancedEventSelectors: [{ Name: "mgmt", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }, { Field: "readOnly", NotEquals: ["true"] }, {} as never] }, { FieldSelectors: [] } as never, {} as never],
    });
    trail.on(GetEventSelectorsCommand, { TrailName: "other" }).resolves({});
    const m = monitoringCollector(aws());
    expect(await m.trails("eu-west-1")).toEqual({
      ok: true,
      value: [
        { name: "org-trail", arn: ARN, homeRegion: "us-east-1", multiRegion: true },
        { name: "local", arn: "local", homeRegion: "eu-west-1", multiRegion: false },
        { name: "?", arn: "?", homeRegion: "eu-west-1", multiRegion: false },
      ],
    });
    expect(trail.commandCalls(DescribeTrailsCommand)[0]?.args[0].input).toEqual({ includeShadowTrails: true });
    expect(await m.trailLogging(ARN, "us-east-1")).toEqual({ ok: true, value: true });
    expect(await m.trailLogging("other", "us-east-1")).toEqual({ ok: true, value: false });
    expect(await m.eventSelectors(ARN, "us-east-1")).toEqual({
      ok: true,
      value: {
        basic: [{ readWriteType: "All", includeManagementEvents: true }],
        advanced: [
          {
            name: "mgmt",
            fieldSelectors: [
              { field: "eventCategory", equals: ["Management"], notEquals: [] },
              { field: "readOnly", equals: [], notEquals: ["true"] },
              { field: "?", equals: [], notEquals: [] },
            ],
          },
          { name: undefined, fieldSelectors: [] },
          { name: undefined, fieldSelectors: [] },
        ],
      },
    });
    expect(await m.eventSelectors("other", "us-east-1")).toEqual({ ok: true, value: { basic: [], advanced: [] } });
    // The home region's client asked, by ARN.
    const statusCalls = trail.commandCalls(GetTrailStatusCommand);
    expect(await (statusCalls[0]?.thisValue as CloudTrailClient).config.region()).toBe("us-east-1");
    expect((await m.trails("eu-west-1")).ok).toBe(true);
    expect(trail.commandCalls(DescribeTrailsCommand)).toHaveLength(1);
  });
});

const MON: ManifestMonitoring = {
  alertEmails: ["ops@example.com"],
  regions: [
    {
      region: "us-east-1",
      alertsTopicArn: TOPIC,
      alarms: [
        { name: "ses-bounce-warning", kind: "bounce", level: "warning", threshold: 0.02 },
        { name: "ses-complaint-alarm", kind: "complaint", level: "alarm", threshold: 0.001 },
      ],
      rules: [{ name: "mail-iam-changes", purpose: "iam" }],
    },
    { region: "eu-west-1", alertsTopicArn: "arn:aws:sns:eu-west-1:123456789012:mail-alerts", alarms: [], rules: [] },
  ],
  trail: { regions: ["us-east-1", "eu-west-1"] },
};

describe("collectMonitoring", () => {
  it("every region's alarms, rates, subscriptions and rules, and the trails per region with each one's status and selectors; a region without alarms asks for neither alarms nor rates", async () => {
    const ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail";
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: "ses-bounce-warning" }] });
    cw.on(GetMetricStatisticsCommand, { MetricName: "Reputation.BounceRate" }).resolves({ Datapoints: [{ Timestamp: new Date("2026-12-07T05:55:00Z"), Maximum: 0.01 }] });
    cw.on(GetMetricStatisticsCommand, { MetricName: "Reputation.ComplaintRate" }).resolves({ Datapoints: [] });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    events.on(DescribeRuleCommand).resolves({ Name: "mail-iam-changes", State: "ENABLED" });
    events.on(ListTargetsByRuleCommand).resolves({ Targets: [{ Id: "a", Arn: TOPIC }] });
    trail.on(DescribeTrailsCommand).resolves({ trailList: [{ Name: "org-trail", TrailARN: ARN, HomeRegion: "us-east-1", IsMultiRegionTrail: true }] });
    trail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    trail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [{ ReadWriteType: "All", IncludeManagementEvents: true }] });
    const tracked: string[] = [];
    const obs = await collectMonitoring(MON, aws(), NOW, (label, work) => {
      tracked.push(label);
      return work;
    });
    expect([...obs.regions.keys()]).toEqual(["us-east-1", "eu-west-1"]);
    const east = obs.regions.get("us-east-1");
    expect(east?.alarms).toMatchObject({ ok: true, value: [{ name: "ses-bounce-warning" }] });
    expect(east?.rates).toEqual({ bounce: { ok: true, value: { value: 0.01, timestamp: "2026-12-07T05:55:00.000Z" } }, complaint: { ok: true, value: undefined } });
    expect(east?.subscriptions).toEqual({ ok: true, value: [] });
    expect([...(east?.rules.entries() ?? [])]).toEqual([["mail-iam-changes", { rule: { ok: true, value: { name: "mail-iam-changes", state: "ENABLED", eventPattern: undefined } }, targets: { ok: true, value: [TOPIC] } }]]);
    expect(obs.regions.get("eu-west-1")).toEqual({ alarms: { ok: true, value: [] }, subscriptions: { ok: true, value: [] }, rates: { bounce: { ok: true, value: undefined }, complaint: { ok: true, value: undefined } }, rules: new Map() });
    // Alarms read in us-east-1 only; DescribeAlarms asked for the declared names.
    expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNames)).toEqual([["ses-bounce-warning", "ses-complaint-alarm"]]);
    expect(cw.commandCalls(GetMetricStatisticsCommand)).toHaveLength(2);
    const trailState = { name: "org-trail", arn: ARN, homeRegion: "us-east-1", multiRegion: true, logging: { ok: true, value: true }, selectors: { ok: true, value: { basic: [{ readWriteType: "All", includeManagementEvents: true }], advanced: [] } } };
    expect([...obs.trails.entries()]).toEqual([
      ["us-east-1", { ok: true, value: [trailState] }],
      ["eu-west-1", { ok: true, value: [trailState] }],
    ]);
    // The multi-region trail's status is asked once, however many regions it covers.
    expect(trail.commandCalls(GetTrailStatusCommand)).toHaveLength(1);
    expect(tracked.sort()).toEqual(
      ["alarms us-east-1", "bounce rate us-east-1", "complaint rate us-east-1", "alert subscriptions us-east-1", "alert subscriptions eu-west-1", "rule mail-iam-changes us-east-1", "trails us-east-1", "trails eu-west-1"].sort(),
    );
  });

  it("a region whose trails cannot be listed: that failure, and no status asked", async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({});
    trail.on(DescribeTrailsCommand).rejects(Object.assign(new Error("User is not authorized to perform: cloudtrail:DescribeTrails"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } }));
    const obs = await collectMonitoring({ alertEmails: [], regions: [], trail: { regions: ["us-east-1"] } }, aws(), NOW);
    expect(obs.trails.get("us-east-1")).toMatchObject({ ok: false, reason: "denied", needs: "Grant cloudtrail:DescribeTrails to the credentials verify runs with (or use credentials that have it)." });
    expect(trail.commandCalls(GetTrailStatusCommand)).toHaveLength(0);
    expect(obs.regions.size).toBe(0);
  });
});

describe("collectWatch", () => {
  it("its alarms, its Runs over two schedule periods, Lambda's Invocations over the same window and Errors over 24 hours", async () => {
    const w: ManifestWatch = { functionName: "mail-watch", region: "eu-west-1", scheduleName: "mail-watch-schedule", schedule: "rate(15 minutes)", scheduleMinutes: 15, queueName: "mail-watch-events", alarms: ["mail-watch-errors", "mail-watch-heartbeat"] };
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: "mail-watch-errors", StateValue: "OK" }] });
    cw.on(GetMetricStatisticsCommand, { MetricName: "Runs" }).resolves({ Datapoints: [{ Timestamp: new Date("2026-12-07T05:45:00Z"), Sum: 1 }] });
    cw.on(GetMetricStatisticsCommand, { MetricName: "Invocations" }).resolves({ Datapoints: [{ Timestamp: new Date("2026-12-07T05:45:00Z"), Sum: 2 }] });
    cw.on(GetMetricStatisticsCommand, { MetricName: "Errors" }).resolves({ Datapoints: [] });
    const tracked: string[] = [];
    const obs = await collectWatch("prod", w, aws(), NOW, (label, work) => {
      tracked.push(label);
      return work;
    });
    expect(obs).toEqual({
      alarms: { ok: true, value: [expect.objectContaining({ name: "mail-watch-errors", state: "OK" })] },
      runs: { ok: true, value: { sum: 1, datapoints: 1, latest: "2026-12-07T05:45:00.000Z" } },
      invocations: { ok: true, value: { sum: 2, datapoints: 1, latest: "2026-12-07T05:45:00.000Z" } },
      errors: { ok: true, value: { sum: 0, datapoints: 0 } },
    });
    expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNames)).toEqual([["mail-watch-errors", "mail-watch-heartbeat"]]);
    const stats = Object.fromEntries(cw.commandCalls(GetMetricStatisticsCommand).map((c) => [c.args[0].input.MetricName, c.args[0].input]));
    expect(stats.Runs).toEqual({ Namespace: "MailInfra/Watch", MetricName: "Runs", Dimensions: [{ Name: "Stack", Value: "prod" }], StartTime: new Date("2026-12-07T05:30:00.000Z"), EndTime: NOW, Period: 900, Statistics: ["Sum"] });
    expect(stats.Invocations).toEqual({ Namespace: "AWS/Lambda", MetricName: "Invocations", Dimensions: [{ Name: "FunctionName", Value: "mail-watch" }], StartTime: new Date("2026-12-07T05:30:00.000Z"), EndTime: NOW, Period: 900, Statistics: ["Sum"] });
    expect(stats.Errors).toEqual({ Namespace: "AWS/Lambda", MetricName: "Errors", Dimensions: [{ Name: "FunctionName", Value: "mail-watch" }], StartTime: new Date("2026-12-06T06:00:00.000Z"), EndTime: NOW, Period: 3600, Statistics: ["Sum"] });
    expect(await (cw.call(0).thisValue as CloudWatchClient).config.region()).toBe("eu-west-1");
    expect(tracked.sort()).toEqual(["watch alarms eu-west-1", "watch errors eu-west-1", "watch runs eu-west-1"]);
  });

  it("a schedule of more than an hour: periods of an hour at most", async () => {
    const w: ManifestWatch = { functionName: "mail-watch", region: "us-east-1", scheduleName: "s", schedule: "rate(2 hours)", scheduleMinutes: 120, queueName: "q", alarms: [] };
    cw.on(DescribeAlarmsCommand).resolves({});
    cw.on(GetMetricStatisticsCommand).resolves({});
    const obs = await collectWatch("prod", w, aws(), NOW);
    expect(obs.alarms).toEqual({ ok: true, value: [] });
    expect(obs.errors).toEqual({ ok: true, value: { sum: 0, datapoints: 0 } });
    const runs = cw.commandCalls(GetMetricStatisticsCommand).find((c) => c.args[0].input.MetricName === "Runs")?.args[0].input;
    expect(runs).toMatchObject({ StartTime: new Date("2026-12-07T02:00:00.000Z"), Period: 3600 });
  });
});

describe("MonitoringCollector: clients, bounds, keys, permissions and limits", () => {
  it("its clients are the collector's clients of each service (one per service and region)", () => {
    const a = aws();
    const m = monitoringCollector(a);
    const none = () => {
      throw new Error("made again");
    };
    const cloudwatch = m.cloudwatch("eu-west-1");
    expect(a.client("CLOUDWATCH", "eu-west-1", none)).toBe(cloudwatch);
    const sns = m.sns("eu-west-1");
    expect(a.client("SNS", "eu-west-1", none)).toBe(sns);
    const events = m.events("eu-west-1");
    expect(a.client("EVENTBRIDGE", "eu-west-1", none)).toBe(events);
    const cloudtrail = m.cloudtrail("eu-west-1");
    expect(a.client("CLOUDTRAIL", "eu-west-1", none)).toBe(cloudtrail);
  });

  it("each failure names the permission behind its call", async () => {
    const denied = Object.assign(new Error("not authorized"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } });
    cw.on(DescribeAlarmsCommand).rejects(denied);
    cw.on(GetMetricStatisticsCommand).rejects(denied);
    sns.on(ListSubscriptionsByTopicCommand).rejects(denied);
    events.on(DescribeRuleCommand).rejects(denied);
    events.on(ListTargetsByRuleCommand).rejects(denied);
    trail.on(DescribeTrailsCommand).rejects(denied);
    trail.on(GetTrailStatusCommand).rejects(denied);
    trail.on(GetEventSelectorsCommand).rejects(denied);
    const m = monitoringCollector(aws());
    const needs = (p: string) => ({ needs: `Grant ${p} to the credentials verify runs with (or use credentials that have it).` });
    expect(await m.alarms("us-east-1", ["a"])).toMatchObject(needs("cloudwatch:DescribeAlarms"));
    expect(await m.metricSum("us-east-1", "AWS/Lambda", "Errors", {}, NOW, 1, 60)).toMatchObject(needs("cloudwatch:GetMetricStatistics"));
    expect(await m.latestRate("us-east-1", "bounce", NOW)).toMatchObject(needs("cloudwatch:GetMetricStatistics"));
    expect(await m.subscriptions("us-east-1", TOPIC)).toMatchObject(needs("sns:ListSubscriptionsByTopic"));
    expect(await m.rule("us-east-1", "r")).toMatchObject(needs("events:DescribeRule"));
    expect(await m.ruleTargets("us-east-1", "r")).toMatchObject(needs("events:ListTargetsByRule"));
    expect(await m.trails("us-east-1")).toMatchObject(needs("cloudtrail:DescribeTrails"));
    expect(await m.trailLogging("arn:t", "us-east-1")).toMatchObject(needs("cloudtrail:GetTrailStatus"));
    expect(await m.eventSelectors("arn:t", "us-east-1")).toMatchObject(needs("cloudtrail:GetEventSelectors"));
  });

  it("each read waits for its service's bound in that region", async () => {
    const hold: (() => void)[] = [];
    const held = <T>(v: T) => () => new Promise<T>((resolve) => hold.push(() => resolve(v)));
    cw.on(DescribeAlarmsCommand, { AlarmNames: ["held"] }).callsFake(held({}));
    cw.on(DescribeAlarmsCommand, { AlarmNames: ["other"] }).resolves({});
    cw.on(GetMetricStatisticsCommand).resolves({});
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: "held" }).callsFake(held({}));
    sns.on(ListSubscriptionsByTopicCommand, { TopicArn: "other" }).resolves({});
    events.on(DescribeRuleCommand, { Name: "held" }).callsFake(held({}));
    events.on(DescribeRuleCommand, { Name: "other" }).resolves({});
    events.on(ListTargetsByRuleCommand).resolves({});
    trail.on(DescribeTrailsCommand).callsFake(held({}));
    trail.on(GetTrailStatusCommand).resolves({});
    trail.on(GetEventSelectorsCommand).resolves({});
    const all = () => cw.calls().length + sns.calls().length + events.calls().length + trail.calls().length;
    const cases: [string, (m: ReturnType<typeof monitoringCollector>) => Promise<unknown>, (m: ReturnType<typeof monitoringCollector>) => Promise<unknown>][] = [
      ["alarms", (m) => m.alarms("us-east-1", ["held"]), (m) => m.alarms("us-east-1", ["other"])],
      ["metricSum", (m) => m.alarms("us-east-1", ["held"]), (m) => m.metricSum("us-east-1", "AWS/Lambda", "Errors", {}, NOW, 1, 60)],
      ["latestRate", (m) => m.alarms("us-east-1", ["held"]), (m) => m.latestRate("us-east-1", "bounce", NOW)],
      ["subscriptions", (m) => m.subscriptions("us-east-1", "held"), (m) => m.subscriptions("us-east-1", "other")],
      ["rule", (m) => m.rule("us-east-1", "held"), (m) => m.rule("us-east-1", "other")],
      ["ruleTargets", (m) => m.rule("us-east-1", "held"), (m) => m.ruleTargets("us-east-1", "other")],
      ["trailLogging", (m) => m.trails("us-east-1"), (m) => m.trailLogging("arn:t", "us-east-1")],
      ["eventSelectors", (m) => m.trails("us-east-1"), (m) => m.eventSelectors("arn:t", "us-east-1")],
    ];
    for (const [name, first, second] of cases) {
      const m = monitoringCollector(new AwsCollector({ timeoutMs: 2_000, concurrency: 1 }));
      const before = all();
      const h = first(m);
      for (let i = 0; i < 100 && hold.length === 0; i++) await new Promise((r) => setTimeout(r, 1));
      const w = second(m);
      await new Promise((r) => setTimeout(r, 20));
      expect(all() - before, name).toBe(1);
      hold.shift()?.();
      await h;
      await w;
      expect(all() - before, name).toBeGreaterThan(1);
    }
  });

  it("memo keys: other alarm names, another topic, rule or region are other questions", async () => {
    cw.on(DescribeAlarmsCommand).resolves({});
    sns.on(ListSubscriptionsByTopicCommand).resolves({});
    events.on(ListTargetsByRuleCommand).resolves({});
    trail.on(DescribeTrailsCommand).resolves({});
    const m = monitoringCollector(aws());
    await m.alarms("us-east-1", ["a", "b"]);
    await m.alarms("us-east-1", ["ab"]);
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(2);
    await m.subscriptions("us-east-1", TOPIC);
    await m.subscriptions("us-east-1", `${TOPIC}-2`);
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).toHaveLength(2);
    await m.ruleTargets("us-east-1", "r1");
    await m.ruleTargets("us-east-1", "r2");
    await m.ruleTargets("eu-west-1", "r1");
    expect(events.commandCalls(ListTargetsByRuleCommand)).toHaveLength(3);
    await m.trails("us-east-1");
    await m.trails("eu-west-1");
    expect(trail.commandCalls(DescribeTrailsCommand)).toHaveLength(2);
  });

  it("listings that never end stop at 100 pages; answers without their list are empty", async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [], NextToken: "again" });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ NextToken: "again" });
    events.on(ListTargetsByRuleCommand).resolves({ NextToken: "again" });
    trail.on(DescribeTrailsCommand).resolves({});
    const m = monitoringCollector(aws());
    expect(await m.alarms("us-east-1", ["a"])).toEqual({ ok: true, value: [] });
    expect(await m.subscriptions("us-east-1", TOPIC)).toEqual({ ok: true, value: [] });
    expect(await m.ruleTargets("us-east-1", "r")).toEqual({ ok: true, value: [] });
    expect(await m.trails("us-east-1")).toEqual({ ok: true, value: [] });
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(100);
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).toHaveLength(100);
    expect(events.commandCalls(ListTargetsByRuleCommand)).toHaveLength(100);
  });

  it("the latest datapoint whatever order CloudWatch lists them in", async () => {
    const at = (iso: string, v: number) => ({ Timestamp: new Date(iso), Maximum: v, Sum: v });
    const orders = [
      [at("2026-12-07T05:00:00Z", 1), at("2026-12-07T05:55:00Z", 2), at("2026-12-07T05:30:00Z", 3), at("2026-12-07T04:00:00Z", 4)],
      [at("2026-12-07T05:55:00Z", 2), at("2026-12-07T04:00:00Z", 4), at("2026-12-07T05:30:00Z", 3), at("2026-12-07T05:00:00Z", 1)],
      [at("2026-12-07T04:00:00Z", 4), at("2026-12-07T05:00:00Z", 1), at("2026-12-07T05:30:00Z", 3), at("2026-12-07T05:55:00Z", 2)],
    ];
    for (const Datapoints of orders) {
      cw.reset();
      cw.on(GetMetricStatisticsCommand).resolves({ Datapoints });
      const m = monitoringCollector(aws());
      expect(await m.latestRate("us-east-1", "bounce", NOW)).toEqual({ ok: true, value: { value: 2, timestamp: "2026-12-07T05:55:00.000Z" } });
      expect(await m.metricSum("us-east-1", "AWS/Lambda", "Errors", {}, NOW, 3600_000, 3600)).toEqual({ ok: true, value: { sum: 10, datapoints: 4, latest: "2026-12-07T05:55:00.000Z" } });
    }
  });
});

describe("SNS reads share one bound per region (the alert subscriptions and adopt's topic check)", () => {
  it("with concurrency 1, each waits for the other", async () => {
    const hold: (() => void)[] = [];
    sns.on(ListSubscriptionsByTopicCommand).callsFake(() => new Promise((resolve) => hold.push(() => resolve({}))));
    sns.on(GetTopicAttributesCommand).callsFake(() => new Promise((resolve) => hold.push(() => resolve({}))));
    for (const order of ["subscriptions first", "topic first"]) {
      const a = new AwsCollector({ timeoutMs: 2_000, concurrency: 1 });
      const m = monitoringCollector(a);
      const before = sns.calls().length;
      const reads = order === "subscriptions first" ? [m.subscriptions("us-east-1", TOPIC), a.topic("us-east-1", TOPIC)] : [a.topic("us-east-1", TOPIC), m.subscriptions("us-east-1", TOPIC)];
      await new Promise((r) => setTimeout(r, 20));
      expect(sns.calls().length - before, order).toBe(1);
      hold.shift()?.();
      for (let i = 0; i < 100 && hold.length === 0; i++) await new Promise((r) => setTimeout(r, 1));
      expect(sns.calls().length - before, order).toBe(2);
      hold.shift()?.();
      await Promise.all(reads);
      a.destroy();
    }
  });
});
