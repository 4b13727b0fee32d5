import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { noteUnknown } from "../../util/unknown";

/**
 * A configuration set that lets SES deliver without TLS.
 *
 * @link https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_DeliveryOptions.html
 */
export const configureTlsPolicy: ResourceValidationPolicy = {
  name: "aws-sesv2-configurationset-configure-tls-policy",
  description: "Checks that an SES configuration set requires TLS for delivery (tlsPolicy REQUIRE).",
  enforcementLevel: "mandatory",
  remediationSteps:
    "With OPTIONAL, which is also the default, SES delivers in clear text whenever the receiving server offers no TLS, so mail can be read or altered on the way. " +
    "Set mail-infra:tlsPolicy to REQUIRE (deliveryOptions.tlsPolicy on aws.sesv2.ConfigurationSet).",
  validateResource: validateResourceOfType(
    aws.sesv2.ConfigurationSet,
    noteUnknown((cs, _args, reportViolation) => {
      const tls = cs.deliveryOptions?.tlsPolicy;
      if (tls !== "REQUIRE") {
        reportViolation(`The configuration set ${cs.configurationSetName} has tlsPolicy ${tls ?? "unset (SES uses OPTIONAL)"}, so SES may deliver its mail without encryption. Use REQUIRE.`);
      }
    }),
  ),
};
