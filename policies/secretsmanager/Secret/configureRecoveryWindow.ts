import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { noteUnknown } from "../../util/unknown";

export interface ConfigureRecoveryWindowConfig {
  /** The shortest recovery window accepted, in days (Secrets Manager allows 7 to 30). */
  minimumDays?: number;
}

export const DEFAULT_MINIMUM_RECOVERY_WINDOW_DAYS = 7;
/** Secrets Manager's default when recoveryWindowInDays is not set. */
const SECRETS_MANAGER_DEFAULT_WINDOW_DAYS = 30;

/**
 * A secret that can be deleted at once, or restored for too short a time.
 *
 * @link https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html
 */
export const configureRecoveryWindow: ResourceValidationPolicy = {
  name: "aws-secretsmanager-secret-configure-recovery-window",
  description: "Checks that a Secrets Manager secret keeps a recovery window of at least 7 days (configurable).",
  enforcementLevel: "mandatory",
  remediationSteps:
    "A recoveryWindowInDays of 0 deletes the secret at once. The SMTP secret holds the only copy of the SMTP passwords; a mistaken delete without a window loses them at once, and every relay stops until the key is rotated and each relay is updated by hand. " +
    "Set mail-infra:smtpSecretRecoveryWindowDays to 7-30 (recoveryWindowInDays on aws.secretsmanager.Secret); 30 is the default.",
  configSchema: {
    properties: {
      minimumDays: {
        type: "integer",
        minimum: 7,
        maximum: 30,
        default: DEFAULT_MINIMUM_RECOVERY_WINDOW_DAYS,
        description: "The shortest recovery window accepted, in days.",
      },
    },
  },
  validateResource: validateResourceOfType(
    aws.secretsmanager.Secret,
    noteUnknown((secret, args, reportViolation) => {
      const minimum = args.getConfig<ConfigureRecoveryWindowConfig>().minimumDays ?? DEFAULT_MINIMUM_RECOVERY_WINDOW_DAYS;
      const days = secret.recoveryWindowInDays ?? SECRETS_MANAGER_DEFAULT_WINDOW_DAYS;
      const name = secret.name ?? "the secret";
      if (days === 0) {
        reportViolation(`${name} has recoveryWindowInDays 0: deleting it removes it at once, with no way to restore it. Use at least ${minimum} days.`);
      } else if (days < minimum) {
        reportViolation(`${name} can be restored for only ${days} days after deletion; at least ${minimum} are required.`);
      }
    }),
  ),
};
