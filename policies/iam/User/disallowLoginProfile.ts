import * as aws from "@pulumi/aws";
import type { StackValidationPolicy } from "@pulumi/policy";
import { propText, smtpUserNames } from "../../util/stack";

/**
 * An SMTP user that can sign in to the AWS console.
 *
 * @link https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_admin-change-user.html
 */
export const disallowLoginProfile: StackValidationPolicy = {
  name: "aws-iam-user-disallow-login-profile",
  description: "Checks that the SES SMTP user has no console login profile (password).",
  enforcementLevel: "mandatory",
  remediationSteps:
    "The user exists only to hold the access key behind the SMTP password; a console password is a second way in that nobody watches, and whoever guesses it can see and change the account's mail setup. " +
    "Delete the aws.iam.UserLoginProfile of the SMTP user; people who need the console get their own user or role.",
  validateStack: (args, reportViolation) => {
    const smtpUsers = smtpUserNames(args.resources);
    if (smtpUsers.size === 0) args.notApplicable("The stack has no SES SMTP user.");
    for (const r of args.resources) {
      if (!r.isType(aws.iam.UserLoginProfile)) continue;
      const user = propText(r, "user");
      if (user && smtpUsers.has(user)) {
        reportViolation(`The SMTP user ${user} has a console login profile (${r.name}); it must hold only its SMTP access key.`, r.urn);
      }
    }
  },
};
