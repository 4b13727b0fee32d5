import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { missingSubscription as policy } from "../../../policies/sns/Topic/missingSubscription";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, UNKNOWN, urnOf } from "../harness";
import { monitoringEntries, topicArnOf } from "../monitoring-fixture";
import { find, goodStack, without } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "advisory"));

  it("passes an alerts topic with an email subscription in each region", async () => {
    expect(await run([...goodStack(), ...monitoringEntries(["us-east-1", "us-west-2"])])).toEqual({ violations: [] });
  });

  it("fails an alerts topic without a subscription", async () => {
    const stack = without(monitoringEntries(["us-east-1", "us-west-2"]), "alerts-us-west-2-ops");
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "alerts-us-west-2")),
        message: "The alerts topic mail-infra-test-alerts in us-west-2 has no subscription, so the alarms and alerts sent to it reach nobody.",
      },
    ]);
  });

  it("fails a topic of any name that an alarm notifies, when nobody subscribes", async () => {
    const stack = [
      entry(aws.sns.Topic, "pager", { region: "us-east-1", name: "pager", arn: topicArnOf("us-east-1", "pager") }),
      entry(aws.cloudwatch.MetricAlarm, "bounce", { region: "us-east-1", namespace: "AWS/SES", metricName: "Reputation.BounceRate", alarmActions: [topicArnOf("us-east-1", "pager")] }),
    ];
    expect((await run(stack)).violations.map((v) => v.urn)).toEqual([urnOf(find(stack, "pager"))]);
  });

  it("does not count a subscription to the same name in another region", async () => {
    const stack = without(monitoringEntries(["us-east-1"]), "alerts-us-east-1-ops");
    stack.push(entry(aws.sns.TopicSubscription, "elsewhere", { region: "eu-west-1", topic: topicArnOf("eu-west-1"), protocol: "email", endpoint: "ops@example.com" }));
    expect((await run(stack)).violations).toHaveLength(1);
  });

  it("says it could not check while a subscription's topic is unknown (preview)", async () => {
    const stack = monitoringEntries(["us-east-1"]);
    find(stack, "alerts-us-east-1-ops").props.topic = UNKNOWN;
    expect(await run(stack)).toEqual({
      violations: [],
      notChecked: "not checked at preview: 1 subscription whose topic is unknown (alerts-us-east-1-ops) could be for mail-infra-test-alerts in us-east-1",
    });
  });

  it("a subscription with an unknown topic in another region does not stop the check", async () => {
    const stack = without(monitoringEntries(["us-east-1", "us-west-2"]), "alerts-us-west-2-ops");
    find(stack, "alerts-us-east-1-ops").props.topic = UNKNOWN;
    const outcome = await run(stack);
    expect(outcome.violations.map((v) => v.urn)).toEqual([urnOf(find(stack, "alerts-us-west-2"))]);
    expect(outcome.notChecked).toBe("not checked at preview: 1 subscription whose topic is unknown (alerts-us-east-1-ops) could be for mail-infra-test-alerts in us-east-1");
  });

  it("does not apply to a stack without alerts topics (the SES event topics are not alerts topics)", async () => {
    const stack = [...goodStack(), entry(aws.sns.Topic, "events", { region: "us-east-1", name: "mail-infra-example-com-ses-events" })];
    expect((await run(stack)).notApplicable).toBe("The stack has no alerts topic.");
  });
});
