import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { kmsKeyRegionProblem } from "../../../lib/aws-ids";
import { str } from "../../util/values";
import { noteUnknown } from "../../util/unknown";

/**
 * A secret whose KMS key ARN is in another region than the secret.
 *
 * @link https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
 */
export const configureKmsKeyRegion: ResourceValidationPolicy = {
  name: "aws-secretsmanager-secret-configure-kms-key-region",
  description: "Checks that a Secrets Manager secret's KMS key is in the secret's own region.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Secrets Manager encrypts a secret only with a KMS key of its own region, so a key ARN of another region fails CreateSecret and PutSecretValue and the SMTP password is never stored. " +
    "Use a key in the secret's region (the primary region, the first of mail-infra:regions), or that region's replica of a multi-region key; an alias or key id always resolves in the secret's region.",
  validateResource: validateResourceOfType(
    aws.secretsmanager.Secret,
    noteUnknown((secret, args, reportViolation) => {
      const key = (secret.kmsKeyId ?? "").trim();
      if (key === "") return args.notApplicable("The secret uses the AWS-managed key.");
      // The resource's own region (aws v7), else its provider's: where the secret is created.
      const region = secret.region ?? str(args.provider?.props.region);
      if (region === undefined) return args.notApplicable("Neither the secret nor its provider names a region.");
      const problem = kmsKeyRegionProblem(key, region);
      if (problem) reportViolation(`${secret.name ?? "The secret"}: ${problem}`);
    }),
  ),
};
