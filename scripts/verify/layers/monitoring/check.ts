/**
 * The `monitoring` layer (issue 12): judged against the manifest's `monitoring` section only
 * (what the program declared from lib/monitoring.ts), never against names guessed here.
 *
 * - monitoring.alarm: each reputation alarm exists in its region as declared (AWS/SES metric,
 *   threshold, a "greater than" comparison, the alerts topic as action); in ALARM it fails and
 *   shows the metric's latest value; INSUFFICIENT_DATA is explained, not a failure.
 * - monitoring.subscription: each alert address is subscribed to each alerts topic and has
 *   confirmed (PendingConfirmation is a warning naming who must click).
 * - monitoring.rule: each EventBridge rule exists, is ENABLED and targets the alerts topic.
 * - monitoring.trail: a logging trail records write management events in each region whose
 *   rules need CloudTrail events.
 * - monitoring.rate: the account's latest bounce and complaint rates against the thresholds.
 */
import type { ManifestMonitoring } from "../../../../lib/manifest";
import { REPUTATION_METRICS, REPUTATION_NAMESPACE, DEFAULT_THRESHOLDS, type AlarmLevel, formatRate, type ReputationKind } from "../../../../lib/monitoring";
import { type Cause, finding, type Finding, inconclusive, type Observation } from "../../../../lib/verify/findings";

/** One CloudWatch alarm as DescribeAlarms reports it. */
export interface AlarmState {
  name: string;
  namespace?: string;
  metricName?: string;
  statistic?: string;
  dimensions: { name: string; value: string }[];
  comparison?: string;
  threshold?: number;
  actionsEnabled: boolean;
  alarmActions: string[];
  treatMissingData?: string;
  /** OK, ALARM or INSUFFICIENT_DATA. */
  state?: string;
  stateReason?: string;
  stateUpdated?: string;
  /** AlarmDescription: the watch's alarms name the fix there. */
  description?: string;
}

/** One subscription of a topic (ListSubscriptionsByTopic); arn is "PendingConfirmation" until confirmed. */
export interface SubscriptionState {
  protocol: string;
  endpoint: string;
  arn: string;
}

export interface RuleState {
  name: string;
  /** ENABLED, DISABLED or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS. */
  state?: string;
  eventPattern?: string;
}

export interface TrailSelectors {
  basic: { readWriteType?: string; includeManagementEvents?: boolean }[];
  advanced: { name?: string; fieldSelectors: { field: string; equals: string[]; notEquals: string[] }[] }[];
}

/** A trail that applies to a region (its home region, or a multi-region trail's shadow), with what GetTrailStatus and GetEventSelectors said. */
export interface TrailState {
  name: string;
  arn: string;
  homeRegion: string;
  multiRegion: boolean;
  logging: Observation<boolean>;
  selectors: Observation<TrailSelectors>;
}

/** The latest datapoint of a reputation metric; undefined when there is none in the window. */
export interface RateSample {
  value: number;
  timestamp: string;
}

export interface MonitoringRegionObservations {
  /** DescribeAlarms for the declared alarm names (absent names are missing alarms). */
  alarms: Observation<AlarmState[]>;
  subscriptions: Observation<SubscriptionState[]>;
  /** By rule name: DescribeRule and ListTargetsByRule (target ARNs). */
  rules: Map<string, { rule: Observation<RuleState>; targets: Observation<string[]> }>;
  rates: Record<ReputationKind, Observation<RateSample | undefined>>;
}

export interface MonitoringObservations {
  regions: Map<string, MonitoringRegionObservations>;
  /** By region that needs a trail: the trails that apply there (DescribeTrails with shadow trails). */
  trails: Map<string, Observation<TrailState[]>>;
}

/** How far back the rate check looks for the latest datapoint. */
export const RATE_WINDOW_HOURS = 24;

/** Why the layer is not checked when the manifest has no monitoring section, with the fix. */
export const MONITORING_NOT_DECLARED =
  "the manifest declares no monitoring: set mail-infra:alertEmails (e.g. `pulumi config set --path 'mail-infra:alertEmails[0]' you@example.com`) and run `pulumi up`";

/** Why discovery mode does not check the layer. */
export const MONITORING_NOT_DISCOVERED = "discovery mode does not know the stack's monitoring (alert addresses, alarms, rules): use --stack or --manifest";


/** A measured rate, to 3 significant digits (a threshold is written exactly, with formatRate). */
const measured = (fraction: number): string => formatRate(Number(fraction.toPrecision(3)));

const KIND_TEXT: Record<ReputationKind, string> = { bounce: "bounce rate", complaint: "complaint rate" };

/** What to do when a rate is too high (an alarm in ALARM, or the rate check above a level). */
export const RATE_REMEDIATION: Record<ReputationKind, string> = {
  bounce:
    "Find what bounces (the bounce alerts name the addresses; SES console > Reputation metrics): stop sending to that list, remove invalid addresses, and keep SES's suppression list on. SES reviews the account at a 5% bounce rate.",
  complaint:
    "Find who complains (the complaint alerts name the recipients): stop mailing them, check that every message is wanted and has a working unsubscribe. SES reviews the account at a 0.1% complaint rate.",
};
const ALARM_COMPARISONS = ["GreaterThanOrEqualToThreshold", "GreaterThanThreshold"];
const SAME = (a: number, b: number) => Math.abs(a - b) <= 1e-12 + 1e-9 * Math.abs(b);

/** What is wrong with an alarm's definition (empty when it is as declared). */
export function alarmProblems(declared: ManifestMonitoring["regions"][number]["alarms"][number], topicArn: string, a: AlarmState): string[] {
  const metric = REPUTATION_METRICS[declared.kind];
  const out: string[] = [];
  if (a.namespace !== REPUTATION_NAMESPACE || a.metricName !== metric) out.push(`it watches ${a.namespace ?? "?"} ${a.metricName ?? "?"}, not ${REPUTATION_NAMESPACE} ${metric}`);
  if (a.dimensions.length > 0) out.push(`it has dimensions (${a.dimensions.map((d) => `${d.name}=${d.value}`).join(", ")}): SES publishes the account's rate without any`);
  if (a.threshold === undefined || !SAME(a.threshold, declared.threshold)) {
    out.push(`its threshold is ${a.threshold === undefined ? "unset" : formatRate(a.threshold)}, declared ${formatRate(declared.threshold)}`);
  }
  if (!ALARM_COMPARISONS.includes(a.comparison ?? "")) out.push(`its comparison is ${a.comparison ?? "unset"}, not GreaterThanOrEqualToThreshold`);
  if (!a.alarmActions.includes(topicArn)) out.push(`it does not notify the alerts topic ${topicArn} (actions: ${a.alarmActions.join(", ") || "none"})`);
  else if (!a.actionsEnabled) out.push("its actions are disabled, so it notifies nobody");
  return out;
}

function sampleText(kind: ReputationKind, s: Observation<RateSample | undefined> | undefined): string | undefined {
  if (!s) return undefined;
  if (!s.ok) return `current ${KIND_TEXT[kind]} unknown (${s.message})`;
  return s.value ? `current ${KIND_TEXT[kind]} ${measured(s.value.value)} (latest datapoint ${s.value.timestamp})` : `no ${KIND_TEXT[kind]} datapoint in the last ${RATE_WINDOW_HOURS} hours`;
}

export function checkAlarms(region: ManifestMonitoring["regions"][number], obs: MonitoringRegionObservations): Finding[] {
  return region.alarms.map((declared) => {
    const subject = `${declared.name} in ${region.region}`;
    if (!obs.alarms.ok) return inconclusive("monitoring", "monitoring.alarm", subject, "the alarm", obs.alarms);
    const a = obs.alarms.value.find((x) => x.name === declared.name);
    const what = `${KIND_TEXT[declared.kind]} ${declared.level} at ${formatRate(declared.threshold)}`;
    if (!a) {
      return finding("monitoring", "monitoring.alarm", subject, "fail", `the ${what} alarm does not exist in ${region.region}`, {
        remediation: "Run `pulumi up --refresh`: the refresh drops it from the state and the program creates it again (or check that verify looks at the right account).",
      });
    }
    const evidence = [
      `${a.namespace ?? "?"} ${a.metricName ?? "?"} ${a.statistic ?? ""} ${a.comparison ?? "?"} ${a.threshold === undefined ? "?" : formatRate(a.threshold)}`.replace(/ +/g, " "),
      `state ${a.state ?? "?"}${a.stateUpdated ? ` since ${a.stateUpdated}` : ""}${a.stateReason ? `: ${a.stateReason}` : ""}`,
      ...(a.treatMissingData ? [`missing data: ${a.treatMissingData}`] : []),
    ];
    const current = sampleText(declared.kind, obs.rates[declared.kind]);
    const problems = alarmProblems(declared, region.alertsTopicArn, a);
    if (a.state === "ALARM") {
      return finding("monitoring", "monitoring.alarm", subject, "fail", `in ALARM: the ${what} fired${current ? `; ${current}` : ""}`, {
        evidence: [...evidence, ...problems.map((p) => `also: ${p}`)],
        remediation: RATE_REMEDIATION[declared.kind],
      });
    }
    if (problems.length > 0) {
      return finding("monitoring", "monitoring.alarm", subject, "fail", `the ${what} alarm is not as declared: ${problems.join("; ")}`, {
        evidence,
        remediation: "Run `pulumi up --refresh` to put the declared definition back (someone changed the alarm outside Pulumi; a plain `pulumi up` compares with Pulumi's state, not with the alarm).",
      });
    }
    const state = a.state === "INSUFFICIENT_DATA" ? "; state INSUFFICIENT_DATA, not an alert: SES publishes the rate only while mail is sent" : `; state ${a.state ?? "unknown"}`;
    return finding("monitoring", "monitoring.alarm", subject, "pass", `${what}, notifies the alerts topic${state}`, { evidence });
  });
}

/** True for a subscription that is not confirmed (AWS shows "PendingConfirmation" in place of its ARN). */
export const isPending = (s: SubscriptionState): boolean => s.arn === "PendingConfirmation";

export function checkSubscriptions(mon: ManifestMonitoring, region: ManifestMonitoring["regions"][number], obs: MonitoringRegionObservations): Finding[] {
  const topic = region.alertsTopicArn;
  // Every address depends on the topic: a missing topic is one cause, reported once.
  const topicMissing: Cause = {
    key: `monitoring.topic:${topic}`,
    id: "monitoring.topic",
    subject: `${topic}`,
    summary: `the alerts topic does not exist in ${region.region}, so no alert reaches anyone there`,
    remediation: "Run `pulumi up --refresh`: the program creates the topic and subscribes each address of mail-infra:alertEmails.",
  };
  return mon.alertEmails.map((address) => {
    const subject = `${address} in ${region.region}`;
    const subs = obs.subscriptions;
    if (!subs.ok) {
      if (subs.reason === "notfound") return finding("monitoring", "monitoring.subscription", subject, "fail", `the alerts topic ${topic} does not exist`, { cause: topicMissing });
      return inconclusive("monitoring", "monitoring.subscription", subject, "the alerts topic's subscriptions", subs);
    }
    const mine = subs.value.filter((s) => /^email(-json)?$/.test(s.protocol) && s.endpoint.toLowerCase() === address.toLowerCase());
    const evidence = [`topic ${topic}`, ...mine.map((s) => `${s.protocol} subscription ${isPending(s) ? "PendingConfirmation" : s.arn}`)];
    if (mine.length === 0) {
      return finding("monitoring", "monitoring.subscription", subject, "fail", `${address} is not subscribed to the alerts topic: alerts in ${region.region} do not reach it`, {
        evidence: [`topic ${topic}`, `subscribed: ${subs.value.map((s) => `${s.protocol}:${s.endpoint}`).join(", ") || "nobody"}`],
        remediation: "Run `pulumi up --refresh`: the program subscribes each address of mail-infra:alertEmails (check the address is in that list).",
      });
    }
    if (mine.every(isPending)) {
      return finding("monitoring", "monitoring.subscription", subject, "warn", `${address} has not confirmed the subscription: nothing is delivered to it until ${address} clicks the confirmation mail`, {
        evidence,
        remediation: `${address} must open the mail "AWS Notification - Subscription Confirmation" (from no-reply@sns.amazonaws.com) and click "Confirm subscription". The link expires after 3 days; then delete the pending subscription and run \`pulumi up\` to send a new one.`,
      });
    }
    return finding("monitoring", "monitoring.subscription", subject, "pass", "subscribed and confirmed", { evidence });
  });
}

export function checkRules(region: ManifestMonitoring["regions"][number], obs: MonitoringRegionObservations): Finding[] {
  return region.rules.map((declared) => {
    const subject = `${declared.name} in ${region.region}`;
    const o = obs.rules.get(declared.name);
    if (!o) return finding("monitoring", "monitoring.rule", subject, "inconclusive", "the rule was not read");
    if (!o.rule.ok) {
      if (o.rule.reason === "notfound") {
        return finding("monitoring", "monitoring.rule", subject, "fail", `the ${declared.purpose} rule does not exist in ${region.region}: those changes raise no alert`, {
          remediation: "Run `pulumi up --refresh`: the program creates it again.",
        });
      }
      return inconclusive("monitoring", "monitoring.rule", subject, "the rule", o.rule);
    }
    if (!o.targets.ok) return inconclusive("monitoring", "monitoring.rule", subject, "the rule's targets", o.targets);
    const r = o.rule.value;
    const evidence = [`state ${r.state ?? "?"}`, `targets: ${o.targets.value.join(", ") || "none"}`];
    const problems: string[] = [];
    if (!(r.state ?? "").startsWith("ENABLED")) problems.push(`it is ${r.state ?? "in an unknown state"}`);
    if (!o.targets.value.includes(region.alertsTopicArn)) problems.push(`it does not send to the alerts topic ${region.alertsTopicArn}`);
    if (problems.length > 0) {
      const disabledOnly = problems.length === 1 && !r.state?.startsWith("ENABLED");
      return finding("monitoring", "monitoring.rule", subject, "fail", `the ${declared.purpose} rule raises no alert: ${problems.join("; ")}`, {
        evidence,
        remediation: disabledOnly
          ? `Enable it: \`aws events enable-rule --name ${declared.name} --region ${region.region}\` (or \`pulumi up --refresh\`), and find out who disabled it.`
          : "Run `pulumi up --refresh` to put the declared rule and target back (someone changed it outside Pulumi).",
      });
    }
    return finding("monitoring", "monitoring.rule", subject, "pass", `${declared.purpose} rule enabled, sends to the alerts topic`, { evidence });
  });
}

/** Whether a trail's selectors record write management events (the API calls the rules match). */
export function logsWriteManagementEvents(s: TrailSelectors): { ok: boolean; why: string } {
  if (s.advanced.length > 0) {
    for (const sel of s.advanced) {
      const field = (name: string) => sel.fieldSelectors.find((f) => f.field === name);
      const category = field("eventCategory");
      const readOnly = field("readOnly");
      if (!category?.equals.includes("Management")) continue;
      // readOnly absent: reads and writes; equals ["false"]: writes only; notEquals ["true"]: the same.
      const writes = !readOnly || readOnly.equals.includes("false") || readOnly.notEquals.includes("true");
      if (writes) return { ok: true, why: `advanced selector ${sel.name ?? "(unnamed)"} records ${readOnly ? "write" : "all"} management events` };
    }
    return { ok: false, why: "its advanced event selectors record no write management events" };
  }
  // No selector at all is CloudTrail's default: every management event, reads and writes.
  if (s.basic.length === 0) return { ok: true, why: "default event selectors (all management events)" };
  const sel = s.basic.find((b) => b.includeManagementEvents !== false && ["All", "WriteOnly", undefined].includes(b.readWriteType));
  return sel
    ? { ok: true, why: `event selector: management events, ReadWriteType ${sel.readWriteType ?? "All"}` }
    : { ok: false, why: `its event selectors record ${s.basic.some((b) => b.includeManagementEvents !== false) ? "only read" : "no"} management events` };
}

export function checkTrail(mon: ManifestMonitoring, obs: MonitoringObservations): Finding[] {
  return mon.trail.regions.map((region) => {
    const subject = `management events in ${region}`;
    const trails = obs.trails.get(region);
    if (!trails) return finding("monitoring", "monitoring.trail", subject, "inconclusive", "the trails were not read");
    if (!trails.ok) return inconclusive("monitoring", "monitoring.trail", subject, "the trails", trails);
    const applying = trails.value.filter((t) => t.multiRegion || t.homeRegion === region);
    const verdicts = applying.map((t) => {
      const label = `${t.name} (${t.multiRegion ? `multi-region, home ${t.homeRegion}` : t.homeRegion})`;
      if (!t.logging.ok) return { t, label, ok: undefined, why: `status unknown: ${t.logging.message}`, u: t.logging };
      if (!t.logging.value) return { t, label, ok: false, why: "is not logging" };
      if (!t.selectors.ok) return { t, label, ok: undefined, why: `event selectors unknown: ${t.selectors.message}`, u: t.selectors };
      const s = logsWriteManagementEvents(t.selectors.value);
      return { t, label, ok: s.ok, why: s.ok ? `logging, ${s.why}` : s.why };
    });
    const evidence = verdicts.map((v) => `${v.label}: ${v.why}`);
    const good = verdicts.find((v) => v.ok === true);
    if (good) return finding("monitoring", "monitoring.trail", subject, "pass", `trail ${good.label} logs write management events`, { evidence });
    const unknown = verdicts.find((v) => v.ok === undefined);
    if (unknown?.u) return inconclusive("monitoring", "monitoring.trail", subject, `trail ${unknown.t.name}`, unknown.u);
    const created = mon.trail.created;
    return finding(
      "monitoring",
      "monitoring.trail",
      subject,
      "fail",
      applying.length === 0
        ? `no trail logs management events in ${region}: the change rules there never fire`
        : `no trail that applies to ${region} logs write management events: the change rules there never fire`,
      {
        evidence: evidence.length > 0 ? evidence : [`no trail applies to ${region}${created ? ` (the stack's trail ${created} was not found)` : ""}`],
        remediation: verdicts.some((v) => v.why === "is not logging")
          ? `Start logging: \`aws cloudtrail start-logging --name ${verdicts.find((v) => v.why === "is not logging")?.t.arn}\`, and find out who stopped it.`
          : created
            ? "Run `pulumi up --refresh` to put the stack's trail back."
            : "Set `pulumi config set mail-infra:createTrail true` and run `pulumi up` (a multi-region trail with its own bucket), or make an existing trail multi-region and log write management events.",
      },
    );
  });
}

/** The thresholds declared for a region (per kind and level), the defaults where one is not declared. */
export function regionThresholds(region: ManifestMonitoring["regions"][number]): Record<ReputationKind, Record<AlarmLevel, number>> {
  const t = { bounce: { ...DEFAULT_THRESHOLDS.bounce }, complaint: { ...DEFAULT_THRESHOLDS.complaint } };
  for (const a of region.alarms) t[a.kind][a.level] = a.threshold;
  return t;
}

export function checkRates(region: ManifestMonitoring["regions"][number], obs: MonitoringRegionObservations): Finding[] {
  if (region.alarms.length === 0) return [];
  const thresholds = regionThresholds(region);
  return (Object.keys(REPUTATION_METRICS) as ReputationKind[]).map((kind) => {
    const subject = `${KIND_TEXT[kind]} in ${region.region}`;
    const s = obs.rates[kind];
    if (!s.ok) return inconclusive("monitoring", "monitoring.rate", subject, `the ${KIND_TEXT[kind]}`, s);
    const t = thresholds[kind];
    const levels = `warning ${formatRate(t.warning)}, alarm ${formatRate(t.alarm)}`;
    if (!s.value) {
      // Nothing observed is no pass: the rate cannot be judged until SES publishes one.
      return finding("monitoring", "monitoring.rate", subject, "warn", `not enough evidence: no datapoint in the last ${RATE_WINDOW_HOURS} hours, so the rate cannot be judged (SES publishes it only while mail is sent; ${levels})`, {
        evidence: [`${REPUTATION_NAMESPACE} ${REPUTATION_METRICS[kind]}: no datapoint`],
        remediation: "Nothing to fix if no mail was sent in that window; otherwise check that the account sends through this region (the ses layer).",
      });
    }
    const v = s.value.value;
    const evidence = [`${REPUTATION_NAMESPACE} ${REPUTATION_METRICS[kind]} ${v} at ${s.value.timestamp}`];
    const text = `${measured(v)} (${levels})`;
    if (v >= t.alarm) return finding("monitoring", "monitoring.rate", subject, "fail", `${text}: at or above the alarm level`, { evidence, remediation: RATE_REMEDIATION[kind] });
    if (v >= t.warning) {
      return finding("monitoring", "monitoring.rate", subject, "warn", `${text}: at or above the warning level`, {
        evidence,
        remediation: `Act before it reaches the alarm level. ${RATE_REMEDIATION[kind]}`,
      });
    }
    return finding("monitoring", "monitoring.rate", subject, "pass", text, { evidence });
  });
}

/** Every finding of the layer, region by region, then the trail. */
export function checkMonitoringLayer(mon: ManifestMonitoring, obs: MonitoringObservations): Finding[] {
  const out: Finding[] = [];
  if (mon.alertEmails.length === 0) {
    out.push(
      finding("monitoring", "monitoring.subscription", "alert addresses", "warn", "no alert address is declared: alarms and change alerts reach nobody", {
        remediation: "Set `pulumi config set --path 'mail-infra:alertEmails[0]' you@example.com` and run `pulumi up`.",
      }),
    );
  }
  for (const region of mon.regions) {
    const o = obs.regions.get(region.region);
    if (!o) continue;
    out.push(...checkSubscriptions(mon, region, o), ...checkAlarms(region, o), ...checkRates(region, o), ...checkRules(region, o));
  }
  return [...out, ...checkTrail(mon, obs)];
}
