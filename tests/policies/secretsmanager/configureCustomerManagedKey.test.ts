import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { configureCustomerManagedKey as policy } from "../../../policies/secretsmanager/Secret/configureCustomerManagedKey";
import { expectPolicyShape, resourceArgs, runResourcePolicy } from "../harness";

const run = (kmsKeyId?: string, config: Record<string, unknown> = {}) =>
  runResourcePolicy(policy, resourceArgs(aws.secretsmanager.Secret, { name: "s", ...(kmsKeyId !== undefined ? { kmsKeyId } : {}) }, { config }));
const messages = async (kmsKeyId?: string, config: Record<string, unknown> = {}) => (await run(kmsKeyId, config)).violations.map((v) => v.message);

describe(policy.name, () => {
  it("has the pack's metadata: advisory, with an allow list", () => {
    expectPolicyShape(policy, "advisory");
    expect(policy.configSchema?.properties.allowedKeyIds).toMatchObject({ default: [] });
  });

  it.each(["alias/mail", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])("passes the customer-managed key %s", async (key) => {
    expect(await run(key)).toEqual({ violations: [] });
  });

  it("fails no key (the AWS-managed aws/secretsmanager)", async () => {
    expect(await messages()).toEqual(["s is encrypted with the AWS-managed key aws/secretsmanager (no kmsKeyId), so every principal that may read secrets in the account can decrypt it."]);
  });

  it("fails the AWS-managed key named explicitly", async () => {
    expect(await messages("arn:aws:kms:us-east-1:123456789012:alias/aws/secretsmanager")).toEqual([expect.stringContaining("AWS-managed key arn:aws:kms:us-east-1:123456789012:alias/aws/secretsmanager,")]);
  });

  it("fails a key outside the configured list", async () => {
    expect(await messages("alias/other", { allowedKeyIds: ["alias/mail"] })).toEqual(["s uses the KMS key alias/other, which is not one of the allowed keys (alias/mail)."]);
    expect(await run("alias/mail", { allowedKeyIds: ["alias/mail"] })).toEqual({ violations: [] });
  });

  it("is not applicable to other resource types", async () => {
    expect((await runResourcePolicy(policy, resourceArgs(aws.iam.User, { name: "u" }))).notApplicable).toBeDefined();
  });
});
