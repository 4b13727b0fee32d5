/**
 * Monitoring (issue 12): the names, thresholds and event rules that the program declares
 * (components/Monitoring.ts), the policy pack checks, and verify's `monitoring` layer judges.
 * One table here; nobody else spells an alarm name, a threshold default or a rule's purpose.
 *
 * CONTRACT (written before the parts that use it). The program fills the manifest's
 * `monitoring` section (lib/manifest.ts) from these functions; verify reads only the manifest.
 */

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
