import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { configureKmsKeyRegion as policy } from "../../../policies/secretsmanager/Secret/configureKmsKeyRegion";
import { expectPolicyShape, resourceArgs, runResourcePolicy, UNKNOWN } from "../harness";

const KEY_USW2 = "arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const run = (props: { kmsKeyId?: string; region?: string }, providerRegion?: string) => {
  const args = resourceArgs(aws.secretsmanager.Secret, { name: "s", ...props });
  if (providerRegion) args.provider = { type: "pulumi:providers:aws", name: "default", urn: "urn:provider", props: { region: providerRegion } };
  return runResourcePolicy(policy, args);
};

describe(policy.name, () => {
  it("has the pack's metadata", () => expectPolicyShape(policy, "mandatory"));

  it("passes a key ARN of the secret's region, and aliases and key ids (they resolve there)", async () => {
    expect(await run({ kmsKeyId: KEY_USW2, region: "us-west-2" })).toEqual({ violations: [] });
    expect(await run({ kmsKeyId: "alias/mail", region: "us-east-1" })).toEqual({ violations: [] });
    expect(await run({ kmsKeyId: "1234abcd-12ab-34cd-56ef-1234567890ab", region: "us-east-1" })).toEqual({ violations: [] });
  });

  it("fails a key ARN of another region than the secret's own", async () => {
    expect((await run({ kmsKeyId: KEY_USW2, region: "us-east-1" })).violations.map((v) => v.message)).toEqual([
      expect.stringMatching(/^s: the KMS key "arn:aws:kms:us-west-2:.*is in us-west-2, but the secret is in us-east-1: Secrets Manager encrypts only with a key of the secret's own region/),
    ]);
  });

  it("takes the provider's region when the secret names none", async () => {
    expect((await run({ kmsKeyId: KEY_USW2 }, "eu-west-1")).violations).toHaveLength(1);
    expect(await run({ kmsKeyId: KEY_USW2 }, "us-west-2")).toEqual({ violations: [] });
  });

  it("does not apply to the AWS-managed key, nor without any region", async () => {
    expect((await run({ region: "us-east-1" })).notApplicable).toBe("The secret uses the AWS-managed key.");
    expect((await run({ kmsKeyId: KEY_USW2 })).notApplicable).toBe("Neither the secret nor its provider names a region.");
  });

  it("says what it could not check when the key is unknown (preview)", async () => {
    expect((await run({ kmsKeyId: UNKNOWN, region: "us-east-1" })).notChecked).toMatch(/^not checked at preview: test: \.kmsKeyId is unknown/);
  });
});
