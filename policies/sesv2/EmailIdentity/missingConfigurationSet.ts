import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { noteUnknown } from "../../util/unknown";

/**
 * An identity without a default configuration set.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/managing-configuration-sets.html
 * @link https://docs.aws.amazon.com/ses/latest/dg/using-configuration-sets-in-email.html (SMTP and
 *   SendRawEmail name a configuration set with the header X-SES-CONFIGURATION-SET)
 */
export const missingConfigurationSet: ResourceValidationPolicy = {
  name: "aws-sesv2-emailidentity-missing-configuration-set",
  description: "Checks that an SES identity has a default configuration set.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Mail sent through SMTP uses a configuration set only when the message carries an X-SES-CONFIGURATION-SET header, which relays such as Gmail's \"Send mail as\" never add; without a default, the TLS requirement, the suppression list and the bounce and complaint events of the configuration set do not apply to that mail. " +
    "Set configurationSetName on the aws.sesv2.EmailIdentity to the configuration set declared for it (the program's SesIdentity component does this).",
  validateResource: validateResourceOfType(
    aws.sesv2.EmailIdentity,
    noteUnknown((identity, _args, reportViolation) => {
      if ((identity.configurationSetName ?? "").trim() === "") {
        reportViolation(`${identity.emailIdentity} has no default configuration set, so mail sent without one escapes its TLS, suppression and event settings.`);
      }
    }),
  ),
};
