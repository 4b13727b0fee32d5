import type { StackValidationPolicy } from "@pulumi/policy";
import { buildStackView, sameRegion } from "../../util/stack";

/**
 * A domain identity without a custom MAIL FROM domain.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/mail-from.html
 */
export const missingMailFrom: StackValidationPolicy = {
  name: "aws-sesv2-emailidentity-missing-mail-from",
  description: "Checks that every SES domain identity has a custom MAIL FROM domain in the same region.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "Without one, SES uses amazonses.com as the envelope sender, so SPF never aligns with the From domain and DMARC rests on DKIM alone. " +
    "Declare an aws.sesv2.EmailIdentityMailFromAttributes for the identity in each region, with a subdomain such as bounce.<domain> (mail-infra:mailFromSubdomain), and its MX and SPF records.",
  validateStack: (args, reportViolation) => {
    const view = buildStackView(args.resources);
    const domains = view.identities.filter((i) => i.isDomain);
    if (domains.length === 0) args.notApplicable("The stack has no SES domain identity.");
    for (const id of domains) {
      const mailFrom = view.mailFroms.find((m) => m.identity === id.identity && sameRegion(m.region, id.region));
      if (!mailFrom || mailFrom.mailFromDomain === undefined) {
        reportViolation(
          `${id.identity}${id.region ? ` in ${id.region}` : ""} has no custom MAIL FROM domain${mailFrom ? " (mailFromDomain is empty)" : ""}, so its mail is sent with an amazonses.com envelope sender and SPF does not align for DMARC.`,
          id.resource.urn,
        );
      }
    }
  },
};
