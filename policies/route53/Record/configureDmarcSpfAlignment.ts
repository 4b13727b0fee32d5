import type { StackValidationPolicy } from "@pulumi/policy";
import { applicableDmarc, dmarcAlignment } from "../../../lib/dmarc";
import { normalizeDomain } from "../../../lib/domain";
import { buildStackView, resourceList, sameRegion, unknownRecordsOfType } from "../../util/stack";
import { reportGaps } from "../../util/unknown";

/**
 * A DMARC record with aspf=s over an SES domain whose MAIL FROM is a subdomain: SPF never aligns.
 *
 * @link https://www.rfc-editor.org/rfc/rfc7489#section-3.1.2
 */
export const configureDmarcSpfAlignment: StackValidationPolicy = {
  name: "aws-route53-record-configure-dmarc-spf-alignment",
  description: "Checks that the DMARC record of each SES domain lets its MAIL FROM subdomain align for SPF (no aspf=s).",
  enforcementLevel: "mandatory",
  remediationSteps:
    "SES requires the custom MAIL FROM to be a subdomain (bounce.<domain>), and strict SPF alignment (aspf=s) needs the MAIL FROM to equal the From domain, so SPF never aligns and DMARC rests on DKIM alone, as with no custom MAIL FROM at all. " +
    "DKIM is not affected: SES signs with d=<the identity's domain>, which aligns under adkim=s too. Set mail-infra:dmarcAspf to r (relaxed, the default).",
  validateStack: (args, reportViolation) => {
    const view = buildStackView(args.resources);
    const domains = view.identities.filter((i) => i.isDomain);
    if (domains.length === 0) args.notApplicable("The stack has no SES domain identity.");
    const txtAt = (name: string) => view.records.filter((r) => r.type === "TXT" && r.name === normalizeDomain(name));
    const reported = new Set<string>();
    for (const id of domains) {
      const mailFrom = view.mailFroms.find((m) => m.identity === id.identity && sameRegion(m.region, id.region))?.mailFromDomain;
      if (mailFrom === undefined) continue; // No custom MAIL FROM: aws-sesv2-emailidentity-missing-mail-from.
      const dmarc = applicableDmarc(id.identity, (name) => txtAt(name).flatMap((r) => r.values));
      if (!dmarc) continue; // No DMARC record: aws-route53-record-missing-identity-records.
      const { unalignedMailFroms } = dmarcAlignment(id.identity, dmarc.record, [mailFrom]);
      const key = `${id.identity}|${mailFrom}`;
      if (unalignedMailFroms.length === 0 || reported.has(key)) continue;
      reported.add(key);
      reportViolation(
        `The DMARC record at ${dmarc.name} sets aspf=s, but ${id.identity} sends with the MAIL FROM ${mailFrom}${id.region ? ` in ${id.region}` : ""}, a subdomain: under strict alignment SPF never aligns, so DMARC passes only when DKIM does. Use aspf=r.`,
        txtAt(dmarc.name)[0]?.resource.urn,
      );
    }
    const unknown = unknownRecordsOfType(view, "TXT");
    if (unknown.length > 0) reportGaps([`TXT records whose name or value is unknown could hold a DMARC record (${resourceList(unknown)})`]);
  },
};
