import type { StackValidationPolicy } from "@pulumi/policy";
import { labelUnder, mailFromOwnership, regionalMailFromName, sharedNameProblem } from "../../../lib/mail-from-owner";
import { mailFromMxHost, regionOfMailFromMxHost } from "../../../lib/regions";
import { buildStackView, resourceList, unknownRecordsOfType } from "../../util/stack";
import { reportGaps } from "../../util/unknown";

/**
 * A MAIL FROM MX that points at the wrong region's feedback host.
 *
 * @link https://docs.aws.amazon.com/ses/latest/dg/mail-from.html#mail-from-set
 * @link https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MailFromAttributes.html (the
 *   MAIL FROM states: SES looks for the MX on its own schedule, not per message)
 */
export const configureMailFromMx: StackValidationPolicy = {
  name: "aws-route53-record-configure-mail-from-mx",
  description: "Checks that each MAIL FROM MX points at feedback-smtp.<region>.amazonses.com of the region that uses it.",
  enforcementLevel: "mandatory",
  remediationSteps:
    "SES looks for this MX on its own schedule, not when a message is sent (the MAIL FROM status goes Pending, then Success, or Failed or TemporaryFailure when the MX is missing or wrong). A host of another region or another host makes the status fail; from then on SES rejects the region's mail (REJECT_MESSAGE) or sends it with amazonses.com, unaligned (USE_DEFAULT_VALUE), and bounces stop reaching SES. " +
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
    // Who each name serves: lib/mail-from-owner, the rule verify and adopt use (the region the declared MX names keeps it).
    const ownership = mailFromOwnership(
      mailFroms.flatMap((m) => (m.mailFromDomain !== undefined && m.region !== undefined ? [{ region: m.region, name: m.mailFromDomain }] : [])),
      (name) => view.records.find((r) => r.type === "MX" && r.name === name)?.values,
    );
    for (const mx of view.records.filter((r) => r.type === "MX")) {
      const own = ownership.find((o) => o.name === mx.name.toLowerCase());
      if (!own) continue;
      const regions = own.regions;
      if (regions.length > 1) {
        const domain = mailFroms.find((m) => m.mailFromDomain === mx.name)?.identity ?? "";
        const suggestion = own.movers.map((r) => `${r}=${labelUnder(regionalMailFromName(own.name, domain, r), domain)}`).join(", ");
        reportViolation(
          `${sharedNameProblem(own)} It serves ${own.owner}; give ${own.movers.join(" and ")} ${own.movers.length === 1 ? "its" : "their"} own MAIL FROM subdomain (mail-infra:regionalMailFromSubdomains ${suggestion}).`,
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
