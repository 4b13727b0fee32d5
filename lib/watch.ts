/**
 * Watch (issue 19): verify's AWS and DNS layers and the relay evidence run inside the account
 * on a schedule and after changes, and every SES event is diagnosed as it arrives. This file is
 * the one table: names, the checks the watch runs, the metrics it writes (CloudWatch embedded
 * metric format), the alarms on them, the events it accepts. components/Watch.ts declares it,
 * scripts/watch/ runs it (the Lambda handler and `npm run watch`), verify's monitoring layer and
 * plan read it. It holds no mail rule: the checks are lib/verify's, the bounce layers
 * lib/diagnose's.
 */
import type { Finding, Layer, Status } from "./verify/findings";
import type { DiagnoseLayer, Verdict } from "./diagnose/types";
import type { ManifestWatch, StackManifest } from "./manifest";
import { IAM_EVENTS_REGION } from "./monitoring";
import { partitionOf, regionalArn } from "./regions";

/** The custom metric namespace; the only one the watch writes to. */
export const WATCH_NAMESPACE = "MailInfra/Watch";

/** The verify layers a scheduled or change-triggered run covers (smtp needs the secret; recipient a recipient). */
export const WATCH_LAYERS = ["ses", "dns", "relay"] as const satisfies readonly Layer[];
export type WatchLayer = (typeof WATCH_LAYERS)[number];

/**
 * Every check id those layers report, per layer (scripts/verify/layers/<layer>/check.ts: ses, dns,
 * smtp checkRelays, relay checkRetire). relay.gmail is not here: the function holds no Gmail
 * credentials. A test runs the layers against the loopback world and checks that every id
 * they report is listed, so a new check gets its alarm.
 */
export const WATCH_CHECK_IDS: Readonly<Record<WatchLayer, readonly string[]>> = {
  ses: [
    "ses.account.sending",
    "ses.account.production",
    "ses.account.enforcement",
    "ses.account.quota",
    "ses.account.suppression",
    "ses.identity.verified",
    "ses.identity.dkim",
    "ses.identity.mail-from",
    "ses.identity.configuration-set",
    "ses.configuration-set",
    "ses.configuration-set.events",
  ],
  dns: [
    "dns.domain",
    "dns.spf.record",
    "dns.spf.lookups",
    "dns.spf.void",
    "dns.spf.all",
    "dns.spf.network",
    "dns.dkim",
    "dns.mail-from.mx",
    "dns.dmarc.record",
    "dns.dmarc.policy",
    "dns.dmarc.alignment",
    "dns.dmarc.report-authorization",
    "dns.apex-txt.undeclared",
    "dns.drift",
  ],
  relay: ["relay.credentials", "relay.retire"],
};

export const ALL_WATCH_CHECKS: readonly string[] = WATCH_LAYERS.flatMap((l) => WATCH_CHECK_IDS[l]);

/** The bounce layers (lib/diagnose) that are our side's fault: each gets an alarm per SES region. */
export const BOUNCE_ALARM_LAYERS = ["sender-auth", "ses"] as const satisfies readonly DiagnoseLayer[];

export interface WatchSchedule {
  /** The EventBridge Scheduler expression, e.g. rate(1 hour). */
  readonly expression: string;
  readonly minutes: number;
}

/** The watch part of the config (lib/config validateWatch). */
export interface WatchConfig {
  readonly schedule: WatchSchedule;
  /** The check ids that get an alarm (all of WATCH_CHECK_IDS by default). Metrics are written for every check. */
  readonly checks: readonly string[];
  /** Bounces of one alarmed layer in one region, within an hour, that raise its alarm. */
  readonly bounceThreshold: number;
}

export const DEFAULT_WATCH_SCHEDULE = "rate(1 hour)";
export const DEFAULT_BOUNCE_THRESHOLD = 3;
/** Shortest and longest schedule: at least 5 minutes apart; at most 12 hours, so "no run in 2 periods" fits CloudWatch's one-day evaluation range. */
export const WATCH_SCHEDULE_LIMITS = { minMinutes: 5, maxMinutes: 720 } as const;

/** Parse a `rate(N unit)` expression (the only kind whose period the heartbeat alarm can know). */
export function parseWatchSchedule(value: string): WatchSchedule | { error: string } {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(value.trim());
  if (!m) return { error: "is not a rate expression. Write rate(N minutes) or rate(N hours), e.g. rate(1 hour): the heartbeat alarm needs a fixed period, so cron() is not accepted." };
  const n = Number(m[1]);
  const unit = m[2].replace(/s$/, "");
  if (n === 1 && m[2].endsWith("s")) return { error: `writes "${m[2]}" with 1. EventBridge Scheduler wants rate(1 ${unit}).` };
  if (n !== 1 && !m[2].endsWith("s")) return { error: `writes "${m[2]}" with ${n}. EventBridge Scheduler wants rate(${n} ${unit}s).` };
  const minutes = n * (unit === "minute" ? 1 : unit === "hour" ? 60 : 1440);
  if (minutes < WATCH_SCHEDULE_LIMITS.minMinutes || minutes > WATCH_SCHEDULE_LIMITS.maxMinutes) {
    return { error: `runs every ${minutes} minutes. Choose between ${WATCH_SCHEDULE_LIMITS.minMinutes} minutes and 12 hours (the "no run in 2 periods" alarm must fit CloudWatch's one-day evaluation range).` };
  }
  return { expression: `rate(${n} ${n === 1 ? unit : `${unit}s`})`, minutes };
}

/** A `mail-infra:watchChecks` entry: a layer (all its checks) or one check id. Returns the ids or an error. */
export function resolveWatchCheck(entry: string): string[] | { error: string } {
  const e = entry.trim().toLowerCase();
  if ((WATCH_LAYERS as readonly string[]).includes(e)) return [...WATCH_CHECK_IDS[e as WatchLayer]];
  if (ALL_WATCH_CHECKS.includes(e)) return [e];
  return { error: `is not a layer (${WATCH_LAYERS.join(", ")}) or a check id the watch runs (e.g. ses.identity.mail-from, dns.spf.lookups; the list is in docs/monitoring.md).` };
}

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

const base = (stack: string) => `mail-infra-${stack}-watch`;
export const watchFunctionName = (stack: string): string => base(stack);
export const watchScheduleName = (stack: string): string => base(stack);
export const watchRoleName = (stack: string): string => base(stack);
export const watchQueueName = (stack: string): string => `${base(stack)}-failed`;
export const watchLogGroupName = (stack: string): string => `/aws/lambda/${watchFunctionName(stack)}`;
export const watchRuleName = (stack: string, purpose: WatchRulePurpose): string => `${base(stack)}-${purpose}-changes`;
export type WatchRulePurpose = "iam" | "ses" | "secret";
/** The event bus in the function's region that receives change events forwarded from other regions. */
export const watchBusName = (stack: string): string => base(stack);
/** A forwarding rule (on a non-primary region's default bus), and the rule on the watch bus that hands the forwarded events to the function. */
export const watchForwardRuleName = (stack: string, purpose: WatchRulePurpose): string => `${base(stack)}-${purpose}-forward`;
export const watchForwardedRuleName = (stack: string, purpose: WatchRulePurpose): string => `${base(stack)}-${purpose}-forwarded`;
export const watchForwardRoleName = (stack: string): string => `${base(stack)}-forward`;
export const watchCheckAlarmName = (stack: string, checkId: string): string => `${base(stack)}-${checkId}`;
export const watchBounceAlarmName = (stack: string, region: string, layer: string): string => `${base(stack)}-bounces-${layer}-${region}`;
export const watchErrorsAlarmName = (stack: string): string => `${base(stack)}-errors`;
export const watchHeartbeatAlarmName = (stack: string): string => `${base(stack)}-not-running`;

/** Log retention of the function's log group (its EMF records are the metrics' source). */
export const WATCH_LOG_RETENTION_DAYS = 30;
/** Concurrent executions reserved (and so at most used): a burst of SES events queues instead of starving the account's other functions. */
export const WATCH_RESERVED_CONCURRENCY = 5;
export const WATCH_TIMEOUT_SECONDS = 60;
export const WATCH_MEMORY_MB = 256;
/** How long the SES event queue keeps a failed event (14 days, SQS's maximum). */
export const WATCH_DLQ_RETENTION_SECONDS = 1_209_600;
/** The file the bundle reads the stack's verification manifest from (next to index.js in the archive). */
export const WATCH_MANIFEST_FILE = "manifest.json";

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

export const METRICS = {
  /** Per check: 0 pass (or warn), 1 fail. Dimensions Stack+Check and Stack+Check+Subject. */
  check: "CheckFailed",
  /** Per check: 1 when the check could not be made (no evidence either way). */
  inconclusive: "CheckInconclusive",
  /** Per SES event recipient: 1, dimensions Stack+Region+Layer. */
  bounces: "Bounces",
  /** 1 per completed scheduled or change-triggered run: the heartbeat. Dimension Stack. */
  runs: "Runs",
} as const;

export interface MetricDatum {
  readonly name: string;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Written next to the metric in the log record (EMF properties): what a person reads in Logs Insights. */
  readonly properties?: Readonly<Record<string, string>>;
}

/** A check's value: 1 fail, 0 pass or warn (verify exits 0 on a warning too), none when not made. */
export function checkValue(status: Status): number | undefined {
  return status === "fail" ? 1 : status === "pass" || status === "warn" ? 0 : undefined;
}

/**
 * The metric data of one run's findings. A grouped root cause stands for the checks it
 * blocked: each blocked check is reported with the cause's status, so an alarm on the blocked
 * check still fires. An inconclusive check writes no CheckFailed datapoint (absence of a bad
 * signal is not a pass) but a CheckInconclusive one.
 */
export function findingMetrics(stack: string, findings: readonly Finding[]): MetricDatum[] {
  const out: MetricDatum[] = [];
  const add = (id: string, subject: string, status: Status, f: Finding) => {
    const v = checkValue(status);
    const dims = { Stack: stack, Check: id, Subject: subject };
    const properties = { Status: status, Summary: f.summary, ...(status !== "pass" && f.remediation ? { Remediation: f.remediation } : {}), ...(f.id !== id ? { Cause: f.id } : {}) };
    if (v === undefined) out.push({ name: METRICS.inconclusive, value: 1, dimensions: dims, properties });
    else out.push({ name: METRICS.check, value: v, dimensions: dims, properties });
  };
  for (const f of findings) {
    add(f.id, f.subject, f.status, f);
    for (const b of f.blocked ?? []) add(b.id, b.subject, b.status === "pass" ? f.status : b.status, f);
  }
  return out;
}

/** One Bounces datapoint per verdict. */
export function bounceMetrics(stack: string, region: string, verdicts: readonly Verdict[]): MetricDatum[] {
  return verdicts.map((v) => ({
    name: METRICS.bounces,
    value: 1,
    dimensions: { Stack: stack, Region: region, Layer: v.layer },
    // The recipient's domain, not the address: enough to see one receiving domain refusing, no mailbox names in logs.
    properties: { RecipientDomain: v.recipient.split("@").pop() ?? "", Cause: v.cause, Confidence: v.confidence, Next: v.next },
  }));
}

export const runMetric = (stack: string): MetricDatum => ({ name: METRICS.runs, value: 1, dimensions: { Stack: stack } });

/**
 * The dimension sets an EMF record declares for a datum: per check, also without the subject
 * (the alarms watch that one: their names are known at deploy time, the subjects are not all).
 */
function dimensionSets(d: MetricDatum): string[][] {
  const keys = Object.keys(d.dimensions);
  if (d.name === METRICS.check || d.name === METRICS.inconclusive) return [keys, keys.filter((k) => k !== "Subject")];
  return [keys];
}

/**
 * CloudWatch embedded metric format: one JSON log line per datum (the dimensions differ per
 * datum, and one line per datum keeps each under the 100-datapoint and 30-dimension limits).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export function toEmf(data: readonly MetricDatum[], timestamp: number): string[] {
  return data.map((d) =>
    JSON.stringify({
      _aws: { Timestamp: timestamp, CloudWatchMetrics: [{ Namespace: WATCH_NAMESPACE, Dimensions: dimensionSets(d), Metrics: [{ Name: d.name, Unit: "Count" }] }] },
      ...d.properties,
      ...d.dimensions,
      [d.name]: d.value,
    }),
  );
}

/** What the watch tells for a failing check: verify's own words, nothing rewritten. */
export interface WatchAlert {
  readonly check: string;
  readonly subject: string;
  readonly summary: string;
  readonly remediation?: string;
  /** The alarm that carries it, when the check has one. */
  readonly alarm?: string;
}

export function findingAlerts(stack: string, findings: readonly Finding[], alarmed: readonly string[]): WatchAlert[] {
  return findings
    .filter((f) => f.status === "fail")
    .map((f) => ({
      check: f.id,
      subject: f.subject,
      summary: f.summary,
      ...(f.remediation ? { remediation: f.remediation } : {}),
      ...(alarmed.includes(f.id) ? { alarm: watchCheckAlarmName(stack, f.id) } : {}),
    }));
}

// ---------------------------------------------------------------------------------------------
// Alarms
// ---------------------------------------------------------------------------------------------

export interface WatchAlarmSpec {
  readonly name: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly statistic: "Maximum" | "Sum";
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly comparisonOperator: "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
  readonly threshold: number;
  readonly treatMissingData: "ignore" | "breaching" | "notBreaching";
  readonly description: string;
}

const LAYER_OF_CHECK = (id: string): WatchLayer => id.split(".")[0] as WatchLayer;

/** How to read the failing finding (the same text verify prints) from the function's log. */
export function logsQuery(stack: string, checkId: string): string {
  return `fields Subject, Summary, Remediation | filter Check = "${checkId}" and CheckFailed = 1 | sort @timestamp desc | limit 20 (log group ${watchLogGroupName(stack)})`;
}

/**
 * Every alarm of the watch, all in the function's region (EMF metrics are written there):
 * one per alarmed check (the worst subject: Maximum over a schedule period), one per alarmed
 * bounce layer and SES region (Sum over an hour), the function's own errors, and the heartbeat
 * ("no run in 2 schedule periods": missing data breaches).
 */
export function watchAlarms(stack: string, functionName: string, cfg: WatchConfig, sesRegions: readonly string[]): WatchAlarmSpec[] {
  const period = Math.min(cfg.schedule.minutes * 60, 86_400);
  const checks = cfg.checks.map(
    (id): WatchAlarmSpec => ({
      name: watchCheckAlarmName(stack, id),
      namespace: WATCH_NAMESPACE,
      metricName: METRICS.check,
      dimensions: { Stack: stack, Check: id },
      statistic: "Maximum",
      periodSeconds: period,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      // No data = no run: the heartbeat alarm says so; this one keeps its state.
      treatMissingData: "ignore",
      description:
        `mail-infra ${stack}: verify's check ${id} fails for at least one subject. ` +
        `Fix: run \`npm run verify -- --stack ${stack} --only ${LAYER_OF_CHECK(id)}\`, which names the subject and prints the fix; the watch logged the same finding (${logsQuery(stack, id)}). See docs/monitoring.md, "Watch alarms".`,
    }),
  );
  const bounces = sesRegions.flatMap((region) =>
    BOUNCE_ALARM_LAYERS.map(
      (layer): WatchAlarmSpec => ({
        name: watchBounceAlarmName(stack, region, layer),
        namespace: WATCH_NAMESPACE,
        metricName: METRICS.bounces,
        dimensions: { Stack: stack, Region: region, Layer: layer },
        statistic: "Sum",
        periodSeconds: 3600,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: cfg.bounceThreshold,
        treatMissingData: "notBreaching",
        description:
          `mail-infra ${stack}: ${cfg.bounceThreshold} or more bounces within an hour in ${region} that diagnose puts on the ${layer} layer. ` +
          `Fix: ${layer === "ses" ? `run \`npm run verify -- --stack ${stack} --only ses\` (account, identity, suppression)` : `run \`npm run verify -- --stack ${stack} --only dns\` (SPF, DKIM, DMARC, MAIL FROM)`}; ` +
          `the watch logged each verdict (log group ${watchLogGroupName(stack)}, field Layer). See docs/monitoring.md, "Watch alarms".`,
      }),
    ),
  );
  return [
    ...checks,
    ...bounces,
    {
      name: watchErrorsAlarmName(stack),
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: functionName },
      statistic: "Sum",
      periodSeconds: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      treatMissingData: "notBreaching",
      description: `mail-infra ${stack}: the watch function ${functionName} failed. Fix: read its log group ${watchLogGroupName(stack)}; SES events it could not process wait in the queue ${watchQueueName(stack)}. See docs/monitoring.md, "Watch alarms".`,
    },
    {
      name: watchHeartbeatAlarmName(stack),
      namespace: WATCH_NAMESPACE,
      metricName: METRICS.runs,
      dimensions: { Stack: stack },
      statistic: "Sum",
      periodSeconds: Math.min(2 * period, 86_400),
      evaluationPeriods: 1,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
      description:
        `mail-infra ${stack}: the watch has not completed a run in 2 schedule periods (${cfg.schedule.expression}), so nothing is being checked. ` +
        `Fix: check the schedule ${watchScheduleName(stack)} is enabled and read the log group ${watchLogGroupName(stack)}. See docs/monitoring.md, "Watch alarms".`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/** The input the schedule passes (EventBridge Scheduler delivers a target's input verbatim). */
export const SCHEDULED_SOURCE = "mail-infra.watch";
export function scheduleInput(stack: string): string {
  // <aws.scheduler.*> are Scheduler's context attributes, filled in at each invocation.
  return JSON.stringify({ source: SCHEDULED_SOURCE, "detail-type": "Scheduled run", stack, scheduledTime: "<aws.scheduler.scheduled-time>", executionId: "<aws.scheduler.execution-id>" });
}

/** One SES message to diagnose: its JSON and the region it came from (the topic's, when known). */
export interface SesItem {
  readonly json: unknown;
  readonly region?: string;
  /** SNS MessageId, when delivered by SNS: the idempotency key. */
  readonly id?: string;
}

export type WatchEvent =
  | { kind: "scheduled"; detail: string }
  | { kind: "change"; detail: string }
  | { kind: "ses"; items: SesItem[] }
  | { kind: "unknown"; message: string };

const o = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const s = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The region of an ARN (arn:partition:service:region:...). */
const arnRegion = (arn: string | undefined): string | undefined => arn?.split(":")[3] || undefined;

/**
 * What one event is, as AWS delivers it to the function or as a user saved it:
 * - the schedule's input (scheduleInput) or an EventBridge "Scheduled Event";
 * - an EventBridge "AWS API Call via CloudTrail" event (the change rules);
 * - SNS's Lambda event (Records[].Sns, the SES event topics), one SNS envelope, or a bare SES
 *   notification (notificationType) or event-publishing record (eventType);
 * - an EventBridge SES event (source aws.ses, detail = the event-publishing record).
 */
export function classifyWatchEvent(event: unknown): WatchEvent {
  const e = o(event);
  if (!e) return { kind: "unknown", message: "the event is not a JSON object" };
  const records = Array.isArray(e.Records) ? e.Records : undefined;
  if (records) {
    const items: SesItem[] = [];
    for (const [i, r] of records.entries()) {
      const sns = o(o(r)?.Sns);
      if (!sns || typeof sns.Message !== "string") return { kind: "unknown", message: `Records[${i}] is not an SNS record (no Sns.Message)` };
      let json: unknown;
      try {
        json = JSON.parse(sns.Message);
      } catch {
        return { kind: "unknown", message: `Records[${i}].Sns.Message is not JSON` };
      }
      items.push({ json, region: arnRegion(s(sns.TopicArn)) ?? arnRegion(s(o(r)?.EventSubscriptionArn)), ...(s(sns.MessageId) ? { id: s(sns.MessageId) } : {}) });
    }
    return { kind: "ses", items };
  }
  if (e.Type === "Notification" && typeof e.Message === "string") {
    try {
      return { kind: "ses", items: [{ json: JSON.parse(e.Message), region: arnRegion(s(e.TopicArn)), ...(s(e.MessageId) ? { id: s(e.MessageId) } : {}) }] };
    } catch {
      return { kind: "unknown", message: "an SNS notification whose Message is not JSON" };
    }
  }
  if (e.source === SCHEDULED_SOURCE) return { kind: "scheduled", detail: `scheduled run${s(e.scheduledTime) ? ` at ${s(e.scheduledTime)}` : ""}` };
  if (e.source === "aws.events" && e["detail-type"] === "Scheduled Event") return { kind: "scheduled", detail: `scheduled event at ${s(e.time) ?? "?"}` };
  if (e["detail-type"] === "AWS API Call via CloudTrail") {
    const d = o(e.detail);
    // CloudTrail's awsRegion is where the call was made, also for an event forwarded from another region's bus.
    return { kind: "change", detail: `${s(d?.eventSource) ?? s(e.source) ?? "?"} ${s(d?.eventName) ?? "?"} in ${s(d?.awsRegion) ?? s(e.region) ?? "?"}` };
  }
  if (e.source === "aws.ses" && o(e.detail)) return { kind: "ses", items: [{ json: e.detail, region: s(e.region), ...(s(e.id) ? { id: s(e.id) } : {}) }] };
  if (typeof e.notificationType === "string" || typeof e.eventType === "string") return { kind: "ses", items: [{ json: e }] };
  return { kind: "unknown", message: "not a scheduled run, a CloudTrail change event, an SNS delivery or SES feedback (notificationType / eventType)" };
}

/** The idempotency key of one SES message: SNS's MessageId, else SES's own message id, type and first recipient's feedback id. */
export function sesItemKey(item: SesItem): string | undefined {
  if (item.id) return item.id;
  const j = o(item.json);
  const mail = o(j?.mail);
  const type = s(j?.notificationType) ?? s(j?.eventType);
  const feedback = s(o(j?.bounce)?.feedbackId) ?? s(o(j?.complaint)?.feedbackId);
  const messageId = s(mail?.messageId);
  return messageId && type ? `${messageId}:${type}:${feedback ?? ""}` : undefined;
}

// ---------------------------------------------------------------------------------------------
// The manifest section and the execution role's policy
// ---------------------------------------------------------------------------------------------

/** The manifest's `watch` section: names only (from config), so it never waits for a resource. */
export function watchManifest(stack: string, region: string, cfg: WatchConfig, sesRegions: readonly string[]): ManifestWatch {
  const functionName = watchFunctionName(stack);
  return {
    functionName,
    region,
    scheduleName: watchScheduleName(stack),
    schedule: cfg.schedule.expression,
    scheduleMinutes: cfg.schedule.minutes,
    queueName: watchQueueName(stack),
    alarms: watchAlarms(stack, functionName, cfg, sesRegions).map((a) => a.name),
  };
}

export interface PolicyStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Action: string[];
  readonly Resource: string | string[];
}

/**
 * The execution role's one policy: read what the ses, dns and relay checks read, and nothing
 * else (scripts/verify/aws.ts names the calls). ses:GetAccount has no resource type; the
 * identity and configuration set reads name the stack's ARNs; the IAM reads name the SMTP user
 * (GetAccessKeyLastUsed's resource is the key's user). No Secrets Manager: the watch does not
 * read the SMTP passwords (the smtp layer is not run). No cloudwatch:PutMetricData: metrics go
 * through the log (EMF). Logs to its own log group only; failed events to its own queue.
 */
export function watchExecutionPolicy(m: StackManifest, logGroupArn: string, queueArn: string): { Version: "2012-10-17"; Statement: PolicyStatement[] } {
  const regions = m.domains.flatMap((d) => d.regions);
  const identities = [...new Set(regions.map((r) => r.identityArn).filter((a) => a !== ""))];
  const sets = [...new Set(regions.map((r) => r.configurationSetArn).filter((a) => a !== ""))];
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "SesAccount", Effect: "Allow", Action: ["ses:GetAccount"], Resource: "*" },
      ...(identities.length > 0 ? [{ Sid: "SesIdentities", Effect: "Allow" as const, Action: ["ses:GetEmailIdentity"], Resource: identities }] : []),
      ...(sets.length > 0 ? [{ Sid: "SesConfigurationSets", Effect: "Allow" as const, Action: ["ses:GetConfigurationSet", "ses:GetConfigurationSetEventDestinations"], Resource: sets }] : []),
      // Without SMTP credentials (lib/smtp-credentials.ts) there is no user to read.
      ...(m.smtp ? [{ Sid: "SmtpUserKeys", Effect: "Allow" as const, Action: ["iam:ListAccessKeys", "iam:GetAccessKeyLastUsed"], Resource: m.smtp.userArn }] : []),
      { Sid: "OwnLog", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` },
      { Sid: "FailedEvents", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: queueArn },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Change events outside the function's region
// ---------------------------------------------------------------------------------------------

/**
 * Where each change rule purpose fires: SES changes in every SES region, IAM changes only in
 * IAM_EVENTS_REGION (IAM's CloudTrail events reach EventBridge only there), secret changes in
 * the secret's region. The function's region handles its own purposes directly; every other
 * region forwards its purposes to the watch bus in the function's region (EventBridge rules
 * cannot target a Lambda function in another region, but can target an event bus there).
 */
export function watchChangeRegions(primary: string, sesRegions: readonly string[], secretRegion: string): { region: string; purposes: WatchRulePurpose[] }[] {
  // Every region but the primary is in the list for a purpose, so only the primary can have none.
  const regions = [...new Set([primary, ...sesRegions, IAM_EVENTS_REGION, secretRegion])];
  return regions.map((region) => ({
    region,
    purposes: [...(region === IAM_EVENTS_REGION ? (["iam"] as const) : []), ...(sesRegions.includes(region) ? (["ses"] as const) : []), ...(region === secretRegion ? (["secret"] as const) : [])],
  }));
}

/**
 * The regions that forward change events to the function's region, and what they forward.
 * Empty outside the commercial partition: EventBridge routes events between any AWS Regions
 * "except AWS GovCloud (US) and China"
 * (https://aws.amazon.com/blogs/compute/expanding-cross-region-event-routing-with-amazon-eventbridge/),
 * and a region of another partition than the function's cannot be a target at all.
 */
export function watchForwarding(primary: string, sesRegions: readonly string[], secretRegion: string): { region: string; purposes: WatchRulePurpose[] }[] {
  if (partitionOf(primary) !== "aws") return [];
  return watchChangeRegions(primary, sesRegions, secretRegion).filter((r) => r.region !== primary && partitionOf(r.region) === "aws");
}

/** The ARN of the watch bus (the forwarders' one target). */
export function watchBusArn(stack: string, primary: string, accountId: string): string {
  return regionalArn("events", primary, accountId, `event-bus/${watchBusName(stack)}`);
}

/**
 * The watch bus's own policy: the forwarders' role may put events on it. Same-account IAM would
 * allow it from the role's policy alone; EventBridge's bus-to-bus guide has the receiving bus
 * allow the sender too (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-bus-to-bus.html),
 * so both sides say so, each naming exactly the other.
 */
export function watchBusPolicy(busArn: string, forwardRoleArn: string): { Version: "2012-10-17"; Statement: (Omit<PolicyStatement, "Action"> & { Principal: { AWS: string }; Action: string })[] } {
  return { Version: "2012-10-17", Statement: [{ Sid: "ForwardedChanges", Effect: "Allow", Principal: { AWS: forwardRoleArn }, Action: "events:PutEvents", Resource: busArn }] };
}

/** The forwarders' role: events:PutEvents on the watch bus and nothing else. */
export function watchForwardPolicy(busArn: string): { Version: "2012-10-17"; Statement: PolicyStatement[] } {
  return { Version: "2012-10-17", Statement: [{ Sid: "ForwardToWatchBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: busArn }] };
}
