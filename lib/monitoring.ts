/**
 * Monitoring (issue 12): the names, thresholds and event rules that the program declares
 * (components/Monitoring.ts), the policy pack checks, and verify's `monitoring` layer judges.
 * One table here; nobody else spells an alarm name, a threshold default or a rule's purpose.
 *
 * CONTRACT (written before the parts that use it). The program fills the manifest's
 * `monitoring` section (lib/manifest.ts) from these functions; verify reads only the manifest.
 */
import { regionalArn } from "./regions";

/** The two SES reputation metrics that put an account under review (namespace AWS/SES). */
export const REPUTATION_METRICS = {
  bounce: "Reputation.BounceRate",
  complaint: "Reputation.ComplaintRate",
} as const;
export type ReputationKind = keyof typeof REPUTATION_METRICS;
export const REPUTATION_NAMESPACE = "AWS/SES";

export type AlarmLevel = "warning" | "alarm";
export const ALARM_LEVELS: readonly AlarmLevel[] = ["warning", "alarm"];

/** Thresholds as fractions (0.02 = 2 %), the unit SES publishes the metrics in. */
export type ReputationThresholds = Readonly<Record<ReputationKind, Readonly<Record<AlarmLevel, number>>>>;

/**
 * Defaults: SES puts an account under review at a 5 % bounce rate and a 0.1 % complaint rate.
 * The warning levels leave time to act before that.
 */
export const DEFAULT_THRESHOLDS: ReputationThresholds = {
  bounce: { warning: 0.02, alarm: 0.05 },
  complaint: { warning: 0.0005, alarm: 0.001 },
};

/**
 * The rates at which SES puts an account under review (0.05 = 5 % bounces, 0.001 = 0.1 %
 * complaints; "Reputation metrics messages", https://docs.aws.amazon.com/ses/latest/dg/reputationdashboardmessages.html).
 * A threshold above them would fire only after SES has acted, so config refuses it.
 */
export const REVIEW_RATES: Readonly<Record<ReputationKind, number>> = { bounce: 0.05, complaint: 0.001 };

/** The config key of each threshold (string values such as "2%" or "0.05%"). */
export const THRESHOLD_KEYS: Readonly<Record<ReputationKind, Readonly<Record<AlarmLevel, string>>>> = {
  bounce: { warning: "bounceRateWarning", alarm: "bounceRateAlarm" },
  complaint: { warning: "complaintRateWarning", alarm: "complaintRateAlarm" },
};

/** The alerts topic of a stack in one region (SNS topic names are regional). */
export function alertsTopicName(stack: string): string {
  return `mail-infra-${stack}-alerts`;
}

/** A reputation alarm's name; the same in every region (CloudWatch alarm names are regional). */
export function reputationAlarmName(stack: string, kind: ReputationKind, level: AlarmLevel): string {
  return `mail-infra-${stack}-${kind}-rate-${level}`;
}

/**
 * What each EventBridge rule watches:
 *   iam      — the SMTP user's access keys and user policies (us-east-1 only: IAM's CloudTrail
 *              events are delivered there);
 *   ses      — identity deletes and attribute changes, configuration set / event destination
 *              changes, suppression list changes (each SES region);
 *   secret   — the SMTP secret's value written, updated or deleted (the secret's region);
 *   feedback — bounces and complaints from the SES event topics, summarised for people.
 */
export type RulePurpose = "iam" | "ses" | "secret" | "feedback";

export function ruleName(stack: string, purpose: RulePurpose): string {
  return `mail-infra-${stack}-${purpose}-changes`.replace("-feedback-changes", "-feedback");
}

/** IAM's CloudTrail events reach EventBridge only in this region. */
export const IAM_EVENTS_REGION = "us-east-1";

/** The trail the program creates when mail-infra:createTrail is true. */
export function trailName(stack: string): string {
  return `mail-infra-${stack}`;
}

// ---------------------------------------------------------------------------------------------
// Added by the program (components/Monitoring.ts): threshold parsing, the alarm and rule specs,
// the event patterns and the readable messages. Pure: the component, the policies and the tests
// read them from here.
// ---------------------------------------------------------------------------------------------

/**
 * A threshold as configured ("2%", "0.05 %") as a fraction (0.02, 0.0005), or why it is not one.
 * Only percentages strictly between 0 and 100 are accepted: the sign is required so that "5"
 * (5 % or 500 %?) and "0.05" (5 % or 0.05 %?) cannot be misread.
 */
export function parseRate(value: string): { fraction: number } | { error: string } {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*%\s*$/.exec(value);
  if (!m) return { error: `is not a percentage. Write it with a % sign, e.g. "2%" or "0.05%".` };
  const percent = Number(m[1]);
  if (!(percent > 0 && percent < 100)) return { error: "is out of range. Use a rate above 0% and below 100%." };
  // Round away binary noise (0.05 / 100 = 0.0005000000000000001).
  return { fraction: Number((percent / 100).toPrecision(12)) };
}

/** A fraction as people read it: 0.02 -> "2%", 0.0005 -> "0.05%". */
export function formatRate(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(12))}%`;
}

/** Why a pair of levels is wrong (the warning must fire before the alarm), or undefined. */
export function thresholdOrderProblem(kind: ReputationKind, t: Readonly<Record<AlarmLevel, number>>): string | undefined {
  if (t.warning < t.alarm) return undefined;
  return `the ${kind} warning level ${formatRate(t.warning)} is not below the alarm level ${formatRate(t.alarm)} (${THRESHOLD_KEYS[kind].alarm}). The warning must fire first: lower it, or raise the alarm level.`;
}

/**
 * A threshold above SES's review rate (REVIEW_RATES): the alarm would fire after the account is
 * already under review. At the review rate itself it fires as SES acts (the default alarm level).
 */
export function reviewRateProblem(kind: ReputationKind, level: AlarmLevel, value: number): string | undefined {
  const review = REVIEW_RATES[kind];
  if (value <= review) return undefined;
  return `${formatRate(value)} is above ${formatRate(review)}, the ${kind} rate at which SES puts the account under review, so this ${level} would fire only after SES has acted. Set mail-infra:${THRESHOLD_KEYS[kind][level]} to "${formatRate(level === "alarm" ? review : DEFAULT_THRESHOLDS[kind].warning)}" (at most "${formatRate(review)}").`;
}

/**
 * How the reputation alarms evaluate. SES computes each rate over a representative window of
 * recent sending and publishes it only while the account sends. A quiet day is therefore no
 * evidence that the rate went down: `ignore` keeps the alarm in its state while no data
 * arrives (an alarm in ALARM stays in ALARM until a new datapoint is below the threshold).
 * `notBreaching` would turn a bad rate into OK just because sending stopped; `missing` would
 * flip a low-volume sender to INSUFFICIENT_DATA every quiet hour; `breaching` would alarm on
 * every quiet hour.
 */
export const ALARM_EVALUATION = {
  statistic: "Maximum",
  periodSeconds: 3600,
  evaluationPeriods: 1,
  comparisonOperator: "GreaterThanOrEqualToThreshold",
  treatMissingData: "ignore",
} as const;

export interface AlarmSpec {
  readonly name: string;
  readonly kind: ReputationKind;
  readonly level: AlarmLevel;
  readonly metricName: string;
  readonly threshold: number;
  readonly description: string;
}

/** The four reputation alarms of one region (account-wide metrics: no dimensions). */
export function reputationAlarms(stack: string, region: string, thresholds: ReputationThresholds): AlarmSpec[] {
  return (Object.keys(REPUTATION_METRICS) as ReputationKind[]).flatMap((kind) =>
    ALARM_LEVELS.map((level): AlarmSpec => {
      const threshold = thresholds[kind][level];
      const review = kind === "bounce" ? "5%" : "0.1%";
      return {
        name: reputationAlarmName(stack, kind, level),
        kind,
        level,
        metricName: REPUTATION_METRICS[kind],
        threshold,
        description:
          `mail-infra ${stack}: the SES account's ${kind} rate in ${region} reached ${formatRate(threshold)} (${level} level; SES puts an account under review at ${review}). ` +
          `See docs/monitoring.md, "${kind} rate ${level}".`,
      };
    }),
  );
}

/** The detail-type EventBridge gives the management events CloudTrail delivers. */
export const CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail";

/** IAM calls that change the SMTP user's keys or permissions (eventSource iam.amazonaws.com). */
export const IAM_EVENT_NAMES = [
  "CreateAccessKey",
  "UpdateAccessKey",
  "DeleteAccessKey",
  "PutUserPolicy",
  "DeleteUserPolicy",
  "AttachUserPolicy",
  "DetachUserPolicy",
] as const;

/**
 * SES calls that delete an identity or change how it sends, its configuration set, its event
 * destinations or the suppression list. SES API v1 (email) and v2 (sesv2) both log with
 * eventSource ses.amazonaws.com and the operation's name as eventName; both are listed, since
 * the console and older tools still call v1.
 */
export const SES_EVENT_NAMES = [
  // v2 identities
  "DeleteEmailIdentity",
  "PutEmailIdentityMailFromAttributes",
  "PutEmailIdentityDkimAttributes",
  "PutEmailIdentityDkimSigningAttributes",
  "PutEmailIdentityFeedbackAttributes",
  "PutEmailIdentityConfigurationSetAttributes",
  "CreateEmailIdentityPolicy",
  "UpdateEmailIdentityPolicy",
  "DeleteEmailIdentityPolicy",
  // v2 configuration sets and event destinations
  "DeleteConfigurationSet",
  "PutConfigurationSetDeliveryOptions",
  "PutConfigurationSetReputationOptions",
  "PutConfigurationSetSendingOptions",
  "PutConfigurationSetSuppressionOptions",
  "PutConfigurationSetTrackingOptions",
  "CreateConfigurationSetEventDestination",
  "UpdateConfigurationSetEventDestination",
  "DeleteConfigurationSetEventDestination",
  // v2 suppression list and account
  "PutSuppressedDestination",
  "DeleteSuppressedDestination",
  "PutAccountSuppressionAttributes",
  "PutAccountSendingAttributes",
  // v1 identities
  "DeleteIdentity",
  "SetIdentityMailFromDomain",
  "SetIdentityDkimEnabled",
  "SetIdentityFeedbackForwardingEnabled",
  "SetIdentityNotificationTopic",
  "SetIdentityHeadersInNotificationsEnabled",
  "PutIdentityPolicy",
  "DeleteIdentityPolicy",
  // v1 configuration sets and account
  "UpdateConfigurationSetSendingEnabled",
  "UpdateConfigurationSetReputationMetricsEnabled",
  "UpdateAccountSendingEnabled",
] as const;

/** Secrets Manager calls that write, rotate, restore, re-permission or delete a secret. */
export const SECRET_EVENT_NAMES = [
  "PutSecretValue",
  "UpdateSecret",
  "UpdateSecretVersionStage",
  "DeleteSecret",
  "RestoreSecret",
  "RotateSecret",
  "CancelRotateSecret",
  "PutResourcePolicy",
  "DeleteResourcePolicy",
] as const;

/** The SES events (configuration set event publishing to EventBridge) that reach people. */
export const FEEDBACK_DETAIL_TYPES = ["Email Bounced", "Email Complaint Received"] as const;
/** What the configuration set publishes to EventBridge (the SNS destination keeps every type). */
export const FEEDBACK_EVENT_TYPES = ["BOUNCE", "COMPLAINT"] as const;
/** The name of that event destination inside each configuration set. */
export const FEEDBACK_EVENT_DESTINATION_NAME = "eventbridge-alerts";

/** An EventBridge event pattern (what PutRule's EventPattern holds, as an object). */
export type EventPattern = Readonly<Record<string, unknown>>;

function cloudTrailPattern(service: string, eventNames: readonly string[], requestParameters?: Record<string, unknown>): EventPattern {
  return {
    source: [`aws.${service}`],
    "detail-type": [CLOUDTRAIL_DETAIL_TYPE],
    detail: {
      eventSource: [`${service}.amazonaws.com`],
      eventName: [...eventNames],
      ...(requestParameters ? { requestParameters } : {}),
    },
  };
}

/** IAM: the SMTP user's access keys and user policies (the rule lives in IAM_EVENTS_REGION). */
export function iamEventPattern(smtpUserName: string): EventPattern {
  return cloudTrailPattern("iam", IAM_EVENT_NAMES, { userName: [smtpUserName] });
}

/** SES: every identity, configuration set and suppression change in the region. */
export function sesEventPattern(): EventPattern {
  return cloudTrailPattern("ses", SES_EVENT_NAMES);
}

/**
 * Secrets Manager: the SMTP secret, whether the caller named it by name or by ARN (the ARN
 * ends in "-" and six random characters, so the prefix cannot match another secret whose name
 * merely starts the same).
 */
export function secretEventPattern(secretName: string, secretRegion: string, accountId: string): EventPattern {
  return cloudTrailPattern("secretsmanager", SECRET_EVENT_NAMES, {
    secretId: [secretName, { prefix: regionalArn("secretsmanager", secretRegion, accountId, `secret:${secretName}-`) }],
  });
}

/** SES bounces and complaints of this stack's configuration sets, as SES publishes them to EventBridge. */
export function feedbackEventPattern(configurationSets: readonly string[]): EventPattern {
  return {
    source: ["aws.ses"],
    "detail-type": [...FEEDBACK_DETAIL_TYPES],
    detail: { mail: { tags: { "ses:configuration-set": [...configurationSets] } } },
  };
}

/** An EventBridge input transformer: which event fields to read, and the text they fill. */
export interface InputTransformer {
  readonly inputPaths: Readonly<Record<string, string>>;
  /** A JSON string literal: SNS delivers its text, one line per "\n". */
  readonly inputTemplate: string;
}

/** Who, from where, when, and whether it failed: common to every CloudTrail rule. */
const CALL_PATHS = {
  who: "$.detail.userIdentity.arn",
  what: "$.detail.eventName",
  when: "$.detail.eventTime",
  region: "$.detail.awsRegion",
  ip: "$.detail.sourceIPAddress",
  agent: "$.detail.userAgent",
  error: "$.detail.errorCode",
} as const;

function template(lines: readonly string[]): string {
  return JSON.stringify(lines.join("\n"));
}

function callLines(stack: string, title: string, resourceLines: readonly string[], anchor: string): string[] {
  return [
    `mail-infra ${stack}: ${title}`,
    "",
    "Who: <who>",
    "What: <what>",
    ...resourceLines,
    "When: <when> in <region>, from <ip> (<agent>)",
    "Error code (empty when the call succeeded): <error>",
    "",
    `Expected? If nobody on the team made this change, treat it as an incident: docs/monitoring.md#${anchor}`,
  ];
}

/** The readable message of each rule (`feedback` reads SES's event, the others CloudTrail's). */
export function ruleTransformer(stack: string, purpose: RulePurpose): InputTransformer {
  switch (purpose) {
    case "iam":
      return {
        inputPaths: {
          ...CALL_PATHS,
          user: "$.detail.requestParameters.userName",
          key: "$.detail.requestParameters.accessKeyId",
          newKey: "$.detail.responseElements.accessKey.accessKeyId",
          status: "$.detail.requestParameters.status",
          policy: "$.detail.requestParameters.policyName",
          policyArn: "$.detail.requestParameters.policyArn",
        },
        inputTemplate: template(
          callLines(
            stack,
            "the SMTP user's access keys or permissions changed",
            ["User: <user>", "Access key: <key><newKey> (status: <status>)", "Policy: <policy><policyArn>"],
            "iam-changes",
          ),
        ),
      };
    case "ses":
      return {
        inputPaths: {
          ...CALL_PATHS,
          identity: "$.detail.requestParameters.emailIdentity",
          identityV1: "$.detail.requestParameters.identity",
          configurationSet: "$.detail.requestParameters.configurationSetName",
          destination: "$.detail.requestParameters.eventDestinationName",
          address: "$.detail.requestParameters.emailAddress",
        },
        inputTemplate: template(
          callLines(
            stack,
            "an SES identity, configuration set or suppression setting changed",
            ["Identity: <identity><identityV1>", "Configuration set: <configurationSet> (event destination: <destination>)", "Suppressed address: <address>"],
            "ses-changes",
          ),
        ),
      };
    case "secret":
      return {
        inputPaths: { ...CALL_PATHS, secret: "$.detail.requestParameters.secretId" },
        inputTemplate: template(callLines(stack, "the SMTP secret was written, rotated or deleted", ["Secret: <secret>"], "secret-changes")),
      };
    case "feedback":
      return {
        inputPaths: {
          type: "$.detail.eventType",
          from: "$.detail.mail.source",
          subject: "$.detail.mail.commonHeaders.subject",
          sent: "$.detail.mail.timestamp",
          bounceType: "$.detail.bounce.bounceType",
          bounceSubType: "$.detail.bounce.bounceSubType",
          bounced: "$.detail.bounce.bouncedRecipients[0].emailAddress",
          diagnostic: "$.detail.bounce.bouncedRecipients[0].diagnosticCode",
          complained: "$.detail.complaint.complainedRecipients[0].emailAddress",
          feedbackType: "$.detail.complaint.complaintFeedbackType",
          region: "$.region",
        },
        inputTemplate: template([
          `mail-infra ${stack}: <type> in <region>`,
          "",
          "From: <from>",
          "Subject: <subject>",
          "Sent: <sent>",
          "Bounce: <bounceType> / <bounceSubType> for <bounced>",
          "Bounce diagnostic: <diagnostic>",
          "Complaint: <feedbackType> from <complained>",
          "",
          "SES has put the address on the suppression list (BOUNCE and COMPLAINT are suppressed). What to do: docs/monitoring.md#feedback-bounces-and-complaints-readable",
        ]),
      };
  }
}

export const RULE_DESCRIPTIONS: Readonly<Record<RulePurpose, string>> = {
  iam: "The SMTP user's access keys created, updated or deleted, or its user policies put, deleted, attached or detached (CloudTrail).",
  ses: "SES identity deletes and attribute changes, configuration set and event destination changes, suppression list changes (CloudTrail).",
  secret: "The SMTP secret's value written, updated, rotated, restored or deleted (CloudTrail).",
  feedback: "Bounces and complaints of the stack's configuration sets, summarised (SES event publishing to EventBridge).",
};

/** Which monitoring each region gets: one table for the program, the manifest and verify. */
export interface MonitoringRegionPlan {
  readonly region: string;
  /** SES regions get the reputation alarms. */
  readonly alarms: boolean;
  readonly rules: readonly RulePurpose[];
}

/**
 * The regions that need an alerts topic: every SES region (alarms, ses and feedback rules),
 * IAM_EVENTS_REGION (iam rule) and the secret's region (secret rule), in that order.
 */
export function monitoringRegions(sesRegions: readonly string[], secretRegion: string): MonitoringRegionPlan[] {
  const regions = [...new Set([...sesRegions, IAM_EVENTS_REGION, secretRegion])];
  return regions.map((region) => {
    const ses = sesRegions.includes(region);
    const rules: RulePurpose[] = [
      ...(region === IAM_EVENTS_REGION ? (["iam"] as const) : []),
      ...(ses ? (["ses"] as const) : []),
      ...(region === secretRegion ? (["secret"] as const) : []),
      ...(ses ? (["feedback"] as const) : []),
    ];
    return { region, alarms: ses, rules };
  });
}

/** The regions whose management events a trail must log: those with a CloudTrail rule. */
export function trailRegions(plan: readonly MonitoringRegionPlan[]): string[] {
  return plan.filter((p) => p.rules.some((r) => r !== "feedback")).map((p) => p.region);
}

/** Days the created trail's bucket keeps each log file (its lifecycle rule). */
export const TRAIL_LOG_RETENTION_DAYS = 365;

/** The created trail's own bucket: S3 names are global, so the account id is part of it. */
export function trailBucketName(stack: string, accountId: string): string {
  const base = `mail-infra-${stack}-trail-${accountId}`.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/-+/g, "-");
  return base.length <= 63 ? base : `${base.slice(0, 50)}-${accountId}`.slice(0, 63);
}

/** Whether an SNS topic name is a mail-infra alerts topic (alertsTopicName of some stack). */
export function isAlertsTopicName(name: string): boolean {
  return /^mail-infra-.+-alerts$/.test(name);
}

/** The region and name of an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>), or undefined. */
export function parseTopicArn(arn: string): { region: string; name: string } | undefined {
  const m = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:([\w-]+)$/.exec(arn);
  return m ? { region: m[1], name: m[2] } : undefined;
}

/**
 * What is wrong with an existing SNS topic ARN as `region`'s alerts topic, or undefined when it
 * fits. A CloudWatch alarm's SNS action must be a topic in the alarm's region, and an EventBridge
 * rule targets a topic of its own region, so the ARN's region must be `region`. A FIFO topic
 * delivers to SQS queues only (no email) and takes a message group id with every publish, which
 * the alarms and rules do not send.
 */
export function alertsTopicArnProblem(arn: string, region: string): string | undefined {
  const value = arn.trim();
  if (/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+\.fifo$/.test(value)) {
    return `${JSON.stringify(arn)} is a FIFO topic: it delivers only to SQS queues and needs a message group id on every publish, which the alarms and rules do not send. Use a standard topic.`;
  }
  const topic = parseTopicArn(value);
  if (!topic) return `${JSON.stringify(arn)} is not an SNS topic ARN (arn:aws:sns:${region}:<account>:<name>).`;
  if (topic.region !== region) {
    return `the topic ${JSON.stringify(arn)} is in ${topic.region}, not ${region}: CloudWatch alarms and EventBridge rules publish only to a topic of their own region. Give a topic in ${region}.`;
  }
  return undefined;
}

/** One problem with existing alerts topics: which input, which region's entry, and what to do. */
export interface ExistingTopicProblem {
  readonly input: "alertTopicArns" | "alertEmails" | "snsKmsKeyId";
  readonly region?: string;
  readonly message: string;
}

/**
 * Existing alerts topics (by region) next to the alert addresses: each entry must be a region
 * of `plan`; the addresses are subscribed only to the topics the program creates, so they are
 * needed while some region has no existing topic, and pointless (refused, never silently
 * dropped) when every region has one; so is a KMS key for the created topics (`hasKey`).
 */
export function existingTopicProblems(plan: readonly MonitoringRegionPlan[], existingRegions: readonly string[], alertEmailCount: number, hasKey: boolean): ExistingTopicProblem[] {
  const regions = plan.map((p) => p.region);
  const out: ExistingTopicProblem[] = [];
  for (const r of existingRegions) {
    if (!regions.includes(r)) {
      out.push({
        input: "alertTopicArns",
        region: r,
        message: `region ${JSON.stringify(r)} has no alerts: they go to ${regions.join(", ")} (the SES regions, ${IAM_EVENTS_REGION} for IAM's events and the secret's region). Remove this entry.`,
      });
    }
  }
  const created = regions.filter((r) => !existingRegions.includes(r));
  if (created.length > 0 && alertEmailCount === 0) {
    out.push({
      input: "alertEmails",
      message: `is required: the alerts of ${created.join(", ")} go to a topic this component creates (no alertTopicArns entry), and these addresses are its subscribers. List them, or give an existing topic for ${created.length === 1 ? "that region" : "each of these regions"} in alertTopicArns.`,
    });
  }
  if (created.length === 0 && alertEmailCount > 0) {
    out.push({
      input: "alertEmails",
      message: "are subscribed only to the topics this component creates, and every region's alerts go to an existing topic (alertTopicArns). Subscribe the addresses to those topics where they are declared, and remove alertEmails.",
    });
  }
  if (created.length === 0 && hasKey) {
    out.push({
      input: "snsKmsKeyId",
      message: "encrypts only the topics this component creates, and every region's alerts go to an existing topic (alertTopicArns). Set the key where those topics are declared, and remove snsKmsKeyId.",
    });
  }
  return out;
}
