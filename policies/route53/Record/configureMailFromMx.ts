import type { StackValidationPolicy } from "@pulumi/policy";
import { mailFromMxHost, regionOfMailFromMxHost } from "../../../lib/regions";
import { buildStackView, resourceList, unknownRecordsOfType } from "../../util/stack";
import { reportGaps } from "../../util/unknown";

/**
 * A MAIL FROM MX that points at the wrong region's feedback host.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/mail-from.html#mail-from-set
 */
export const configureMailFromMx: StackValidationPolicy = {
  name: "aws-route53-record-configure-mail-from-mx",
  description: "Checks that each MAIL FROM MX points at feedback-smtp.<region>.amazonses.com of the region that uses it.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "SES checks this MX before it sends; a host of another region or another host fails the check, and SES then rejects the mail or sends it unaligned, and bounces stop reaching SES. " +
    "Make the MX value \"10 feedback-smtp.<region>.amazonses.com\" with the identity's region; give every region its own MAIL FROM subdomain (mail-infra:regionalMailFromSubdomains).",
  validateStack: (args, reportViolation) => {
    const view = buildStackView(args.resources);
    const mailFroms = view.mailFroms.filter((m) => m.mailFromDomain !== undefined);
    if (mailFroms.length === 0) args.notApplicable("The stack has no custom MAIL FROM domain.");
    const gaps: string[] = [];
    const unknownMx = unknownRecordsOfType(view, "MX");
    if (unknownMx.length > 0) gaps.push(`MX records whose name or value is unknown (${resourceList(unknownMx)})`);
    const unknownMailFroms = view.unknown.get("aws:sesv2/emailIdentityMailFromAttributes:EmailIdentityMailFromAttributes") ?? 0;
    if (unknownMailFroms > 0) gaps.push(`${unknownMailFroms} MAIL FROM setting${unknownMailFroms === 1 ? "" : "s"} whose domain or region is unknown`);
    for (const mx of view.records.filter((r) => r.type === "MX")) {
      const users = mailFroms.filter((m) => m.mailFromDomain === mx.name);
      const regions = [...new Set(users.map((m) => m.region).filter((r): r is string => r !== undefined))];
      if (regions.length === 0) continue;
      if (regions.length > 1) {
        reportViolation(
          `${mx.name} is the MAIL FROM of identities in ${regions.join(" and ")}, but one MX can name only one region's feedback host. Give each region its own MAIL FROM subdomain.`,
          mx.resource.urn,
        );
        continue;
      }
      const region = regions[0] ?? "";
      const expected = mailFromMxHost(region);
      for (const value of mx.values) {
        const host = (value.trim().split(/\s+/).pop() ?? "").toLowerCase().replace(/\.$/, "");
        if (host === expected) continue;
        const other = regionOfMailFromMxHost(host);
        reportViolation(
          `The MX of the MAIL FROM ${mx.name} is "${value}", but its identity sends from ${region}, so it must be "10 ${expected}".` +
            (other ? ` It points at ${other}'s feedback host: SES in ${region} fails the MAIL FROM check.` : ""),
          mx.resource.urn,
        );
      }
    }
    reportGaps(gaps);
  },
};
