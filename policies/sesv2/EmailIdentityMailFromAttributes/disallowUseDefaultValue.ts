import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { noteUnknown } from "../../util/unknown";

/**
 * MAIL FROM with BehaviorOnMxFailure USE_DEFAULT_VALUE (also SES's default when unset).
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/mail-from.html#mail-from-set
 */
export const disallowUseDefaultValue: ResourceValidationPolicy = {
  name: "aws-sesv2-emailidentitymailfromattributes-disallow-use-default-value",
  description: "Checks that a custom MAIL FROM domain rejects mail when its MX is missing (REJECT_MESSAGE).",
  enforcementLevel: "mandatory",
  remediationSteps:
    "With USE_DEFAULT_VALUE, which SES also uses when the setting is absent, a broken MX makes SES silently fall back to amazonses.com: mail keeps flowing but loses SPF alignment, and DMARC failures appear without any error. " +
    "Set mail-infra:mailFromBehaviorOnMxFailure to REJECT_MESSAGE (behaviorOnMxFailure on aws.sesv2.EmailIdentityMailFromAttributes), and keep the MAIL FROM MX record in place.",
  validateResource: validateResourceOfType(
    aws.sesv2.EmailIdentityMailFromAttributes,
    noteUnknown((mailFrom, _args, reportViolation) => {
      const behavior = mailFrom.behaviorOnMxFailure;
      if (behavior !== "REJECT_MESSAGE") {
        reportViolation(
          `The MAIL FROM ${mailFrom.mailFromDomain ?? "(none)"} of ${mailFrom.emailIdentity} has behaviorOnMxFailure ${behavior ?? "unset (SES uses USE_DEFAULT_VALUE)"}; if its MX disappears, SES sends with amazonses.com and SPF no longer aligns. Use REJECT_MESSAGE.`,
        );
      }
    }),
  ),
};
