import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { snsTopicKeyProblem } from "../../../lib/aws-ids";
import { noteUnknown } from "../../util/unknown";

/**
 * An SNS topic of the stack (the SES events topic of a region, the alerts topic) that is not
 * encrypted with a customer-managed KMS key, or with a key SES, CloudWatch and EventBridge
 * cannot use. Advisory: unencrypted topics work, and a key whose policy misses a service drops
 * that service's messages silently, which is worse than no key; the stack opts in with
 * mail-infra:snsKmsKeyId once the key policy is in place (docs/monitoring.md).
 *
 * @link https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html
 * @link https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services
 */
export const configureTopicCustomerManagedKey: ResourceValidationPolicy = {
  name: "aws-sns-topic-configure-customer-managed-key",
  description: "Checks that an SNS topic is encrypted with a customer-managed KMS key that SES, CloudWatch and EventBridge can use.",
  enforcementLevel: "advisory",
  remediationSteps:
    "The events topics carry every bounce and complaint (recipient addresses, subjects) and the alerts topics the account's change alerts; without a key SNS stores them unencrypted at rest, " +
    "and the AWS-managed key aws/sns cannot be used by SES, CloudWatch alarms or EventBridge (its policy cannot be edited), so their messages would be dropped. " +
    "Create a customer-managed key whose policy allows ses.amazonaws.com, cloudwatch.amazonaws.com and events.amazonaws.com kms:GenerateDataKey* and kms:Decrypt (docs/monitoring.md, \"Encrypted topics\"), " +
    "give it the same alias in every region of the stack, and set mail-infra:snsKmsKeyId to that alias (alias/mail-sns).",
  validateResource: validateResourceOfType(
    aws.sns.Topic,
    noteUnknown((topic, _args, reportViolation) => {
      const name = topic.name ?? "The topic";
      const region = topic.region ?? "its region";
      const key = (topic.kmsMasterKeyId ?? "").trim();
      if (key === "") {
        reportViolation(`${name} in ${region} has no customer-managed KMS key (no kmsMasterKeyId), so SNS keeps the bounce events and alerts it carries unencrypted at rest.`);
        return;
      }
      const problem = snsTopicKeyProblem(key, topic.region ? [topic.region] : []);
      if (problem) reportViolation(`${name} in ${region}: ${problem}`);
    }),
  ),
};
