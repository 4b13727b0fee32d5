import * as aws from "@pulumi/aws";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { propText } from "../../util/stack";

/** IAM's limit of access keys per user (IAM and AWS STS quotas). */
export const IAM_ACCESS_KEYS_PER_USER = 2;

/**
 * More access keys for one user than IAM allows.
 *
 * @link https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export const disallowMoreThanTwo: StackValidationPolicy = {
  name: "aws-iam-accesskey-disallow-more-than-two",
  description: `Checks that no IAM user has more than ${IAM_ACCESS_KEYS_PER_USER} access keys in the stack, active or not.`,
  enforcementLevel: "mandatory",
  remediationSteps:
    "IAM refuses a third key, so the deployment fails halfway through a key rotation: the new SMTP password is never created while the relays still use the old one. " +
    "Rotate by raising mail-infra:smtpKeyGeneration by one: Pulumi creates the new key, then deletes the old one, so at most two exist. Delete keys left over from earlier rotations first.",
  validateStack: (args, reportViolation) => {
    const keys = args.resources.filter((r) => r.isType(aws.iam.AccessKey));
    if (keys.length === 0) args.notApplicable("The stack has no IAM access key.");
    const byUser = new Map<string, PolicyResource[]>();
    for (const k of keys) {
      const user = propText(k, "user");
      if (user !== undefined) byUser.set(user, [...(byUser.get(user) ?? []), k]);
    }
    for (const [user, userKeys] of byUser) {
      if (userKeys.length <= IAM_ACCESS_KEYS_PER_USER) continue;
      const userResource = args.resources.find((r) => r.isType(aws.iam.User) && propText(r, "name") === user);
      reportViolation(
        `The IAM user ${user} has ${userKeys.length} access keys (${userKeys.map((k) => k.name).join(", ")}), but IAM allows ${IAM_ACCESS_KEYS_PER_USER} per user, so creating the extra ones fails.`,
        (userResource ?? userKeys[IAM_ACCESS_KEYS_PER_USER] ?? userKeys[0])?.urn,
      );
    }
  },
};
