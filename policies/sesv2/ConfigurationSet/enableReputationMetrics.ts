import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { noteUnknown } from "../../util/unknown";

/**
 * A configuration set without reputation metrics.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/monitor-sending-activity.html
 */
export const enableReputationMetrics: ResourceValidationPolicy = {
  name: "aws-sesv2-configurationset-enable-reputation-metrics",
  description: "Checks that an SES configuration set publishes reputation metrics.",
  enforcementLevel: "advisory",
  remediationSteps:
    "Without them the bounce and complaint rates of the mail sent through the set are not in CloudWatch, so a rising rate is noticed only when SES pauses sending for the whole account. " +
    "Set reputationOptions.reputationMetricsEnabled to true on the aws.sesv2.ConfigurationSet (the program's SesIdentity component does this).",
  validateResource: validateResourceOfType(
    aws.sesv2.ConfigurationSet,
    noteUnknown((cs, _args, reportViolation) => {
      if (cs.reputationOptions?.reputationMetricsEnabled !== true) {
        reportViolation(`The configuration set ${cs.configurationSetName} does not publish reputation metrics, so its bounce and complaint rates cannot be watched or alarmed on.`);
      }
    }),
  ),
};
