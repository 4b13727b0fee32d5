import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackManifest } from "../lib/manifest";
import { iamEventPattern, IAM_EVENTS_REGION, secretEventPattern, sesEventPattern } from "../lib/monitoring";
import { regionalArn } from "../lib/regions";
import {
  scheduleInput,
  watchAlarms,
  watchBusArn,
  watchBusName,
  watchBusPolicy,
  type WatchConfig,
  WATCH_DLQ_RETENTION_SECONDS,
  watchExecutionPolicy,
  watchForwardedRuleName,
  watchForwardPolicy,
  watchForwarding,
  watchForwardRoleName,
  watchForwardRuleName,
  watchFunctionName,
  WATCH_LOG_RETENTION_DAYS,
  watchLogGroupName,
  WATCH_MANIFEST_FILE,
  WATCH_MEMORY_MB,
  watchQueueName,
  WATCH_RESERVED_CONCURRENCY,
  watchRoleName,
  type WatchRulePurpose,
  watchRuleName,
  watchScheduleName,
  WATCH_TIMEOUT_SECONDS,
} from "../lib/watch";

/**
 * The bundle scripts/build.cjs writes (npm ci's `prepare`, npm run build). From components/ in
 * the sources and from bin/ in the CLI bundles alike, it is <root>/bin/watch-lambda/index.js.
 * Under Pulumi mocks the archive is never read; the real engine reads it at preview.
 */
export const WATCH_BUNDLE = path.join(__dirname, "..", "bin", "watch-lambda", "index.js");

/** One SES event topic the function subscribes to. */
export interface WatchEventTopic {
  /** Resource-name part, e.g. example.com-us-east-1. */
  key: string;
  region: string;
  topicArn: pulumi.Input<string>;
}

export interface WatchArgs {
  stack: string;
  config: WatchConfig;
  /** The region of the function, schedule, rules and alarms: the primary SES region. */
  region: string;
  sesRegions: readonly string[];
  /** The stack's verification manifest: packaged with the function, and the source of the role's ARNs. */
  manifest: pulumi.Input<StackManifest>;
  eventTopics: readonly WatchEventTopic[];
  /** The alerts topic in `region` (components/Monitoring). */
  alertsTopicArn: pulumi.Input<string>;
  smtpUserName: pulumi.Input<string>;
  secretName: string;
  secretRegion: string;
  accountId: pulumi.Input<string>;
  tags?: Record<string, string>;
}

/**
 * Watch (issue 19): one Lambda function (Node.js 24, arm64) running verify's ses, dns and relay
 * checks on an EventBridge Scheduler schedule and after IAM, SES and secret changes (EventBridge
 * rules with monitoring's patterns, in the function's region), and diagnosing every SES event of
 * the stack's configuration sets (SNS subscriptions to the per-region event topics). It writes
 * CloudWatch metrics through its log (EMF); alarms on them mail the alerts topic. lib/watch.ts
 * is the table of names, metrics and alarms. Nothing here is protected: recreating any of it
 * loses no mail.
 */
export class Watch extends pulumi.ComponentResource {
  readonly function: aws.lambda.Function;
  readonly schedule: aws.scheduler.Schedule;
  readonly alarms: aws.cloudwatch.MetricAlarm[];

  constructor(name: string, args: WatchArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mail-infra:watch:Watch", name, {}, opts);
    const child: pulumi.CustomResourceOptions = { parent: this };
    const { stack, region, tags } = args;
    const accountId = pulumi.output(args.accountId);
    const manifest = pulumi.output(args.manifest);
    const functionName = watchFunctionName(stack);
    const functionArn = accountId.apply((a) => regionalArn("lambda", region, a, `function:${functionName}`));

    const queue = new aws.sqs.Queue(
      `${name}-failed`,
      { region, name: watchQueueName(stack), messageRetentionSeconds: WATCH_DLQ_RETENTION_SECONDS, sqsManagedSseEnabled: true, tags },
      child,
    );
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-log`, { region, name: watchLogGroupName(stack), retentionInDays: WATCH_LOG_RETENTION_DAYS, tags }, child);

    const role = new aws.iam.Role(
      `${name}-role`,
      {
        name: watchRoleName(stack),
        description: `mail-infra ${stack}: the watch function's execution role (read-only on what verify's ses, dns and relay checks read).`,
        assumeRolePolicy: accountId.apply((a) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": a } } }],
          }),
        ),
        tags,
      },
      child,
    );
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-role-policy`,
      {
        role: role.name,
        name: "watch-read-only",
        policy: pulumi.all([manifest, logGroup.arn, queue.arn]).apply(([m, log, q]) => JSON.stringify(watchExecutionPolicy(m, log, q))),
      },
      child,
    );

    // The bundle and the stack's own manifest, in one archive: a new manifest is a new version.
    const code = manifest.apply(
      (m) =>
        new pulumi.asset.AssetArchive({
          "index.js": new pulumi.asset.FileAsset(WATCH_BUNDLE),
          [WATCH_MANIFEST_FILE]: new pulumi.asset.StringAsset(JSON.stringify(m)),
        }),
    );
    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        region,
        name: functionName,
        description: `mail-infra ${stack}: verify's ses, dns and relay checks on a schedule and after changes; diagnose on every SES event.`,
        runtime: aws.lambda.Runtime.NodeJS24dX,
        architectures: ["arm64"],
        handler: "index.handler",
        code,
        role: role.arn,
        timeout: WATCH_TIMEOUT_SECONDS,
        memorySize: WATCH_MEMORY_MB,
        reservedConcurrentExecutions: WATCH_RESERVED_CONCURRENCY,
        deadLetterConfig: { targetArn: queue.arn },
        loggingConfig: { logFormat: "Text", logGroup: logGroup.name },
        environment: { variables: { WATCH_STACK: stack, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" } },
        tags,
      },
      // The role must be able to log and queue before the first invocation.
      { ...child, dependsOn: [rolePolicy, logGroup] },
    );

    // The schedule: Scheduler assumes its own role to invoke the function.
    const schedulerRole = new aws.iam.Role(
      `${name}-scheduler-role`,
      {
        name: `${watchRoleName(stack)}-scheduler`,
        description: `mail-infra ${stack}: lets the watch schedule invoke the watch function.`,
        assumeRolePolicy: accountId.apply((a) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": a } } }],
          }),
        ),
        tags,
      },
      child,
    );
    const schedulerPolicy = new aws.iam.RolePolicy(
      `${name}-scheduler-role-policy`,
      { role: schedulerRole.name, name: "invoke-watch", policy: functionArn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: arn }] })) },
      child,
    );
    this.schedule = new aws.scheduler.Schedule(
      `${name}-schedule`,
      {
        region,
        name: watchScheduleName(stack),
        description: `mail-infra ${stack}: run the watch's checks.`,
        scheduleExpression: args.config.schedule.expression,
        flexibleTimeWindow: { mode: "OFF" },
        state: "ENABLED",
        target: { arn: this.function.arn, roleArn: schedulerRole.arn, input: scheduleInput(stack), retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 } },
      },
      { ...child, dependsOn: [schedulerPolicy] },
    );

    // After a change: monitoring's own patterns, in the function's region (a rule's Lambda target must be in the rule's region).
    const purposes: WatchRulePurpose[] = [...(region === IAM_EVENTS_REGION ? (["iam"] as const) : []), "ses", ...(region === args.secretRegion ? (["secret"] as const) : [])];
    const patternOf = (purpose: WatchRulePurpose): pulumi.Input<string> =>
      purpose === "iam"
        ? pulumi.output(args.smtpUserName).apply((u) => JSON.stringify(iamEventPattern(u)))
        : purpose === "ses"
          ? JSON.stringify(sesEventPattern())
          : accountId.apply((a) => JSON.stringify(secretEventPattern(args.secretName, args.secretRegion, a)));
    for (const purpose of purposes) {
      const pattern = patternOf(purpose);
      const rule = new aws.cloudwatch.EventRule(
        `${name}-${purpose}-rule`,
        { region, name: watchRuleName(stack, purpose), description: `mail-infra ${stack}: run the watch after ${purpose} changes.`, eventPattern: pattern, state: "ENABLED", tags },
        child,
      );
      const permission = new aws.lambda.Permission(
        `${name}-${purpose}-rule-permission`,
        { region, function: this.function.name, action: "lambda:InvokeFunction", principal: "events.amazonaws.com", sourceArn: rule.arn, sourceAccount: accountId },
        child,
      );
      new aws.cloudwatch.EventTarget(`${name}-${purpose}-rule-target`, { region, rule: rule.name, targetId: "watch-function", arn: this.function.arn }, { ...child, dependsOn: [permission] });
    }

    // After a change in another region: that region's default bus forwards the event (same
    // pattern) to the watch bus here, whose rule hands it to the function. Not the default bus
    // here: monitoring's own rules on it (same patterns, no region filter) would mail every
    // forwarded change a second time. Cross-region bus targets need a role that may
    // events:PutEvents on the target bus (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html,
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html).
    const forwarding = watchForwarding(region, args.sesRegions, args.secretRegion);
    if (forwarding.length > 0) {
      const bus = new aws.cloudwatch.EventBus(`${name}-bus`, { region, name: watchBusName(stack), description: `mail-infra ${stack}: change events forwarded to the watch from other regions.`, tags }, child);
      const busArn = accountId.apply((a) => watchBusArn(stack, region, a));
      const forwardRole = new aws.iam.Role(
        `${name}-forward-role`,
        {
          name: watchForwardRoleName(stack),
          description: `mail-infra ${stack}: lets the change rules of other regions forward their events to the watch bus in ${region}.`,
          assumeRolePolicy: accountId.apply((a) =>
            JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": a } } }],
            }),
          ),
          tags,
        },
        child,
      );
      const busPolicy = new aws.cloudwatch.EventBusPolicy(
        `${name}-bus-policy`,
        { region, eventBusName: bus.name, policy: pulumi.all([busArn, forwardRole.arn]).apply(([b, r]) => JSON.stringify(watchBusPolicy(b, r))) },
        child,
      );
      const forwardPolicy = new aws.iam.RolePolicy(
        `${name}-forward-role-policy`,
        { role: forwardRole.name, name: "put-events-watch-bus", policy: busArn.apply((arn) => JSON.stringify(watchForwardPolicy(arn))) },
        child,
      );
      // On the watch bus: the forwarded events (they keep source, detail-type and detail), by purpose, to the function.
      for (const purpose of [...new Set(forwarding.flatMap((f) => f.purposes))]) {
        const rule = new aws.cloudwatch.EventRule(
          `${name}-${purpose}-forwarded-rule`,
          {
            region,
            name: watchForwardedRuleName(stack, purpose),
            eventBusName: bus.name,
            description: `mail-infra ${stack}: run the watch after ${purpose} changes in ${forwarding.filter((f) => f.purposes.includes(purpose)).map((f) => f.region).join(", ")} (forwarded).`,
            eventPattern: patternOf(purpose),
            state: "ENABLED",
            tags,
          },
          child,
        );
        const permission = new aws.lambda.Permission(
          `${name}-${purpose}-forwarded-rule-permission`,
          { region, function: this.function.name, action: "lambda:InvokeFunction", principal: "events.amazonaws.com", sourceArn: rule.arn, sourceAccount: accountId },
          child,
        );
        new aws.cloudwatch.EventTarget(
          `${name}-${purpose}-forwarded-rule-target`,
          { region, rule: rule.name, eventBusName: bus.name, targetId: "watch-function", arn: this.function.arn },
          { ...child, dependsOn: [permission] },
        );
      }
      // In each other region: the same pattern on its default bus, forwarded to the watch bus.
      for (const f of forwarding) {
        for (const purpose of f.purposes) {
          const rule = new aws.cloudwatch.EventRule(
            `${name}-${f.region}-${purpose}-forward-rule`,
            {
              region: f.region,
              name: watchForwardRuleName(stack, purpose),
              description: `mail-infra ${stack}: forward ${purpose} changes in ${f.region} to the watch in ${region}.`,
              eventPattern: patternOf(purpose),
              state: "ENABLED",
              tags,
            },
            child,
          );
          new aws.cloudwatch.EventTarget(
            `${name}-${f.region}-${purpose}-forward-rule-target`,
            { region: f.region, rule: rule.name, targetId: "watch-bus", arn: busArn, roleArn: forwardRole.arn },
            { ...child, dependsOn: [forwardPolicy, busPolicy] },
          );
        }
      }
    }

    // Every SES event: SNS invokes the function across regions; the permission names the topic.
    for (const t of args.eventTopics) {
      const permission = new aws.lambda.Permission(
        `${name}-${t.key}-events-permission`,
        { region, function: this.function.name, action: "lambda:InvokeFunction", principal: "sns.amazonaws.com", sourceArn: t.topicArn, sourceAccount: accountId },
        child,
      );
      new aws.sns.TopicSubscription(`${name}-${t.key}-events`, { region: t.region, topic: t.topicArn, protocol: "lambda", endpoint: this.function.arn }, { ...child, dependsOn: [permission] });
    }

    this.alarms = watchAlarms(stack, functionName, args.config, args.sesRegions).map(
      (a) =>
        new aws.cloudwatch.MetricAlarm(
          `${name}-alarm-${a.name.slice(`mail-infra-${stack}-watch-`.length)}`,
          {
            region,
            name: a.name,
            alarmDescription: a.description,
            namespace: a.namespace,
            metricName: a.metricName,
            dimensions: { ...a.dimensions },
            statistic: a.statistic,
            period: a.periodSeconds,
            evaluationPeriods: a.evaluationPeriods,
            comparisonOperator: a.comparisonOperator,
            threshold: a.threshold,
            treatMissingData: a.treatMissingData,
            alarmActions: [args.alertsTopicArn],
            okActions: [args.alertsTopicArn],
            tags,
          },
          child,
        ),
    );

    this.registerOutputs({ functionArn: this.function.arn, scheduleArn: this.schedule.arn });
  }
}
