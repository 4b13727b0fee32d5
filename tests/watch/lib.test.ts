/**
 * lib/watch.ts's pure parts: which event is which (the fixtures as AWS delivers them), the
 * metric data of findings (a blocked check carries its cause's status, an inconclusive one
 * writes no CheckFailed), the EMF record shape, and the idempotency key.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Verdict } from "../../lib/diagnose/types";
import type { ManifestRegion, StackManifest } from "../../lib/manifest";
import { finding } from "../../lib/verify/findings";
import {
  ALL_WATCH_CHECKS,
  bounceMetrics,
  checkValue,
  classifyWatchEvent,
  findingAlerts,
  findingMetrics,
  type MetricDatum,
  METRICS,
  parseWatchSchedule,
  resolveWatchCheck,
  runMetric,
  scheduleInput,
  sesItemKey,
  toEmf,
  watchAlarms,
  watchBounceAlarmName,
  watchBusArn,
  watchBusName,
  watchBusPolicy,
  watchChangeRegions,
  WATCH_CHECK_IDS,
  watchCheckAlarmName,
  watchErrorsAlarmName,
  watchExecutionPolicy,
  watchForwardedRuleName,
  watchForwarding,
  watchForwardPolicy,
  watchForwardRoleName,
  watchForwardRuleName,
  watchFunctionName,
  watchHeartbeatAlarmName,
  WATCH_LAYERS,
  watchLogGroupName,
  WATCH_MANIFEST_FILE,
  watchManifest,
  WATCH_NAMESPACE,
  watchQueueName,
  watchRoleName,
  watchRuleName,
  watchScheduleName,
} from "../../lib/watch";
import { ACCOUNT, manifestRegion } from "../helpers/manifest";

const fx = (f: string) => JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "watch", f), "utf8")) as unknown;

describe("classifyWatchEvent", () => {
  it("tells the delivered shapes apart", () => {
    expect(classifyWatchEvent(fx("scheduler-run.json"))).toEqual({ kind: "scheduled", detail: "scheduled run at 2026-05-14T15:00:00Z" });
    expect(classifyWatchEvent(fx("eventbridge-scheduled-event.json"))).toEqual({ kind: "scheduled", detail: "scheduled event at 2015-10-08T16:53:06Z" });
    expect(classifyWatchEvent(fx("cloudtrail-ses-change.json"))).toEqual({ kind: "change", detail: "ses.amazonaws.com PutEmailIdentityMailFromAttributes in us-east-1" });
    const sns = classifyWatchEvent(fx("sns-lambda-ses-bounce-dmarc.json"));
    expect(sns.kind === "ses" && sns.items.map((i) => [i.region, i.id])).toEqual([["us-east-1", "95df01b4-ee98-5cb9-9903-4c221d41eb5e"]]);
    const eb = classifyWatchEvent(fx("eventbridge-ses-bounce.json"));
    expect(eb.kind === "ses" && eb.items[0].region).toBe("us-west-2");
    expect(classifyWatchEvent(fx("ses-notification-bounce-dsn.json")).kind).toBe("ses");
    expect(classifyWatchEvent({ Records: [{ Sns: { Message: "not json" } }] })).toEqual({ kind: "unknown", message: "Records[0].Sns.Message is not JSON" });
    expect(classifyWatchEvent([1, 2])).toEqual({ kind: "unknown", message: "the event is not a JSON object" });
  });

  it("keys SES messages for idempotency: SNS's MessageId, else SES's message id, type and feedback id", () => {
    expect(sesItemKey({ json: {}, id: "m-1" })).toBe("m-1");
    expect(sesItemKey({ json: fx("ses-notification-bounce-dsn.json") })).toBe("00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000:Bounce:00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa068a-000000");
    expect(sesItemKey({ json: { notificationType: "Bounce" } })).toBeUndefined();
  });
});

describe("findingMetrics and toEmf", () => {
  it("fail 1, pass and warn 0, inconclusive no CheckFailed; a blocked check carries its cause's status", () => {
    const cause = { ...finding("ses", "ses.identity.verified", "example.com in us-east-1", "fail", "not verified", { remediation: "publish the DKIM CNAMEs" }), blocked: [{ layer: "ses" as const, id: "ses.identity.dkim", subject: "example.com in us-east-1", status: "pass" as const }] };
    const data = findingMetrics("prod", [cause, finding("dns", "dns.spf.lookups", "example.com", "warn", "9 lookups"), finding("dns", "dns.dkim", "example.com", "inconclusive", "timeout")]);
    expect(data.map((d) => [d.name, d.dimensions.Check, d.value])).toEqual([
      [METRICS.check, "ses.identity.verified", 1],
      [METRICS.check, "ses.identity.dkim", 1],
      [METRICS.check, "dns.spf.lookups", 0],
      [METRICS.inconclusive, "dns.dkim", 1],
    ]);
    expect(data[1].properties).toMatchObject({ Status: "fail", Cause: "ses.identity.verified", Remediation: "publish the DKIM CNAMEs" });
    const line = JSON.parse(toEmf([data[0]], 1_700_000_000_000)[0]) as Record<string, unknown>;
    expect(line).toEqual({
      _aws: { Timestamp: 1_700_000_000_000, CloudWatchMetrics: [{ Namespace: WATCH_NAMESPACE, Dimensions: [["Stack", "Check", "Subject"], ["Stack", "Check"]], Metrics: [{ Name: "CheckFailed", Unit: "Count" }] }] },
      Status: "fail",
      Summary: "not verified",
      Remediation: "publish the DKIM CNAMEs",
      Stack: "prod",
      Check: "ses.identity.verified",
      Subject: "example.com in us-east-1",
      CheckFailed: 1,
    });
  });
});

describe("change events outside the function's region", () => {
  it("every other region forwards what its change rules see: SES regions ses, us-east-1 iam, the secret's region secret", () => {
    expect(watchForwarding("us-east-1", ["us-east-1", "us-west-2"], "us-east-1")).toEqual([{ region: "us-west-2", purposes: ["ses"] }]);
    expect(watchForwarding("eu-west-1", ["eu-west-1", "us-east-1"], "eu-west-1")).toEqual([{ region: "us-east-1", purposes: ["iam", "ses"] }]);
    expect(watchForwarding("eu-west-1", ["eu-west-1"], "eu-central-1")).toEqual([
      { region: "us-east-1", purposes: ["iam"] },
      { region: "eu-central-1", purposes: ["secret"] },
    ]);
    expect(watchForwarding("us-east-1", ["us-east-1"], "us-east-1")).toEqual([]);
  });

  it("no forwarding outside the commercial partition (EventBridge does not route between GovCloud or China regions); the bus ARN follows the partition", () => {
    expect(watchForwarding("us-gov-west-1", ["us-gov-west-1", "us-gov-east-1"], "us-gov-west-1")).toEqual([]);
    expect(watchForwarding("cn-north-1", ["cn-north-1", "cn-northwest-1"], "cn-north-1")).toEqual([]);
    expect(watchBusArn("prod", "us-east-1", "123456789012")).toBe("arn:aws:events:us-east-1:123456789012:event-bus/mail-infra-prod-watch");
    expect(watchBusArn("prod", "cn-north-1", "123456789012")).toBe("arn:aws-cn:events:cn-north-1:123456789012:event-bus/mail-infra-prod-watch");
  });

  it("a forwarded CloudTrail event names the region of the call (detail.awsRegion), not the bus it arrived on", () => {
    const ev = fx("cloudtrail-ses-change.json") as { region: string; detail: { awsRegion: string } };
    ev.detail.awsRegion = "us-west-2";
    expect(classifyWatchEvent(ev)).toEqual({ kind: "change", detail: "ses.amazonaws.com PutEmailIdentityMailFromAttributes in us-west-2" });
  });
});

describe("the check ids the watch alarms on", () => {
  // The ids each layer's pure check can report, read from its source: the table must list them
  // all (a new check gets its alarm) and nothing else. Two are left out on purpose:
  // ses.recipient.suppression needs a recipient (--recipient), relay.gmail Gmail credentials.
  const idsIn = (file: string, prefix: string) =>
    [...new Set([...readFileSync(join(__dirname, "..", "..", "scripts", "verify", "layers", file), "utf8").matchAll(new RegExp(`"(${prefix}\\.[a-z.-]+)"`, "g"))].map((m) => m[1]))].sort();
  it("ses: every id of the ses layer's checks but ses.recipient.suppression", () => {
    expect([...WATCH_CHECK_IDS.ses].sort()).toEqual(idsIn("ses/check.ts", "ses").filter((id) => id !== "ses.recipient.suppression"));
  });
  it("dns: every id of the dns layer's checks", () => {
    expect([...WATCH_CHECK_IDS.dns].sort()).toEqual(idsIn("dns/check.ts", "dns"));
  });
  it("relay: the SMTP credentials of the relays (smtp checkRelays) and the key's retirement, not relay.gmail", () => {
    expect([...WATCH_CHECK_IDS.relay].sort()).toEqual([...idsIn("smtp/check.ts", "relay"), ...idsIn("relay/check.ts", "relay").filter((id) => id !== "relay.gmail")].sort());
    expect(WATCH_LAYERS).toEqual(["ses", "dns", "relay"]);
    expect(ALL_WATCH_CHECKS).toEqual([...WATCH_CHECK_IDS.ses, ...WATCH_CHECK_IDS.dns, ...WATCH_CHECK_IDS.relay]);
  });

  it("mail-infra:watchChecks takes a layer (any case, spaces around) or one check id, and nothing else", () => {
    expect(resolveWatchCheck(" Relay ")).toEqual(["relay.credentials", "relay.retire"]);
    expect(resolveWatchCheck("DNS.SPF.Lookups")).toEqual(["dns.spf.lookups"]);
    const all = resolveWatchCheck("ses") as string[];
    all.push("smtp.auth");
    expect(WATCH_CHECK_IDS.ses).not.toContain("smtp.auth");
    expect(resolveWatchCheck("smtp.auth")).toEqual({
      error: "is not a layer (ses, dns, relay) or a check id the watch runs (e.g. ses.identity.mail-from, dns.spf.lookups; the list is in docs/monitoring.md).",
    });
    expect(resolveWatchCheck("dns.spf")).toHaveProperty("error");
    expect(resolveWatchCheck("")).toHaveProperty("error");
  });
});

describe("parseWatchSchedule: EventBridge Scheduler's rate(value unit), 5 minutes to 12 hours", () => {
  // https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#rate-based:
  // the unit is singular for 1 and plural otherwise.
  it("reads minutes, hours and days, and writes the expression back without leading zeros", () => {
    expect(parseWatchSchedule("rate(1 hour)")).toEqual({ expression: "rate(1 hour)", minutes: 60 });
    expect(parseWatchSchedule("  rate(30 minutes) ")).toEqual({ expression: "rate(30 minutes)", minutes: 30 });
    expect(parseWatchSchedule("rate(5 minutes)")).toEqual({ expression: "rate(5 minutes)", minutes: 5 });
    expect(parseWatchSchedule("rate(12 hours)")).toEqual({ expression: "rate(12 hours)", minutes: 720 });
    expect(parseWatchSchedule("rate(720 minutes)")).toEqual({ expression: "rate(720 minutes)", minutes: 720 });
    expect(parseWatchSchedule("rate(01 hour)")).toEqual({ expression: "rate(1 hour)", minutes: 60 });
    expect(parseWatchSchedule("rate(010 minutes)")).toEqual({ expression: "rate(10 minutes)", minutes: 10 });
  });

  it("refuses what is not rate(N unit), without offering a form it would refuse", () => {
    const notRate = { error: "is not a rate expression. Write rate(N minutes) or rate(N hours), e.g. rate(1 hour): the heartbeat alarm needs a fixed period, so cron() is not accepted." };
    for (const bad of ["cron(0 * * * ? *)", "xrate(1 hour)", "rate(1 hour)x", "rate(1  hour)", "rate(1 week)", "rate(-1 hours)", "rate(1.5 hours)", "rate( hours)", "rate(1 Hour)"]) {
      expect(parseWatchSchedule(bad)).toEqual(notRate);
    }
  });

  it("wants the unit singular for 1 and plural otherwise", () => {
    expect(parseWatchSchedule("rate(1 hours)")).toEqual({ error: 'writes "hours" with 1. EventBridge Scheduler wants rate(1 hour).' });
    expect(parseWatchSchedule("rate(1 minutes)")).toEqual({ error: 'writes "minutes" with 1. EventBridge Scheduler wants rate(1 minute).' });
    expect(parseWatchSchedule("rate(2 hour)")).toEqual({ error: 'writes "hour" with 2. EventBridge Scheduler wants rate(2 hours).' });
    expect(parseWatchSchedule("rate(10 minute)")).toEqual({ error: 'writes "minute" with 10. EventBridge Scheduler wants rate(10 minutes).' });
  });

  it("refuses a period under 5 minutes or over 12 hours (a day included), saying how long it is", () => {
    const range = (n: number) => ({ error: `runs every ${n} minutes. Choose between 5 minutes and 12 hours (the "no run in 2 periods" alarm must fit CloudWatch's one-day evaluation range).` });
    expect(parseWatchSchedule("rate(4 minutes)")).toEqual(range(4));
    expect(parseWatchSchedule("rate(1 minute)")).toEqual(range(1));
    expect(parseWatchSchedule("rate(0 minutes)")).toEqual(range(0));
    expect(parseWatchSchedule("rate(721 minutes)")).toEqual(range(721));
    expect(parseWatchSchedule("rate(13 hours)")).toEqual(range(780));
    expect(parseWatchSchedule("rate(1 day)")).toEqual(range(1440));
    expect(parseWatchSchedule("rate(2 days)")).toEqual(range(2880));
  });
});

describe("names", () => {
  it("every resource of the watch is named mail-infra-<stack>-watch, with a suffix per purpose", () => {
    expect([watchFunctionName("prod"), watchScheduleName("prod"), watchRoleName("prod"), watchBusName("prod")]).toEqual(Array(4).fill("mail-infra-prod-watch"));
    expect(watchQueueName("prod")).toBe("mail-infra-prod-watch-failed");
    expect(watchLogGroupName("prod")).toBe("/aws/lambda/mail-infra-prod-watch");
    expect(watchRuleName("dev", "ses")).toBe("mail-infra-dev-watch-ses-changes");
    expect(watchForwardRuleName("dev", "iam")).toBe("mail-infra-dev-watch-iam-forward");
    expect(watchForwardedRuleName("dev", "secret")).toBe("mail-infra-dev-watch-secret-forwarded");
    expect(watchForwardRoleName("dev")).toBe("mail-infra-dev-watch-forward");
    expect(watchCheckAlarmName("dev", "dns.dkim")).toBe("mail-infra-dev-watch-dns.dkim");
    expect(watchBounceAlarmName("dev", "eu-west-1", "sender-auth")).toBe("mail-infra-dev-watch-bounces-sender-auth-eu-west-1");
    expect(watchErrorsAlarmName("dev")).toBe("mail-infra-dev-watch-errors");
    expect(watchHeartbeatAlarmName("dev")).toBe("mail-infra-dev-watch-not-running");
  });
});

describe("metrics", () => {
  const alert = (status: "pass" | "warn" | "fail" | "inconclusive", id = "dns.dkim") => finding("dns", id, "example.com", status, `dkim ${status}`, { remediation: "publish the CNAMEs" });

  it("checkValue: fail 1, pass and warn 0 (verify exits 0 on a warning), inconclusive none", () => {
    expect([checkValue("fail"), checkValue("pass"), checkValue("warn"), checkValue("inconclusive")]).toEqual([1, 0, 0, undefined]);
  });

  it("a finding's properties: its status and summary, the remediation unless it passed, the cause only for a check it blocked", () => {
    const [pass, warn] = findingMetrics("prod", [alert("pass"), alert("warn")]);
    expect(pass).toEqual({ name: "CheckFailed", value: 0, dimensions: { Stack: "prod", Check: "dns.dkim", Subject: "example.com" }, properties: { Status: "pass", Summary: "dkim pass" } });
    expect(warn.properties).toEqual({ Status: "warn", Summary: "dkim warn", Remediation: "publish the CNAMEs" });
    const [bare] = findingMetrics("prod", [finding("dns", "dns.dkim", "example.com", "fail", "no CNAME")]);
    expect(bare.properties).toEqual({ Status: "fail", Summary: "no CNAME" });
    const [inc] = findingMetrics("prod", [alert("inconclusive")]);
    expect(inc).toEqual({ name: "CheckInconclusive", value: 1, dimensions: { Stack: "prod", Check: "dns.dkim", Subject: "example.com" }, properties: { Status: "inconclusive", Summary: "dkim inconclusive", Remediation: "publish the CNAMEs" } });
  });

  it("a blocked check that did not pass keeps its own status", () => {
    const cause = { ...alert("inconclusive", "ses.identity.verified"), blocked: [{ layer: "ses" as const, id: "ses.identity.dkim", subject: "example.com in eu-west-1", status: "fail" as const }] };
    expect(findingMetrics("dev", [cause]).map((d) => [d.name, d.dimensions.Check, d.dimensions.Subject, d.value, d.properties?.Status, d.properties?.Cause])).toEqual([
      ["CheckInconclusive", "ses.identity.verified", "example.com", 1, "inconclusive", undefined],
      ["CheckFailed", "ses.identity.dkim", "example.com in eu-west-1", 1, "fail", "ses.identity.verified"],
    ]);
  });

  it("bounces: one datapoint per verdict, with the recipient's domain only; the heartbeat", () => {
    const verdict: Verdict = { recipient: "someone@mail.example.org", layer: "sender-auth", cause: "DMARC failed", evidence: ["550 5.7.26"], confidence: "high", next: "npm run verify -- --only dns" };
    expect(bounceMetrics("prod", "us-west-2", [verdict, { ...verdict, recipient: "x@y.example", layer: "recipient-policy" }])).toEqual([
      { name: "Bounces", value: 1, dimensions: { Stack: "prod", Region: "us-west-2", Layer: "sender-auth" }, properties: { RecipientDomain: "mail.example.org", Cause: "DMARC failed", Confidence: "high", Next: "npm run verify -- --only dns" } },
      { name: "Bounces", value: 1, dimensions: { Stack: "prod", Region: "us-west-2", Layer: "recipient-policy" }, properties: { RecipientDomain: "y.example", Cause: "DMARC failed", Confidence: "high", Next: "npm run verify -- --only dns" } },
    ]);
    expect(runMetric("dev")).toEqual({ name: "Runs", value: 1, dimensions: { Stack: "dev" } });
  });

  it("EMF: a check datum is declared with and without its subject, any other datum with its own dimensions only", () => {
    const dims = (d: MetricDatum) => (JSON.parse(toEmf([d], 1)[0]) as { _aws: { CloudWatchMetrics: { Dimensions: string[][] }[] } })._aws.CloudWatchMetrics[0].Dimensions;
    expect(dims(findingMetrics("p", [alert("inconclusive")])[0])).toEqual([["Stack", "Check", "Subject"], ["Stack", "Check"]]);
    expect(dims({ name: "Bounces", value: 1, dimensions: { Stack: "p", Region: "r", Layer: "ses" } })).toEqual([["Stack", "Region", "Layer"]]);
    expect(JSON.parse(toEmf([runMetric("p")], 5)[0])).toEqual({ _aws: { Timestamp: 5, CloudWatchMetrics: [{ Namespace: "MailInfra/Watch", Dimensions: [["Stack"]], Metrics: [{ Name: "Runs", Unit: "Count" }] }] }, Stack: "p", Runs: 1 });
    expect(toEmf([runMetric("a"), runMetric("b")], 5)).toHaveLength(2);
  });

  it("alerts: the failing findings only, in verify's words, with their alarm when the check has one", () => {
    const ok = finding("ses", "ses.identity.dkim", "example.com", "pass", "fine");
    const fail = finding("dns", "dns.dkim", "example.com", "fail", "no CNAME", { remediation: "publish the CNAMEs" });
    const bare = finding("dns", "dns.drift", "example.com", "fail", "differs");
    expect(findingAlerts("prod", [ok, alert("warn"), fail, bare], ["dns.dkim", "ses.identity.dkim"])).toEqual([
      { check: "dns.dkim", subject: "example.com", summary: "no CNAME", remediation: "publish the CNAMEs", alarm: "mail-infra-prod-watch-dns.dkim" },
      { check: "dns.drift", subject: "example.com", summary: "differs" },
    ]);
  });
});

describe("alarms", () => {
  const cfg = (minutes: number, expression: string) => ({ schedule: { expression, minutes }, checks: ["ses.identity.mail-from"], bounceThreshold: 4 });

  it("one per alarmed check (Maximum over one period), per bounce layer and region (Sum over an hour), the function's errors, and the heartbeat", () => {
    const alarms = watchAlarms("prod", "fn-prod", cfg(30, "rate(30 minutes)"), ["us-east-1", "eu-west-1"]);
    expect(alarms.map((a) => a.name)).toEqual([
      "mail-infra-prod-watch-ses.identity.mail-from",
      "mail-infra-prod-watch-bounces-sender-auth-us-east-1",
      "mail-infra-prod-watch-bounces-ses-us-east-1",
      "mail-infra-prod-watch-bounces-sender-auth-eu-west-1",
      "mail-infra-prod-watch-bounces-ses-eu-west-1",
      "mail-infra-prod-watch-errors",
      "mail-infra-prod-watch-not-running",
    ]);
    const [check, authEast, sesEast, , , errors, heartbeat] = alarms;
    expect(check).toEqual({
      name: "mail-infra-prod-watch-ses.identity.mail-from",
      namespace: "MailInfra/Watch",
      metricName: "CheckFailed",
      dimensions: { Stack: "prod", Check: "ses.identity.mail-from" },
      statistic: "Maximum",
      periodSeconds: 1800,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      treatMissingData: "ignore",
      description:
        "mail-infra prod: verify's check ses.identity.mail-from fails for at least one subject. Fix: run `npm run verify -- --stack prod --only ses`, which names the subject and prints the fix; " +
        'the watch logged the same finding (fields Subject, Summary, Remediation | filter Check = "ses.identity.mail-from" and CheckFailed = 1 | sort @timestamp desc | limit 20 (log group /aws/lambda/mail-infra-prod-watch)). See docs/monitoring.md, "Watch alarms".',
    });
    expect(authEast).toEqual({
      name: "mail-infra-prod-watch-bounces-sender-auth-us-east-1",
      namespace: "MailInfra/Watch",
      metricName: "Bounces",
      dimensions: { Stack: "prod", Region: "us-east-1", Layer: "sender-auth" },
      statistic: "Sum",
      periodSeconds: 3600,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 4,
      treatMissingData: "notBreaching",
      description:
        "mail-infra prod: 4 or more bounces within an hour in us-east-1 that diagnose puts on the sender-auth layer. Fix: run `npm run verify -- --stack prod --only dns` (SPF, DKIM, DMARC, MAIL FROM); " +
        'the watch logged each verdict (log group /aws/lambda/mail-infra-prod-watch, field Layer). See docs/monitoring.md, "Watch alarms".',
    });
    expect(sesEast.description).toBe(
      "mail-infra prod: 4 or more bounces within an hour in us-east-1 that diagnose puts on the ses layer. Fix: run `npm run verify -- --stack prod --only ses` (account, identity, suppression); " +
        'the watch logged each verdict (log group /aws/lambda/mail-infra-prod-watch, field Layer). See docs/monitoring.md, "Watch alarms".',
    );
    expect(errors).toEqual({
      name: "mail-infra-prod-watch-errors",
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: "fn-prod" },
      statistic: "Sum",
      periodSeconds: 300,
      evaluationPeriods: 1,
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      treatMissingData: "notBreaching",
      description:
        'mail-infra prod: the watch function fn-prod failed. Fix: read its log group /aws/lambda/mail-infra-prod-watch; SES events it could not process wait in the queue mail-infra-prod-watch-failed. See docs/monitoring.md, "Watch alarms".',
    });
    expect(heartbeat).toEqual({
      name: "mail-infra-prod-watch-not-running",
      namespace: "MailInfra/Watch",
      metricName: "Runs",
      dimensions: { Stack: "prod" },
      statistic: "Sum",
      periodSeconds: 3600,
      evaluationPeriods: 1,
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
      description:
        "mail-infra prod: the watch has not completed a run in 2 schedule periods (rate(30 minutes)), so nothing is being checked. " +
        'Fix: check the schedule mail-infra-prod-watch is enabled and read the log group /aws/lambda/mail-infra-prod-watch. See docs/monitoring.md, "Watch alarms".',
    });
  });

  it("the check alarm's fix names the check's own layer; no SES region, no bounce alarm", () => {
    const alarms = watchAlarms("dev", "f", { ...cfg(60, "rate(1 hour)"), checks: ["dns.dkim", "relay.retire"] }, []);
    expect(alarms.map((a) => a.name)).toEqual(["mail-infra-dev-watch-dns.dkim", "mail-infra-dev-watch-relay.retire", "mail-infra-dev-watch-errors", "mail-infra-dev-watch-not-running"]);
    expect(alarms[0].description).toContain("`npm run verify -- --stack dev --only dns`");
    expect(alarms[1].description).toContain("`npm run verify -- --stack dev --only relay`");
  });

  it("periods stay within CloudWatch's one day: 12 hours gives a one-day heartbeat; a longer schedule (config refuses it) is cut to a day", () => {
    const periods = (minutes: number) => watchAlarms("p", "f", cfg(minutes, "x"), []).map((a) => [a.metricName, a.periodSeconds]);
    expect(periods(720)).toEqual([["CheckFailed", 43_200], ["Errors", 300], ["Runs", 86_400]]);
    expect(periods(2880)).toEqual([["CheckFailed", 86_400], ["Errors", 300], ["Runs", 86_400]]);
  });
});

describe("the schedule's input, the manifest section and the policies", () => {
  it("the manifest travels as a plain JSON file next to the bundle's index.js (an archive entry the handler reads by name)", () => {
    expect(WATCH_MANIFEST_FILE).toMatch(/^[\w-][\w.-]*\.json$/);
  });

  it("the schedule passes the stack and Scheduler's context attributes", () => {
    expect(JSON.parse(scheduleInput("prod"))).toEqual({ source: "mail-infra.watch", "detail-type": "Scheduled run", stack: "prod", scheduledTime: "<aws.scheduler.scheduled-time>", executionId: "<aws.scheduler.execution-id>" });
    expect(classifyWatchEvent(JSON.parse(scheduleInput("prod")))).toEqual({ kind: "scheduled", detail: "scheduled run at <aws.scheduler.scheduled-time>" });
  });

  it("the manifest's watch section: names from the config, every alarm", () => {
    expect(watchManifest("prod", "eu-west-1", { schedule: { expression: "rate(2 hours)", minutes: 120 }, checks: ["dns.dkim"], bounceThreshold: 3 }, ["eu-west-1"])).toEqual({
      functionName: "mail-infra-prod-watch",
      region: "eu-west-1",
      scheduleName: "mail-infra-prod-watch",
      schedule: "rate(2 hours)",
      scheduleMinutes: 120,
      queueName: "mail-infra-prod-watch-failed",
      alarms: ["mail-infra-prod-watch-dns.dkim", "mail-infra-prod-watch-bounces-sender-auth-eu-west-1", "mail-infra-prod-watch-bounces-ses-eu-west-1", "mail-infra-prod-watch-errors", "mail-infra-prod-watch-not-running"],
    });
  });

  const manifest = (regions: ManifestRegion[], smtp: boolean): StackManifest => ({
    version: 1,
    project: "mail-infra",
    stack: "prod",
    domains: [{ domain: "example.com", dns: { mode: "external" }, regions, records: [] }],
    ...(smtp
      ? {
          smtp: {
            user: "mail-infra-smtp-prod",
            userArn: `arn:aws:iam::${ACCOUNT}:user/mail/mail-infra-smtp-prod`,
            accessKeyId: "AKIAEXAMPLECURRENT01",
            keyGeneration: 1,
            secretId: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:mail-infra/prod/ses-smtp-AbCdEf`,
            secretName: "mail-infra/prod/ses-smtp",
            secretRegion: "us-east-1",
            port: 587,
            regions: [{ region: "us-east-1", endpoint: "email-smtp.us-east-1.amazonaws.com" }],
          },
        }
      : {}),
    senders: [],
  });

  it("the execution role reads the stack's identities, configuration sets and SMTP user, writes its own log and queue", () => {
    const east = manifestRegion("example.com", "us-east-1", "bounce.example.com");
    const west = manifestRegion("example.com", "us-west-2", "bounce.example.com");
    const policy = watchExecutionPolicy(manifest([east, west, { ...east }], true), "arn:log", "arn:queue");
    expect(policy).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "SesAccount", Effect: "Allow", Action: ["ses:GetAccount"], Resource: "*" },
        { Sid: "SesIdentities", Effect: "Allow", Action: ["ses:GetEmailIdentity"], Resource: [`arn:aws:ses:us-east-1:${ACCOUNT}:identity/example.com`, `arn:aws:ses:us-west-2:${ACCOUNT}:identity/example.com`] },
        {
          Sid: "SesConfigurationSets",
          Effect: "Allow",
          Action: ["ses:GetConfigurationSet", "ses:GetConfigurationSetEventDestinations"],
          Resource: [`arn:aws:ses:us-east-1:${ACCOUNT}:configuration-set/mail-infra-example-com`, `arn:aws:ses:us-west-2:${ACCOUNT}:configuration-set/mail-infra-example-com`],
        },
        { Sid: "SmtpUserKeys", Effect: "Allow", Action: ["iam:ListAccessKeys", "iam:GetAccessKeyLastUsed"], Resource: `arn:aws:iam::${ACCOUNT}:user/mail/mail-infra-smtp-prod` },
        { Sid: "OwnLog", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "arn:log:*" },
        { Sid: "FailedEvents", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: "arn:queue" },
      ],
    });
  });

  it("no identity or configuration set known (discovered, empty ARNs) and no SMTP user: no statement naming them", () => {
    const unknown = manifestRegion("example.com", "us-east-1", "", { identityArn: "", configurationSetArn: "" });
    expect(watchExecutionPolicy(manifest([unknown], false), "arn:log", "arn:queue").Statement.map((s) => s.Sid)).toEqual(["SesAccount", "OwnLog", "FailedEvents"]);
  });

  it("the bus lets the forward role put events; the forward role may put events on the bus only", () => {
    expect(watchBusPolicy("arn:bus", "arn:role")).toEqual({ Version: "2012-10-17", Statement: [{ Sid: "ForwardedChanges", Effect: "Allow", Principal: { AWS: "arn:role" }, Action: "events:PutEvents", Resource: "arn:bus" }] });
    expect(watchForwardPolicy("arn:bus")).toEqual({ Version: "2012-10-17", Statement: [{ Sid: "ForwardToWatchBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: "arn:bus" }] });
  });
});

describe("where the change rules fire", () => {
  it("the function's region always (maybe with nothing), then each SES region, us-east-1 (IAM) and the secret's region, once each", () => {
    expect(watchChangeRegions("eu-west-1", ["us-west-2"], "us-west-2")).toEqual([
      { region: "eu-west-1", purposes: [] },
      { region: "us-west-2", purposes: ["ses", "secret"] },
      { region: "us-east-1", purposes: ["iam"] },
    ]);
    expect(watchChangeRegions("us-east-1", ["us-east-1"], "us-east-1")).toEqual([{ region: "us-east-1", purposes: ["iam", "ses", "secret"] }]);
  });

  it("a region of another partition than aws is never a forwarder", () => {
    expect(watchForwarding("us-east-1", ["us-east-1", "us-gov-west-1"], "us-east-1")).toEqual([]);
    expect(watchForwarding("us-west-2", ["us-west-2"], "us-west-2")).toEqual([{ region: "us-east-1", purposes: ["iam"] }]);
  });
});

describe("classifyWatchEvent: the edges", () => {
  const sns = (over: Record<string, unknown> = {}, record: Record<string, unknown> = {}) => ({ Records: [{ ...record, Sns: { Message: '{"notificationType":"Bounce"}', ...over } }] });

  it("SNS's Lambda event: the region from the topic ARN, else the subscription's; the MessageId when there is one; every record", () => {
    expect(classifyWatchEvent(sns({ TopicArn: "arn:aws:sns:eu-west-1:1:t", MessageId: "m1" }, { EventSubscriptionArn: "arn:aws:sns:us-west-2:1:t:s" }))).toEqual({
      kind: "ses",
      items: [{ json: { notificationType: "Bounce" }, region: "eu-west-1", id: "m1" }],
    });
    expect(classifyWatchEvent(sns({ TopicArn: "arn:aws:sns::1:t" }, { EventSubscriptionArn: "arn:aws:sns:us-west-2:1:t:s" }))).toEqual({ kind: "ses", items: [{ json: { notificationType: "Bounce" }, region: "us-west-2" }] });
    expect(classifyWatchEvent(sns({ MessageId: "" }))).toEqual({ kind: "ses", items: [{ json: { notificationType: "Bounce" }, region: undefined }] });
    const two = classifyWatchEvent({ Records: [...sns({ MessageId: "a" }).Records, ...sns({ MessageId: "b" }).Records] });
    expect(two.kind === "ses" && two.items.map((i) => i.id)).toEqual(["a", "b"]);
    expect(classifyWatchEvent({ Records: [] })).toEqual({ kind: "ses", items: [] });
  });

  it("a record that is not SNS's, or carries no string Message, makes the event unknown", () => {
    expect(classifyWatchEvent({ Records: [...sns().Records, { eventSource: "aws:sqs" }] })).toEqual({ kind: "unknown", message: "Records[1] is not an SNS record (no Sns.Message)" });
    expect(classifyWatchEvent({ Records: [{ Sns: { Message: { notificationType: "Bounce" } } }] })).toEqual({ kind: "unknown", message: "Records[0] is not an SNS record (no Sns.Message)" });
    expect(classifyWatchEvent({ Records: ["x"] })).toEqual({ kind: "unknown", message: "Records[0] is not an SNS record (no Sns.Message)" });
    expect(classifyWatchEvent({ Records: [{ Sns: [1] }] })).toEqual({ kind: "unknown", message: "Records[0] is not an SNS record (no Sns.Message)" });
  });

  it("one SNS envelope (an HTTP or saved delivery): its Message, the topic's region, the MessageId", () => {
    expect(classifyWatchEvent({ Type: "Notification", Message: '{"eventType":"Bounce"}', TopicArn: "arn:aws:sns:us-west-2:1:t", MessageId: "m" })).toEqual({ kind: "ses", items: [{ json: { eventType: "Bounce" }, region: "us-west-2", id: "m" }] });
    expect(classifyWatchEvent({ Type: "Notification", Message: "{}" })).toEqual({ kind: "ses", items: [{ json: {}, region: undefined }] });
    expect(classifyWatchEvent({ Type: "Notification", Message: "{" })).toEqual({ kind: "unknown", message: "an SNS notification whose Message is not JSON" });
    expect(classifyWatchEvent({ Type: "SubscriptionConfirmation", Message: "{}" }).kind).toBe("unknown");
    // A Message that is not a string is not SNS's envelope: the event is read on as something else.
    const other = { kind: "unknown", message: "not a scheduled run, a CloudTrail change event, an SNS delivery or SES feedback (notificationType / eventType)" };
    expect(classifyWatchEvent({ Type: "Notification", Message: { eventType: "Bounce" } })).toEqual(other);
    expect(classifyWatchEvent({ Type: "Notification", Message: 5 })).toEqual(other);
    // Fields of the wrong type are not read: no region from a numeric TopicArn, no id from a numeric MessageId.
    expect(classifyWatchEvent({ Type: "Notification", Message: "{}", TopicArn: 5, MessageId: 7 })).toEqual({ kind: "ses", items: [{ json: {}, region: undefined }] });
  });

  it("scheduled runs without their time, and change events without their detail, say so", () => {
    expect(classifyWatchEvent({ source: "mail-infra.watch" })).toEqual({ kind: "scheduled", detail: "scheduled run" });
    expect(classifyWatchEvent({ source: "aws.events", "detail-type": "Scheduled Event" })).toEqual({ kind: "scheduled", detail: "scheduled event at ?" });
    expect(classifyWatchEvent({ source: "aws.events", "detail-type": "Other" }).kind).toBe("unknown");
    expect(classifyWatchEvent({ source: "aws.scheduler", "detail-type": "Scheduled Event" }).kind).toBe("unknown");
    expect(classifyWatchEvent({ "detail-type": "AWS API Call via CloudTrail" })).toEqual({ kind: "change", detail: "? ? in ?" });
    expect(classifyWatchEvent({ "detail-type": "AWS API Call via CloudTrail", source: "aws.iam", region: "us-east-1", detail: { eventName: "CreateAccessKey" } })).toEqual({ kind: "change", detail: "aws.iam CreateAccessKey in us-east-1" });
  });

  it("an EventBridge SES event needs its detail; a bare SES record is the event itself; anything else is unknown", () => {
    expect(classifyWatchEvent({ source: "aws.ses", region: "eu-west-1", id: "e1", detail: { eventType: "Bounce" } })).toEqual({ kind: "ses", items: [{ json: { eventType: "Bounce" }, region: "eu-west-1", id: "e1" }] });
    expect(classifyWatchEvent({ source: "aws.ses", detail: { eventType: "Bounce" } })).toEqual({ kind: "ses", items: [{ json: { eventType: "Bounce" }, region: undefined }] });
    expect(classifyWatchEvent({ source: "aws.ses", detail: "Bounce" }).kind).toBe("unknown");
    expect(classifyWatchEvent({ source: "aws.sns", detail: { eventType: "Bounce" } }).kind).toBe("unknown");
    expect(classifyWatchEvent({ eventType: "Delivery" })).toEqual({ kind: "ses", items: [{ json: { eventType: "Delivery" } }] });
    expect(classifyWatchEvent({ notificationType: "Complaint" })).toEqual({ kind: "ses", items: [{ json: { notificationType: "Complaint" } }] });
    expect(classifyWatchEvent({ notificationType: 1, eventType: null })).toEqual({
      kind: "unknown",
      message: "not a scheduled run, a CloudTrail change event, an SNS delivery or SES feedback (notificationType / eventType)",
    });
    expect(classifyWatchEvent(null)).toEqual({ kind: "unknown", message: "the event is not a JSON object" });
    expect(classifyWatchEvent("{}")).toEqual({ kind: "unknown", message: "the event is not a JSON object" });
  });

  it("sesItemKey: an event-publishing record, a complaint's feedback id, none, and no key without a message id or a type", () => {
    expect(sesItemKey({ json: { eventType: "Bounce", mail: { messageId: "m" }, bounce: { feedbackId: "f" } } })).toBe("m:Bounce:f");
    expect(sesItemKey({ json: { notificationType: "Complaint", mail: { messageId: "m" }, complaint: { feedbackId: "c" } } })).toBe("m:Complaint:c");
    expect(sesItemKey({ json: { eventType: "Reject", mail: { messageId: "m" } } })).toBe("m:Reject:");
    expect(sesItemKey({ json: { mail: { messageId: "m" } } })).toBeUndefined();
    expect(sesItemKey({ json: { eventType: "Bounce", mail: {} } })).toBeUndefined();
    expect(sesItemKey({ json: "m:Bounce" })).toBeUndefined();
    expect(sesItemKey({ json: { eventType: "Bounce", mail: { messageId: "m" } }, id: "" })).toBe("m:Bounce:");
  });
});
