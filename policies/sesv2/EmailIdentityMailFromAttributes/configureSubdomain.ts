import * as aws from "@pulumi/aws";
import { type ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isSubdomainOf } from "../../../lib/domain";
import { noteUnknown } from "../../util/unknown";

/**
 * A MAIL FROM domain that is not a subdomain of its identity.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/mail-from.html
 */
export const configureSubdomain: ResourceValidationPolicy = {
  name: "aws-sesv2-emailidentitymailfromattributes-configure-subdomain",
  description: "Checks that a custom MAIL FROM domain is a subdomain of the identity it belongs to.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "SES requires it, and only a subdomain of the From domain lets SPF align for DMARC; the apex cannot be used because its MX must point at SES's feedback host. " +
    "Use a subdomain of the identity such as bounce.<domain> (mail-infra:mailFromSubdomain).",
  validateResource: validateResourceOfType(
    aws.sesv2.EmailIdentityMailFromAttributes,
    noteUnknown((mailFrom, args, reportViolation) => {
      const name = mailFrom.mailFromDomain;
      if (name === undefined || name === "") return args.notApplicable("No custom MAIL FROM domain is set.");
      const identity = mailFrom.emailIdentity;
      const domain = identity.includes("@") ? identity.slice(identity.lastIndexOf("@") + 1) : identity;
      if (!isSubdomainOf(name, domain)) {
        reportViolation(`The MAIL FROM ${name} is not a subdomain of ${domain}; SES refuses it and SPF cannot align with ${domain}. Use a name such as bounce.${domain}.`);
      }
    }),
  ),
};
