import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { noteUnknown } from "../../util/unknown";

export interface ConfigureCustomerManagedKeyConfig {
  /** When not empty, the only KMS keys (ids, ARNs or aliases, as written) the secret may use. */
  allowedKeyIds?: string[];
}

/** AWS-managed keys are named alias/aws/<service>. */
function isAwsManagedKey(keyId: string): boolean {
  return /(^|:)alias\/aws\//.test(keyId);
}

/**
 * A secret encrypted with the AWS-managed key.
 *
 * @link https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 */
export const configureCustomerManagedKey: ResourceValidationPolicy = {
  name: "aws-secretsmanager-secret-configure-customer-managed-key",
  description: "Checks that a Secrets Manager secret is encrypted with a customer-managed KMS key (optionally one from a configured list).",
  enforcementLevel: "advisory",
  remediationSteps:
    "With the AWS-managed key aws/secretsmanager, anyone allowed to read secrets in the account can decrypt the SMTP passwords; a customer-managed key adds a key policy that decides who can, and its use is logged per key. " +
    "Create a KMS key for mail secrets and set mail-infra:smtpSecretKmsKeyId to its id, ARN or alias.",
  configSchema: {
    properties: {
      allowedKeyIds: {
        type: "array",
        items: { type: "string", minLength: 1 },
        default: [],
        description: "If not empty, the only KMS keys (id, ARN or alias, as written in the program) a secret may use.",
      },
    },
  },
  validateResource: validateResourceOfType(
    aws.secretsmanager.Secret,
    noteUnknown((secret, args, reportViolation) => {
      const name = secret.name ?? "The secret";
      const key = (secret.kmsKeyId ?? "").trim();
      const allowed = args.getConfig<ConfigureCustomerManagedKeyConfig>().allowedKeyIds ?? [];
      if (key === "" || isAwsManagedKey(key)) {
        reportViolation(`${name} is encrypted with the AWS-managed key ${key === "" ? "aws/secretsmanager (no kmsKeyId)" : key}, so every principal that may read secrets in the account can decrypt it.`);
      } else if (allowed.length > 0 && !allowed.includes(key)) {
        reportViolation(`${name} uses the KMS key ${key}, which is not one of the allowed keys (${allowed.join(", ")}).`);
      }
    }),
  ),
};
