/**
 * Which region a KMS key ARN names, and the two rules built on it (lib/aws-ids.ts): a secret
 * needs a key of its own region, and SNS topics a key of each topic's region (or an alias or a
 * multi-Region key id); the AWS-managed aws/sns key is refused. ARN format: partition, service
 * kms, region, account (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id).
 */
import { describe, expect, it } from "vitest";
import { kmsKeyArnLocation, kmsKeyRegionProblem, snsTopicKeyProblem } from "../../lib/aws-ids";

const KEY = "1234abcd-12ab-34cd-56ef-1234567890ab";
const east = `arn:aws:kms:us-east-1:111122223333:key/${KEY}`;
/** Short enough to be echoed whole in a message (lib/text shown). */
const eastAlias = "arn:aws:kms:us-east-1:111122223333:alias/mail";

describe("kmsKeyArnLocation", () => {
  it("reads the partition and the region of a key or alias ARN, in any case and with surrounding spaces", () => {
    expect(kmsKeyArnLocation(east)).toEqual({ partition: "aws", region: "us-east-1" });
    expect(kmsKeyArnLocation("arn:aws:kms:eu-west-1:111122223333:alias/mail")).toEqual({ partition: "aws", region: "eu-west-1" });
    expect(kmsKeyArnLocation(`arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/${KEY}`)).toEqual({ partition: "aws-us-gov", region: "us-gov-west-1" });
    expect(kmsKeyArnLocation(`arn:aws-cn:kms:cn-north-1:111122223333:key/${KEY}`)).toEqual({ partition: "aws-cn", region: "cn-north-1" });
    expect(kmsKeyArnLocation(`ARN:AWS:KMS:US-EAST-1:111122223333:key/${KEY}`)).toEqual({ partition: "aws", region: "us-east-1" });
    expect(kmsKeyArnLocation(`  ${east}\n`)).toEqual({ partition: "aws", region: "us-east-1" });
    // The region's number is not limited to one digit (the key id check accepts it too).
    expect(kmsKeyArnLocation(`arn:aws:kms:ap-southeast-10:111122223333:key/${KEY}`)).toEqual({ partition: "aws", region: "ap-southeast-10" });
  });
  it("is undefined for a key id, an alias name, or text that only contains an ARN", () => {
    expect(kmsKeyArnLocation(KEY)).toBeUndefined();
    expect(kmsKeyArnLocation("alias/mail")).toBeUndefined();
    expect(kmsKeyArnLocation(`the key ${east}`)).toBeUndefined();
  });
});

describe("kmsKeyRegionProblem: a secret needs a key of its own region", () => {
  it("accepts a key ARN of the secret's region (region written in any case, with spaces), and any key id or alias", () => {
    expect(kmsKeyRegionProblem(east, "us-east-1")).toBeUndefined();
    expect(kmsKeyRegionProblem(east, " US-East-1 ")).toBeUndefined();
    expect(kmsKeyRegionProblem("alias/mail", "eu-west-1")).toBeUndefined();
  });
  it("refuses a key ARN of another region, naming both", () => {
    expect(kmsKeyRegionProblem(eastAlias, "eu-west-1")).toBe(
      `the KMS key "${eastAlias}" is in us-east-1, but the secret is in eu-west-1: Secrets Manager encrypts only with a key of the secret's own region, so storing the secret fails. Use a key (or a multi-region key's replica) in eu-west-1.`,
    );
  });
});

describe("snsTopicKeyProblem: a key every topic's region can use", () => {
  it("refuses the AWS-managed key of SNS, by alias name or alias ARN", () => {
    const why =
      " is the AWS-managed key of SNS. Its key policy cannot be changed, so SES, CloudWatch alarms and EventBridge cannot use it: the bounce events and the alerts would be dropped. " +
      'Use a customer-managed key whose policy lets those services use it (docs/monitoring.md, "Encrypted topics").';
    expect(snsTopicKeyProblem("alias/aws/sns", ["us-east-1"])).toBe(`"alias/aws/sns"${why}`);
    expect(snsTopicKeyProblem("arn:aws:kms:us-east-1:111122223333:alias/aws/sns", ["us-east-1"])).toBe(`"arn:aws:kms:us-east-1:111122223333:alias/aws/sns"${why}`);
    // Other partitions' alias ARNs (aws-us-gov, aws-cn) too.
    const gov = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/aws/sns";
    expect(snsTopicKeyProblem(gov, ["us-gov-west-1"])).toBe(`"${gov}"${why}`);
    // A customer's own alias may hold alias/aws/sns further in (only names that start with alias/aws/ are AWS's).
    expect(snsTopicKeyProblem("alias/team/alias/aws/sns", ["us-east-1"])).toBeUndefined();
    // And only alias/aws/sns itself: a longer name that starts with it is no key of SNS's (AWS
    // names its managed keys alias/aws/<service>); KMS, not this rule, says such an alias is not found.
    expect(snsTopicKeyProblem("alias/aws/sns-archive", ["us-east-1"])).toBeUndefined();
  });
  it("a key ARN serves only topics of its region; the others are listed once each", () => {
    expect(snsTopicKeyProblem(east, ["us-east-1", " US-EAST-1 "])).toBeUndefined();
    expect(snsTopicKeyProblem(eastAlias, ["us-east-1", "us-west-2", "eu-west-1", "us-west-2"])).toBe(
      `the KMS key "${eastAlias}" is in us-east-1, but the stack has SNS topics in us-west-2, eu-west-1 too, and SNS encrypts only with a key of the topic's region. ` +
        "Name the key by an alias created in each of these regions (alias/mail-sns) or by a multi-Region key id (mrk-…) replicated to them.",
    );
  });
  it("an alias or a multi-Region key id serves every region; a malformed reference gets the key id rule's message", () => {
    expect(snsTopicKeyProblem("alias/mail-sns", ["us-east-1", "us-west-2"])).toBeUndefined();
    expect(snsTopicKeyProblem("mrk-1234abcd12ab34cd56ef1234567890ab", ["us-east-1", "us-west-2"])).toBeUndefined();
    expect(snsTopicKeyProblem("my key", ["us-east-1"])).toMatch(/^"my key" is not a KMS key reference\./);
  });
});
