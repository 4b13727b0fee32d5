import { describe, expect, it } from "vitest";
import { missingReputationAlarms as policy } from "../../../policies/sesv2/EmailIdentity/missingReputationAlarms";
import { expectPolicyShape, runStackPolicy, stackArgs, UNKNOWN, urnOf } from "../harness";
import { monitoringEntries } from "../monitoring-fixture";
import { find, goodStack } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "advisory"));

  it("passes bounce and complaint alarms with an action in every identity's region", async () => {
    expect(await run([...goodStack(["us-east-1", "eu-south-1"]), ...monitoringEntries(["us-east-1", "eu-south-1"])])).toEqual({ violations: [] });
  });

  it("passes while the alarms' action ARNs are unknown (preview): an action is declared", async () => {
    const stack = [...goodStack(), ...monitoringEntries()];
    for (const e of stack.filter((x) => x.type === "aws:cloudwatch/metricAlarm:MetricAlarm")) e.props.alarmActions = [UNKNOWN];
    expect(await run(stack)).toEqual({ violations: [] });
  });

  it("fails an identity without any reputation alarm, naming both metrics", async () => {
    const stack = goodStack();
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "identity-us-east-1")),
        message:
          "example.com in us-east-1 has no CloudWatch alarms on AWS/SES Reputation.BounceRate and AWS/SES Reputation.ComplaintRate in its region, so a rising rate goes unnoticed until SES reviews or pauses the account.",
      },
    ]);
  });

  it("fails the region whose alarms are elsewhere: alarms are per region", async () => {
    const stack = [...goodStack(["us-east-1", "eu-south-1"]), ...monitoringEntries(["us-east-1"])];
    expect((await run(stack)).violations.map((v) => v.urn)).toEqual([urnOf(find(stack, "identity-eu-south-1"))]);
  });

  it("fails a complaint alarm that notifies nobody, and says so", async () => {
    const stack = [...goodStack(), ...monitoringEntries()];
    for (const e of stack.filter((x) => x.props.metricName === "Reputation.ComplaintRate")) e.props.alarmActions = [];
    expect((await run(stack)).violations.map((v) => v.message)).toEqual([
      "example.com in us-east-1 has no CloudWatch alarm on AWS/SES Reputation.ComplaintRate in its region that notifies anyone (2 such alarms have no alarm action), so a rising rate goes unnoticed until SES reviews or pauses the account.",
    ]);
  });

  it("does not apply to a stack without SES identities", async () => {
    expect((await run(monitoringEntries())).notApplicable).toBe("The stack has no SES identity.");
  });
});
