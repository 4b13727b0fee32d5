/**
 * Watch (issue 19) under mocks: every declared resource with its region and inputs, the
 * execution role's policy (least privilege, no secret, no PutMetricData), the schedule and its
 * input, the change rules with monitoring's patterns, the SES event topic subscriptions with
 * their invoke permissions, the alarms and the alerts topic policy that lets them publish, the
 * manifest's `watch` section; nothing without `watch`; and the config keys.
 */
import { describe, expect, it } from "vitest";
import { parseManifest } from "../../lib/manifest";
import { iamEventPattern, secretEventPattern, sesEventPattern } from "../../lib/monitoring";
import { ALL_WATCH_CHECKS, scheduleInput, WATCH_CHECK_IDS } from "../../lib/watch";
import { MOCK_ACCOUNT_ID } from "../../scripts/lib/mock-program";
import { configIssues, PROD_LIKE } from "../helpers/config";
import { runWithConfig, type TestRun } from "../helpers/program";
import type { RecordedResource } from "../../scripts/lib/mock-program";

const A = MOCK_ACCOUNT_ID;
const WATCH = { ...PROD_LIKE, watch: true } as unknown as Record<string, string | number | string[]>;
const json = (v: unknown) => JSON.parse(String(v)) as Record<string, unknown>;

describe("the prod stack with watch: true", async () => {
  const run = await runWithConfig(WATCH, "prod");
  const watched = run.resources.filter((r) => r.parent?.endsWith("::watch"));
  const fn = run.one("aws:lambda/function:Function");

  it("declares one function (Node.js 24, arm64), its queue, log group, roles, schedule, rules, subscriptions and alarms, all under the Watch component", () => {
    const counts: Record<string, number> = {};
    for (const r of watched) counts[r.type] = (counts[r.type] ?? 0) + 1;
    expect(counts).toEqual({
      "aws:sqs/queue:Queue": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      // execution, scheduler and forward roles
      "aws:iam/role:Role": 3,
      "aws:iam/rolePolicy:RolePolicy": 3,
      "aws:lambda/function:Function": 1,
      "aws:scheduler/schedule:Schedule": 1,
      // us-east-1 is the primary region: iam, ses and secret change rules, each with a permission and a target;
      // us-west-2 forwards its SES changes (a rule there) to the watch bus, whose rule invokes the function.
      "aws:cloudwatch/eventBus:EventBus": 1,
      "aws:cloudwatch/eventBusPolicy:EventBusPolicy": 1,
      "aws:cloudwatch/eventRule:EventRule": 5,
      "aws:cloudwatch/eventTarget:EventTarget": 5,
      // 3 rule permissions + 1 on the watch bus + 2 SES event topics.
      "aws:lambda/permission:Permission": 6,
      "aws:sns/topicSubscription:TopicSubscription": 2,
      // every check + 2 bounce layers x 2 regions + errors + heartbeat
      "aws:cloudwatch/metricAlarm:MetricAlarm": ALL_WATCH_CHECKS.length + 4 + 2,
    });
    expect(run.one("mail-infra:watch:Watch").urn).toBe("urn:pulumi:prod::mail-infra::mail-infra:watch:Watch::watch");
    expect(fn.inputs).toMatchObject({
      region: "us-east-1",
      name: "mail-infra-prod-watch",
      runtime: "nodejs24.x",
      architectures: ["arm64"],
      handler: "index.handler",
      reservedConcurrentExecutions: 5,
      deadLetterConfig: { targetArn: `arn:aws:sqs:us-east-1:${A}:mail-infra-prod-watch-failed` },
      loggingConfig: { logFormat: "Text", logGroup: "/aws/lambda/mail-infra-prod-watch" },
    });
    expect(run.one("aws:cloudwatch/logGroup:LogGroup").inputs).toMatchObject({ retentionInDays: 30 });
  });

  it("the execution role reads only what the ses, dns and relay checks read: no secret, no PutMetricData, no wildcard but ses:GetAccount", () => {
    const role = run.one("aws:iam/role:Role", "watch-role");
    expect(json(role.inputs.assumeRolePolicy)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": A } } }],
    });
    const policy = json(run.one("aws:iam/rolePolicy:RolePolicy", "watch-role-policy").inputs.policy) as { Statement: { Sid: string; Action: string[]; Resource: string | string[] }[] };
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(actions.sort()).toEqual(
      [
        "ses:GetAccount",
        "ses:GetEmailIdentity",
        "ses:GetConfigurationSet",
        "ses:GetConfigurationSetEventDestinations",
        "iam:ListAccessKeys",
        "iam:GetAccessKeyLastUsed",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "sqs:SendMessage",
      ].sort(),
    );
    for (const s of policy.Statement) if (s.Resource === "*") expect(s.Action).toEqual(["ses:GetAccount"]);
    const ids = policy.Statement.find((s) => s.Sid === "SesIdentities")!.Resource;
    expect(ids).toEqual([`arn:aws:ses:us-east-1:${A}:identity/queenofsandiego.com`, `arn:aws:ses:us-west-2:${A}:identity/queenofsandiego.com`]);
    expect(policy.Statement.find((s) => s.Sid === "SmtpUserKeys")!.Resource).toMatch(/^arn:aws:iam::\d+:user\//);
  });

  it("the schedule runs the function hourly with the stack's input, through a role that may invoke only it", () => {
    const schedule = run.one("aws:scheduler/schedule:Schedule");
    expect(schedule.inputs).toMatchObject({ region: "us-east-1", name: "mail-infra-prod-watch", scheduleExpression: "rate(1 hour)", flexibleTimeWindow: { mode: "OFF" }, state: "ENABLED" });
    const target = schedule.inputs.target as Record<string, unknown>;
    expect(target.input).toBe(scheduleInput("prod"));
    expect(json(target.input).source).toBe("mail-infra.watch");
    const invoke = json(run.one("aws:iam/rolePolicy:RolePolicy", "scheduler-role-policy").inputs.policy);
    expect(invoke).toEqual({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: `arn:aws:lambda:us-east-1:${A}:function:mail-infra-prod-watch` }] });
  });

  it("the change rules use monitoring's own patterns and may invoke the function only from their own ARN", () => {
    const rules = run
      .byType("aws:cloudwatch/eventRule:EventRule")
      .filter((r) => r.parent?.endsWith("::watch") && r.inputs.region === "us-east-1" && r.inputs.eventBusName === undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
    const user = run.one("aws:iam/user:User").inputs.name as string;
    expect(rules.map((r) => [r.inputs.name, json(r.inputs.eventPattern)])).toEqual([
      ["mail-infra-prod-watch-iam-changes", iamEventPattern(user)],
      ["mail-infra-prod-watch-secret-changes", secretEventPattern("mail-infra/prod/ses-smtp", "us-east-1", A)],
      ["mail-infra-prod-watch-ses-changes", sesEventPattern()],
    ]);
    const perms = run
      .byType("aws:lambda/permission:Permission")
      .filter((p) => p.inputs.principal === "events.amazonaws.com" && !p.name.includes("forwarded"))
      .sort((a, b) => a.name.localeCompare(b.name));
    expect(perms.map((p) => p.inputs.sourceArn)).toEqual(rules.map((r) => `arn:aws:events:us-east-1:${A}:rule/${r.inputs.name}`));
  });

  it("us-west-2 forwards its SES changes (same pattern) to the watch bus in us-east-1, whose rule alone may invoke the function for them", () => {
    expect(forwarding(run)).toEqual({
      bus: { region: "us-east-1", name: "mail-infra-prod-watch" },
      forwarders: [["us-west-2", "mail-infra-prod-watch-ses-forward", sesEventPattern(), `arn:aws:events:us-east-1:${A}:event-bus/mail-infra-prod-watch`, `arn:aws:iam::${A}:role/mail-infra-prod-watch-forward`]],
      onBus: [["mail-infra-prod-watch-ses-forwarded", sesEventPattern(), `arn:aws:lambda:us-east-1:${A}:function:mail-infra-prod-watch`, `arn:aws:events:us-east-1:${A}:rule/mail-infra-prod-watch/mail-infra-prod-watch-ses-forwarded`]],
      trust: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": A } } }] },
      policy: { Version: "2012-10-17", Statement: [{ Sid: "ForwardToWatchBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: `arn:aws:events:us-east-1:${A}:event-bus/mail-infra-prod-watch` }] },
      busPolicy: {
        Version: "2012-10-17",
        Statement: [{ Sid: "ForwardedChanges", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${A}:role/mail-infra-prod-watch-forward` }, Action: "events:PutEvents", Resource: `arn:aws:events:us-east-1:${A}:event-bus/mail-infra-prod-watch` }],
      },
    });
  });

  it("each region's SES event topic invokes the function (cross-region SNS), with a permission naming that topic", () => {
    const subs = run.byType("aws:sns/topicSubscription:TopicSubscription").filter((s) => s.inputs.protocol === "lambda");
    const topics = run.byType("aws:sns/topic:Topic").filter((t) => !t.name.startsWith("monitoring-"));
    expect(subs.map((s) => [s.inputs.region, s.inputs.topic, s.inputs.endpoint])).toEqual(
      ["us-east-1", "us-west-2"].map((r) => [r, `arn:aws:sns:${r}:${A}:${topics.find((t) => t.inputs.region === r)!.inputs.name}`, `arn:aws:lambda:us-east-1:${A}:function:mail-infra-prod-watch`]),
    );
    const perms = run.byType("aws:lambda/permission:Permission").filter((p) => p.inputs.principal === "sns.amazonaws.com");
    expect(perms.map((p) => p.inputs.sourceArn)).toEqual(subs.map((s) => s.inputs.topic));
  });

  it("alarms: per check (the worst subject), per bounce layer and region, the function's errors and the heartbeat (missing data breaches), all to the us-east-1 alerts topic, which lets them publish", () => {
    const alarms = run.byType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.parent?.endsWith("::watch"));
    const topic = `arn:aws:sns:us-east-1:${A}:mail-infra-prod-alerts`;
    for (const a of alarms) expect([a.inputs.region, a.inputs.alarmActions, a.inputs.okActions]).toEqual(["us-east-1", [topic], [topic]]);
    const mailFrom = alarms.find((a) => a.inputs.name === "mail-infra-prod-watch-ses.identity.mail-from")!;
    expect(mailFrom.inputs).toMatchObject({ namespace: "MailInfra/Watch", metricName: "CheckFailed", dimensions: { Stack: "prod", Check: "ses.identity.mail-from" }, statistic: "Maximum", period: 3600, threshold: 1 });
    expect(mailFrom.inputs.alarmDescription).toContain("npm run verify -- --stack prod --only ses");
    const heartbeat = alarms.find((a) => a.inputs.name === "mail-infra-prod-watch-not-running")!;
    expect(heartbeat.inputs).toMatchObject({ metricName: "Runs", statistic: "Sum", period: 7200, comparisonOperator: "LessThanThreshold", threshold: 1, treatMissingData: "breaching" });
    expect(alarms.find((a) => a.inputs.name === "mail-infra-prod-watch-errors")!.inputs).toMatchObject({ namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: "mail-infra-prod-watch" } });
    const policy = json(run.byType("aws:sns/topicPolicy:TopicPolicy").find((p) => p.name === "monitoring-us-east-1-alerts-policy")!.inputs.policy) as {
      Statement: { Sid: string; Condition: { ArnEquals: { "aws:SourceArn": string[] } } }[];
    };
    const allowed = policy.Statement.find((s) => s.Sid === "AllowReputationAlarms")!.Condition.ArnEquals["aws:SourceArn"];
    for (const a of alarms) expect(allowed).toContain(`arn:aws:cloudwatch:us-east-1:${A}:alarm:${a.inputs.name}`);
  });

  it("the manifest's watch section names the function, schedule, queue and every alarm", () => {
    const m = parseManifest(run.outputs.verification, "verification");
    expect(m.watch).toMatchObject({ functionName: "mail-infra-prod-watch", region: "us-east-1", scheduleName: "mail-infra-prod-watch", schedule: "rate(1 hour)", scheduleMinutes: 60, queueName: "mail-infra-prod-watch-failed" });
    expect(m.watch!.alarms).toHaveLength(ALL_WATCH_CHECKS.length + 6);
  });
});

/** The forwarding of change events: the watch bus, the rules of other regions, the rules on the bus, the role. */
function forwarding(run: TestRun) {
  const watched = run.resources.filter((r) => r.parent?.endsWith("::watch"));
  const bus = watched.find((r) => r.type === "aws:cloudwatch/eventBus:EventBus");
  const rules = watched.filter((r) => r.type === "aws:cloudwatch/eventRule:EventRule");
  const targets = watched.filter((r) => r.type === "aws:cloudwatch/eventTarget:EventTarget");
  const target = (rule: RecordedResource) => targets.find((t) => t.inputs.rule === rule.inputs.name && t.inputs.region === rule.inputs.region)!;
  const primary = watched.find((r) => r.type === "aws:lambda/function:Function")!.inputs.region;
  const forwarders = rules
    .filter((r) => r.inputs.region !== primary)
    .map((r) => [r.inputs.region, r.inputs.name, json(r.inputs.eventPattern), target(r).inputs.arn, target(r).inputs.roleArn] as const)
    .sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
  const onBus = rules
    .filter((r) => r.inputs.eventBusName !== undefined)
    .map((r) => {
      expect([r.inputs.region, r.inputs.eventBusName, target(r).inputs.eventBusName]).toEqual([primary, bus?.inputs.name, bus?.inputs.name]);
      const perm = watched.find((p) => p.type === "aws:lambda/permission:Permission" && p.name === `${r.name}-permission`)!;
      return [r.inputs.name, json(r.inputs.eventPattern), target(r).inputs.arn, perm.inputs.sourceArn] as const;
    })
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const role = watched.find((r) => r.type === "aws:iam/role:Role" && String(r.inputs.name).endsWith("-forward"));
  const policy = watched.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && r.name.endsWith("forward-role-policy"));
  const busPolicy = watched.find((r) => r.type === "aws:cloudwatch/eventBusPolicy:EventBusPolicy");
  if (busPolicy) expect([busPolicy.inputs.region, busPolicy.inputs.eventBusName]).toEqual([primary, bus?.inputs.name]);
  return {
    bus: bus ? { region: bus.inputs.region, name: bus.inputs.name } : undefined,
    forwarders,
    onBus,
    trust: role ? json(role.inputs.assumeRolePolicy) : undefined,
    policy: policy ? json(policy.inputs.policy) : undefined,
    busPolicy: busPolicy ? json(busPolicy.inputs.policy) : undefined,
  };
}

describe("change events outside the function's region", () => {
  it("eu-west-1 primary with us-west-2: us-east-1 forwards IAM changes (and no SES: not an SES region there), us-west-2 forwards SES changes", async () => {
    const run = await runWithConfig({ ...WATCH, regions: ["eu-west-1", "us-west-2"], senders: ["address=admin@queenofsandiego.com; kind=smtp-client; region=eu-west-1"] }, "prod");
    const user = run.one("aws:iam/user:User").inputs.name as string;
    const bus = `arn:aws:events:eu-west-1:${A}:event-bus/mail-infra-prod-watch`;
    const role = `arn:aws:iam::${A}:role/mail-infra-prod-watch-forward`;
    const fn = `arn:aws:lambda:eu-west-1:${A}:function:mail-infra-prod-watch`;
    const f = forwarding(run);
    expect(f.bus).toEqual({ region: "eu-west-1", name: "mail-infra-prod-watch" });
    expect(f.forwarders).toEqual([
      ["us-east-1", "mail-infra-prod-watch-iam-forward", iamEventPattern(user), bus, role],
      ["us-west-2", "mail-infra-prod-watch-ses-forward", sesEventPattern(), bus, role],
    ]);
    expect(f.onBus).toEqual([
      ["mail-infra-prod-watch-iam-forwarded", iamEventPattern(user), fn, `arn:aws:events:eu-west-1:${A}:rule/mail-infra-prod-watch/mail-infra-prod-watch-iam-forwarded`],
      ["mail-infra-prod-watch-ses-forwarded", sesEventPattern(), fn, `arn:aws:events:eu-west-1:${A}:rule/mail-infra-prod-watch/mail-infra-prod-watch-ses-forwarded`],
    ]);
    expect(f.policy).toEqual({ Version: "2012-10-17", Statement: [{ Sid: "ForwardToWatchBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: bus }] });
    // The function's own region keeps its direct rules (ses, secret), no iam rule there.
    const direct = run.byType("aws:cloudwatch/eventRule:EventRule").filter((r) => r.parent?.endsWith("::watch") && r.inputs.region === "eu-west-1" && r.inputs.eventBusName === undefined);
    expect(direct.map((r) => r.inputs.name).sort()).toEqual(["mail-infra-prod-watch-secret-changes", "mail-infra-prod-watch-ses-changes"]);
  });

  it("every region other than the function's forwards (three SES regions)", async () => {
    const run = await runWithConfig({ ...WATCH, regions: ["us-east-1", "us-west-2", "eu-west-1"] }, "prod");
    expect(forwarding(run).forwarders.map(([region, name]) => `${region} ${name}`)).toEqual(["eu-west-1 mail-infra-prod-watch-ses-forward", "us-west-2 mail-infra-prod-watch-ses-forward"]);
  });

  it("one region that is us-east-1: nothing to forward, no bus, no forward role", async () => {
    const run = await runWithConfig({ ...WATCH, regions: ["us-east-1"] }, "prod");
    expect(forwarding(run)).toEqual({ bus: undefined, forwarders: [], onBus: [], trust: undefined, policy: undefined, busPolicy: undefined });
  });
});

describe("without watch", async () => {
  const run = await runWithConfig(PROD_LIKE, "prod");
  it("nothing of the watch is declared and the manifest has no watch section", () => {
    expect(run.resources.filter((r) => r.type.startsWith("aws:lambda") || r.type.startsWith("aws:scheduler") || r.type === "mail-infra:watch:Watch")).toEqual([]);
    // No forwarding either: no event bus, no rule or role of the watch's.
    expect(run.resources.filter((r) => r.type.startsWith("aws:cloudwatch/eventBus") || String(r.inputs.name ?? "").includes("-watch"))).toEqual([]);
    expect(parseManifest(run.outputs.verification, "verification").watch).toBeUndefined();
  });
});

describe("watch config keys", () => {
  it("watch needs alertEmails", () => {
    const { alertEmails: _, ...noAlerts } = PROD_LIKE;
    expect(configIssues({ ...noAlerts, watch: "true" })).toEqual([
      "mail-infra:watch: is true, but mail-infra:alertEmails is empty: the watch's alarms mail the alerts topic, and without addresses nobody hears them. Set mail-infra:alertEmails, or remove watch.",
    ]);
  });
  it("watchSchedule is a rate between 5 minutes and 12 hours", () => {
    expect(configIssues({ ...PROD_LIKE, watch: "true", watchSchedule: "rate(30 minutes)" })).toEqual([]);
    expect(configIssues({ ...PROD_LIKE, watch: "true", watchSchedule: "cron(0 * * * ? *)" })[0]).toMatch(/^mail-infra:watchSchedule: "cron\(0 \* \* \* \? \*\)" is not a rate expression/);
    expect(configIssues({ ...PROD_LIKE, watchSchedule: "rate(1 minute)" })[0]).toMatch(/runs every 1 minutes. Choose between 5 minutes and 12 hours/);
    expect(configIssues({ ...PROD_LIKE, watchSchedule: "rate(13 hours)" })[0]).toMatch(/runs every 780 minutes/);
    expect(configIssues({ ...PROD_LIKE, watchSchedule: "rate(2 hour)" })[0]).toMatch(/wants rate\(2 hours\)/);
  });
  it("watchChecks takes layers and check ids, and refuses anything else", async () => {
    expect(configIssues({ ...PROD_LIKE, watch: "true", watchChecks: ["dns", "ses.identity.mail-from"] })).toEqual([]);
    expect(configIssues({ ...PROD_LIKE, watchChecks: ["smtp.auth"] })[0]).toMatch(/^mail-infra:watchChecks\[0\]: "smtp.auth" is not a layer \(ses, dns, relay\)/);
    const run = await runWithConfig({ ...WATCH, watchChecks: ["dns", "ses.identity.mail-from"] }, "prod");
    const checkAlarms = run.byType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.metricName === "CheckFailed");
    expect(checkAlarms.map((a) => (a.inputs.dimensions as Record<string, string>).Check)).toEqual(["ses.identity.mail-from", ...WATCH_CHECK_IDS.dns]);
  });
  it("watchBounceThreshold is a positive count", () => {
    expect(configIssues({ ...PROD_LIKE, watchBounceThreshold: 0 })).toEqual(["mail-infra:watchBounceThreshold: 0 is not a count of bounces from 1 to 100000."]);
  });
});
