import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { missingDescription as policy } from "../../../policies/secretsmanager/Secret/missingDescription";
import { expectPolicyShape, resourceArgs, runResourcePolicy } from "../harness";

const run = (description?: string) =>
  runResourcePolicy(policy, resourceArgs(aws.secretsmanager.Secret, { name: "mail-infra/prod/ses-smtp", ...(description !== undefined ? { description } : {}) }));

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "advisory"));

  it("passes a described secret", async () => {
    expect(await run("SES SMTP credentials managed by mail-infra.")).toEqual({ violations: [] });
  });

  it.each([undefined, "", "   "])("fails description %j", async (description) => {
    expect((await run(description)).violations.map((v) => v.message)).toEqual(["mail-infra/prod/ses-smtp has no description."]);
  });

  it("is not applicable to other resource types", async () => {
    expect((await runResourcePolicy(policy, resourceArgs(aws.iam.User, { name: "u" }))).notApplicable).toBeDefined();
  });
});
