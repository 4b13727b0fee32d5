import * as aws from "@pulumi/aws";
import { describe, expect, it } from "vitest";
import { configureTopicCustomerManagedKey as policy } from "../../../policies/sns/Topic/configureCustomerManagedKey";
import { expectPolicyShape, resourceArgs, runResourcePolicy } from "../harness";

const run = (kmsMasterKeyId?: string, region = "us-east-1") =>
  runResourcePolicy(policy, resourceArgs(aws.sns.Topic, { name: "t", region, ...(kmsMasterKeyId !== undefined ? { kmsMasterKeyId } : {}) }));
const messages = async (kmsMasterKeyId?: string, region?: string) => (await run(kmsMasterKeyId, region)).violations.map((v) => v.message);

describe(policy.name, () => {
  it("has the pack's metadata: advisory, naming the mail-infra key to set", () => {
    expectPolicyShape(policy, "advisory");
    expect(policy.remediationSteps).toContain("set mail-infra:snsKmsKeyId to that alias (alias/mail-sns)");
  });

  it.each(["alias/mail-sns", "mrk-1234abcd12ab34cd56ef1234567890ab", "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])(
    "passes the customer-managed key %s",
    async (key) => {
      expect(await run(key)).toEqual({ violations: [] });
    },
  );

  it("fails a topic without a key", async () => {
    expect(await messages()).toEqual(["t in us-east-1 has no customer-managed KMS key (no kmsMasterKeyId), so SNS keeps the bounce events and alerts it carries unencrypted at rest."]);
  });

  it.each(["alias/aws/sns", "arn:aws:kms:us-east-1:123456789012:alias/aws/sns"])("fails the AWS-managed key %s, which SES, CloudWatch and EventBridge cannot use", async (key) => {
    expect(await messages(key)).toEqual([expect.stringMatching(/^t in us-east-1: .* is the AWS-managed key of SNS\. Its key policy cannot be changed, so SES, CloudWatch alarms and EventBridge cannot use it/)]);
  });

  it("fails a key ARN of another region than the topic's", async () => {
    expect(await messages("arn:aws:kms:us-west-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")).toEqual([
      expect.stringContaining("is in us-west-2, but the stack has SNS topics in us-east-1 too, and SNS encrypts only with a key of the topic's region"),
    ]);
  });

  it("fails a value that is no key reference", async () => {
    expect(await messages("my key")).toEqual([expect.stringContaining("is not a KMS key reference")]);
  });
});
