import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { missingWatch as policy } from "../../../policies/sesv2/EmailIdentity/missingWatch";
import { entry, expectPolicyShape, runStackPolicy, stackArgs, urnOf } from "../harness";
import { find, goodStack, without } from "../stack-fixture";

const run = (entries: Parameters<typeof stackArgs>[0]) => runStackPolicy(policy, stackArgs(entries));
const watchEntries = () => [
  entry(aws.lambda.Function, "watch-function", { region: "us-east-1", name: "mail-infra-test-watch", runtime: "nodejs24.x", architectures: ["arm64"] }),
  entry(aws.scheduler.Schedule, "watch-schedule", { region: "us-east-1", name: "mail-infra-test-watch", scheduleExpression: "rate(1 hour)" }),
];

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "advisory"));

  it("passes a stack with SMTP credentials and the watch's function and schedule", async () => {
    expect(await run([...goodStack(), ...watchEntries()])).toEqual({ violations: [] });
  });

  it("fails a stack with SMTP credentials and no watch, at the access key, naming the identities", async () => {
    const stack = goodStack(["us-east-1", "eu-south-1"]);
    expect((await run(stack)).violations).toEqual([
      {
        urn: urnOf(find(stack, "smtp-key-gen1")),
        message:
          "example.com in us-east-1, example.com in eu-south-1 are used with SMTP credentials, but no scheduled function checks the mail path (no Lambda function): a broken MAIL FROM, DKIM or SPF record, or a stale relay key, is found only when someone runs verify.",
      },
    ]);
  });

  it("fails a function without a schedule", async () => {
    const stack = [...goodStack(), watchEntries()[0]];
    expect((await run(stack)).violations.map((v) => v.message)).toEqual([expect.stringContaining("(no EventBridge Scheduler schedule)")]);
  });

  it("does not apply without SMTP credentials", async () => {
    expect((await run(without(goodStack(), "smtp-key-gen1"))).notApplicable).toBe("The stack has no SES identity used with SMTP credentials.");
  });
});
