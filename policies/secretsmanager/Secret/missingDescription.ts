import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { noteUnknown } from "../../util/unknown";

/**
 * A secret without a description.
 *
 * @link https://docs.aws.amazon.com/secretsmanager/latest/userguide/create_secret.html
 */
export const missingDescription: ResourceValidationPolicy = {
  name: "aws-secretsmanager-secret-missing-description",
  description: "Checks that a Secrets Manager secret has a description.",
  enforcementLevel: "advisory",
  remediationSteps:
    "Whoever finds the secret in the console during an incident or a key rotation should learn from it what it holds, who manages it and how it is rotated, without opening its value. " +
    "Set description on the aws.secretsmanager.Secret: what it holds, that mail-infra manages it, and how to rotate it.",
  validateResource: validateResourceOfType(
    aws.secretsmanager.Secret,
    noteUnknown((secret, _args, reportViolation) => {
      if ((secret.description ?? "").trim() === "") {
        reportViolation(`${secret.name ?? "The secret"} has no description.`);
      }
    }),
  ),
};
