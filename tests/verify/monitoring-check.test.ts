/**
 * verify's monitoring layer (scripts/verify/layers/monitoring/check.ts) on hand-built
 * observations: every check's pass, each way it fails, warns or stays inconclusive, and the words
 * it says so with. tests/verify/monitoring.test.ts makes the same cases in a world of real APIs
 * (moto, the CloudWatch fake), which is slow under mutation testing; this file is pure.
 *
 * Values from the AWS documentation: SES publishes the account's Reputation.BounceRate and
 * Reputation.ComplaintRate in AWS/SES without dimensions; SNS lists an email subscription that
 * is not confirmed with the ARN "PendingConfirmation"; an EventBridge rule is ENABLED, DISABLED
 * or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS; a trail without event selectors logs every
 * management event (reads and writes).
 */
import { describe, expect, it } from "vitest";
import type { ManifestMonitoring } from "../../lib/manifest";
import { type Finding, type Observation, observed, type Unobservable } from "../../lib/verify/findings";
import {
  type AlarmState,
  alarmProblems,
  checkAlarms,
  checkMonitoringLayer,
  checkRates,
  checkRules,
  checkSubscriptions,
  checkTrail,
  logsWriteManagementEvents,
  MONITORING_NOT_DECLARED,
  MONITORING_NOT_DISCOVERED,
  type MonitoringRegionObservations,
  type RateSample,
  regionThresholds,
  type SubscriptionState,
  type TrailSelectors,
  type TrailState,
} from "../../scripts/verify/layers/monitoring/check";

const EAST = "us-east-1";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:mail-infra-prod-alerts";
const OPS = "ops@example.com";
const BOUNCE_ALARM = "mail-infra-prod-bounce-rate-alarm";
const COMPLAINT_WARNING = "mail-infra-prod-complaint-rate-warning";
type Region = ManifestMonitoring["regions"][number];
const REGION: Region = {
  region: EAST,
  alertsTopicArn: TOPIC,
  alarms: [
    { name: BOUNCE_ALARM, kind: "bounce", level: "alarm", threshold: 0.05 },
    { name: COMPLAINT_WARNING, kind: "complaint", level: "warning", threshold: 0.0005 },
  ],
  rules: [
    { name: "mail-infra-prod-iam", purpose: "iam" },
    { name: "mail-infra-prod-ses", purpose: "ses" },
  ],
};
const MON: ManifestMonitoring = { alertEmails: [OPS], regions: [REGION], trail: { regions: [EAST] } };
const throttled: Unobservable = { ok: false, reason: "throttled", message: "Rate exceeded", needs: "AWS kept throttling: re-run later." };

const bounceAlarm = (over: Partial<AlarmState> = {}): AlarmState => ({
  name: BOUNCE_ALARM,
  namespace: "AWS/SES",
  metricName: "Reputation.BounceRate",
  statistic: "Average",
  dimensions: [],
  comparison: "GreaterThanOrEqualToThreshold",
  threshold: 0.05,
  actionsEnabled: true,
  alarmActions: [TOPIC],
  state: "OK",
  ...over,
});
const complaintAlarm = (over: Partial<AlarmState> = {}): AlarmState => bounceAlarm({ name: COMPLAINT_WARNING, metricName: "Reputation.ComplaintRate", threshold: 0.0005, ...over });
const sample = (value: number): Observation<RateSample | undefined> => observed({ value, timestamp: "2026-05-14T15:00:00.000Z" });

function region(over: Partial<MonitoringRegionObservations> = {}): MonitoringRegionObservations {
  return {
    alarms: observed([bounceAlarm(), complaintAlarm()]),
    subscriptions: observed([{ protocol: "email", endpoint: OPS, arn: `${TOPIC}:0b5d0e8e-6f0e-4c3a-9d0e-1f2a3b4c5d6e` }]),
    rules: new Map(REGION.rules.map((r) => [r.name, { rule: observed({ name: r.name, state: "ENABLED" }), targets: observed([TOPIC]) }])),
    rates: { bounce: sample(0.01), complaint: sample(0.0001) },
    ...over,
  };
}
const byName = (fs: ReturnType<typeof checkAlarms>, name: string) => {
  const f = fs.find((x) => x.subject === `${name} in ${EAST}`);
  expect(f, name).toBeDefined();
  return f!;
};

describe("every finding names its layer and check", () => {
  it("each branch of each check: layer monitoring, its own id", () => {
    const u = throttled;
    const nf = (m: string): Unobservable => ({ ok: false, reason: "notfound", message: m });
    const rule = (o: { rule: Observation<{ name: string; state?: string }>; targets: Observation<string[]> }) => checkRules(REGION, region({ rules: new Map([["mail-infra-prod-iam", o]]) }))[0]!;
    const trail = (t: Observation<TrailState[]> | undefined) => checkTrail(MON, { regions: new Map(), trails: new Map(t ? [[EAST, t]] : []) })[0]!;
    const good: TrailState = { name: "t", arn: "arn:t", homeRegion: EAST, multiRegion: false, logging: observed(true), selectors: observed({ basic: [], advanced: [] }) };
    const cases: [string, Finding][] = [
      ["monitoring.alarm", checkAlarms(REGION, region({ alarms: u }))[0]!],
      ["monitoring.alarm", checkAlarms(REGION, region({ alarms: observed([]) }))[0]!],
      ["monitoring.alarm", checkAlarms(REGION, region({ alarms: observed([bounceAlarm({ state: "ALARM" })]) }))[0]!],
      ["monitoring.alarm", checkAlarms(REGION, region({ alarms: observed([bounceAlarm({ threshold: 1 })]) }))[0]!],
      ["monitoring.alarm", checkAlarms(REGION, region())[0]!],
      ["monitoring.subscription", checkSubscriptions(MON, REGION, region({ subscriptions: nf("no topic") }))[0]!],
      ["monitoring.subscription", checkSubscriptions(MON, REGION, region({ subscriptions: u }))[0]!],
      ["monitoring.subscription", checkSubscriptions(MON, REGION, region({ subscriptions: observed([]) }))[0]!],
      ["monitoring.subscription", checkSubscriptions(MON, REGION, region({ subscriptions: observed([{ protocol: "email", endpoint: OPS, arn: "PendingConfirmation" }]) }))[0]!],
      ["monitoring.subscription", checkSubscriptions(MON, REGION, region())[0]!],
      ["monitoring.rule", checkRules(REGION, region({ rules: new Map() }))[0]!],
      ["monitoring.rule", rule({ rule: nf("gone"), targets: observed([]) })],
      ["monitoring.rule", rule({ rule: u, targets: observed([]) })],
      ["monitoring.rule", rule({ rule: observed({ name: "r", state: "ENABLED" }), targets: u })],
      ["monitoring.rule", rule({ rule: observed({ name: "r", state: "DISABLED" }), targets: observed([TOPIC]) })],
      ["monitoring.rule", rule({ rule: observed({ name: "r", state: "ENABLED" }), targets: observed([TOPIC]) })],
      ["monitoring.trail", trail(undefined)],
      ["monitoring.trail", trail(u)],
      ["monitoring.trail", trail(observed([{ ...good, logging: u }]))],
      ["monitoring.trail", trail(observed([{ ...good, logging: observed(false) }]))],
      ["monitoring.trail", trail(observed([good]))],
      ["monitoring.rate", checkRates(REGION, region({ rates: { bounce: u, complaint: u } }))[0]!],
      ["monitoring.rate", checkRates(REGION, region({ rates: { bounce: observed(undefined), complaint: u } }))[0]!],
      ["monitoring.rate", checkRates(REGION, region({ rates: { bounce: sample(0.5), complaint: u } }))[0]!],
      ["monitoring.rate", checkRates(REGION, region({ rates: { bounce: sample(0.03), complaint: u } }))[0]!],
      ["monitoring.rate", checkRates(REGION, region())[0]!],
    ];
    for (const [id, f] of cases) expect([f.layer, f.id], `${id}: ${f.summary}`).toEqual(["monitoring", id]);
    // Each case above took a different branch: no two say the same.
    expect(new Set(cases.map(([, f]) => `${f.status} ${f.summary}`)).size).toBe(cases.length);
  });

  it("why the layer is not checked says what to set, or what to use instead", () => {
    expect(MONITORING_NOT_DECLARED).toMatch(/^the manifest declares no monitoring: set mail-infra:alertEmails .*and run `pulumi up`$/);
    expect(MONITORING_NOT_DISCOVERED).toMatch(/^discovery mode does not know the stack's monitoring .*: use --stack or --manifest$/);
  });
});

describe("monitoring.alarm", () => {
  it("an alarm as declared passes, with its definition and state; OK, INSUFFICIENT_DATA (explained) or another state", () => {
    const [b, c] = checkAlarms(REGION, region());
    expect(b).toEqual({
      layer: "monitoring",
      id: "monitoring.alarm",
      subject: `${BOUNCE_ALARM} in ${EAST}`,
      status: "pass",
      summary: "bounce rate alarm at 5%, notifies the alerts topic; state OK",
      evidence: ["AWS/SES Reputation.BounceRate Average GreaterThanOrEqualToThreshold 5%", "state OK"],
    });
    expect(c!.summary).toBe("complaint rate warning at 0.05%, notifies the alerts topic; state OK");
    const insufficient = checkAlarms(REGION, region({ alarms: observed([bounceAlarm({ state: "INSUFFICIENT_DATA", stateUpdated: "2026-05-14T14:00:00Z", stateReason: "Insufficient Data", treatMissingData: "notBreaching" })]) }));
    expect(insufficient[0]).toMatchObject({
      status: "pass",
      summary: "bounce rate alarm at 5%, notifies the alerts topic; state INSUFFICIENT_DATA, not an alert: SES publishes the rate only while mail is sent",
      evidence: ["AWS/SES Reputation.BounceRate Average GreaterThanOrEqualToThreshold 5%", "state INSUFFICIENT_DATA since 2026-05-14T14:00:00Z: Insufficient Data", "missing data: notBreaching"],
    });
    const odd = checkAlarms(REGION, region({ alarms: observed([bounceAlarm({ state: "PAUSED" }), complaintAlarm({ state: undefined, statistic: undefined, threshold: undefined, comparison: undefined, namespace: undefined, metricName: undefined })]) }));
    expect(odd[0]!.summary).toBe("bounce rate alarm at 5%, notifies the alerts topic; state PAUSED");
    const stateless = checkAlarms(REGION, region({ alarms: observed([bounceAlarm({ state: undefined })]) }));
    expect(stateless[0]!.summary).toBe("bounce rate alarm at 5%, notifies the alerts topic; state unknown");
    // Nothing known about the second: every unknown part is "?" (and it is not as declared).
    expect(odd[1]!.evidence).toEqual(["? ? ? ?", "state ?"]);
    expect(odd[1]!.status).toBe("fail");
  });

  it("a missing alarm fails; an unreadable list is inconclusive", () => {
    const [b] = checkAlarms(REGION, region({ alarms: observed([complaintAlarm()]) }));
    expect([b!.status, b!.summary, b!.remediation]).toEqual([
      "fail",
      `the bounce rate alarm at 5% alarm does not exist in ${EAST}`,
      "Run `pulumi up --refresh`: the refresh drops it from the state and the program creates it again (or check that verify looks at the right account).",
    ]);
    const u = checkAlarms(REGION, region({ alarms: throttled }));
    expect(u.map((f) => [f.subject, f.status, f.summary])).toEqual([
      [`${BOUNCE_ALARM} in ${EAST}`, "inconclusive", "could not check the alarm: Rate exceeded"],
      [`${COMPLAINT_WARNING} in ${EAST}`, "inconclusive", "could not check the alarm: Rate exceeded"],
    ]);
  });

  it("in ALARM: fails with the current rate and what to do, and lists definition problems too", () => {
    const f = byName(checkAlarms(REGION, region({ alarms: observed([bounceAlarm({ state: "ALARM", alarmActions: [] })]), rates: { bounce: sample(0.0721), complaint: sample(0) } })), BOUNCE_ALARM);
    expect([f.status, f.summary]).toEqual(["fail", "in ALARM: the bounce rate alarm at 5% fired; current bounce rate 7.21% (latest datapoint 2026-05-14T15:00:00.000Z)"]);
    expect(f.evidence).toEqual(["AWS/SES Reputation.BounceRate Average GreaterThanOrEqualToThreshold 5%", "state ALARM", `also: it does not notify the alerts topic ${TOPIC} (actions: none)`]);
    expect(f.remediation).toMatch(/^Find what bounces .* SES reviews the account at a 5% bounce rate\.$/);
    const c = byName(checkAlarms(REGION, region({ alarms: observed([complaintAlarm({ state: "ALARM" })]), rates: { bounce: sample(0), complaint: { ok: false, reason: "timeout", message: "no answer" } } })), COMPLAINT_WARNING);
    expect(c.summary).toBe("in ALARM: the complaint rate warning at 0.05% fired; current complaint rate unknown (no answer)");
    expect(c.remediation).toMatch(/^Find who complains .* SES reviews the account at a 0\.1% complaint rate\.$/);
    const none = byName(checkAlarms(REGION, region({ alarms: observed([bounceAlarm({ state: "ALARM" })]), rates: { bounce: observed(undefined), complaint: sample(0) } })), BOUNCE_ALARM);
    expect(none.summary).toBe("in ALARM: the bounce rate alarm at 5% fired; no bounce rate datapoint in the last 24 hours");
    // No rate read at all for its kind: the summary says only that it fired.
    const unread = checkAlarms({ ...REGION, alarms: [REGION.alarms[0]!] }, { ...region({ alarms: observed([bounceAlarm({ state: "ALARM" })]) }), rates: {} as MonitoringRegionObservations["rates"] });
    expect(unread[0]!.summary).toBe("in ALARM: the bounce rate alarm at 5% fired");
  });

  it("not as declared: fails, naming every difference, with the refresh as the fix", () => {
    const f = byName(checkAlarms(REGION, region({ alarms: observed([bounceAlarm({ threshold: 0.1, comparison: "LessThanThreshold" })]) })), BOUNCE_ALARM);
    expect([f.status, f.summary]).toEqual(["fail", "the bounce rate alarm at 5% alarm is not as declared: its threshold is 10%, declared 5%; its comparison is LessThanThreshold, not GreaterThanOrEqualToThreshold"]);
    expect(f.evidence).toEqual(["AWS/SES Reputation.BounceRate Average LessThanThreshold 10%", "state OK"]);
    expect(f.remediation).toBe("Run `pulumi up --refresh` to put the declared definition back (someone changed the alarm outside Pulumi; a plain `pulumi up` compares with Pulumi's state, not with the alarm).");
  });
});

describe("alarmProblems: what differs from the declaration", () => {
  const declared = REGION.alarms[0]!;
  const problems = (over: Partial<AlarmState>) => alarmProblems(declared, TOPIC, bounceAlarm(over));

  it("none for the declared alarm; GreaterThanThreshold is accepted too; a threshold equal to within rounding is the same", () => {
    expect(problems({})).toEqual([]);
    expect(problems({ comparison: "GreaterThanThreshold" })).toEqual([]);
    expect(problems({ threshold: 0.05 + 1e-13 })).toEqual([]);
    expect(alarmProblems({ ...declared, threshold: 1000 }, TOPIC, bounceAlarm({ threshold: 1000 + 5e-7 }))).toEqual([]);
    // The tolerance itself counts as the same: 1e-12 absolute at a threshold of 0.
    expect(alarmProblems({ ...declared, threshold: 0 }, TOPIC, bounceAlarm({ threshold: 1e-12 }))).toEqual([]);
    expect(alarmProblems({ ...declared, threshold: 0 }, TOPIC, bounceAlarm({ threshold: 2e-12 }))).toEqual([expect.stringMatching(/^its threshold is \S+%, declared 0%$/)]);
  });

  it("another metric or namespace, dimensions, a threshold unset or other, another or no comparison", () => {
    expect(problems({ metricName: "Reputation.ComplaintRate" })).toEqual(["it watches AWS/SES Reputation.ComplaintRate, not AWS/SES Reputation.BounceRate"]);
    expect(problems({ namespace: "Custom/SES" })).toEqual(["it watches Custom/SES Reputation.BounceRate, not AWS/SES Reputation.BounceRate"]);
    expect(problems({ namespace: undefined, metricName: undefined })).toEqual(["it watches ? ?, not AWS/SES Reputation.BounceRate"]);
    expect(problems({ dimensions: [{ name: "Identity", value: "example.com" }, { name: "Region", value: EAST }] })).toEqual([
      "it has dimensions (Identity=example.com, Region=us-east-1): SES publishes the account's rate without any",
    ]);
    expect(problems({ threshold: undefined })).toEqual(["its threshold is unset, declared 5%"]);
    expect(problems({ threshold: 0.0501 })).toEqual(["its threshold is 5.01%, declared 5%"]);
    expect(problems({ comparison: "GreaterThanUpperThreshold" })).toEqual(["its comparison is GreaterThanUpperThreshold, not GreaterThanOrEqualToThreshold"]);
    expect(problems({ comparison: undefined })).toEqual(["its comparison is unset, not GreaterThanOrEqualToThreshold"]);
  });

  it("the alerts topic missing from the actions, or actions disabled (only said when the topic is there)", () => {
    expect(problems({ alarmActions: ["arn:aws:sns:us-east-1:123456789012:other"] })).toEqual([`it does not notify the alerts topic ${TOPIC} (actions: arn:aws:sns:us-east-1:123456789012:other)`]);
    expect(problems({ alarmActions: [], actionsEnabled: false })).toEqual([`it does not notify the alerts topic ${TOPIC} (actions: none)`]);
    expect(problems({ alarmActions: ["arn:a", "arn:b"] })).toEqual([`it does not notify the alerts topic ${TOPIC} (actions: arn:a, arn:b)`]);
    expect(problems({ actionsEnabled: false })).toEqual(["its actions are disabled, so it notifies nobody"]);
  });
});

describe("monitoring.subscription", () => {
  const subs = (list: SubscriptionState[]) => region({ subscriptions: observed(list) });
  const one = (o: MonitoringRegionObservations, mon: ManifestMonitoring = MON) => {
    const fs = checkSubscriptions(mon, REGION, o);
    expect(fs).toHaveLength(mon.alertEmails.length);
    return fs[0]!;
  };

  it("subscribed and confirmed passes, matching the address without regard to case; email-json counts too", () => {
    expect(one(region())).toEqual({
      layer: "monitoring",
      id: "monitoring.subscription",
      subject: `${OPS} in ${EAST}`,
      status: "pass",
      summary: "subscribed and confirmed",
      evidence: [`topic ${TOPIC}`, `email subscription ${TOPIC}:0b5d0e8e-6f0e-4c3a-9d0e-1f2a3b4c5d6e`],
    });
    expect(one(subs([{ protocol: "email-json", endpoint: "Ops@Example.com", arn: `${TOPIC}:1` }])).status).toBe("pass");
    // One confirmed subscription is enough, beside a pending one.
    expect(one(subs([{ protocol: "email", endpoint: OPS, arn: "PendingConfirmation" }, { protocol: "email", endpoint: OPS, arn: `${TOPIC}:2` }])).status).toBe("pass");
  });

  it("not subscribed (another protocol or address does not count): fails, listing who is", () => {
    const f = one(subs([{ protocol: "sms", endpoint: OPS, arn: `${TOPIC}:3` }, { protocol: "email", endpoint: "other@example.com", arn: `${TOPIC}:4` }, { protocol: "emails", endpoint: OPS, arn: `${TOPIC}:5` }]));
    expect([f.status, f.summary, f.evidence, f.remediation]).toEqual([
      "fail",
      `${OPS} is not subscribed to the alerts topic: alerts in ${EAST} do not reach it`,
      [`topic ${TOPIC}`, `subscribed: sms:${OPS}, email:other@example.com, emails:${OPS}`],
      "Run `pulumi up --refresh`: the program subscribes each address of mail-infra:alertEmails (check the address is in that list).",
    ]);
    expect(one(subs([])).evidence).toEqual([`topic ${TOPIC}`, "subscribed: nobody"]);
    // A protocol that merely contains "email" is not one.
    expect(one(subs([{ protocol: "xemail", endpoint: OPS, arn: `${TOPIC}:6` }])).status).toBe("fail");
  });

  it("pending confirmation: a warning naming who must click", () => {
    const f = one(subs([{ protocol: "email", endpoint: OPS, arn: "PendingConfirmation" }]));
    expect([f.status, f.summary, f.evidence]).toEqual(["warn", `${OPS} has not confirmed the subscription: nothing is delivered to it until ${OPS} clicks the confirmation mail`, [`topic ${TOPIC}`, "email subscription PendingConfirmation"]]);
    expect(f.remediation).toBe(
      `${OPS} must open the mail "AWS Notification - Subscription Confirmation" (from no-reply@sns.amazonaws.com) and click "Confirm subscription". The link expires after 3 days; then delete the pending subscription and run \`pulumi up\` to send a new one.`,
    );
  });

  it("a missing topic fails each address with one shared cause; an unreadable list is inconclusive", () => {
    const fs = checkSubscriptions({ ...MON, alertEmails: [OPS, "oncall@example.com"] }, REGION, region({ subscriptions: { ok: false, reason: "notfound", message: "Topic does not exist" } }));
    expect(fs.map((f) => [f.subject, f.status, f.summary])).toEqual([
      [`${OPS} in ${EAST}`, "fail", `the alerts topic ${TOPIC} does not exist`],
      [`oncall@example.com in ${EAST}`, "fail", `the alerts topic ${TOPIC} does not exist`],
    ]);
    expect(fs[0]!.cause).toEqual({
      key: `monitoring.topic:${TOPIC}`,
      id: "monitoring.topic",
      subject: TOPIC,
      summary: `the alerts topic does not exist in ${EAST}, so no alert reaches anyone there`,
      remediation: "Run `pulumi up --refresh`: the program creates the topic and subscribes each address of mail-infra:alertEmails.",
    });
    expect(one(region({ subscriptions: throttled }))).toMatchObject({ status: "inconclusive", summary: "could not check the alerts topic's subscriptions: Rate exceeded" });
  });
});

describe("monitoring.rule", () => {
  const rules = (iam: { rule: Observation<{ name: string; state?: string }>; targets: Observation<string[]> }) =>
    checkRules(REGION, region({ rules: new Map([["mail-infra-prod-iam", iam]]) }));

  it("enabled and sending to the topic passes (ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is enabled); a rule not read is inconclusive", () => {
    const [iam, ses] = rules({ rule: observed({ name: "mail-infra-prod-iam", state: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" }), targets: observed([TOPIC]) });
    expect(iam).toEqual({
      layer: "monitoring",
      id: "monitoring.rule",
      subject: `mail-infra-prod-iam in ${EAST}`,
      status: "pass",
      summary: "iam rule enabled, sends to the alerts topic",
      evidence: ["state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS", `targets: ${TOPIC}`],
    });
    expect([ses!.status, ses!.summary]).toEqual(["inconclusive", "the rule was not read"]);
  });

  it("disabled only: the command that enables it", () => {
    const [f] = rules({ rule: observed({ name: "mail-infra-prod-iam", state: "DISABLED" }), targets: observed([TOPIC]) });
    expect([f!.status, f!.summary, f!.remediation]).toEqual([
      "fail",
      "the iam rule raises no alert: it is DISABLED",
      `Enable it: \`aws events enable-rule --name mail-infra-prod-iam --region ${EAST}\` (or \`pulumi up --refresh\`), and find out who disabled it.`,
    ]);
  });

  it("no state, or no target to the topic: the refresh puts the rule back", () => {
    const [f] = rules({ rule: observed({ name: "mail-infra-prod-iam" }), targets: observed([]) });
    expect([f!.summary, f!.evidence, f!.remediation]).toEqual([
      `the iam rule raises no alert: it is in an unknown state; it does not send to the alerts topic ${TOPIC}`,
      ["state ?", "targets: none"],
      "Run `pulumi up --refresh` to put the declared rule and target back (someone changed it outside Pulumi).",
    ]);
    const [g] = rules({ rule: observed({ name: "mail-infra-prod-iam", state: "ENABLED" }), targets: observed(["arn:aws:sns:us-east-1:123456789012:other"]) });
    expect([g!.summary, g!.remediation]).toEqual([`the iam rule raises no alert: it does not send to the alerts topic ${TOPIC}`, "Run `pulumi up --refresh` to put the declared rule and target back (someone changed it outside Pulumi)."]);
    const [two] = rules({ rule: observed({ name: "mail-infra-prod-iam", state: "ENABLED" }), targets: observed(["arn:a", "arn:b"]) });
    expect(two!.evidence).toEqual(["state ENABLED", "targets: arn:a, arn:b"]);
    // Enabled for all CloudTrail management events but untargeted: the rule is enabled, so not "enable it".
    const [all] = rules({ rule: observed({ name: "mail-infra-prod-iam", state: "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" }), targets: observed([]) });
    expect(all!.remediation).toBe("Run `pulumi up --refresh` to put the declared rule and target back (someone changed it outside Pulumi).");
    // No state at all, targets right: its only problem is the state, so enable it.
    const [stateless] = rules({ rule: observed({ name: "mail-infra-prod-iam" }), targets: observed([TOPIC]) });
    expect([stateless!.summary, stateless!.remediation]).toEqual(["the iam rule raises no alert: it is in an unknown state", `Enable it: \`aws events enable-rule --name mail-infra-prod-iam --region ${EAST}\` (or \`pulumi up --refresh\`), and find out who disabled it.`]);
    // Disabled and untargeted: not "enable it" alone.
    const [h] = rules({ rule: observed({ name: "mail-infra-prod-iam", state: "DISABLED" }), targets: observed([]) });
    expect(h!.remediation).toBe("Run `pulumi up --refresh` to put the declared rule and target back (someone changed it outside Pulumi).");
  });

  it("missing: fails; unreadable rule or targets: inconclusive", () => {
    const [gone] = rules({ rule: { ok: false, reason: "notfound", message: "Rule does not exist" }, targets: observed([]) });
    expect([gone!.status, gone!.summary, gone!.remediation]).toEqual(["fail", `the iam rule does not exist in ${EAST}: those changes raise no alert`, "Run `pulumi up --refresh`: the program creates it again."]);
    const [rule] = rules({ rule: throttled, targets: observed([TOPIC]) });
    expect([rule!.status, rule!.summary]).toEqual(["inconclusive", "could not check the rule: Rate exceeded"]);
    const [targets] = rules({ rule: observed({ name: "mail-infra-prod-iam", state: "ENABLED" }), targets: throttled });
    expect([targets!.status, targets!.summary]).toEqual(["inconclusive", "could not check the rule's targets: Rate exceeded"]);
  });
});

describe("logsWriteManagementEvents", () => {
  const basic = (...b: TrailSelectors["basic"]): TrailSelectors => ({ basic: b, advanced: [] });
  const advanced = (name: string | undefined, ...fields: { field: string; equals?: string[]; notEquals?: string[] }[]): TrailSelectors["advanced"][number] => ({
    ...(name ? { name } : {}),
    fieldSelectors: fields.map((f) => ({ field: f.field, equals: f.equals ?? [], notEquals: f.notEquals ?? [] })),
  });

  it("no selector is CloudTrail's default; basic selectors: All, WriteOnly or unset with management events", () => {
    expect(logsWriteManagementEvents(basic())).toEqual({ ok: true, why: "default event selectors (all management events)" });
    expect(logsWriteManagementEvents(basic({ readWriteType: "WriteOnly" }))).toEqual({ ok: true, why: "event selector: management events, ReadWriteType WriteOnly" });
    expect(logsWriteManagementEvents(basic({ includeManagementEvents: true }))).toEqual({ ok: true, why: "event selector: management events, ReadWriteType All" });
    expect(logsWriteManagementEvents(basic({ readWriteType: "ReadOnly", includeManagementEvents: true }, { readWriteType: "All", includeManagementEvents: true })).ok).toBe(true);
    expect(logsWriteManagementEvents(basic({ readWriteType: "ReadOnly", includeManagementEvents: true }))).toEqual({ ok: false, why: "its event selectors record only read management events" });
    expect(logsWriteManagementEvents(basic({ readWriteType: "All", includeManagementEvents: false }))).toEqual({ ok: false, why: "its event selectors record no management events" });
    // One selector without management events, one with reads only: reads are recorded.
    expect(logsWriteManagementEvents(basic({ includeManagementEvents: false }, { readWriteType: "ReadOnly" }))).toEqual({ ok: false, why: "its event selectors record only read management events" });
  });

  it("advanced selectors: management events with writes (readOnly absent, equals false, or not equals true)", () => {
    const sel = (...a: TrailSelectors["advanced"]): TrailSelectors => ({ basic: [{ readWriteType: "All" }], advanced: a });
    expect(logsWriteManagementEvents(sel(advanced("all", { field: "eventCategory", equals: ["Management"] })))).toEqual({ ok: true, why: "advanced selector all records all management events" });
    expect(logsWriteManagementEvents(sel(advanced(undefined, { field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["false"] })))).toEqual({
      ok: true,
      why: "advanced selector (unnamed) records write management events",
    });
    expect(logsWriteManagementEvents(sel(advanced("w", { field: "eventCategory", equals: ["Management"] }, { field: "readOnly", notEquals: ["true"] }))).ok).toBe(true);
    const reads = advanced("reads", { field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["true"] });
    expect(logsWriteManagementEvents(sel(reads))).toEqual({ ok: false, why: "its advanced event selectors record no write management events" });
    expect(logsWriteManagementEvents(sel(advanced("data", { field: "eventCategory", equals: ["Data"] }, { field: "readOnly", equals: ["false"] }))).ok).toBe(false);
    expect(logsWriteManagementEvents(sel(advanced("none", { field: "readOnly", equals: ["false"] }))).ok).toBe(false);
    // The first selector reads only; a later one records writes.
    expect(logsWriteManagementEvents(sel(reads, advanced("writes", { field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["false"] })))).toEqual({
      ok: true,
      why: "advanced selector writes records write management events",
    });
  });
});

describe("monitoring.trail", () => {
  const trail = (over: Partial<TrailState> = {}): TrailState => ({
    name: "org-trail",
    arn: "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail",
    homeRegion: EAST,
    multiRegion: true,
    logging: observed(true),
    selectors: observed({ basic: [], advanced: [] }),
    ...over,
  });
  const judge = (list: Observation<TrailState[]> | undefined, mon: ManifestMonitoring = MON) => {
    const fs = checkTrail(mon, { regions: new Map(), trails: new Map(list ? [[EAST, list]] : []) });
    expect(fs).toHaveLength(1);
    return fs[0]!;
  };

  it("a logging trail that applies (multi-region, or at home) passes with its selectors", () => {
    expect(judge(observed([trail({ homeRegion: "eu-west-1" })]))).toEqual({
      layer: "monitoring",
      id: "monitoring.trail",
      subject: `management events in ${EAST}`,
      status: "pass",
      summary: "trail org-trail (multi-region, home eu-west-1) logs write management events",
      evidence: ["org-trail (multi-region, home eu-west-1): logging, default event selectors (all management events)"],
    });
    expect(judge(observed([trail({ multiRegion: false })])).summary).toBe(`trail org-trail (${EAST}) logs write management events`);
  });

  it("a trail of another region that is not multi-region does not apply: the stack's trail was not found, or no trail at all", () => {
    const other = observed([trail({ name: "west", multiRegion: false, homeRegion: "us-west-2" })]);
    const f = judge(other, { ...MON, trail: { regions: [EAST], created: "mail-infra-prod" } });
    expect([f.status, f.summary, f.evidence, f.remediation]).toEqual([
      "fail",
      `no trail logs management events in ${EAST}: the change rules there never fire`,
      [`no trail applies to ${EAST} (the stack's trail mail-infra-prod was not found)`],
      "Run `pulumi up --refresh` to put the stack's trail back.",
    ]);
    const g = judge(observed([]));
    expect([g.evidence, g.remediation]).toEqual([
      [`no trail applies to ${EAST}`],
      "Set `pulumi config set mail-infra:createTrail true` and run `pulumi up` (a multi-region trail with its own bucket), or make an existing trail multi-region and log write management events.",
    ]);
  });

  it("a trail that is not logging: start it; one logging only reads: not that fix", () => {
    const f = judge(observed([trail({ logging: observed(false) })]));
    expect([f.status, f.summary, f.evidence, f.remediation]).toEqual([
      "fail",
      `no trail that applies to ${EAST} logs write management events: the change rules there never fire`,
      ["org-trail (multi-region, home us-east-1): is not logging"],
      "Start logging: `aws cloudtrail start-logging --name arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail`, and find out who stopped it.",
    ]);
    // The trail that is not logging is named, not the first one.
    const second = judge(observed([trail({ name: "reads", arn: "arn:reads", selectors: observed({ basic: [{ readWriteType: "ReadOnly" }], advanced: [] }) }), trail({ name: "off", arn: "arn:off", logging: observed(false) })]));
    expect(second.remediation).toBe("Start logging: `aws cloudtrail start-logging --name arn:off`, and find out who stopped it.");
    const reads = judge(observed([trail({ selectors: observed({ basic: [{ readWriteType: "ReadOnly" }], advanced: [] }) })]));
    expect([reads.evidence, reads.remediation]).toEqual([
      ["org-trail (multi-region, home us-east-1): its event selectors record only read management events"],
      "Set `pulumi config set mail-infra:createTrail true` and run `pulumi up` (a multi-region trail with its own bucket), or make an existing trail multi-region and log write management events.",
    ]);
  });

  it("one good trail is enough beside broken or unknown ones; without one, an unknown status or selectors is inconclusive", () => {
    const unknown = trail({ name: "a", logging: throttled });
    const pass = judge(observed([unknown, trail({ name: "s", selectors: throttled }), trail({ name: "b" })]));
    expect([pass.status, pass.evidence]).toEqual([
      "pass",
      [
        "a (multi-region, home us-east-1): status unknown: Rate exceeded",
        "s (multi-region, home us-east-1): event selectors unknown: Rate exceeded",
        "b (multi-region, home us-east-1): logging, default event selectors (all management events)",
      ],
    ]);
    const f = judge(observed([trail({ name: "off", logging: observed(false) }), unknown]));
    expect([f.status, f.summary]).toEqual(["inconclusive", "could not check trail a: Rate exceeded"]);
    const s = judge(observed([trail({ name: "sel", selectors: { ok: false, reason: "denied", message: "AccessDenied", needs: "Allow cloudtrail:GetEventSelectors." } })]));
    expect([s.status, s.summary, s.remediation]).toEqual(["inconclusive", "could not check trail sel: AccessDenied", "Allow cloudtrail:GetEventSelectors."]);
  });

  it("the trails not read, or unreadable: inconclusive", () => {
    expect([judge(undefined).status, judge(undefined).summary]).toEqual(["inconclusive", "the trails were not read"]);
    expect(judge(throttled)).toMatchObject({ status: "inconclusive", summary: "could not check the trails: Rate exceeded" });
  });
});

describe("monitoring.rate", () => {
  it("the thresholds: the declared ones, the defaults (bounce 2% and 5%, complaint 0.05% and 0.1%) where none is declared", () => {
    expect(regionThresholds(REGION)).toEqual({ bounce: { warning: 0.02, alarm: 0.05 }, complaint: { warning: 0.0005, alarm: 0.001 } });
    expect(regionThresholds({ ...REGION, alarms: [{ name: "x", kind: "bounce", level: "warning", threshold: 0.03 }] })).toEqual({ bounce: { warning: 0.03, alarm: 0.05 }, complaint: { warning: 0.0005, alarm: 0.001 } });
  });

  it("below the warning passes with the value; at or above the warning warns; at or above the alarm fails", () => {
    const judge = (bounce: number) => checkRates(REGION, region({ rates: { bounce: sample(bounce), complaint: sample(0) } }))[0]!;
    expect(judge(0.0123456)).toEqual({
      layer: "monitoring",
      id: "monitoring.rate",
      subject: `bounce rate in ${EAST}`,
      status: "pass",
      summary: "1.23% (warning 2%, alarm 5%)",
      evidence: ["AWS/SES Reputation.BounceRate 0.0123456 at 2026-05-14T15:00:00.000Z"],
    });
    const warn = judge(0.02);
    expect([warn.status, warn.summary]).toEqual(["warn", "2% (warning 2%, alarm 5%): at or above the warning level"]);
    expect(warn.remediation).toMatch(/^Act before it reaches the alarm level\. Find what bounces /);
    const fail = judge(0.05);
    expect([fail.status, fail.summary]).toEqual(["fail", "5% (warning 2%, alarm 5%): at or above the alarm level"]);
    expect(fail.remediation).toMatch(/^Find what bounces /);
    const c = checkRates(REGION, region({ rates: { bounce: sample(0), complaint: sample(0.001) } }))[1]!;
    expect([c.subject, c.status, c.summary, c.evidence]).toEqual([`complaint rate in ${EAST}`, "fail", "0.1% (warning 0.05%, alarm 0.1%): at or above the alarm level", ["AWS/SES Reputation.ComplaintRate 0.001 at 2026-05-14T15:00:00.000Z"]]);
  });

  it("no datapoint is no pass; an unreadable rate is inconclusive; no alarms declared, no rate check", () => {
    const [b, c] = checkRates(REGION, region({ rates: { bounce: observed(undefined), complaint: throttled } }));
    expect(b).toMatchObject({
      status: "warn",
      summary: "not enough evidence: no datapoint in the last 24 hours, so the rate cannot be judged (SES publishes it only while mail is sent; warning 2%, alarm 5%)",
      evidence: ["AWS/SES Reputation.BounceRate: no datapoint"],
      remediation: "Nothing to fix if no mail was sent in that window; otherwise check that the account sends through this region (the ses layer).",
    });
    expect([c!.status, c!.summary]).toEqual(["inconclusive", "could not check the complaint rate: Rate exceeded"]);
    expect(checkRates({ ...REGION, alarms: [] }, region())).toEqual([]);
  });
});

describe("the layer", () => {
  it("per region subscriptions, alarms, rates and rules, then the trail; a region not observed is skipped", () => {
    const mon: ManifestMonitoring = { ...MON, regions: [REGION, { ...REGION, region: "us-west-2" }] };
    const fs = checkMonitoringLayer(mon, { regions: new Map([[EAST, region()]]), trails: new Map([[EAST, observed([])]]) });
    expect(fs.map((f) => `${f.id} ${f.subject}`)).toEqual([
      `monitoring.subscription ${OPS} in ${EAST}`,
      `monitoring.alarm ${BOUNCE_ALARM} in ${EAST}`,
      `monitoring.alarm ${COMPLAINT_WARNING} in ${EAST}`,
      `monitoring.rate bounce rate in ${EAST}`,
      `monitoring.rate complaint rate in ${EAST}`,
      `monitoring.rule mail-infra-prod-iam in ${EAST}`,
      `monitoring.rule mail-infra-prod-ses in ${EAST}`,
      `monitoring.trail management events in ${EAST}`,
    ]);
  });

  it("no alert address declared: a warning first, with the config command", () => {
    const fs = checkMonitoringLayer({ ...MON, alertEmails: [] }, { regions: new Map(), trails: new Map([[EAST, observed([])]]) });
    expect(fs[0]).toEqual({
      layer: "monitoring",
      id: "monitoring.subscription",
      subject: "alert addresses",
      status: "warn",
      summary: "no alert address is declared: alarms and change alerts reach nobody",
      evidence: [],
      remediation: "Set `pulumi config set --path 'mail-infra:alertEmails[0]' you@example.com` and run `pulumi up`.",
    });
    expect(fs.map((f) => f.id)).toEqual(["monitoring.subscription", "monitoring.trail"]);
  });
});
