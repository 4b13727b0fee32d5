/**
 * verify's `monitoring` layer (issue 12), each check passing and failing for the right reason.
 *
 * The world's monitoring resources are created with the AWS SDK as the program would
 * (monitoring-world.ts): SNS topics and email subscriptions, EventBridge rules and targets, and
 * the CloudTrail trail in moto; the reputation alarms and metric data in the CloudWatch fake
 * (moto 5.1 answers CloudWatch in XML, which this SDK cannot read). A broken world is the
 * healthy one plus one change made through the same APIs. SNS never reports an unconfirmed
 * email subscription in moto (it confirms at once), so PendingConfirmation is faked in-process
 * with aws-sdk-client-mock, shaped like ListSubscriptionsByTopic's documented answer.
 */
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import * as os from "node:os";
import * as path from "node:path";
import { PutEventSelectorsCommand, StopLoggingCommand, DeleteTrailCommand, CreateTrailCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { DeleteAlarmsCommand, PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand } from "@aws-sdk/client-cloudwatch";
import { DeleteRuleCommand, DisableRuleCommand, RemoveTargetsCommand } from "@aws-sdk/client-eventbridge";
import { DeleteTopicCommand, ListSubscriptionsByTopicCommand } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IAM_EVENTS_REGION, ruleName, reputationAlarmName, trailName } from "../../lib/monitoring";
import type { Finding } from "../../lib/verify/findings";
import { checkMonitoringLayer, checkRates, logsWriteManagementEvents, MONITORING_NOT_DECLARED, MONITORING_NOT_DISCOVERED } from "../../scripts/verify/layers/monitoring/check";
import { monitoringCollector } from "../../scripts/verify/layers/monitoring/collect";
import { consoleTranscript, docOutput, stable } from "../docs/doc-examples";
import { runCliAsync } from "../helpers/spawn";
import { startClosedPort } from "../sandbox";
import { ACCOUNT_TRAIL, ALERT_EMAILS, MOTO_ACCOUNT } from "./monitoring-world";
import { createWorld, type MonitoringContext, programManifest, REGIONS, type SharedServers, startShared, type World } from "./world";

const STACK = "test";
const [EAST, WEST] = REGIONS;
const topic = (region: string) => `arn:aws:sns:${region}:${MOTO_ACCOUNT}:mail-infra-${STACK}-alerts`;

let shared: SharedServers;
let dir: string;
/** The trail the world logs with: the stack's own (mail-infra:createTrail) or the account's. */
let trail: string;
beforeAll(async () => {
  const base = await programManifest();
  trail = base.monitoring ? (base.monitoring.trail.created ?? ACCOUNT_TRAIL) : trailName(STACK);
  shared = await startShared();
  dir = await mkdtemp(path.join(os.tmpdir(), "verify-monitoring-"));
});
afterAll(async () => {
  await shared?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A world with `change` applied to its monitoring, verified (monitoring layer only), then stopped. */
async function verifyWith(change?: (ctx: MonitoringContext) => Promise<void>, extra: Parameters<World["verify"]>[0] = {}): Promise<{ findings: Finding[]; world: World }> {
  const world = await createWorld(shared, change ? { monitoring: change } : {});
  try {
    const r = await world.verify({ layers: ["monitoring"], ...extra });
    return { findings: r.findings, world };
  } finally {
    await world.stop();
  }
}

const one = (findings: Finding[], id: string, subject: string): Finding => {
  const f = findings.find((x) => x.id === id && x.subject === subject);
  if (!f) throw new Error(`no ${id} for ${subject} in:\n${findings.map((x) => `${x.id} ${x.subject}`).join("\n")}`);
  return f;
};

describe("a healthy world", () => {
  it("every monitoring check passes: subscriptions, alarms (INSUFFICIENT_DATA explained), rates from SES's datapoints, rules, trail", async () => {
    const { findings, world } = await verifyWith();
    const mon = world.manifest.monitoring!;
    expect(findings.filter((f) => f.status !== "pass").map((f) => `${f.id} ${f.subject}: ${f.summary}`)).toEqual([]);
    // Every declared thing is checked, in every region.
    const count = (id: string) => findings.filter((f) => f.id === id).length;
    expect(count("monitoring.subscription")).toBe(mon.regions.length * ALERT_EMAILS.length);
    expect(count("monitoring.alarm")).toBe(mon.regions.reduce((n, r) => n + r.alarms.length, 0));
    expect(count("monitoring.alarm")).toBe(8);
    expect(count("monitoring.rate")).toBe(4);
    expect(count("monitoring.rule")).toBe(mon.regions.reduce((n, r) => n + r.rules.length, 0));
    expect(count("monitoring.trail")).toBe(mon.trail.regions.length);
    expect(one(findings, "monitoring.alarm", `${reputationAlarmName(STACK, "bounce", "alarm")} in ${WEST}`).summary).toMatch(
      /^bounce rate alarm at 5%, notifies the alerts topic; state INSUFFICIENT_DATA, not an alert: SES publishes the rate only while mail is sent$/,
    );
    expect(one(findings, "monitoring.rate", `complaint rate in ${EAST}`).summary).toBe("0.01% (warning 0.05%, alarm 0.1%)");
    expect(one(findings, "monitoring.trail", `management events in ${WEST}`).summary).toBe(`trail ${trail} (multi-region, home ${IAM_EVENTS_REGION}) logs write management events`);
    expect(one(findings, "monitoring.rule", `${ruleName(STACK, "iam")} in ${IAM_EVENTS_REGION}`).summary).toBe("iam rule enabled, sends to the alerts topic");
  });

  it("reads each thing once, all at once: per region one DescribeAlarms, one read per metric, one subscription list, two reads per rule; the trail's status once", async () => {
    const world = await createWorld(shared);
    try {
      const before = world.moto.callLog().length;
      const cwBefore = world.cloudwatch.calls.length;
      const r = await world.verify({ layers: ["monitoring"] });
      expect(r.findings.every((f) => f.status === "pass")).toBe(true);
      const mon = world.manifest.monitoring!;
      const calls = world.moto.callLog().slice(before).map((c) => c.action);
      const n = (a: string) => calls.filter((c) => c === a).length;
      const rules = mon.regions.reduce((x, reg) => x + reg.rules.length, 0);
      expect([n("ListSubscriptionsByTopic"), n("DescribeRule"), n("ListTargetsByRule"), n("DescribeTrails"), n("GetTrailStatus"), n("GetEventSelectors")]).toEqual([
        mon.regions.length,
        rules,
        rules,
        mon.trail.regions.length,
        1,
        1,
      ]);
      const cw = world.cloudwatch.calls.slice(cwBefore).map((c) => c.operation);
      expect([cw.filter((c) => c === "DescribeAlarms").length, cw.filter((c) => c === "GetMetricStatistics").length]).toEqual([2, 4]);
      expect(r.collectors.aws.calls).toBe(calls.length + cw.length);
    } finally {
      await world.stop();
    }
  });
});

describe("monitoring.alarm", () => {
  const bounceAlarm = reputationAlarmName(STACK, "bounce", "alarm");

  it("fails when an alarm is missing", async () => {
    const { findings } = await verifyWith(async ({ clients }) => {
      await clients.cloudwatch(WEST).send(new DeleteAlarmsCommand({ AlarmNames: [bounceAlarm] }));
    });
    const f = one(findings, "monitoring.alarm", `${bounceAlarm} in ${WEST}`);
    expect([f.status, f.summary]).toEqual(["fail", `the bounce rate alarm at 5% alarm does not exist in ${WEST}`]);
    expect(f.remediation).toMatch(/pulumi up/);
    expect(one(findings, "monitoring.alarm", `${bounceAlarm} in ${EAST}`).status).toBe("pass");
  });

  it("fails when an alarm's threshold, action or metric differs from the declared one", async () => {
    const { findings } = await verifyWith(async ({ clients }) => {
      await clients.cloudwatch(EAST).send(
        new PutMetricAlarmCommand({
          AlarmName: bounceAlarm,
          Namespace: "AWS/SES",
          MetricName: "Reputation.BounceRate",
          Statistic: "Average",
          Period: 3600,
          EvaluationPeriods: 1,
          Threshold: 0.1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
          AlarmActions: [],
        }),
      );
      await clients.cloudwatch(EAST).send(
        new PutMetricAlarmCommand({
          AlarmName: reputationAlarmName(STACK, "complaint", "warning"),
          Namespace: "AWS/SES",
          MetricName: "Reputation.BounceRate",
          Statistic: "Average",
          Period: 3600,
          EvaluationPeriods: 1,
          Threshold: 0.0005,
          ComparisonOperator: "LessThanThreshold",
          AlarmActions: [topic(EAST)],
        }),
      );
    });
    const f = one(findings, "monitoring.alarm", `${bounceAlarm} in ${EAST}`);
    expect(f.status).toBe("fail");
    expect(f.summary).toBe(`the bounce rate alarm at 5% alarm is not as declared: its threshold is 10%, declared 5%; it does not notify the alerts topic ${topic(EAST)} (actions: none)`);
    const c = one(findings, "monitoring.alarm", `${reputationAlarmName(STACK, "complaint", "warning")} in ${EAST}`);
    expect(c.summary).toMatch(/it watches AWS\/SES Reputation\.BounceRate, not AWS\/SES Reputation\.ComplaintRate; its comparison is LessThanThreshold/);
  });

  it("fails in ALARM state and shows the metric's latest value; the rate check fails alike", async () => {
    const { findings } = await verifyWith(async ({ clients }) => {
      const cw = clients.cloudwatch(WEST);
      await cw.send(new PutMetricDataCommand({ Namespace: "AWS/SES", MetricData: [{ MetricName: "Reputation.BounceRate", Value: 0.072, Timestamp: new Date(Date.now() - 120_000) }] }));
      await cw.send(new SetAlarmStateCommand({ AlarmName: bounceAlarm, StateValue: "ALARM", StateReason: "Threshold Crossed: 1 datapoint [0.072] was greater than or equal to the threshold (0.05)." }));
    });
    const f = one(findings, "monitoring.alarm", `${bounceAlarm} in ${WEST}`);
    expect(f.status).toBe("fail");
    expect(f.summary).toMatch(/^in ALARM: the bounce rate alarm at 5% fired; current bounce rate 7\.2% \(latest datapoint 20\d\d-/);
    expect(f.evidence.join("\n")).toMatch(/state ALARM since .*: Threshold Crossed: 1 datapoint \[0\.072\]/);
    expect(f.remediation).toMatch(/Find what bounces/);
    const rate = one(findings, "monitoring.rate", `bounce rate in ${WEST}`);
    expect([rate.status, rate.summary]).toEqual(["fail", "7.2% (warning 2%, alarm 5%): at or above the alarm level"]);
    // The other region's account is its own: untouched.
    expect(one(findings, "monitoring.rate", `bounce rate in ${EAST}`).status).toBe("pass");
  });
});

describe("monitoring.rate", () => {
  it("warns above the warning level, passes below it with the value", async () => {
    const { findings } = await verifyWith(async ({ clients }) => {
      const cw = clients.cloudwatch(EAST);
      const at = (minutes: number) => new Date(Date.now() - minutes * 60_000);
      // The latest datapoint counts, not the worst one.
      await cw.send(new PutMetricDataCommand({ Namespace: "AWS/SES", MetricData: [{ MetricName: "Reputation.BounceRate", Value: 0.09, Timestamp: at(600) }, { MetricName: "Reputation.BounceRate", Value: 0.031, Timestamp: at(3) }] }));
      await cw.send(new PutMetricDataCommand({ Namespace: "AWS/SES", MetricData: [{ MetricName: "Reputation.ComplaintRate", Value: 0.0002, Timestamp: at(3) }] }));
    });
    const b = one(findings, "monitoring.rate", `bounce rate in ${EAST}`);
    expect([b.status, b.summary]).toEqual(["warn", "3.1% (warning 2%, alarm 5%): at or above the warning level"]);
    expect(b.remediation).toMatch(/^Act before it reaches the alarm level\. Find what bounces/);
    const c = one(findings, "monitoring.rate", `complaint rate in ${EAST}`);
    expect([c.status, c.summary]).toEqual(["pass", "0.02% (warning 0.05%, alarm 0.1%)"]);
  });
});

describe("monitoring.subscription", () => {
  it("fails for an address that is not subscribed, naming it", async () => {
    const { findings } = await verifyWith(async ({ manifest }) => {
      manifest.monitoring!.alertEmails.push("new-oncall@example.com");
    });
    const f = one(findings, "monitoring.subscription", `new-oncall@example.com in ${EAST}`);
    expect([f.status, f.summary]).toEqual(["fail", `new-oncall@example.com is not subscribed to the alerts topic: alerts in ${EAST} do not reach it`]);
    expect(f.evidence).toContain(`subscribed: ${ALERT_EMAILS.map((a) => `email:${a}`).join(", ")}`);
    expect(one(findings, "monitoring.subscription", `${ALERT_EMAILS[0]} in ${EAST}`).status).toBe("pass");
  });

  it("warns on PendingConfirmation, saying which address must click the confirmation mail", async () => {
    const pending = ALERT_EMAILS[1];
    const { findings } = await verifyWith(undefined, {
      prepare: (c) => {
        // ListSubscriptionsByTopic as AWS answers before the click: the ARN is "PendingConfirmation".
        mockClient(monitoringCollector(c.aws).sns(WEST))
          .on(ListSubscriptionsByTopicCommand)
          .resolves({
            Subscriptions: [
              { SubscriptionArn: `${topic(WEST)}:0b5d0e8e-6f0e-4c3a-9d0e-1f2a3b4c5d6e`, Owner: MOTO_ACCOUNT, Protocol: "email", Endpoint: ALERT_EMAILS[0], TopicArn: topic(WEST) },
              { SubscriptionArn: "PendingConfirmation", Owner: MOTO_ACCOUNT, Protocol: "email", Endpoint: pending, TopicArn: topic(WEST) },
            ],
          });
      },
    });
    const f = one(findings, "monitoring.subscription", `${pending} in ${WEST}`);
    expect(f.status).toBe("warn");
    expect(f.summary).toBe(`${pending} has not confirmed the subscription: nothing is delivered to it until ${pending} clicks the confirmation mail`);
    expect(f.remediation).toMatch(new RegExp(`^${pending.replace(/\./g, "\\.")} must open the mail "AWS Notification - Subscription Confirmation"`));
    expect(one(findings, "monitoring.subscription", `${ALERT_EMAILS[0]} in ${WEST}`).status).toBe("pass");
    expect(one(findings, "monitoring.subscription", `${pending} in ${EAST}`).status).toBe("pass");
  });

  it("a missing alerts topic is one cause, listing the subscriptions it blocks", async () => {
    const { findings } = await verifyWith(async ({ clients }) => {
      await clients.sns(WEST).send(new DeleteTopicCommand({ TopicArn: topic(WEST) }));
    });
    const f = one(findings, "monitoring.topic", topic(WEST));
    expect([f.status, f.summary]).toEqual(["fail", `the alerts topic does not exist in ${WEST}, so no alert reaches anyone there`]);
    expect(f.blocked?.map((b) => b.subject)).toEqual(ALERT_EMAILS.map((a) => `${a} in ${WEST}`));
    // The rules still exist but send to nothing that exists: they are judged on their own.
    expect(findings.filter((x) => x.id === "monitoring.subscription" && x.subject.endsWith(WEST))).toEqual([]);
  });
});

describe("monitoring.rule", () => {
  const sesRule = ruleName(STACK, "ses");
  it("fails when a rule is disabled, with the command that enables it", async () => {
    const { findings } = await verifyWith(async ({ clients }) => {
      await clients.events(WEST).send(new DisableRuleCommand({ Name: sesRule }));
    });
    const f = one(findings, "monitoring.rule", `${sesRule} in ${WEST}`);
    expect([f.status, f.summary]).toEqual(["fail", "the ses rule raises no alert: it is DISABLED"]);
    expect(f.remediation).toContain(`aws events enable-rule --name ${sesRule} --region ${WEST}`);
    expect(one(findings, "monitoring.rule", `${sesRule} in ${EAST}`).status).toBe("pass");
  });

  it("fails when a rule is missing, or no longer sends to the alerts topic", async () => {
    const secretRule = ruleName(STACK, "secret");
    const { findings } = await verifyWith(async ({ clients }) => {
      await clients.events(EAST).send(new RemoveTargetsCommand({ Rule: ruleName(STACK, "iam"), Ids: ["alerts"] }));
      await clients.events(EAST).send(new RemoveTargetsCommand({ Rule: secretRule, Ids: ["alerts"] }));
      await clients.events(EAST).send(new DeleteRuleCommand({ Name: secretRule }));
    });
    const gone = one(findings, "monitoring.rule", `${secretRule} in ${EAST}`);
    expect([gone.status, gone.summary]).toEqual(["fail", `the secret rule does not exist in ${EAST}: those changes raise no alert`]);
    const untargeted = one(findings, "monitoring.rule", `${ruleName(STACK, "iam")} in ${EAST}`);
    expect([untargeted.status, untargeted.summary]).toEqual(["fail", `the iam rule raises no alert: it does not send to the alerts topic ${topic(EAST)}`]);
  });
});

describe("monitoring.trail", () => {
  it("fails when the trail is not logging, in every region it covered", async () => {
    const { findings } = await verifyWith(async ({ clients }) => {
      await clients.cloudtrail(IAM_EVENTS_REGION).send(new StopLoggingCommand({ Name: trail }));
    });
    for (const region of REGIONS) {
      const f = one(findings, "monitoring.trail", `management events in ${region}`);
      expect([f.status, f.summary]).toEqual(["fail", `no trail that applies to ${region} logs write management events: the change rules there never fire`]);
      expect(f.evidence).toEqual([`${trail} (multi-region, home ${IAM_EVENTS_REGION}): is not logging`]);
      expect(f.remediation).toContain("aws cloudtrail start-logging --name arn:aws:cloudtrail:us-east-1:");
    }
  });

  it("fails when the selectors log only read management events; passes with write-only advanced selectors", async () => {
    const readOnly = await verifyWith(async ({ clients }) => {
      await clients.cloudtrail(IAM_EVENTS_REGION).send(new PutEventSelectorsCommand({ TrailName: trail, EventSelectors: [{ ReadWriteType: "ReadOnly", IncludeManagementEvents: true }] }));
    });
    const f = one(readOnly.findings, "monitoring.trail", `management events in ${WEST}`);
    expect(f.status).toBe("fail");
    expect(f.evidence).toEqual([`${trail} (multi-region, home ${IAM_EVENTS_REGION}): its event selectors record only read management events`]);

    const writeOnly = await verifyWith(async ({ clients }) => {
      await clients.cloudtrail(IAM_EVENTS_REGION).send(
        new PutEventSelectorsCommand({
          TrailName: trail,
          AdvancedEventSelectors: [{ Name: "writes", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }, { Field: "readOnly", Equals: ["false"] }] }],
        }),
      );
    });
    const w = one(writeOnly.findings, "monitoring.trail", `management events in ${WEST}`);
    expect(w.status).toBe("pass");
    expect(w.evidence).toEqual([`${trail} (multi-region, home ${IAM_EVENTS_REGION}): logging, advanced selector writes records write management events`]);
  });

  it("a single-region trail covers its home region only: the other region fails", async () => {
    const { findings } = await verifyWith(async ({ clients, manifest }) => {
      const ct = clients.cloudtrail(IAM_EVENTS_REGION);
      await ct.send(new DeleteTrailCommand({ Name: trail }));
      await ct.send(new CreateTrailCommand({ Name: "single-region", S3BucketName: `${STACK}-trail-${MOTO_ACCOUNT}`, IsMultiRegionTrail: false }));
      await ct.send(new StartLoggingCommand({ Name: "single-region" }));
      delete manifest.monitoring!.trail.created;
    });
    expect(one(findings, "monitoring.trail", `management events in ${EAST}`).status).toBe("pass");
    const f = one(findings, "monitoring.trail", `management events in ${WEST}`);
    expect([f.status, f.summary]).toEqual(["fail", `no trail logs management events in ${WEST}: the change rules there never fire`]);
    expect(f.remediation).toMatch(/pulumi config set mail-infra:createTrail true/);
  });
});

describe("what the layer cannot check", () => {
  it("an unreachable CloudWatch endpoint makes its checks inconclusive, under one cause; the rest still pass", async () => {
    const closed = await startClosedPort();
    const { findings } = await verifyWith(undefined, {
      timeoutMs: 2_000,
      prepare: () => {
        process.env.AWS_ENDPOINT_URL_CLOUDWATCH = `http://127.0.0.1:${closed.port}`;
      },
    });
    await closed.stop();
    const cause = findings.find((f) => f.blocked?.some((b) => b.id === "monitoring.alarm"));
    expect(cause?.status).toBe("inconclusive");
    expect(cause?.summary).toMatch(/ECONNREFUSED/);
    expect(cause?.blocked?.length).toBe(8 + 4 - 1);
    expect(findings.filter((f) => f.status !== "pass" && f !== cause)).toEqual([]);
  });

  it("without a monitoring section the layer is not checked, with the fix; never healthy", async () => {
    const world = await createWorld(shared, { monitoring: false });
    try {
      expect(world.manifest.monitoring).toBeUndefined();
      const r = await world.verify({ layers: ["monitoring"] });
      expect(r.findings).toEqual([]);
      expect(r.notChecked).toEqual([{ layer: "monitoring", reason: MONITORING_NOT_DECLARED }]);
      expect(MONITORING_NOT_DECLARED).toMatch(/mail-infra:alertEmails.*pulumi up/);
    } finally {
      await world.stop();
    }
  });
});

describe("pure rules", () => {
  it("a section without alert addresses warns that alerts reach nobody; with addresses, no such finding", () => {
    const mon = { alertEmails: [], regions: [], trail: { regions: [] } };
    const obs = { regions: new Map(), trails: new Map() };
    expect(checkMonitoringLayer(mon, obs).map((f) => [f.id, f.subject, f.status, f.summary])).toEqual([
      ["monitoring.subscription", "alert addresses", "warn", "no alert address is declared: alarms and change alerts reach nobody"],
    ]);
    expect(checkMonitoringLayer({ ...mon, alertEmails: ["ops@example.com"] }, obs)).toEqual([]);
  });
  it("logsWriteManagementEvents: default, basic and advanced selectors", () => {
    expect(logsWriteManagementEvents({ basic: [], advanced: [] }).ok).toBe(true);
    expect(logsWriteManagementEvents({ basic: [{ readWriteType: "WriteOnly", includeManagementEvents: true }], advanced: [] }).ok).toBe(true);
    expect(logsWriteManagementEvents({ basic: [{ readWriteType: "All", includeManagementEvents: false }], advanced: [] })).toEqual({ ok: false, why: "its event selectors record no management events" });
    const adv = (fields: { field: string; equals: string[]; notEquals?: string[] }[]) => ({ basic: [], advanced: [{ name: "s", fieldSelectors: fields.map((f) => ({ notEquals: [], ...f })) }] });
    expect(logsWriteManagementEvents(adv([{ field: "eventCategory", equals: ["Management"] }])).ok).toBe(true);
    expect(logsWriteManagementEvents(adv([{ field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["true"] }])).ok).toBe(false);
    expect(logsWriteManagementEvents(adv([{ field: "eventCategory", equals: ["Data"] }])).ok).toBe(false);
  });
});

describe("the CLI", () => {
  it("--only monitoring --json: a disabled rule and an alarm in ALARM fail (exit 1); the report names them", async () => {
    const world = await createWorld(shared, {
      monitoring: async ({ clients }) => {
        await clients.events(WEST).send(new DisableRuleCommand({ Name: ruleName(STACK, "feedback") }));
        await clients.cloudwatch(EAST).send(new PutMetricDataCommand({ Namespace: "AWS/SES", MetricData: [{ MetricName: "Reputation.ComplaintRate", Value: 0.0015, Timestamp: new Date(Date.now() - 60_000) }] }));
        await clients.cloudwatch(EAST).send(new SetAlarmStateCommand({ AlarmName: reputationAlarmName(STACK, "complaint", "alarm"), StateValue: "ALARM", StateReason: "Threshold Crossed" }));
      },
    });
    try {
      const file = path.join(dir, "broken.json");
      await world.writeManifest(file);
      const r = await runCliAsync("verify.ts", ["--manifest", file, "--only", "monitoring", "--json"], { env: world.env });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(1);
      for (const secret of world.secrets()) expect(r.stdout.includes(secret), "a secret value is in the output").toBe(false);
      const doc = JSON.parse(r.stdout) as { layers: string[]; exitCode: number; findings: Finding[]; notChecked: { layer: string }[] };
      expect(doc.layers).toEqual(["monitoring"]);
      expect(doc.exitCode).toBe(1);
      const failed = doc.findings.filter((f) => f.status !== "pass").map((f) => `${f.status} ${f.id} ${f.subject}`);
      expect(failed).toEqual([
        `fail monitoring.alarm ${reputationAlarmName(STACK, "complaint", "alarm")} in ${EAST}`,
        `fail monitoring.rate complaint rate in ${EAST}`,
        `fail monitoring.rule ${ruleName(STACK, "feedback")} in ${WEST}`,
      ]);
      expect(doc.findings.find((f) => f.id === "monitoring.alarm" && f.status === "fail")?.summary).toMatch(/current complaint rate 0\.15%/);

      // The same run as text, as docs/cli/verify.md prints it (the default width, the manifest by its usual name).
      const cwd = path.join(dir, "text");
      await mkdir(cwd);
      await world.writeManifest(path.join(cwd, "verification.json"));
      const args = ["--manifest", "verification.json", "--only", "monitoring"];
      const text = await runCliAsync("verify.ts", args, { cwd, env: { ...world.env, COLUMNS: "" } });
      expect([text.status, text.stderr]).toEqual([1, ""]);
      await docOutput("verify-monitoring", stable(consoleTranscript(`npm run -s verify -- ${args.join(" ")}`, text, { exitCode: true })));
    } finally {
      await world.stop();
    }
  });

  it("a manifest without monitoring: --only monitoring is a usage error (exit 2); a full run lists it as not checked", async () => {
    const world = await createWorld(shared, { monitoring: false });
    try {
      const file = path.join(dir, "plain.json");
      await world.writeManifest(file);
      const only = await runCliAsync("verify.ts", ["--manifest", file, "--only", "monitoring"], { env: world.env });
      expect(only.status).toBe(2);
      expect(only.stderr).toContain(`Monitoring and alerts (${MONITORING_NOT_DECLARED}).`);
      expect(only.stderr).toMatch(/^error: nothing to check: /);
      const dns = await runCliAsync("verify.ts", ["--manifest", file, "--only", "dns,monitoring", "--dns-server", world.dns.server], { env: world.env });
      expect(dns.status).toBe(0);
      expect(dns.stdout).toContain(`Monitoring and alerts: not checked (${MONITORING_NOT_DECLARED})`);
      expect(dns.stdout).toMatch(/checked layers healthy; not checked: .*monitoring/);
      expect(dns.stdout).not.toContain("mail path healthy");
    } finally {
      await world.stop();
    }
  });

  it("discovery mode lists the layer as not checked, with why", async () => {
    const r = await runCliAsync("verify.ts", ["--domain", "example.com", "--region", "us-east-1", "--only", "monitoring"], { env: { PATH: process.env.PATH ?? "" } });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(MONITORING_NOT_DISCOVERED);
  });
});

describe("monitoring.rate without a datapoint", () => {
  it("is not enough evidence (warn), never a pass: nothing was observed", async () => {
    const m = await programManifest();
    const region = m.monitoring!.regions[0]!;
    const obs = { alarms: { ok: true as const, value: [] }, subscriptions: { ok: true as const, value: [] }, rules: new Map(), rates: { bounce: { ok: true as const, value: undefined }, complaint: { ok: true as const, value: undefined } } };
    const fs = checkRates(region, obs);
    expect(fs.map((f) => f.status)).toEqual(["warn", "warn"]);
    expect(fs[0]!.summary).toMatch(/^not enough evidence: no datapoint in the last 24 hours, so the rate cannot be judged/);
  });
});
