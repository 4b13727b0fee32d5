import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { SUPPRESSED_REASONS } from "../../../lib/names";
import { noteUnknown } from "../../util/unknown";

/**
 * A configuration set that does not suppress addresses that bounced or complained.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/sending-email-suppression-list.html
 */
export const configureSuppression: ResourceValidationPolicy = {
  name: "aws-sesv2-configurationset-configure-suppression",
  description: `Checks that an SES configuration set adds addresses to the suppression list for ${SUPPRESSED_REASONS.join(" and ")}.`,
  enforcementLevel: "mandatory",
  remediationSteps:
    "Sending again to an address that hard-bounced or complained raises the account's bounce and complaint rates, and SES reviews or pauses accounts whose rates stay high. " +
    `Set suppressionOptions.suppressedReasons to [${SUPPRESSED_REASONS.map((r) => `"${r}"`).join(", ")}] on the aws.sesv2.ConfigurationSet.`,
  validateResource: validateResourceOfType(
    aws.sesv2.ConfigurationSet,
    noteUnknown((cs, _args, reportViolation) => {
      const options = cs.suppressionOptions;
      const reasons = (options?.suppressedReasons ?? []).map((r) => r.toUpperCase());
      const missing = SUPPRESSED_REASONS.filter((r) => !reasons.includes(r));
      if (missing.length > 0) {
        reportViolation(
          `The configuration set ${cs.configurationSetName} does not suppress ${missing.join(" and ")}${options === undefined ? " (no suppressionOptions: the account-level setting applies, which this stack does not control)" : ""}, so SES keeps sending to addresses that ${missing.length === 2 ? "bounced or complained" : missing[0] === "BOUNCE" ? "bounced" : "complained"}.`,
        );
      }
    }),
  ),
};
